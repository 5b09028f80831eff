/**
 * How a probe family plugs into the policy layer. The policy layer owns the format's generic
 * machinery (YAML with positions, schema, merge and presets, field readers, path checks, the
 * threshold reader); what a probe's own settings mean is the family's. Families are handed to
 * `policyLoader` by the composition root (src/run/policy.ts), so this layer never imports a probe.
 */
import type { BuildContext } from './build-context';
import type { CheckContext } from './check-context';
import type { PlainObject } from './merge';
import type { ModelSettings } from './types';

export type ModelTask = ModelSettings['task'];

export interface PolicyFamily<Settings = unknown> {
  /** The key under `probes:` in the policy. */
  id: string;
  /** Model tasks the probe runs on; on any other task the policy is refused. */
  tasks: readonly ModelTask[];
  /** What the probe needs of the model, for the error when the task does not fit (e.g. "a classifier's class scores"). */
  needs: string;
  /** Metric ids the policy may set thresholds on, spelt as in the policy and the report, in check order. */
  thresholds: readonly string[];
  /** Why this probe's settings need a vocabulary on a sequence model (none: it needs none). */
  vocabularyNeeds?(settings: PlainObject): string[];
  /** Checks the schema cannot express, run on the merged document when the model's task fits. */
  check(context: CheckContext, settings: PlainObject): void;
  /** The typed settings with defaults; only called on a policy without errors. */
  build(context: BuildContext): Settings;
}
