/**
 * The shape of a gate run's result: what the verdict, reporters and publishers read. Probes fill
 * `AttackMeasurement`s; every field a reporter draws is typed here, so no reporter casts.
 */
import type { DecoderFacts } from './model/decoder-layout';
import type { RocPoint } from './metrics/roc';
import type { ImageShape } from './optim/total-variation';
import type { StopReason } from './optim/descent';
import type { PolicyChange } from './policy/diff';
import type { AttributeInferenceSettings, GateRules, InversionSettings, ThresholdSource } from './policy/types';

export type Verdict = 'pass' | 'warn' | 'fail' | 'error';

/** Two-sided interval [lower, upper] at the gate's confidence level. */
export type Interval = [number, number];

/**
 * A metric's estimate and its two-sided interval at the gate's confidence level, with the extra
 * facts a reader needs to interpret the value (each metric sets the ones that apply to it).
 */
export interface MetricValue {
  value: number | null;
  ci: Interval;
  /** Set sizes behind the figure, for the gate's sample-size minimums (src/gate/minimums.ts). */
  sample?: { members: number; nonMembers: number };
  /** TPR at FPR: the FPR the policy asked for, and the one the chosen threshold achieved. */
  fpr?: number;
  achievedFpr?: number;
  /** The score threshold the value was read at. */
  threshold?: number;
  /** ε lower bound: thresholds searched (the bound is corrected for the search). */
  thresholdsTried?: number;
  /** Members and non-members scoring at or above `threshold`: the operating point behind the value. */
  atOrAbove?: { members: number; nonMembers: number };
  /** ε lower bound: the records the bound came from, at or above the threshold (high) or below it (low). */
  tail?: 'high' | 'low' | null;
  /** Attribute inference: records guessed right, of `records`. */
  correct?: number;
  records?: number;
  /** How the interval of a difference was computed. */
  interval?: string;
  /**
   * A difference with no interval (the ε lower bound's increase over a released model): `ci` is
   * [value, value] so the verdict judges the point, and reporters show "(point difference, no interval)".
   */
  pointOnly?: true;
  /** A change against the released model (`<metric>-increase`): the released model's own value. */
  released?: number | null;
  /** Attribute inference AUC: records with the second value and with the first. */
  positives?: number;
  negatives?: number;
  /** Inversion: classes identified, of `classes`. */
  identified?: number;
  classes?: number;
  /** Extraction: successes `k` of `n` (extraction rates) or texts averaged (`n`, similarities). */
  k?: number;
  n?: number;
  /** Canary exposure: the most exposed canary (redacted), its rank and log2 |R|. */
  canary?: string;
  rank?: number;
  spaceBits?: number;
  /** Canary exposure: estimated from a sample of the candidate space rather than walked exactly. */
  estimated?: boolean;
  /** Secret scan: generations sampled, matches found, distinct and outside the member data. */
  generations?: number;
  matches?: number;
  distinct?: number;
  outsideMembers?: number;
  /** Generation extraction: distinct samples holding member text verbatim, and those whose member text is all common (also in non-members). */
  verbatim?: number;
  common?: number;
}

/** What a probe measured for one attack, ready for thresholds and reports. */
export interface AttackMeasurement {
  attack: string;
  description: string;
  /** Metric id (kebab-case, as in the policy's thresholds) → value with interval. */
  metrics: Record<string, MetricValue>;
  /** What a report may plot or print beyond the metrics; see `AttackDetails`. */
  details?: AttackDetails;
}

/**
 * Everything an attack hands to reporters besides its metrics, one interface per probe family.
 * Views of their own draw `roc`, `histogram`, `perClass`, `worstClass` and `images` (HTML) and
 * `worstClass` and `canaries` (Markdown); the HTML report shows every other field as a generic
 * table. Keys keep the order the probe writes them in: the order of privacy-report.json and of
 * those tables. The report's schema checks the fields the views draw, so a report read back in
 * publish-only mode holds them in these shapes.
 */
export interface AttackDetails extends MembershipDetails, AttributeInferenceDetails, InversionDetails, ExtractionDetails {}

/** A point of an ROC curve (predict "member" when score ≥ threshold), as the metrics compute it. */
export type { RocPoint };

/** Member and non-member score counts in equal-width bins over [min, max]. */
export interface ScoreHistogram {
  min: number;
  max: number;
  bins: number;
  members: number[];
  nonMembers: number[];
}

export interface PerClassRow {
  /** Class index (the model's class names are in `GateReport.model.classes`). */
  class: number;
  members: number;
  nonMembers: number;
  auc: MetricValue;
  advantage: MetricValue;
}

