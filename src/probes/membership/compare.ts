/**
 * One attack compared with the released model on the same records: the `<metric>-increase`
 * metrics (candidate − released) added to the candidate's measurement, each with the released
 * model's own value and how its interval was computed (src/metrics/paired.ts):
 * - auc-increase: paired DeLong;
 * - tpr-at-fpr-increase: paired Newcombe on the members, each model's threshold fixed at the
 *   policy's FPR on its own non-member scores (the candidate's is the one its TPR was read at);
 * - advantage-increase: the two DKW bands combined square-and-add (each maximises over its own
 *   thresholds, so no paired table exists; on correlated models this is conservative);
 * - epsilon-lower-bound-increase: the difference of the two certified bounds, no interval.
 * Identical scores on every record give exactly 0 with interval [0, 0] throughout.
 */
import { membershipMetrics } from '../../metrics/membership';
import {
  pairedAucDifference,
  pairedTprDifference,
  pointDifference,
  sameScores,
  SAME_SCORES,
  unpairedDifference,
  type Difference,
  type RecordScores,
} from '../../metrics/paired';
import type { AttackMeasurement, MetricValue } from '../../result';

const ADVANTAGE_INTERVAL = 'the two DKW bands combined square-and-add (conservative for models correlated on the same records)';
const EPSILON_INTERVAL = 'none: the difference of the two certified lower bounds';

export function compareWithReleased(
  measured: AttackMeasurement,
  candidate: RecordScores,
  released: RecordScores,
  options: { fpr: number; confidence: number },
): void {
  const { confidence } = options;
  const identical = sameScores(candidate, released);
  const own = membershipMetrics(released.member, released.nonMember, options);
  const m = measured.metrics;
  // The interval is DeLong's on the paired placements; the values are the two models' own AUCs as
  // the report shows them (the placements' means can differ from them in the last bit).
  const auc = pairedAucDifference(candidate, released, confidence);
  const candidateAuc = m['auc']?.value ?? auc.candidate;
  const increases: Record<string, MetricValue> = {
    'auc-increase': asMetric({ ...auc, value: identical ? 0 : candidateAuc - own.auc.value, baseline: own.auc.value }),
  };
  const advantage = m['advantage'];
  if (advantage && typeof advantage.value === 'number') {
    increases['advantage-increase'] = asMetric(
      identical
        ? zero(advantage.value)
        : unpairedDifference({ value: advantage.value, ci: advantage.ci }, own.advantage, ADVANTAGE_INTERVAL),
    );
  }
  const tpr = m['tpr-at-fpr'];
  if (tpr && typeof tpr.threshold === 'number') {
    const d = pairedTprDifference(
      { member: candidate.member, threshold: tpr.threshold },
      { member: released.member, threshold: own.tprAtFpr.threshold },
      confidence,
      identical,
    );
    increases['tpr-at-fpr-increase'] = { ...asMetric(d), fpr: options.fpr };
  }
  const epsilon = m['epsilon-lower-bound'];
  if (epsilon && typeof epsilon.value === 'number') {
    increases['epsilon-lower-bound-increase'] = asMetric(
      identical ? zero(epsilon.value) : pointDifference(epsilon.value, own.epsilonLowerBound.value, EPSILON_INTERVAL),
    );
  }
  Object.assign(m, increases);
}

function zero(value: number): Difference {
  return { value: 0, ci: [0, 0], candidate: value, baseline: value, interval: SAME_SCORES };
}

function asMetric(d: Difference): MetricValue {
  return { value: d.value, ci: d.ci, released: d.baseline, interval: d.interval, ...(d.pointOnly ? { pointOnly: true } : {}) };
}
