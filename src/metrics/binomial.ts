/**
 * Exact (Clopper–Pearson) confidence bounds for a binomial proportion k/n.
 *
 * Why exact rather than Wald or Wilson: the gate's interesting proportions sit at the edges
 * (TPR at a 0.1 % FPR, a handful of false positives out of thousands), exactly where normal
 * approximations undercover. Clopper–Pearson guarantees coverage ≥ the nominal level for every
 * true p, at the price of being somewhat conservative, which is the right side to err on for a
 * gate that must not under-report leakage.
 *
 * Formula (Clopper & Pearson 1934, "The use of confidence or fiducial limits illustrated in the
 * case of the binomial", Biometrika 26(4)), through the beta–binomial identity
 * P(Bin(n, p) ≥ k) = I_p(k, n − k + 1):
 *   lower(α) = B⁻¹(α; k, n − k + 1)      (0 when k = 0)
 *   upper(α) = B⁻¹(1 − α; k + 1, n − k)  (1 when k = n)
 * The two-sided interval at confidence 1 − α uses α/2 on each side.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

/** A closed interval [lo, hi]. */
export type Interval = [lo: number, hi: number];

/** Which one-sided bound: 'lower' gives L with P(p ≥ L) ≥ confidence, 'upper' gives U with P(p ≤ U) ≥ confidence. */
export type BoundSide = 'lower' | 'upper';

/**
 * Two-sided exact interval for a binomial proportion with k successes in n trials.
 * n = 0 carries no information and gives [0, 1].
 * @throws RangeError when k, n are not integers with 0 ≤ k ≤ n, or confidence is not in (0, 1).
 */
export function clopperPearson(k: number, n: number, confidence: number): Interval {
  checkCounts(k, n);
  checkConfidence(confidence);
  if (n === 0) return [0, 1];
  const tail = (1 - confidence) / 2;
  return [lowerBound(k, n, tail), upperBound(k, n, tail)];
}

/**
 * One-sided exact bound for a binomial proportion: the whole error probability 1 − confidence
 * goes to one side. Used where only one direction matters (the ε audit needs a TPR that is
 * at least this and an FPR that is at most this). n = 0 gives 0 (lower) or 1 (upper).
 * @throws RangeError as for {@link clopperPearson}, or for an unknown side.
 */
export function clopperPearsonOneSided(k: number, n: number, confidence: number, side: BoundSide): number {
  checkCounts(k, n);
  checkConfidence(confidence);
  const tail = 1 - confidence;
  if (side === 'lower') return n === 0 ? 0 : lowerBound(k, n, tail);
  if (side === 'upper') return n === 0 ? 1 : upperBound(k, n, tail);
  throw new RangeError(`side must be 'lower' or 'upper', got ${String(side)}`);
}

function lowerBound(k: number, n: number, tail: number): number {
  return k === 0 ? 0 : betaQuantile(tail, k, n - k + 1);
}

function upperBound(k: number, n: number, tail: number): number {
  return k === n ? 1 : betaQuantile(1 - tail, k + 1, n - k);
}

function checkCounts(k: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`trials n must be a non-negative integer, got ${n}`);
  }
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new RangeError(`successes k must be an integer in [0, n=${n}], got ${k}`);
  }
}

/** @internal Shared by the other metric files: a confidence level strictly between 0 and 1. */
export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1 (e.g. 0.95), got ${confidence}`);
  }
}