export interface MembershipDetails {
  roc?: RocPoint[];
  histogram?: ScoreHistogram;
  perClass?: PerClassRow[];
  /** The class whose members the attack tells apart best; null when no class could be measured. */
  worstClass?: { class: number; auc: MetricValue } | null;
  /** The records sharing the attack's highest score (absent when it is a single record). */
  topTie?: ScoreTie;
  /** Score attacks: records whose revealed p_y is exactly 1 (saturated output); absent when none is. */
  saturated?: { members: number; nonMembers: number };
}

/** Records tied at an attack's highest score: no threshold separates the members among them from the non-members. */
export interface ScoreTie {
  score: number;
  members: number;
  nonMembers: number;
}

/** A proportion k of n with its interval. */
export interface Proportion {
  value: number | null;
  ci: Interval;
  k: number;
  n: number;
}

/** Attribute inference: one candidate value of the attribute, on members and on non-members. */
export interface PerValueRow {
  value: string;
  prior: number;
  members: PerValueSide;
  nonMembers: PerValueSide;
}

export interface PerValueSide {
  /** Records with this value, how many of them the attack guessed, and how often it guessed it. */
  records: number;
  accuracy: Proportion;
  guessed: number;
}

export interface AttributeInferenceDetails {
  attribute?: string;
  /** The feature columns that hold the attribute (one, or a one-hot group). */
  columns?: string[];
  candidates?: string[];
  observed?: AttributeInferenceSettings['observed'];
  prior?: { source: AttributeInferenceSettings['prior']; probabilities: number[]; mode: string };
  nonMemberBaselineAccuracy?: Proportion;
  /** Non-member accuracy − the prior's accuracy on non-members (paired): does the model reveal the attribute about anyone? */
  nonMemberLift?: { value: number | null; ci: Interval };
  /** The paired table behind the lift: attack right/wrong × baseline right/wrong. */
  liftTable?: { a: number; b: number; c: number; d: number };
  queriesPerRecord?: number;
  unknownFeatures?: string[];
  perValue?: PerValueRow[];
  /** Regression models: the residual spread σ of the likelihood, and where it came from. */
  residualSpread?: { value: number; from: string; rms: number; floor: number };
  /** Binary attributes: the AUC of the attack score on non-members. */
  nonMemberAuc?: MetricValue;
}

/** Inversion: one target class's reconstruction and how close it came to the class. */
export interface ReconstructionRow {
  class: string;
  /** null when the budget did not allow a single step (the start was never queried). */
  startConfidence: number | null;
  confidence: number | null;
  steps: number;
  queries: number;
  stop: StopReason;
  memberSimilarity: number;
  similarityGain: number;
  nearestMemberClass: string | null;
  nonMemberSimilarity: number | null;
  nonMemberSimilarityGain: number | null;
  nearestNonMemberClass: string | null;
}

export interface InversionDetails {
  gradient?: 'central' | 'nes';
  queriesPerStep?: number;
  freeFeatures?: number;
  start?: InversionSettings['start'];
  similarity?: string;
  reconstructions?: ReconstructionRow[];
  /**
   * In memory only: the reconstructed images' pixels, which the publisher writes as PNGs and
   * replaces by `images` (src/publish/images.ts). Never in privacy-report.json (see `Rasters`).
   */
  rasters?: Rasters;
  /** The PNGs the publisher wrote, relative to the output folder. */
  images?: ImageReference[];
}

/** Canary exposure: one inserted or control canary. */
export interface CanaryRow {
  format: string;
  /** The filled format with the secret redacted. */
  canary: string;
  kind: 'inserted' | 'control';
  exposure: number;
  ci: Interval;
  rank: number;
  spaceBits: number;
  estimated: boolean;
  logPerplexity: number;
}

/** Canary exposure: the candidate walk of one format. */
export interface CanaryWalk {
  format: string;
  spaceSize: number;
  /** Model rows queried by the walk. */
  queries: number;
  /** Trie nodes expanded, and candidates never scored because a prefix was pruned. */
  nodes: number;
  pruned: number;
  estimated: boolean;
  /** Subword path (a tokenizer.json): candidate texts tokenised whole and scored, the shared prefix's tokens and the scored tokens. */
  tokens?: 'subword';
  scored?: number;
  prefixTokens?: number;
  continuationTokens?: number;
}

/** Memorisation: one side's texts, exact continuations and similarity histogram. */
export interface MemorisationSide {
  texts: number;
  skipped: number;
  exact: number;
  similarityHistogram: number[];
}

