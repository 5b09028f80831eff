/**
 * What the probes know of the model. Only src/model/onnx*.ts imports onnxruntime; every other
 * layer sees these interfaces, so probes and metrics are testable with a plain function as model.
 */

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
  /** What the raw output holds; the adapter always hands out probabilities. */
  scoreKind: 'probabilities' | 'logits';
  /** How scoreKind was decided, for the report ("policy", "checked on first batch", ...). */
  scoreKindReason: string;
}

/** A classifier that maps rows to class probabilities (rows × classCount, rows summing to 1). */
export interface Classifier {
  readonly info: ModelInfo;
  /** Model queries made so far: one per row sent to the model. */
  readonly queries: number;
  predict(x: Float32Array, rows: number): Promise<Float32Array>;
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
 * What a deployed API reveals for a batch of rows. `scores` has NaN where the surface hides a
 * value (top-k) and is absent when only the label is revealed.
 */
export interface Observation {
  rows: number;
  classCount: number;
  labels: Int32Array;
  scores?: Float32Array;
}
