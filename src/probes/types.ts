/**
 * The contract between the runner and a probe family. A probe queries the model only through
 * the observed surface, returns raw attack scores, and never decides pass or fail.
 */
import type { Dataset } from '../data/types';
import type { ObservedModel } from '../model/surface';
import type { ObservedSequenceModel } from '../model/sequence-types';
import type { Observation } from '../model/types';
import type { DataFileSettings, Threshold } from '../policy/types';
import type { AttackMeasurement } from '../result';
import type { Vocabulary } from '../text/vocab';

/** The contract with reporters lives in src/result.ts; probe files import it from here too. */
export type { AttackMeasurement };

/**
 * A dataset whose labels are already mapped to the model's class indices. For a regression
 * model (`model.task: regression`) every class is 0 and `targets` holds the labels as numbers.
 */
export interface LabelledData extends Dataset {
  classes: Int32Array;
  /** Regression models: the label column as numbers (the true targets). */
  targets?: Float64Array;
}

/** Model outputs shared by every probe: each dataset is queried once, whoever asks first. */
export interface Signals {
  observe(data: LabelledData): Promise<Observation>;
}

export interface ProbeContext {
  model: ObservedModel;
  members: LabelledData;
  nonMembers: LabelledData;
  signals: Signals;
  seed: number;
  /** Two-sided confidence level of every interval. */
  confidence: number;
  /**
   * Loads a data file that a probe's settings name (e.g. the attacker's auxiliary records) the
   * way members are loaded (label, features, max-rows, seed); the runner records its SHA-256.
   */
  loadData?(file: DataFileSettings, role: string): LabelledData;
}

export interface ProbeMeasurement {
  attacks: AttackMeasurement[];
  /** What a reviewer should know: weak or impossible attacks under this surface, skipped classes. */
  notes: string[];
}

/**
 * A probe family. `Context` is what the runner builds for the model's task: the classifier
 * context by default, `SequenceProbeContext` for probes of sequence models (task: sequence).
 */
export interface ProbeDefinition<Settings, Context = ProbeContext> {
  id: string;
  description: string;
  /** Thresholds by metric id, read from the probe's settings. */
  thresholds(settings: Settings): Record<string, Threshold | undefined>;
  run(context: Context, settings: Settings): Promise<ProbeMeasurement>;
}

/** Texts of one role (members or non-members) for a sequence model, tokenised. */
export interface TextData {
  role: string;
  /** Absolute path of the file. */
  file: string;
  /** The sampled records (max-rows), as token ids, in file order. */
  tokens: Int32Array[];
  /** 1-based line of each sampled record in the file. */
  lines: number[];
  /** Every record of the file as text, newline-joined: where the secret scan looks for verbatim matches. */
  corpus: string;
  rows: number;
  rowsInFile: number;
}

/** What the runner builds when `model.task` is `sequence`; the classifier context is unchanged. */
export interface SequenceProbeContext {
  task: 'sequence';
  /** The model behind the policy's output surface: the only handle the probe gets. */
  model: ObservedSequenceModel;
  /** The character vocabulary; absent when the data is pre-tokenised and no vocabulary is given. */
  vocabulary?: Vocabulary;
  members: TextData;
  nonMembers: TextData;
  seed: number;
  /** Two-sided confidence level of every interval. */
  confidence: number;
}