/** Secret scan: one distinct match (redacted) and where it came from. */
export interface SecretMatch {
  pattern: string;
  match: string;
  inMembers: boolean;
  occurrences: number;
}

export interface ExtractionDetails {
  /** canary-exposure */
  canaries?: CanaryRow[];
  walks?: CanaryWalk[];
  /** memorization */
  prefix?: number;
  suffix?: number;
  members?: MemorisationSide;
  nonMembers?: MemorisationSide;
  /** secret-scan: the listed matches (most of them), how many are listed, how many were found. */
  matches?: SecretMatch[];
  listed?: number;
  distinct?: number;
  /** generation: the verbatim window, samples inspected per ranking, each ranking's tally, the window counts and listed samples (in `samples`). */
  matchTokens?: number;
  inspect?: number;
  rankings?: GenerationRanking[];
  memberWindows?: number;
  nonMemberWindows?: number;
  commonWindows?: number;
  samples?: ExtractedSample[];
}

/** Generation extraction: of a ranking's first `inspected` samples, how many are extracted and how many verbatim (common text included). */
export interface GenerationRanking {
  ranking: string;
  inspected: number;
  extracted: number;
  verbatim: number;
}

/** Generation extraction: one listed sample, its excerpt redacted (member text and secret-like strings masked). */
export interface ExtractedSample {
  excerpt: string;
  /** Holds member text no non-member text has (else: only common text). */
  extracted: boolean;
  tokens: number;
  /** Tokens inside member windows. */
  memberTokens: number;
  /** Times it was generated. */
  copies: number;
  perplexity: number;
  zlibRatio: number;
  referenceRatio?: number;
  /** 1-based position in each ranking. */
  ranks: Record<string, number>;
  /** Line of the member text it reproduces (first uncommon match). */
  memberLine?: number;
}

/** One image an attack reconstructed (or a class mean to compare it with). */
export interface Raster extends ImageShape {
  /** Class label as the model knows it. */
  label: string;
  classIndex: number;
  kind: 'reconstruction' | 'member-mean';
  caption: string;
  pixels: Float64Array;
  /** The data's value range, mapped to black…white. */
  range: { min: number; max: number };
}

/**
 * Images a probe hands to the publisher: the pixel values travel in the measurement's details
 * (the probe writes no files), but never into privacy-report.json. `toJSON` returning undefined
 * makes JSON.stringify drop the whole property, so no renderer can leak raw arrays into the
 * audit record by accident; the publisher writes the PNGs and references them instead.
 */
export class Rasters {
  constructor(readonly items: Raster[]) {}

  /** The same images with their texts (labels, captions) transformed, e.g. secrets masked. */
  withText(transform: (text: string) => string): Rasters {
    return new Rasters(this.items.map((r) => ({ ...r, label: transform(r.label), caption: transform(r.caption) })));
  }

  toJSON(): undefined {
    return undefined;
  }
}

/** What the JSON report holds instead of the pixels: paths relative to the output folder. */
export interface ImageReference {
  label: string;
  kind: Raster['kind'];
  path: string;
  caption: string;
}

export interface Check {
  probe: string;
  attack: string;
  metric: string;
  value: number | null;
  ci: Interval;
  /** Copied from the metric: the value is a point difference and `ci` is [value, value], not an interval. */
  pointOnly?: true;
  thresholds: { warn?: number; fail?: number };
  /**
   * inconclusive: the value is not over `fail` but its interval reaches over it; insufficient: the
   * data is too small to resolve the check whatever the model does (see `needs`). src/gate/verdict.ts.
   */
  status: 'pass' | 'warn' | 'fail' | 'inconclusive' | 'insufficient' | 'error';
  /** Where the threshold is written, for annotations and SARIF. */
  source: ThresholdSource;
  /** Insufficient checks: the records each set needs, what it has, and why. */
  needs?: { members: number; nonMembers: number; have: { members: number; nonMembers: number }; reason: string };
}

/** Suffix of a membership attack's recipe-level estimate (`lira-recipe-level`): reference models play the target in turn. */
export const RECIPE_LEVEL_SUFFIX = '-recipe-level';

export interface ProbeResult {
  id: string;
  description: string;
  status: 'ok' | 'error';
  error?: string;
  attacks: AttackMeasurement[];
  checks: Check[];
  notes: string[];
  queries: number;
  seconds: number;
}

export interface FileDigest {
  path: string;
  sha256: string;
}

/** An ONNX model's digest, with its external data files (the weights of models over 2 GB) when it has any. */
export interface ModelDigest extends FileDigest {
  externalData?: FileDigest[];
}

