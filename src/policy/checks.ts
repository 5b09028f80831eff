/**
 * Checks the schema cannot express: files that must exist, data formats, surface settings,
 * which probes run on the model's task, each probe family's own checks, paths inside the allowed
 * roots, threshold order. They run on the merged document even when the schema found problems,
 * so they only look at values of the expected type.
 */
import type { AllowedRoots } from '../util/paths';
import { baselineChecks } from './checks-baseline';
import { checkContext, type Findings } from './check-context';
import { dataChecks } from './checks-data';
import { sequenceModelChecks } from './checks-sequence';
import { surfaceChecks } from './checks-surface';
import { taskChecks } from './checks-task';
import { thresholdOrderChecks } from './checks-thresholds';
import type { PolicyFamily } from './family';
import type { MergedPolicy, PlainObject } from './merge';
import { pathChecks } from './paths';

export function semanticChecks(merged: MergedPolicy, roots: AllowedRoots, families: readonly PolicyFamily[]): Findings {
  const findings: Findings = { errors: [], warnings: [] };
  const ctx = checkContext(merged, roots, findings);
  dataChecks(ctx);
  surfaceChecks(ctx);
  // A probe on a task it does not run on gets that one error, not its own checks' too.
  for (const family of taskChecks(ctx, families)) family.check(ctx, (merged.data['probes'] as PlainObject)[family.id] as PlainObject);
  sequenceModelChecks(ctx, families);
  baselineChecks(ctx);
  findings.errors.push(...pathChecks(merged, roots));
  thresholdOrderChecks(ctx);
  return findings;
}
