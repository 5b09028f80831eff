/**
 * The typed, validated policy every later stage reads. Built once by `loadPolicy`; paths are
 * absolute; every default is filled in, so no stage re-reads the YAML or guesses a default.
 */

import type { SourceLocation } from '../errors';

/**
 * A policy setting that does not stop the gate but is probably not what was meant (e.g. `top-k`
 * with a surface that reveals every score, which the gate then ignores).
 */
export interface PolicyWarning {
  message: string;
  location: SourceLocation;
}

/** A threshold as written in the policy, with where it was written (for annotations). */
export interface Threshold {
  warn?: number;
  fail?: number;
  /** Where the threshold is declared: the policy file, or the preset it extends. */
  source: ThresholdSource;
}

export interface ThresholdSource {
  file: string;
  line: number;
  column: number;
}

export interface DataFileSettings {
  /** Absolute path. */
  path: string;
  /** text: one record per line (sequence models only); jsonl holds rows, or texts / token ids for sequence models. */
  format: 'csv' | 'jsonl' | 'npy' | 'text';
  /** NPY only: a 1-D .npy file holding the labels (absolute path). */
  labels?: string;
  /** NPY only: names of the array's columns, in order (default "0", "1", ...). */
  columns?: string[];
}

export type ScoreKind = 'auto' | 'probabilities' | 'logits';

export interface ModelSettings {
  /** Absolute path of the .onnx file. */
  path: string;
  /** classification: class scores per row; regression: one predicted value per row. */
  task: 'classification' | 'regression' | 'sequence';
  input?: string;
  output?: string;
  scores: ScoreKind;
  /** Sequence models: name of the attention-mask input (default: an input named like "mask"). */
  attentionMask?: string;
  /** Sequence models with a symbolic context length: most tokens sent per query. */
  context?: number;
  /** Sequence models: how text becomes token ids. */
  tokenizer?: TokenizerSettings;
  /** Sequence models: absolute path of the reference model (`model.reference-model`, e.g. the base model before fine-tuning). */
  referenceModel?: string;
}

/**
 * How text becomes token ids: a Hugging Face tokenizer.json (`file`, absolute path; the policy's
 * string form), or a character vocabulary given inline or as a JSON file (absolute path).
 */
export interface TokenizerSettings {
  /** The tokenizer.json (`model.tokenizer: path`); the vocabulary fields are then absent. */
  file?: string;
  /** Tokens in id order (one character each, or special tokens such as "<pad>"). */
  vocab?: string[];
  vocabFile?: string;
  /** Id used to left-pad prompts shorter than a fixed context; default: a "<pad>" token's id. */
  padId?: number;
  /** Where the vocabulary is declared in the policy, for errors about it. */
  source: ThresholdSource;
}

export interface DataSettings {
  members: DataFileSettings;
  nonMembers: DataFileSettings;
  /**
   * Name of the label column. With .npy data that has a separate labels file it is only a name
   * ("label" unless the policy sets one).
   */
  label: string;
  /** Column names, or one glob; undefined means every column but the label. */
  features?: string[] | string;
  /** Classifiers: the label values in class-index order (`data.classes`); undefined: the model's own class labels. */
  classes?: string[];
  maxRows: number;
  /** Records in both sets are a warning instead of an error (data.allow-overlap; default false). */
  allowOverlap: boolean;
  /** Sequence models, JSONL data: the field holding each record's text or token ids ("text" unless set). */
  textField?: string;
}

export interface SurfaceSettings {
  scores: 'full' | 'top-k' | 'label';
  /** How many scores are revealed when scores is top-k; 0 (unused) for the other surfaces. */
  topK: number;
  decimals?: number;
  /**
   * `float32`: the API returns float32 probabilities (confident rows round to 1 and tie).
   * Absent: scores are revealed at full precision (float64, from logits without rounding).
   */
  precision?: 'float32';
}

export const MEMBERSHIP_ATTACKS = [
  'loss',
  'confidence',
  'entropy',
  'modified-entropy',
  'gap',
  'label-stability',
  'lira',
  'lira-offline',
  'rmia',
] as const;
export type MembershipAttack = (typeof MEMBERSHIP_ATTACKS)[number];

/** Query augmentations of the reference-model attacks, applied to the candidate and the references alike. */
export type QueryAugmentation = 'shift-1';

/** Reference models for LiRA and RMIA (`probes.membership.reference-models`). */
export interface ReferenceModelSettings {
  /** Absolute paths of the reference models, in sorted file-name order (the memberships matrix's row order). */
  models: string[];
  /** Absolute path of the memberships file (.csv or .npy). */
  memberships: string;
  /** Where `reference-models.memberships` is written: memberships and coverage errors point there. */
  membershipsSource: ThresholdSource;
  /** RMIA's population z (OUT for every reference model); absent: the audited records themselves. */
  population?: DataFileSettings;
}

