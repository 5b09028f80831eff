/**
 * The released model of policy `baseline.model`: opened with the candidate's own model settings
 * (input, output, score reading) and put behind the same output surface, with its outputs cached
 * like the candidate's, so the membership probe attacks both models on the same records with the
 * same seed. Its SHA-256 goes into the audit record; a model shaped unlike the candidate (other
 * features or classes) cannot be compared record by record and is an error at the policy line.
 */
import { PolicyError } from '../errors';
import { ObservedModel } from '../model/surface';
import type { Classifier } from '../model/types';
import type { Policy } from '../policy/types';
import type { ProbeContext } from '../probes/types';
import type { GateReport } from '../result';
import type { ModelOpener } from './models';
import { SignalCache } from './signals';
import { modelDigest } from './model-digest';

export interface OpenedBaseline {
  baseline: NonNullable<ProbeContext['baseline']>;
  /** Queries the released model answered (counted in the report's total: each is a query an auditor makes). */
  queries: () => number;
}

/** Undefined when the policy names no baseline model. */
export async function openBaselineModel(
  policy: Policy,
  candidate: Classifier,
  report: GateReport,
  relative: (p: string) => string,
  models: ModelOpener,
): Promise<OpenedBaseline | undefined> {
  const file = policy.baseline?.model;
  if (!file || !policy.baseline) return undefined;
  const model = await models.classifier({ ...policy.model, path: file }, { kind: 'baseline' });
  const problems = shapeDifferences(model, candidate);
  if (problems.length > 0) {
    throw new PolicyError(
      `baseline model ${relative(file)} is not shaped like the candidate ${relative(policy.model.path)}: ${problems.join('; ')}; the two can only be compared on the same records and classes`,
      { ...policy.baseline.source, field: 'baseline.model' },
    );
  }
  report.baseline = { kind: 'model', ...modelDigest(file, relative), paired: true };
  const observed = new ObservedModel(model, policy.surface);
  return { baseline: { model: observed, signals: new SignalCache(observed) }, queries: () => model.queries };
}

function shapeDifferences(model: Classifier, candidate: Classifier): string[] {
  const a = model.info;
  const b = candidate.info;
  const problems: string[] = [];
  if (a.featureCount !== b.featureCount) problems.push(`it takes ${a.featureCount} input features, the candidate ${b.featureCount}`);
  if (a.classLabels.join('\u0000') !== b.classLabels.join('\u0000')) {
    problems.push(`its classes are [${a.classLabels.slice(0, 10).join(', ')}], the candidate's [${b.classLabels.slice(0, 10).join(', ')}]`);
  }
  return problems;
}
