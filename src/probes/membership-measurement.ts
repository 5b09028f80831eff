/**
 * Member and non-member attack scores → an AttackMeasurement, the one shape every membership
 * attack reports (classifier attacks in probes/membership, language-model attacks in
 * probes/text-membership): the metric ids the thresholds name, with the set sizes the gate's
 * minimums read, and the ROC curve, score histogram and top tie the reports draw.
 */
import { membershipMetricsFromTable, type MembershipMetrics } from '../metrics/membership';
import { buildScoreTable } from '../metrics/table';
import type { AttackMeasurement, MetricValue } from '../result';

export interface MeasureOptions {
  /** Target FPR of tpr-at-fpr. */
  fpr: number;
  /** Two-sided confidence of every interval. */
  confidence: number;
}

/** One attack without a per-class breakdown: overall metrics, ROC, histogram and the top tie. */
export function measureScoreSets(
  attack: string,
  description: string,
  member: Float64Array,
  nonMember: Float64Array,
  options: MeasureOptions,
): AttackMeasurement {
  const overall = membershipMetricsFromTable(buildScoreTable(member, nonMember), options);
  return {
    attack,
    description,
    metrics: membershipMetricValues(overall),
    details: {
      roc: overall.rocPoints,
      histogram: histogram(member, nonMember, 30),
      ...(overall.topTie.members + overall.topTie.nonMembers > 1 ? { topTie: overall.topTie } : {}),
    },
  };
}

/** The metrics of one attack, keyed by the ids the thresholds and the checks use. */
export function membershipMetricValues(m: MembershipMetrics): Record<string, MetricValue> {
  // The set sizes behind each figure, for the gate's sample-size minimums (src/gate/minimums.ts).
  const sample = { members: m.members, nonMembers: m.nonMembers };
  return {
    auc: { value: m.auc.value, ci: m.auc.ci, sample },
    advantage: { value: m.advantage.value, ci: m.advantage.ci, threshold: m.advantage.threshold, atOrAbove: m.advantage.atOrAbove, sample },
    'tpr-at-fpr': {
      value: m.tprAtFpr.value,
      ci: m.tprAtFpr.ci,
      fpr: m.tprAtFpr.fpr,
      achievedFpr: m.tprAtFpr.achievedFpr,
      threshold: m.tprAtFpr.threshold,
      atOrAbove: m.tprAtFpr.atOrAbove,
      sample,
    },
    ppv: { value: m.ppv.value, ci: m.ppv.ci, threshold: m.ppv.threshold, atOrAbove: m.tprAtFpr.atOrAbove },
    'epsilon-lower-bound': {
      value: m.epsilonLowerBound.value,
      ci: m.epsilonLowerBound.ci,
      thresholdsTried: m.epsilonLowerBound.thresholdsTried,
      threshold: m.epsilonLowerBound.threshold,
      atOrAbove: m.epsilonLowerBound.atOrAbove,
      tail: m.epsilonLowerBound.tail,
      sample,
    },
  };
}

/** Equal-width bins over the pooled range; enough for a report's histogram. */
export function histogram(member: Float64Array, nonMember: Float64Array, bins: number) {
  const [memberLo, memberHi] = range(member);
  const [nonMemberLo, nonMemberHi] = range(nonMember);
  const lo = Math.min(memberLo, nonMemberLo);
  const hi = Math.max(memberHi, nonMemberHi);
  const width = hi > lo ? (hi - lo) / bins : 1;
  return { min: lo, max: hi, bins, members: binCounts(member, lo, width, bins), nonMembers: binCounts(nonMember, lo, width, bins) };
}

// Plain indexed loops in small functions: V8 optimises each once and reuses it for every attack
// (for-of with closures ran 3-5× slower on the gate's single, cold run).

function range(values: Float64Array): [lo: number, hi: number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  return [lo, hi];
}

function binCounts(values: Float64Array, lo: number, width: number, bins: number): number[] {
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - lo) / width))]!++;
  return Array.from(counts);
}
