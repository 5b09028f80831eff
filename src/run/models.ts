/**
 * How the runner opens the policy's models. A normal run opens them in onnxruntime; a sharded run
 * (src/shard/) wraps them to answer only its slice and record the answers, and a merge answers
 * every query from the slices' recordings without opening a model at all.
 */
import { openOnnxClassifier, openOnnxRegressor } from '../model/onnx';
import { runtimeFacts } from '../model/runtime';
import type { Classifier, Regressor } from '../model/types';
import type { ModelSettings } from '../policy/types';
import type { RuntimeFacts } from '../result';

/** Which model of the policy is opened: the candidate, the released model (`baseline.model`), or reference model k (in the memberships file's order). */
export type ModelRole =
  /** `workers`: the run's queries are long enough to pay for the candidate's worker sessions. */
  { kind: 'candidate'; workers?: boolean } | { kind: 'baseline' } | { kind: 'reference'; index: number };

export interface ModelOpener {
  classifier(settings: ModelSettings, role: ModelRole): Promise<Classifier>;
  regressor(settings: ModelSettings, role: ModelRole): Promise<Regressor>;
  /** The onnxruntime the models ran on (asked once they are open); a merge answers with the shards' one. */
  runtime(): Promise<RuntimeFacts>;
}

/**
 * The candidate answers most of a run's queries: on a large run it runs on one session per core
 * (worker threads, started as it opens, while the data loads); baseline and reference models keep
 * one session each.
 */
export const ONNX_MODELS: ModelOpener = {
  classifier: (settings, role) => openOnnxClassifier(settings, { workers: role.kind === 'candidate' && role.workers === true }),
  regressor: (settings, role) => openOnnxRegressor(settings, { workers: role.kind === 'candidate' && role.workers === true }),
  runtime: runtimeFacts,
};
