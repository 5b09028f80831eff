/**
 * The contract between the runner and a probe family. A probe queries the model only through
 * the observed surface, returns raw attack scores, and never decides pass or fail.
 */
import type { Dataset } from '../data/types';
import type { MembershipMatrix } from '../metrics/reference-signals';
import type { ObservedModel } from '../model/surface';
import type { ObservedSequenceModel } from '../model/sequence-types';
import type { Observation, QuerySource } from '../model/types';
import type { PolicyFamily } from '../policy/family';
import type { DataFileSettings, Threshold } from '../policy/types';
import type { AttackMeasurement } from '../result';
import type { TextTokenizer } from '../text/tokenizer';
import type { Vocabulary } from '../text/vocab';

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
  /** The membership probe's reference models, when the policy names them. */
  references?: ReferenceModels;
  /**
   * The released model (policy `baseline.model`), opened like the candidate and behind the same
   * surface; its outputs are computed once each, like the candidate's. Probes that compare attack
   * both on the same records with the same seed.
   */
  baseline?: { model: ObservedModel; signals: Signals };
}

/**
 * K reference models trained like the candidate (LiRA, RMIA), behind the candidate's own
 * output surface. Each `query` opens model k, answers the batch and lets it go, so at most one
 * reference model is open at a time.
 */
export interface ReferenceModels {
  /** File names, in the memberships matrix's row order. */
  names: string[];
  /**
   * [K × records]: records are the whole members file's rows, then the whole non-members
   * file's (map sampled rows with `origin.fileRows`).
   */
  memberships: MembershipMatrix;
  /** Rows of the whole members file: where the non-members start in `memberships`. */
  membersInFile: number;
  query(k: number, x: Float32Array, rows: number, source: QuerySource): Promise<Observation>;
}

export interface ProbeMeasurement {
  attacks: AttackMeasurement[];
  /** What a reviewer should know: weak or impossible attacks under this surface, skipped classes. */
  notes: string[];
}

/** The probe context the runner builds for each model task. */
export interface TaskContexts {
  classification: ProbeContext;
  regression: ProbeContext;
  sequence: SequenceProbeContext;
}

/** Every probe's settings hold its thresholds by metric id, as spelt in the policy and the report. */
export interface ProbeSettings {
  thresholds: Partial<Record<string, Threshold>>;
  /** Allowed increases over the released model, by the id of the metric the probe reports (`auc-increase`). */
  increases?: Partial<Record<string, Threshold>>;
}

/**
 * A probe family: one registry entry (src/probes/index.ts), declared in its folder's family.ts.
 * The policy layer uses its PolicyFamily part (checks, settings builder, tasks, threshold ids);
 * the runner calls `run` with the context built for the model's task. `Task` is the tasks it
 * runs on, all of which share one context type.
 */
export interface ProbeFamily<
  Settings extends ProbeSettings,
  Task extends keyof TaskContexts = 'classification',
> extends PolicyFamily<Settings> {
  description: string;
  tasks: readonly Task[];
  /**
   * How a sharded run (`privacy-gate run --shard i/n`, src/shard/) shares this family's model
   * queries: `records` when every query row is built from the data, the seed and at most that
   * row's own earlier answers, so each shard answers its slice of the rows of every query;
   * `whole` when a query depends on the answers to other rows (a search), so shard 1 runs the
   * family in full.
   */
  split: 'records' | 'whole';
  run(context: TaskContexts[Task], settings: Settings): Promise<ProbeMeasurement>;
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
  /**
   * The tokeniser the texts were encoded with: the character vocabulary above or a
   * tokenizer.json; absent when the data is pre-tokenised and no tokeniser is given.
   */
  tokenizer?: TextTokenizer;
  /**
   * The policy's reference model for sequence tasks (`model.reference-model`, e.g. the base model
   * before fine-tuning), behind the same surface: for likelihood-ratio membership and for ranking
   * extraction samples (Carlini et al. 2021).
   */
  reference?: ObservedSequenceModel;
  members: TextData;
  nonMembers: TextData;
  seed: number;
  /** Two-sided confidence level of every interval. */
  confidence: number;
}

/** A registry entry of any family: the runner picks those whose tasks include the model's. */
export type AnyProbeFamily = ProbeFamily<ProbeSettings, keyof TaskContexts>;
