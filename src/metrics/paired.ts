/**
 * How much leakier one model is than another, measured on the same records: the candidate and
 * the released (baseline) model attacked with the same records, seed, surface and attack, so
 * record i's score exists for both and the two estimates are correlated. Pure statistics.
 *
 * - ΔAUC: DeLong, DeLong & Clarke-Pearson 1988, "Comparing the areas under two or more
 *   correlated ROC curves: a nonparametric approach", Biometrics 44(3). Each model k has the
 *   placements ("structural components") of ./auc: V10ₖ(xᵢ) for every member i and V01ₖ(yⱼ)
 *   for every non-member j, with AUCₖ = mean V10ₖ. The covariance matrix of (AUC₁, AUC₂) is
 *   S10/m + S01/n, S10 and S01 the 2×2 sample covariance matrices of the placements over the
 *   same members and non-members; for the contrast L = (1, −1),
 *     Var(AUC₁ − AUC₂) = L·S10·Lᵀ/m + L·S01·Lᵀ/n
 *                      = s²(V10₁ − V10₂)/m + s²(V01₁ − V01₂)/n,
 *   the sample variances of the per-record differences (computed that way, not as
 *   var + var − 2 cov, so identical models give exactly 0). Interval: Δ ± z·SE, within [−1, 1].
 * - ΔTPR at the policy's FPR: each model's threshold is fixed at its own FPR, from its own
 *   non-member scores, by the rule of ./membership (the lowest distinct score whose empirical
 *   FPR does not exceed the target). The thresholds then decide every member twice (caught by
 *   the candidate's rule, by the baseline's), a paired 2×2 table of the same members:
 *   a = both, b = candidate only, c = baseline only, d = neither; ΔTPR = (b − c)/m. Interval:
 *   Newcombe 1998, "Improved confidence intervals for the difference between binomial
 *   proportions based on paired data", Statistics in Medicine 17, method 10: the Wilson score
 *   intervals of the two TPRs combined square-and-add, with their correlation φ (continuity
 *   corrected: φ = (ad − bc − m/2)/√((a+b)(c+d)(a+c)(b+d)) when ad − bc > m/2, 0 when
 *   0 ≤ ad − bc ≤ m/2, (ad − bc)/√… when negative; 0 when a margin is empty). It treats the
 *   two thresholds as fixed, like the single-model TPR interval does (read `achievedFpr`).
 * - Differences without a paired interval (ε lower bound, advantage): see {@link pointDifference}
 *   and {@link unpairedDifference}.
 *
 * Identical models: when the two score vectors are equal on every record, the attack is the same
 * function on this data and every difference is exactly 0 with interval [0, 0]. DeLong gives that
 * by itself; Newcombe's interval would not (the Wilson intervals are asymmetric), so it is said
 * here explicitly rather than reporting a spread the data cannot show.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkConfidence, type Interval } from './binomial';

/** One model's attack scores on the audited records, members and non-members in the same order for both models. */
export interface RecordScores {
  member: ArrayLike<number>;
  nonMember: ArrayLike<number>;
}

/** A difference candidate − baseline with its interval and how the interval was computed. */
export interface Difference {
  value: number;
  ci: Interval;
  candidate: number;
  baseline: number;
  /** The method, for the report ("paired DeLong", "paired Newcombe (method 10)", …). */
  interval: string;
  /** No interval exists: `ci` is [value, value] (see {@link pointDifference}). */
  pointOnly?: true;
}

export const PAIRED_DELONG = 'paired DeLong (1988): covariance of the two AUCs on the same records';
export const PAIRED_NEWCOMBE = 'paired Newcombe (1998, method 10) on the same members, each threshold at its own FPR';
export const SAME_SCORES = 'identical scores on every record: the difference is exactly 0';

/**
 * ΔAUC = AUC(candidate) − AUC(baseline) with the DeLong interval for correlated AUCs.
 * @throws RangeError when the two models' score vectors differ in length, a side is empty, a
 * score is NaN, or confidence is outside (0, 1).
 */
