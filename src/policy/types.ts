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
  format: 'csv' | 'jsonl' | 'npy';
  /** NPY only: a 1-D .npy file holding the labels (absolute path). */
  labels?: string;
  /** NPY only: names of the array's columns, in order (default "0", "1", ...). */
  columns?: string[];
}

export type ScoreKind = 'auto' | 'probabilities' | 'logits';

export interface ModelSettings {
  /** Absolute path of the .onnx file. */
  path: string;
  task: 'classification';
  input?: string;
  output?: string;
  scores: ScoreKind;
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
  maxRows: number;
}

export interface SurfaceSettings {
  scores: 'full' | 'top-k' | 'label';
  /** How many scores are revealed when scores is top-k; 0 (unused) for the other surfaces. */
  topK: number;
  decimals?: number;
}

export const MEMBERSHIP_ATTACKS = [
  'loss',
  'confidence',
  'entropy',
  'modified-entropy',
  'gap',
  'label-stability',
] as const;
export type MembershipAttack = (typeof MEMBERSHIP_ATTACKS)[number];

export interface MembershipSettings {
  attacks: MembershipAttack[];
  /** Label-only stability attack: noisy queries per record and the noise's standard deviation. */
  stability: { queries: number; noise: number };
  thresholds: {
    auc?: Threshold;
    advantage?: Threshold;
    tprAtFpr?: Threshold & { fpr: number };
    epsilonLowerBound?: Threshold;
  };
}

export interface GateSettings {
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
  probes: { membership?: MembershipSettings };
  gate: GateSettings;
  /** Settings the gate ignores, with where they are (for the CLI and annotations). */
  warnings?: PolicyWarning[];
}
