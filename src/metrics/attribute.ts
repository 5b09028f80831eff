/**
 * Attribute-inference metrics (Fredrikson et al. 2014): how often the attacker's guess of a
 * sensitive attribute is right, against what guessing from the prior alone achieves. Pure.
 *
 * - Accuracies (members, non-members, the prior-only baseline) are binomial proportions with
 *   exact Clopper–Pearson intervals, as every other proportion in the gate.
 * - Member gap = member accuracy − non-member accuracy: a difference of two INDEPENDENT
 *   proportions (different records). Interval: Newcombe's hybrid score interval (Newcombe 1998,
 *   "Interval estimation for the difference between independent proportions: comparison of
 *   eleven methods", Statistics in Medicine 17:873–890, method 10), which combines the two
 *   Wilson score intervals ("square and add"). Newcombe found the Wald interval undercovers
 *   badly near 0 and 1 — where attack accuracies sit — while method 10 stays close to nominal.
 * - Lift = member accuracy − baseline accuracy: both are measured on the SAME members (the
 *   attack's guess and the prior's mode for each member), so the two proportions are paired and
 *   correlated. Interval: Newcombe's square-and-add interval for paired proportions (Newcombe
 *   1998, "Improved confidence intervals for the difference between binomial proportions based
 *   on paired data", Statistics in Medicine 17:2635–2650, method 10), which corrects the
 *   independent formula by the estimated correlation φ of the two success indicators. Treating
 *   them as independent would make the interval too wide when the attack mostly agrees with
 *   the prior's mode (the usual case on a model that leaks nothing).
 *
 * Why Newcombe rather than Clopper–Pearson for differences: there is no exact interval in
 * closed form for a difference, and the square-and-add construction reuses score intervals
 * with good coverage at every p (Fagerland, Lydersen & Laake 2015, "Recommended confidence
 * intervals for two independent binomial proportions", Stat Methods Med Res 24(2), recommend
 * it for that reason).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkConfidence, clopperPearson, type Interval } from './binomial';

/** A proportion k/n with its interval. `value` is null when n = 0 (nothing was measured). */
export interface Proportion {
  value: number | null;
  ci: Interval;
  k: number;
  n: number;
}

/** A difference of proportions with its interval; null when either side has no records. */
export interface Difference {
  value: number | null;
  ci: Interval;
}

/**
 * Wilson score interval for k successes in n trials (Wilson 1927): the p whose score test
 * does not reject at the given confidence. n = 0 gives [0, 1].
 */