export function pairedAucDifference(candidate: RecordScores, baseline: RecordScores, confidence: number): Difference {
  checkConfidence(confidence);
  checkPaired(candidate, baseline);
  const c = placements(candidate);
  const b = placements(baseline);
  const m = c.v10.length;
  const n = c.v01.length;
  const aucC = mean(c.v10);
  const aucB = mean(b.v10);
  const value = aucC - aucB;
  if (sameScores(candidate, baseline)) return { value: 0, ci: [0, 0], candidate: aucC, baseline: aucB, interval: SAME_SCORES };
  if (m < 2 || n < 2) return { value, ci: [-1, 1], candidate: aucC, baseline: aucB, interval: PAIRED_DELONG };
  const variance = sampleVarianceOfDifference(c.v10, b.v10) / m + sampleVarianceOfDifference(c.v01, b.v01) / n;
  const half = zFor(confidence) * Math.sqrt(variance);
  return { value, ci: [Math.max(-1, value - half), Math.min(1, value + half)], candidate: aucC, baseline: aucB, interval: PAIRED_DELONG };
}

/** The paired 2×2 table of the members: caught by both rules, by the candidate's only, the baseline's only, neither. */
export interface PairedTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * ΔTPR = TPR(candidate) − TPR(baseline) on the same members, each model's threshold already
 * fixed at the policy's FPR on its own non-members (`threshold`: predict member when score ≥ it;
 * +Infinity predicts no one). Interval: Newcombe's method 10.
 */
export function pairedTprDifference(
  candidate: { member: ArrayLike<number>; threshold: number },
  baseline: { member: ArrayLike<number>; threshold: number },
  confidence: number,
  identical = false,
): Difference & { table: PairedTable } {
  checkConfidence(confidence);
  if (candidate.member.length !== baseline.member.length) {
    throw new RangeError(
      `the two models scored ${candidate.member.length} and ${baseline.member.length} members; paired metrics need the same records`,
    );
  }
  const table: PairedTable = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < candidate.member.length; i++) {
    const byCandidate = candidate.member[i]! >= candidate.threshold;
    const byBaseline = baseline.member[i]! >= baseline.threshold;
    if (byCandidate && byBaseline) table.a++;
    else if (byCandidate) table.b++;
    else if (byBaseline) table.c++;
    else table.d++;
  }
  const m = candidate.member.length;
  const tprC = (table.a + table.b) / m;
  const tprB = (table.a + table.c) / m;
  if (identical) return { value: 0, ci: [0, 0], candidate: tprC, baseline: tprB, interval: SAME_SCORES, table };
  return { ...newcombePaired(table, confidence), candidate: tprC, baseline: tprB, interval: PAIRED_NEWCOMBE, table };
}

/**
 * Newcombe 1998 method 10 for p₁ − p₂ = (b − c)/N of a paired 2×2 table (a: both, b: first
 * only, c: second only, d: neither).
 * @throws RangeError on counts that are not non-negative integers, or an empty table.
 */
export function newcombePaired({ a, b, c, d }: PairedTable, confidence: number): { value: number; ci: Interval } {
  checkConfidence(confidence);
  for (const k of [a, b, c, d])
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`counts must be non-negative integers, got ${k}`);
  const n = a + b + c + d;
  if (n === 0) throw new RangeError('the paired table is empty');
  const z = zFor(confidence);
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilson(a + b, n, z);
  const [l2, u2] = wilson(a + c, n, z);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  const cross = a * d - b * c;
  const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
  const phi = margins === 0 ? 0 : corrected / Math.sqrt(margins);
  const value = (b - c) / n;
  const below = Math.sqrt(Math.max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2));
  const above = Math.sqrt(Math.max(0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2));
  return { value, ci: [Math.max(-1, value - below), Math.min(1, value + above)] };
}