/** The membership metrics a candidate is compared on with the released model, and their checks' ids. */
export const INCREASE_METRICS = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;
export type IncreaseMetric = `${(typeof INCREASE_METRICS)[number]}-increase`;

/**
 * `baseline`: the released model the candidate is compared with, as an ONNX file (paired: the
 * same records, seed, surface and attacks on both) or as an earlier run's privacy-report.json
 * (unpaired). Exactly one of `model` and `report` (absolute paths).
 */
export interface BaselineSettings {
  model?: string;
  report?: string;
  /** Where `baseline` is written, for errors about it. */
  source: ThresholdSource;
}

export interface MembershipSettings {
  attacks: MembershipAttack[];
  /** Label-only stability attack: noisy queries per record and the noise's standard deviation. */
  stability: { queries: number; noise: number };
  /** Set when the policy names reference models (needed by lira, lira-offline and rmia). */
  referenceModels?: ReferenceModelSettings;
  /** Query augmentations of the reference-model attacks; empty: one query per record. */
  augmentations?: QueryAugmentation[];
  /** Where `queries.augmentations` is written, for an error when the input is not a square image. */
  augmentationsSource?: ThresholdSource;
  /** Also pool each reference attack over the reference models playing the target in turn. */
  recipeLevel?: boolean;
  /**
   * `max-increase`: the largest allowed increase over the released model (`Policy.baseline`), by
   * the id of the check it becomes (`auc-increase`, …; `fail` is the allowance), in check order.
   */
  increases?: Partial<Record<IncreaseMetric, Threshold>>;
  /** By metric id, spelt as in the policy and the report (as every probe's thresholds). */
  thresholds: {
    auc?: Threshold;
    advantage?: Threshold;
    'tpr-at-fpr'?: Threshold & { fpr: number };
    'epsilon-lower-bound'?: Threshold;
  };
}

/** Shape of an image input, for the smoothness prior and the PNGs of the inversion probe. */
export interface ImageSettings {
  height: number;
  width: number;
  channels: number;
  /** hwc: channels last (numpy images); chw: channels first (PyTorch tensors). */
  layout: 'hwc' | 'chw';
  /** Where `image` is declared, for an error when it does not match the model's input. */
  source: ThresholdSource;
}

/** Class reconstruction (MI-FACE, Fredrikson et al. 2015). */
export interface InversionSettings {
  image?: ImageSettings;
  /** The neutral start: all zeros, or the mean of the non-members (the attacker's auxiliary data). */
  start: 'zeros' | 'auxiliary-mean';
  /** How gradients are estimated from queries; auto picks by input size. */
  gradient: 'auto' | 'central' | 'nes';
  /** NES: random directions per step (2 queries each). */
  samples: number;
  /** Query budget per class. */
  maxQueries: number;
  /** Steps without improvement before a class stops. */
  patience: number;
  /** Stop a class once its revealed score reaches this (1: only at saturation). */
  targetConfidence: number;
  /** RMS move per feature and step, as a fraction of the feature's range. */
  stepSize: number;
  /** Finite-difference (or NES smoothing) step, as a fraction of each feature's range. */
  differenceStep: number;
  /** Weight λ of the total-variation prior; 0 without `image`. */
  smoothness: number;
  thresholds: {
    'identification-rate'?: Threshold;
    'similarity-gain'?: Threshold;
  };
}

/** One candidate value of a one-hot attribute and the column that is 1 for it (null: all 0). */
export interface OneHotLevel {
  value: string;
  column: string | null;
}

/** Attribute inference (Fredrikson et al. 2014). */
export interface AttributeInferenceSettings {
  /** A feature column, or (with `oneHot`) the name of the one-hot group. */
  attribute: string;
  /** One-hot encoding of the attribute over several feature columns, in policy order. */
  oneHot?: OneHotLevel[];
  /** Candidate values of a plain attribute column; undefined: the values seen in the data (one-hot: see oneHot). */
  values?: number[];
  /** Feature columns the attacker knows; undefined: every feature but the attribute's. */
  known?: string[];
  /** Attacker records that stand in for unknown features, per target. */
  samples: number;
  observed: 'label' | 'model-output';
  prior: 'non-members' | 'auxiliary' | 'uniform';
  /** The attacker's own records. */
  auxiliary?: DataFileSettings;
  /** Regression: where the Gaussian residual's sigma comes from. */
  residualSpread: 'non-members' | 'auxiliary' | 'training';
  /** Where attribute, values, known and encoding are written, for errors found once the data is loaded. */
  sources: { attribute: ThresholdSource; values?: ThresholdSource; known?: ThresholdSource; encoding?: ThresholdSource };
  thresholds: {
    lift?: Threshold;
    'member-accuracy'?: Threshold;
    'member-gap'?: Threshold;
  };
}

