/**
 * How many records a thresholded metric needs before the data can resolve it at all.
 *
 * A check is `insufficient` when even the most favourable outcome the data could show leaves the
 * question open: no matter what the model does, the interval would still reach over the line.
 * Below that size a measurement is noise presented as a verdict (one member and one non-member
 * gave AUC 0.000 [0.000, 1.000], a pass). Above it a check can still straddle its line on the
 * data at hand; that is `inconclusive`, decided per run by the verdict.
 *
 * Per metric (m members, n non-members, α = 1 − confidence, z = the normal quantile 1 − α/2,
 * "line" = the fail threshold, or the warn threshold of a check that only warns):
 * - auc: a model at chance (AUC 0.5, the best a model that leaks nothing can show) has the
 *   Mann–Whitney null variance (m + n + 1) / (12·m·n), so its interval reaches 0.5 + z·SE. Each
 *   set needs the smallest n with 0.5 + z·sqrt((2n + 1) / (12n²)) < line (0.60 → 65, 0.55 → 257).
 * - advantage: the DKW band is value ± (sqrt(L/2m) + sqrt(L/2n)), L = ln(4/α), so even a measured
 *   advantage of 0 has the upper end 2·sqrt(L/2n) with equal sets: n > 2L / line² (0.20 → 220,
 *   0.10 → 877).
 * - tpr-at-fpr: the threshold is placed on the non-members; with ⌈10/FPR⌉ of them it allows 10
 *   false positives, so it is not set by one or two records (FPR 0.01 → 1,000; 0.001 → 10,000).
 *   Members: a TPR of 0 has the Clopper–Pearson upper end 1 − (α/2)^(1/m), which must be below the
 *   line: m > ln(α/2) / ln(1 − line) (0.05 → 72, 0.01 → 368).
 * - epsilon-lower-bound: the value is itself a lower bound, so small data errs towards pass (it can
 *   only show leakage it has evidence for). Even perfect separation gives at most
 *   ln(a^(1/m) / (1 − a^(1/n))) with a = α/(2T) over T = 64 candidate thresholds (the search's
 *   Bonferroni cost); below the size where that exceeds the line no model could fail the check
 *   (2.0 → 62 per set, 1.0 → 26).
 * Other metrics (attribute inference, inversion, extraction) have no minimum here: their
 * intervals (Wilson, Newcombe, Clopper–Pearson) stay honest at small sizes, so a small sample
 * shows as `inconclusive`, never as a quiet pass; a data-free minimum would need the unknown
 * accuracy (the worst case p = ½ would ask 1,537 members for a lift line of 0.05).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { DEFAULT_MAX_THRESHOLDS } from '../metrics/membership';

/** Records one set needs; absent sets need nothing. */
export interface RecordsNeeded {
  members?: number;
  nonMembers?: number;
  /** Why, in a few words, for the message. */
  reason: string;
}

/**
 * Probes whose attacks report the membership metrics (src/metrics/membership.ts) on member and
 * non-member records: the classifier's and the language model's. Their minimums are below, and
 * a whole AUC interval under 0.5 is read as swapped data files (verdict.ts).
 */
export const MEMBERSHIP_METRIC_PROBES: ReadonlySet<string> = new Set(['membership', 'text-membership']);

/** Largest size searched; a line no realistic data set can resolve is reported as needing more. */
const SEARCH_LIMIT = 1e9;

/**
 * Records needed per set for `metric` of `probe` to be resolvable against `line` at `confidence`,
 * or undefined when the metric has no minimum. `fpr` is the target FPR of tpr-at-fpr.
 */
export function recordsNeeded(
  probe: string,
  metric: string,
  line: number | undefined,
  confidence: number,
  fpr?: number,
): RecordsNeeded | undefined {
  if (!MEMBERSHIP_METRIC_PROBES.has(probe) || line === undefined) return undefined;
  const alpha = 1 - confidence;
  switch (metric) {
    case 'auc': {
      const z = normalQuantile(1 - alpha / 2, 0, 1);
      const n = smallest((k) => 0.5 + z * Math.sqrt((2 * k + 1) / (12 * k * k)) < line);
      return { members: n, nonMembers: n, reason: `so that a model at chance (AUC 0.5) could show an interval below ${line}` };
    }
    case 'advantage': {
      const L = Math.log(4 / alpha);
      const n = smallest((k) => 2 * Math.sqrt(L / (2 * k)) < line);
      return { members: n, nonMembers: n, reason: `so that an advantage of 0 could show an interval below ${line}` };
    }
    case 'tpr-at-fpr': {
      const nonMembers = fpr !== undefined && fpr > 0 ? Math.ceil(10 / fpr - 1e-9) : SEARCH_LIMIT;
      const members = smallest((k) => 1 - (alpha / 2) ** (1 / k) < line);
      return { members, nonMembers, reason: `10 false positives at FPR ${fpr}, and a TPR of 0 with an interval below ${line}` };
    }
    case 'epsilon-lower-bound': {
      const a = alpha / (2 * DEFAULT_MAX_THRESHOLDS);
      const n = smallest((k) => Math.log(a ** (1 / k) / (1 - a ** (1 / k))) > line);
      return { members: n, nonMembers: n, reason: `so that perfectly separated sets could prove ε above ${line}` };
    }
    default:
      return undefined;
  }
}

/** Smallest k ≥ 1 with ok(k), for ok monotone in k; SEARCH_LIMIT when even that is not enough. */
function smallest(ok: (k: number) => boolean): number {
  if (!ok(SEARCH_LIMIT)) return SEARCH_LIMIT;
  let lo = 0; // !ok(lo) (k = 0 never resolves)
  let hi = 1;
  while (!ok(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