/** Wilson 1927 score interval for k of n at the normal quantile z. */
export function wilson(k: number, n: number, z: number): Interval {
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * A difference read from two point estimates alone, with no interval of its own: ci = [Δ, Δ].
 * Used for the ε lower bound, whose "interval" is [certified bound, plug-in estimate], not a
 * confidence interval that could be combined: Δε compares the two certified bounds, and a check
 * on it is judged on that point.
 */
export function pointDifference(candidate: number, baseline: number, interval: string): Difference {
  const value = candidate - baseline;
  return { value, ci: [value, value], candidate, baseline, interval, pointOnly: true };
}

export const UNPAIRED_MOVER = 'unpaired: the two intervals combined square-and-add (Newcombe 1998 method 10; Zou & Donner 2008)';

/**
 * Candidate − baseline from two estimates with their own intervals, treated as independent:
 * the square-and-add (MOVER) combination, L = Δ − √((c − c_lo)² + (b_hi − b)²),
 * U = Δ + √((c_hi − c)² + (b − b_lo)²). For symmetric normal intervals (an AUC's DeLong
 * interval) it is Δ ± z·√(SE_c² + SE_b²): the independent-AUC difference; for Clopper–Pearson
 * TPR intervals it is Newcombe's unpaired method 10 with exact instead of Wilson limits. On
 * positively correlated estimates (the same records, similar models) it is conservative.
 */
export function unpairedDifference(
  candidate: { value: number; ci: Interval },
  baseline: { value: number; ci: Interval },
  interval = UNPAIRED_MOVER,
): Difference {
  const value = candidate.value - baseline.value;
  const below = Math.hypot(candidate.value - candidate.ci[0], baseline.ci[1] - baseline.value);
  const above = Math.hypot(candidate.ci[1] - candidate.value, baseline.value - baseline.ci[0]);
  return { value, ci: [value - below, value + above], candidate: candidate.value, baseline: baseline.value, interval };
}

/** True when both models gave every member and every non-member the same score. */
export function sameScores(candidate: RecordScores, baseline: RecordScores): boolean {
  return sameArray(candidate.member, baseline.member) && sameArray(candidate.nonMember, baseline.nonMember);
}

function sameArray(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * The DeLong placements: V10(xᵢ) = (#{y < xᵢ} + ½ #{y = xᵢ}) / n for each member, V01(yⱼ) =
 * (#{x > yⱼ} + ½ #{x = yⱼ}) / m for each non-member, in the records' own order (the pairing).
 */
export function placements({ member, nonMember }: RecordScores): { v10: Float64Array; v01: Float64Array } {
  const m = member.length;
  const n = nonMember.length;
  const xs = Float64Array.from(member).sort();
  const ys = Float64Array.from(nonMember).sort();
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const x = member[i]!;
    const below = lowerBound(ys, x);
    const tied = upperBound(ys, x) - below;
    v10[i] = (below + 0.5 * tied) / n;
  }
  for (let j = 0; j < n; j++) {
    const y = nonMember[j]!;
    const atMost = upperBound(xs, y);
    const tied = atMost - lowerBound(xs, y);
    v01[j] = (m - atMost + 0.5 * tied) / m;
  }
  return { v10, v01 };
}

/** First index whose value is ≥ v (sorted ascending). */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > v (sorted ascending). */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample variance (denominator k − 1) of xᵢ − yᵢ, two-pass. */
function sampleVarianceOfDifference(x: Float64Array, y: Float64Array): number {
  const k = x.length;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += x[i]! - y[i]!;
  const avg = sum / k;
  let ss = 0;
  for (let i = 0; i < k; i++) {
    const d = x[i]! - y[i]! - avg;
    ss += d * d;
  }
  return ss / (k - 1);
}

function checkPaired(candidate: RecordScores, baseline: RecordScores): void {
  const sizes = (s: RecordScores) => `${s.member.length} members and ${s.nonMember.length} non-members`;
  if (candidate.member.length !== baseline.member.length || candidate.nonMember.length !== baseline.nonMember.length) {
    throw new RangeError(`the candidate scored ${sizes(candidate)}, the baseline ${sizes(baseline)}; paired metrics need the same records`);
  }
  if (candidate.member.length === 0 || candidate.nonMember.length === 0) throw new RangeError('paired AUC needs members and non-members');
  for (const s of [candidate, baseline]) {
    for (const side of [s.member, s.nonMember])
      for (let i = 0; i < side.length; i++) if (Number.isNaN(side[i])) throw new RangeError('a score is NaN');
  }
}

function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}
