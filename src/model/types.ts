/**
 * What the probes know of the model. Only src/model/onnx*.ts imports onnxruntime; every other
 * layer sees these interfaces, so probes and metrics are testable with a plain function as model.
 */
import type { Dataset } from '../data/types';

export interface TensorInfo {
  name: string;
  /** Dimensions; a string or -1 where the model leaves it symbolic (e.g. the batch). */
  shape: (number | string)[];
  type: string;
}

export interface ModelInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** The input and output the gate uses. */
  input: string;
  output: string;
  featureCount: number;
  classCount: number;
  /** Class names as the model knows them (ZipMap keys or sklearn labels), else "0".."C-1". */
  classLabels: string[];
  /** What the raw output holds; predict() hands the scores out as such (ClassScores.kind), unrounded. */
  scoreKind: 'probabilities' | 'logits';
  /** How scoreKind was decided, for the report ("policy", "checked on first batch", ...). */
  scoreKindReason: string;
}

/**
 * A classifier's answer for a batch of rows: rows × classCount scores, exactly as the model
 * output them (a single sigmoid column already widened to two classes), never rounded into
 * probabilities. `logits` are turned into log-probabilities in float64 by the surface.
 */
export interface ClassScores {
  kind: 'probabilities' | 'logits';
  values: Float32Array | Float64Array;
}

/** A classifier that maps rows to class scores (rows × classCount). */
export interface Classifier {
  readonly info: ModelInfo;
  /** Model queries made so far: one per row sent to the model. */
  readonly queries: number;
  predict(x: Float32Array, rows: number): Promise<ClassScores>;
}

/** What the gate knows of a regression model (`model.task: regression`). */
export interface RegressorInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** The input and output the gate uses. */
  input: string;
  output: string;
  featureCount: number;
}

/** A regression model: one predicted value per row. */
export interface Regressor {
  /** Tells a Regressor from a Classifier (which has no `task`). */
  readonly task: 'regression';
  readonly info: RegressorInfo;
  /** Model queries made so far: one per row sent to the model. */
  readonly queries: number;
  predict(x: Float32Array, rows: number): Promise<Float32Array>;
}

/** Any model the gate can test. */
export type Target = Classifier | Regressor;

/**
 * Class scores as the surface reveals them, rows × classCount: float64, or a probability
 * model's own float32 values when the surface reveals them unchanged (every float32 reads as
 * the same double, so no score differs; half the memory).
 * - `log`: log-probabilities computed from a logits model's output at full precision (no
 *   probability is ever formed, so confident rows do not saturate to p = 1 and tie);
 * - `probability`: probabilities as revealed: a probability model's own values, or scores the
 *   surface declares rounded (`decimals`, `precision: float32`).
 * Which scores are hidden comes from the surface alone, through `hidden` (1 = hidden, top-k);
 * a hidden entry of `values` is NaN and must never be read.
 */
export interface RevealedScores {
  scale: 'log' | 'probability';
  values: Float32Array | Float64Array;
  hidden?: Uint8Array;
}

/** What a deployed API reveals for a batch of rows; `scores` is absent when only the label is revealed. */
export interface Observation {
  rows: number;
  classCount: number;
  labels: Int32Array;
  scores?: RevealedScores;
}

/**
 * Where the rows of a query come from, so that a bad model answer can be traced back: the rows
 * of a data file, the text records of a sequence model's data files, or the synthetic inputs of
 * a probe (named for the user, e.g. "the inversion probe's search").
 */
export type QuerySource = { data: Dataset } | { probe: string } | { texts: readonly TextRecords[] };

/**
 * Text records of one data file sent to a sequence model, one query row each: row r of the
 * query is the r-th record of the first entry, then of the next (members, then non-members).
 */
export interface TextRecords {
  role: string;
  /** Absolute path of the file. */
  file: string;
  /** 1-based line of each record in the file. */
  lines: readonly number[];
}
