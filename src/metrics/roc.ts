/**
 * The empirical ROC curve of a membership score, and a thinned copy of it for plots.
 *
 * One point per distinct score (ties are one point: a threshold cannot separate equal scores),
 * from the strictest threshold down: the curve starts at (FPR, TPR) = (0, 0) with threshold
 * +Infinity ("predict no one") and ends at (1, 1) at the lowest score. A threshold t predicts
 * "member" when score ≥ t. For scores and counts this is the standard construction of
 * Fawcett 2006, "An introduction to ROC analysis", Pattern Recognition Letters 27(8), alg. 2.
 */
import { buildScoreTable, type ScoreTable } from './table';

export interface RocPoint {
  /** Predict "member" when score ≥ threshold (+Infinity: no one). */
  threshold: number;
  /** Members at or above the threshold. */
  tp: number;
  /** Non-members at or above the threshold. */
  fp: number;
  /** tp / m. */
  tpr: number;
  /** fp / n. */
  fpr: number;
}

/**
 * Full ROC curve: distinct-score count + 1 points, FPR and TPR non-decreasing.
 * @throws RangeError on empty inputs or NaN / +Infinity scores.
 */
export function rocCurve(member: ArrayLike<number>, nonMember: ArrayLike<number>): RocPoint[] {
  return rocFromTable(buildScoreTable(member, nonMember));
}

/** The ROC points of an already built table (shares the sort with the other metrics). */
export function rocFromTable(table: ScoreTable, indices?: ArrayLike<number>): RocPoint[] {
  const { members: m, nonMembers: n, thresholds, tp, fp } = table;
  const point = (r: number): RocPoint =>
    r === 0
      ? { threshold: Infinity, tp: 0, fp: 0, tpr: 0, fpr: 0 }
      : { threshold: thresholds[r - 1]!, tp: tp[r - 1]!, fp: fp[r - 1]!, tpr: tp[r - 1]! / m, fpr: fp[r - 1]! / n };
  const out: RocPoint[] = [];
  if (indices) for (let i = 0; i < indices.length; i++) out.push(point(indices[i]!));
  else for (let r = 0; r <= thresholds.length; r++) out.push(point(r));
  return out;
}

/**
 * At most maxPoints of the curve for plotting. Membership leakage lives at low FPR (Carlini et
 * al. 2022, "Membership Inference Attacks From First Principles", argue for log-scale ROC
 * plots), so the kept points are spaced evenly in log FPR rather than in FPR: both endpoints,
 * the highest-TPR point at FPR = 0, and for each log-spaced FPR target the last point whose
 * FPR does not exceed it (the top of that vertical step). Deterministic; returns a copy.
 * @throws RangeError when maxPoints is not an integer ≥ 2.
 */
export function downsampleRoc(points: readonly RocPoint[], maxPoints: number): RocPoint[] {
  return downsampleIndices(points.length, (i) => points[i]!.fpr, maxPoints).map((i) => ({ ...points[i]! }));
}

/** @internal Indices (increasing) of the points to keep; fprAt must be non-decreasing in i. */
export function downsampleIndices(count: number, fprAt: (i: number) => number, maxPoints: number): number[] {
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  if (count <= maxPoints) return Array.from({ length: count }, (_, i) => i);
  const last = count - 1;
  // Last index with fpr ≤ f (binary search; fprAt(0) is assumed ≤ f).
  const lastAtMost = (f: number): number => {
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (fprAt(mid) <= f) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const keep = new Set<number>([0, last]);
  const zeroTop = lastAtMost(0);
  keep.add(zeroTop);
  const firstPositive = zeroTop + 1 <= last ? fprAt(zeroTop + 1) : 1;
  const budget = maxPoints - keep.size;
  if (budget > 0 && firstPositive > 0 && firstPositive < 1) {
    const logMin = Math.log(firstPositive);
    for (let k = 0; k < budget; k++) {
      const f = budget === 1 ? firstPositive : Math.exp(logMin * (1 - k / (budget - 1)));
      keep.add(lastAtMost(f * (1 + 1e-12)));
    }
  }
  return [...keep].sort((a, b) => a - b);
}