/** What the candidate was compared with: an ONNX model (paired) or an earlier run's report (unpaired). */
export interface BaselineFacts {
  kind: 'model' | 'report';
  path: string;
  sha256: string;
  /** A baseline model's external data files, as for the candidate. */
  externalData?: FileDigest[];
  /** True when both models were attacked on the same records in this run. */
  paired: boolean;
}

/**
 * The onnxruntime build the model's answers came from: `native` (onnxruntime-node) or `wasm`
 * (onnxruntime-web, the fallback where the native build cannot load), and its version. Both give
 * the same results up to float32 rounding, so an audit names the one that ran.
 */
export interface RuntimeFacts {
  kind: 'native' | 'wasm';
  version: string;
}

/** The audit record written as privacy-report.json (schema: schemas/privacy-report.schema.json). */
export interface GateReport {
  version: 1;
  verdict: Verdict;
  exitCode: number;
  /** `runtime`: the onnxruntime that ran the models; absent when the run stopped before opening one. */
  tool: { name: string; version: string; runtime?: RuntimeFacts };
  policy: { name: string; file: string };
  inputs: {
    policy: FileDigest[];
    model?: ModelDigest;
    data: Array<FileDigest & { role: string; rows: number; rowsInFile: number }>;
    /** Sequence models: `model.reference-model`, the text-membership probe's reference. */
    referenceModel?: ModelDigest;
    /** The membership probe's reference models (LiRA, RMIA), in the memberships file's order, and that file. */
    references?: { models: ModelDigest[]; memberships: FileDigest };
  };
  seed: number | null;
  surface: { scores: string; topK?: number; decimals?: number; precision?: 'float32' } | null;
  model?: {
    input: string;
    output: string;
    featureCount: number;
    classes: string[];
    scoreKind: string;
    scoreKindReason: string;
  };
  /** A sequence model (model.task: sequence) instead of `model`. */
  sequenceModel?: {
    input: string;
    attentionMask?: string;
    output: string;
    /** Tokens per query; null when the model takes any length. */
    context: number | null;
    fixedContext: boolean;
    vocabSize: number;
    /** Where the vocabulary came from (policy or file), and its size; absent for pre-tokenised data only. */
    vocabulary?: { source: string; tokens: number; padId?: number };
    /**
     * How text became token ids: the character vocabulary (as `vocabulary` above) or a
     * tokenizer.json (`model`: e.g. "byte-level BPE"); absent for pre-tokenised data only.
     */
    tokenizer?: {
      kind: 'characters' | 'tokenizer.json';
      source: string;
      tokens: number;
      model?: string;
      padId?: number;
      eosId?: number;
      bosId?: number;
    };
    /** A decoder-only transformer export: its KV-cache layout (src/model/decoder-layout.ts). */
    decoder?: DecoderFacts;
    scoreKind: string;
    scoreKindReason: string;
  };
  confidence: number | null;
  /**
   * The released model the candidate was compared with (policy `baseline`); the differences are
   * the membership attacks' `<metric>-increase` metrics.
   */
  baseline?: BaselineFacts;
  /** How the run counted inconclusive and insufficient checks (policy `gate`); absent: the defaults. */
  gate?: GateRules;
  probes: ProbeResult[];
  queries: number;
  timings: Record<string, number>;
  /** Policy settings the gate ignored, as "file:line:column: message". */
  warnings: string[];
  /** Present when the gate could not reach a verdict on leakage (exit 2 or 3). */
  error?: { message: string; exitCode: number; file?: string; line?: number; column?: number; field?: string };
  /** Pull requests: the policy at the base commit against the head's (src/github/base-policy.ts). */
  policyChanges?: PolicyComparison;
}

/**
 * The policy a pull request is gated by, compared with the base commit's:
 * - compared: `changes` lists every difference, loosened first (empty: the same policy);
 * - new-policy: the base commit has no such policy file, so there is nothing to compare;
 * - not-compared: the comparison could not be made (`reason`: e.g. the base commit is not in
 *   the clone); never read as "nothing changed".
 */
export interface PolicyComparison {
  status: 'compared' | 'new-policy' | 'not-compared';
  /** The base commit (pull_request.base.sha), when the event names one. */
  baseSha?: string;
  /** Which version of the policy gated this run: the head's (default) or the base's (policy-from: base). */
  enforced: 'head' | 'base';
  reason?: string;
  /** Locations are relative to the gate's working directory, as every path in the report. */
  changes: PolicyChange[];
}
