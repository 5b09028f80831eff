/**
 * Independent reference implementations for the metric tests: slow, obvious, and sharing no
 * code with src/metrics (brute-force pair counts, a binomial CDF inverted by bisection).
 */
import { Rng } from '../../src/util/random';

/** log C(n, k) by summing logs (fine for the small n used in tests). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(Bin(n, p) ≤ k) by direct summation of the pmf. */
export function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, s);
}

/** Root of a decreasing-in-p function g on [0, 1] by bisection. */
function bisect(g: (p: number) => number): number {
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact lower bound: the p with P(X ≥ k; p) = tail. */
export function cpLowerByBisection(k: number, n: number, tail: number): number {
  if (k === 0) return 0;
  // P(X ≥ k; p) increases with p; find where it reaches tail.
  return bisect((p) => tail - (1 - binomCdf(k - 1, n, p)));
}

/** Exact upper bound: the p with P(X ≤ k; p) = tail. */
export function cpUpperByBisection(k: number, n: number, tail: number): number {
  if (k === n) return 1;
  return bisect((p) => binomCdf(k, n, p) - tail);
}

/** Σ over all pairs of [x > y] + ½[x = y], divided by m·n. */
export function bruteAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) s += psi(x[i]!, y[j]!);
  return s / (x.length * y.length);
}

function psi(a: number, b: number): number {
  return a > b ? 1 : a === b ? 0.5 : 0;
}

/** DeLong's variance straight from the O(m·n) structural components. */
export function bruteDelongVariance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const m = x.length;
  const n = y.length;
  const v10 = Array.from({ length: m }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += psi(x[i]!, y[j]!);
    return s / n;
  });
  const v01 = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += psi(x[i]!, y[j]!);
    return s / m;
  });
  const mean = (a: number[]): number => a.reduce((p, q) => p + q, 0) / a.length;
  const sampleVar = (a: number[]): number => {
    const mu = mean(a);
    return a.reduce((p, q) => p + (q - mu) ** 2, 0) / (a.length - 1);
  };
  return sampleVar(v10) / m + sampleVar(v01) / n;
}

/** Counts at or above t. */
export function countAtLeast(a: ArrayLike<number>, t: number): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! >= t) c++;
  return c;
}

/** Max over every pooled score (and "no one") of TPR − FPR. */
export function bruteAdvantage(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let best = 0;
  for (const t of [...Array.from(x), ...Array.from(y)]) {
    best = Math.max(best, countAtLeast(x, t) / x.length - countAtLeast(y, t) / y.length);
  }
  return best;
}

/** Seeded samples. */
export function ints(rng: Rng, count: number, maxInclusive: number): Float64Array {
  return Float64Array.from({ length: count }, () => rng.int(maxInclusive + 1));
}

export function normals(rng: Rng, count: number, mean = 0): Float64Array {
  return Float64Array.from({ length: count }, () => mean + rng.normal());
}
