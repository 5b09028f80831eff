/**
 * Area under the ROC curve, with ties counted ½, and its DeLong confidence interval.
 *
 * AUC = P(member score > non-member score) + ½ P(equal) = U / (m·n), the Mann–Whitney U
 * statistic (Mann & Whitney 1947; Hanley & McNeil 1982, "The meaning and use of the area under
 * a ROC curve", Radiology 143). Counting ties ½ makes a score that carries no information
 * (constant, or rounded to a few values by the output surface) read 0.5, not 0 or 1.
 *
 * Confidence interval: DeLong, DeLong & Clarke-Pearson 1988, "Comparing the areas under two or
 * more correlated ROC curves: a nonparametric approach", Biometrics 44(3). With the placement
 * values ("structural components")
 *   V10(xᵢ) = (#{y < xᵢ} + ½ #{y = xᵢ}) / n   for each member score xᵢ,
 *   V01(yⱼ) = (#{x > yⱼ} + ½ #{x = yⱼ}) / m   for each non-member score yⱼ,
 * AUC = mean V10 = mean V01 and Var(AUC) ≈ S10/m + S01/n, S10 and S01 their sample variances.
 * Sun & Xu 2014, "Fast implementation of DeLong's algorithm for comparing the areas under
 * correlated ROC curves", IEEE Signal Processing Letters 21(11), observe that the placements
 * are mid-rank differences, n·V10(xᵢ) = T_Z(xᵢ) − T_X(xᵢ) (mid-rank in the pooled sample minus
 * mid-rank among members), so everything follows from one sort. Here the sorted, tie-grouped
 * {@link ScoreTable} gives each placement directly (it is constant within a tie level), so the
 * whole computation is one linear pass after the sort. The interval is the normal
 * approximation AUC ± z·SE, clipped to [0, 1].
 *
 * Known limits: the variance is 0 when the samples are perfectly separated or all scores tie,
 * giving a zero-width interval; with fewer than two scores on a side the variance cannot be
 * estimated and the interval is [0, 1].
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkConfidence, type Interval } from './binomial';
import { buildScoreTable, type ScoreTable } from './table';

export interface AucEstimate {
  /** U / (m·n), ties ½. */
  value: number;
  /** Two-sided DeLong normal interval, clipped to [0, 1]. */
  ci: Interval;
  /** DeLong standard error (Infinity when a side has fewer than two scores). */
  se: number;
}

/**
 * AUC of member vs non-member scores (Mann–Whitney U / (m·n), ties ½).
 * @throws RangeError on empty inputs or NaN / +Infinity scores.
 */
export function auc(member: ArrayLike<number>, nonMember: ArrayLike<number>): number {
  return aucFromTable(buildScoreTable(member, nonMember), 0.95).value;
}

/**
 * AUC with a two-sided DeLong confidence interval at the given confidence (e.g. 0.95).
 * @throws RangeError on empty inputs, NaN / +Infinity scores, or confidence outside (0, 1).
 */
export function aucWithCi(member: ArrayLike<number>, nonMember: ArrayLike<number>, confidence: number): AucEstimate {
  checkConfidence(confidence);
  return aucFromTable(buildScoreTable(member, nonMember), confidence);
}

/** AUC and DeLong interval from an already built table (shares the sort with other metrics). */
export function aucFromTable(table: ScoreTable, confidence: number): AucEstimate {
  checkConfidence(confidence);
  const { members: m, nonMembers: n, tp, fp } = table;
  const levels = tp.length;
  // Pass 1: AUC = mean of V10 over members.
  let sum = 0;
  for (let j = 0; j < levels; j++) {
    const a = tp[j]! - (j > 0 ? tp[j - 1]! : 0); // members tied at this level
    const b = fp[j]! - (j > 0 ? fp[j - 1]! : 0); // non-members tied at this level
    if (a > 0) sum += a * (n - fp[j]! + 0.5 * b);
  }
  const value = sum / (m * n);
  if (m < 2 || n < 2) return { value, ci: [0, 1], se: Infinity };
  // Pass 2: sample variances of the placements (two-pass for accuracy).
  let ss10 = 0;
  let ss01 = 0;
  for (let j = 0; j < levels; j++) {
    const prevTp = j > 0 ? tp[j - 1]! : 0;
    const a = tp[j]! - prevTp;
    const b = fp[j]! - (j > 0 ? fp[j - 1]! : 0);
    if (a > 0) {
      const d = (n - fp[j]! + 0.5 * b) / n - value;
      ss10 += a * d * d;
    }
    if (b > 0) {
      const d = (prevTp + 0.5 * a) / m - value;
      ss01 += b * d * d;
    }
  }
  const variance = ss10 / (m - 1) / m + ss01 / (n - 1) / n;
  const se = Math.sqrt(variance);
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  return { value, ci: [Math.max(0, value - z * se), Math.min(1, value + z * se)], se };
}
