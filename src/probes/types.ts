/**
 * The contract between the runner and a probe family. A probe queries the model only through
 * the observed surface, returns raw attack scores, and never decides pass or fail.
 */
import type { Dataset } from '../data/types';
import type { ObservedModel } from '../model/surface';
import type { Observation } from '../model/types';
import type { DataFileSettings, Threshold } from '../policy/types';
import type { MetricValue } from '../result';

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

/** What a probe measured for one attack, ready for thresholds and reports. */
export interface AttackMeasurement {
  attack: string;
  description: string;
  /** Metric id (kebab-case, as in the policy's thresholds) → value with interval. */
  metrics: Record<string, MetricValue>;
  /** Anything a report may plot or print (ROC points, histograms, per-class results). */
  details?: Record<string, unknown>;
}

export interface ProbeMeasurement {
  attacks: AttackMeasurement[];
  /** What a reviewer should know: weak or impossible attacks under this surface, skipped classes. */
  notes: string[];
}

export interface ProbeDefinition<Settings> {
  id: string;
  description: string;
  /** Thresholds by metric id, read from the probe's settings. */
  thresholds(settings: Settings): Record<string, Threshold | undefined>;
  run(context: ProbeContext, settings: Settings): Promise<ProbeMeasurement>;
}