/** Canaries of one format (Carlini et al. 2019): secrets inserted into the training data, and controls that were not. */
export interface CanarySettings {
  /** e.g. "my pin is {digits:6}". */
  format: string;
  inserted: string[];
  controls: string[];
  /** Where the canary's format is written, for errors found once the vocabulary is known. */
  source: ThresholdSource;
}

/** A prompt the secret scan samples from, with where it is written. */
export interface ScanPrompt {
  text: string;
  source: ThresholdSource;
}

/** Training-data extraction from sequence models (`model.task: sequence`). */
export interface ExtractionSettings {
  canaries: CanarySettings[];
  exposure: {
    /** Largest candidate space |R| enumerated exactly; larger ones are estimated from a sample. */
    exactLimit: number;
    /** Candidates sampled for an estimate. */
    samples: number;
    /** exact-limit as the policy wrote it (absent: each path's default; the subword path's is 10^6). */
    policyExactLimit?: number;
  };
  /** Greedy continuation of member and non-member prefixes (Carlini et al. 2021). */
  memorization?: { prefix: number; suffix: number };
  /** Sampled generations scanned for secrets that occur verbatim in the member data. */
  secretScan?: {
    prompts: ScanPrompt[];
    /** Generations per prompt and tokens per generation. */
    samples: number;
    length: number;
    temperature: number;
    /** 0: sample from every token. */
    topK: number;
    patterns: string[];
    regexes: string[];
  };
  /** Sampled generations ranked and matched against the member texts (Carlini et al. 2021). */
  generation?: GenerationSettings;
  thresholds: {
    'max-exposure'?: Threshold;
    'extraction-rate'?: Threshold;
    'extraction-gap'?: Threshold;
    'secret-matches'?: Threshold;
    'extracted-samples'?: Threshold;
  };
}

export const TEXT_MEMBERSHIP_ATTACKS = ['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference'] as const;
export type TextMembershipAttack = (typeof TEXT_MEMBERSHIP_ATTACKS)[number];

/** Membership inference on a language model's texts (`model.task: sequence`). */
export interface TextMembershipSettings {
  attacks: TextMembershipAttack[];
  /** Fraction of each text's lowest-scored tokens that Min-K% and Min-K%++ average. */
  minK: number;
  /** The FPR tpr-at-fpr is measured at (the threshold's own `fpr`, else the probe's, else 0.01). */
  fpr: number;
  /** `data.allow-overlap`: texts in both sets are noted instead of refused. */
  allowOverlap: boolean;
  /** By metric id, with the ids and meaning of the membership probe's. */
  thresholds: {
    auc?: Threshold;
    advantage?: Threshold;
    'tpr-at-fpr'?: Threshold & { fpr: number };
    'epsilon-lower-bound'?: Threshold;
  };
}

/** Generation extraction: samples per prompt, sampling, the verbatim window and how many top samples each ranking inspects. */
export interface GenerationSettings {
  prompts: ScanPrompt[];
  samples: number;
  /** New tokens per sample. */
  length: number;
  temperature: number;
  /** 0: every token. */
  topK: number;
  /** 1: off. */
  topP: number;
  /** k of the verbatim test: k consecutive tokens equal to k tokens of a member text. */
  matchTokens: number;
  /** Samples inspected at the top of each ranking. */
  inspect: number;
}

/** How checks the data could not settle count in the verdict (src/gate/verdict.ts). */
export interface GateRules {
  /** A check whose interval reaches over its fail threshold while its value does not. */
  inconclusive: 'pass' | 'warn' | 'fail';
  /** A check the data is too small to resolve: error stops the gate (exit 2), warn lets it pass with a warning. */
  insufficient: 'error' | 'warn';
}

export interface GateSettings extends GateRules {
  /** Two-sided confidence level of every interval, e.g. 0.95. */
  confidence: number;
}

export interface Policy {
  /** Absolute path of the policy file. */
  file: string;
  /** Files the policy was merged from, outermost preset first, the policy file last. */
  sources: string[];
  version: 1;
  name: string;
  seed: number;
  model: ModelSettings;
  data: DataSettings;
  surface: SurfaceSettings;
  probes: {
    membership?: MembershipSettings;
    'text-membership'?: TextMembershipSettings;
    inversion?: InversionSettings;
    'attribute-inference'?: AttributeInferenceSettings;
    extraction?: ExtractionSettings;
  };
  gate: GateSettings;
  /** The released model to compare with (`baseline`), when the policy names one. */
  baseline?: BaselineSettings;
  /** Settings the gate ignores, with where they are (for the CLI and annotations). */
  warnings?: PolicyWarning[];
}