export function wilson(k: number, n: number, confidence: number): Interval {
  checkCounts(k, n);
  checkConfidence(confidence);
  if (n === 0) return [0, 1];
  const z = zFor(confidence);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The exact ends for k = 0 and k = n are 0 and 1; the formula reaches them up to rounding.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** k/n with its exact (Clopper–Pearson) interval. */
export function proportion(k: number, n: number, confidence: number): Proportion {
  checkCounts(k, n);
  return { value: n === 0 ? null : k / n, ci: clopperPearson(k, n, confidence), k, n };
}

/**
 * Newcombe's hybrid score interval for p1 − p2 of two independent proportions k1/n1, k2/n2
 * (method 10 of Newcombe 1998a):
 *   L = d − √((p1 − l1)² + (u2 − p2)²),  U = d + √((u1 − p1)² + (p2 − l2)²),
 * with (l_i, u_i) the Wilson intervals.
 */
export function differenceIndependent(k1: number, n1: number, k2: number, n2: number, confidence: number): Difference {
  checkCounts(k1, n1);
  checkCounts(k2, n2);
  checkConfidence(confidence);
  if (n1 === 0 || n2 === 0) return { value: null, ci: [-1, 1] };
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const [l1, u1] = wilson(k1, n1, confidence);
  const [l2, u2] = wilson(k2, n2, confidence);
  const d = p1 - p2;
  return {
    value: d,
    ci: [Math.max(-1, d - Math.hypot(p1 - l1, u2 - p2)), Math.min(1, d + Math.hypot(u1 - p1, p2 - l2))],
  };
}

/**
 * A paired 2×2 table of two success indicators on the same n records:
 * both right (a), only the first right (b), only the second right (c), neither (d).
 */
export interface PairedTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * Newcombe's square-and-add interval for p1 − p2 of paired proportions p1 = (a+b)/n,
 * p2 = (a+c)/n (method 10 of Newcombe 1998b):
 *   L = Δ − √((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
 *   U = Δ + √((p2 − l2)² − 2φ(p2 − l2)(u1 − p1) + (u1 − p1)²)
 * with Wilson intervals (l_i, u_i) and the correlation estimate φ = A / √((a+b)(c+d)(a+c)(b+d)),
 * A = ad − bc, where Newcombe shrinks a positive A by n/2 (to max(A − n/2, 0)) and φ = 0 when a
 * margin is empty.
 */
export function differencePaired(table: PairedTable, confidence: number): Difference {
  const { a, b, c, d } = table;
  for (const v of [a, b, c, d]) {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`paired table counts must be non-negative integers, got ${JSON.stringify(table)}`);
  }
  checkConfidence(confidence);
  const n = a + b + c + d;
  if (n === 0) return { value: null, ci: [-1, 1] };
  const k1 = a + b;
  const k2 = a + c;
  const p1 = k1 / n;
  const p2 = k2 / n;
  const [l1, u1] = wilson(k1, n, confidence);
  const [l2, u2] = wilson(k2, n, confidence);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  let phi = 0;
  if (margins > 0) {
    const cross = a * d - b * c;
    const shrunk = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
    phi = shrunk / Math.sqrt(margins);
  }
  const delta = p1 - p2;
  const low = Math.sqrt(Math.max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2));
  const high = Math.sqrt(Math.max(0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2));
  return { value: delta, ci: [Math.max(-1, delta - low), Math.min(1, delta + high)] };
}

/** Per-record outcomes of one attribute-inference attack. */
export interface AttributeOutcomes {
  /** 1 where the attack guessed a member's attribute right. */
  memberCorrect: ArrayLike<boolean | number>;
  /** 1 where guessing the prior's mode is right for that member (same order as memberCorrect). */
  memberBaselineCorrect: ArrayLike<boolean | number>;
  /** 1 where the attack guessed a non-member's attribute right. */
  nonMemberCorrect: ArrayLike<boolean | number>;
}

export interface AttributeMetrics {
  memberAccuracy: Proportion;
  nonMemberAccuracy: Proportion;
  /** Accuracy of always guessing the prior's mode, on the members. */
  baselineAccuracy: Proportion;
  /** Member accuracy − baseline accuracy (paired, same members). */
  lift: Difference;
  /** Member accuracy − non-member accuracy (independent sets). */
  memberGap: Difference;
  /** The paired table behind the lift: attack right/wrong × baseline right/wrong. */
  liftTable: PairedTable;
}

/** Attack right/wrong × baseline right/wrong over the same records (the table behind a lift). */
export function pairedTable(correct: ArrayLike<boolean | number>, baselineCorrect: ArrayLike<boolean | number>): PairedTable {
  const table: PairedTable = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < correct.length; i++) {
    const attack = Boolean(correct[i]);
    const base = Boolean(baselineCorrect[i]);
    if (attack && base) table.a++;
    else if (attack) table.b++;
    else if (base) table.c++;
    else table.d++;
  }
  return table;
}

export function attributeMetrics(outcomes: AttributeOutcomes, confidence: number): AttributeMetrics {
  const { memberCorrect, memberBaselineCorrect, nonMemberCorrect } = outcomes;
  if (memberCorrect.length !== memberBaselineCorrect.length) {
    throw new RangeError(
      `memberCorrect (${memberCorrect.length}) and memberBaselineCorrect (${memberBaselineCorrect.length}) must describe the same members`,
    );
  }
  const table = pairedTable(memberCorrect, memberBaselineCorrect);
  const m = memberCorrect.length;
  const memberK = table.a + table.b;
  const baselineK = table.a + table.c;
  let nonMemberK = 0;
  for (let i = 0; i < nonMemberCorrect.length; i++) if (nonMemberCorrect[i]) nonMemberK++;
  const n = nonMemberCorrect.length;
  return {
    memberAccuracy: proportion(memberK, m, confidence),
    nonMemberAccuracy: proportion(nonMemberK, n, confidence),
    baselineAccuracy: proportion(baselineK, m, confidence),
    lift: differencePaired(table, confidence),
    memberGap: differenceIndependent(memberK, m, nonMemberK, n, confidence),
    liftTable: table,
  };
}

function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

function checkCounts(k: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`trials n must be a non-negative integer, got ${n}`);
  if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`successes k must be an integer in [0, n=${n}], got ${k}`);
}
