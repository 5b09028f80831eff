import { describe, expect, it } from 'vitest';
import { aucWithCi } from '../../src/metrics/auc';
import { clopperPearson } from '../../src/metrics/binomial';
import { membershipMetrics, rankingMetrics, type MembershipOptions } from '../../src/metrics/membership';
import { Rng } from '../../src/util/random';
import { bruteAdvantage, countAtLeast, cpLowerByBisection, cpUpperByBisection, ints, normals } from './reference';

const OPTS: MembershipOptions = { fpr: 0.01, confidence: 0.95 };

function repeat(value: number, count: number): number[] {
  return Array.from({ length: count }, () => value);
}

/** Randomized response with parameter ε: a member outputs 1 with probability e^ε/(1+e^ε). */
function randomizedResponse(rng: Rng, count: number, epsilon: number, member: boolean): Float64Array {
  const p = member ? Math.exp(epsilon) / (1 + Math.exp(epsilon)) : 1 / (1 + Math.exp(epsilon));
  return Float64Array.from({ length: count }, () => (rng.next() < p ? 1 : 0));
}

/** Laplace mechanism on a sensitivity-1 query (member 1, non-member 0) with scale 1/ε: ε-DP. */
function laplace(rng: Rng, count: number, epsilon: number, member: boolean): Float64Array {
  return Float64Array.from({ length: count }, () => {
    let u = 0;
    while (u === 0) u = rng.next() - 0.5;
    return (member ? 1 : 0) - (Math.sign(u) * Math.log(1 - 2 * Math.abs(u))) / epsilon;
  });
}

describe('membershipMetrics: shape and shared pieces', () => {
  const rng = new Rng(3);
  const x = normals(rng, 3000, 0.5);
  const y = normals(rng, 2000);
  const r = membershipMetrics(x, y, OPTS);

  it('reports sizes, the DeLong AUC and a thinned ROC', () => {
    expect(r.members).toBe(3000);
    expect(r.nonMembers).toBe(2000);
    const a = aucWithCi(x, y, 0.95);
    expect(r.auc).toEqual({ value: a.value, ci: a.ci });
    expect(r.rocPoints.length).toBeLessThanOrEqual(200);
    expect(r.rocPoints[0]).toEqual({ threshold: Infinity, tp: 0, fp: 0, tpr: 0, fpr: 0 });
    expect(r.rocPoints.at(-1)).toMatchObject({ tpr: 1, fpr: 1 });
  });

  it('has intervals that contain their values', () => {
    for (const metric of [r.auc, r.advantage, r.tprAtFpr, r.epsilonLowerBound]) {
      expect(metric.ci[0]).toBeLessThanOrEqual(metric.value);
      expect(metric.ci[1]).toBeGreaterThanOrEqual(metric.value);
    }
    expect(r.ppv.value).not.toBeNull();
    expect(r.ppv.ci[0]).toBeLessThanOrEqual(r.ppv.value!);
    expect(r.ppv.ci[1]).toBeGreaterThanOrEqual(r.ppv.value!);
  });

  it.each([
    { name: 'empty members', x: [], y: [1] },
    { name: 'empty non-members', x: [1], y: [] },
    { name: 'a NaN score', x: [1, 2], y: [Number.NaN] },
  ])('throws RangeError on $name', ({ x, y }) => {
    expect(() => membershipMetrics(x, y, OPTS)).toThrow(RangeError);
  });

  it('names the empty side in the message', () => {
    expect(() => membershipMetrics([], [1], OPTS)).toThrow(/member scores are empty/);
  });

  it.each([
    { fpr: -0.1 },
    { fpr: 1.1 },
    { fpr: Number.NaN },
    { confidence: 0 },
    { confidence: 1 },
    { delta: -1e-6 },
    { delta: 1 },
    { maxThresholds: 0 },
    { maxThresholds: 2.5 },
  ])('rejects options %o', (bad) => {
    expect(() => membershipMetrics([1, 2], [0, 1], { ...OPTS, ...bad })).toThrow(RangeError);
  });
});

describe('advantage', () => {
  it.each([
    { seed: 1, m: 60, n: 80, kind: 'ints' },
    { seed: 2, m: 200, n: 150, kind: 'ints' },
    { seed: 3, m: 300, n: 300, kind: 'normals' },
    { seed: 4, m: 5, n: 400, kind: 'normals' },
  ])('equals the brute force over all thresholds (seed $seed, $kind)', ({ seed, m, n, kind }) => {
    const rng = new Rng(seed);
    const x = kind === 'ints' ? ints(rng, m, 5).map((v) => v + rng.int(2)) : normals(rng, m, 0.7);
    const y = kind === 'ints' ? ints(rng, n, 5) : normals(rng, n);
    const { advantage } = membershipMetrics(x, y, OPTS);
    expect(advantage.value).toBeCloseTo(bruteAdvantage(x, y), 12);
    // The reported threshold attains it.
    const t = advantage.threshold;
    expect(countAtLeast(x, t) / m - countAtLeast(y, t) / n).toBeCloseTo(advantage.value, 12);
  });

  it('has the DKW band ε_m + ε_n with ε = sqrt(ln(2/(α/2)) / 2k), clipped to [0, 1]', () => {
    const x = [...repeat(1, 70), ...repeat(0, 30)];
    const y = [...repeat(1, 20), ...repeat(0, 80)];
    const { advantage } = membershipMetrics(x, y, OPTS);
    const band = 2 * Math.sqrt(Math.log(2 / 0.025) / 200);
    expect(advantage.value).toBeCloseTo(0.5, 15);
    expect(advantage.threshold).toBe(1);
    expect(advantage.ci[0]).toBeCloseTo(0.5 - band, 12);
    expect(advantage.ci[1]).toBeCloseTo(0.5 + band, 12);
    expect(membershipMetrics([2, 3], [0, 1], OPTS).advantage.ci).toEqual([0, 1]);
  });

  it('is 0 at threshold +Infinity when no threshold helps', () => {
    const { advantage } = membershipMetrics([0, 1], [2, 3], OPTS);
    expect(advantage.value).toBe(0);
    expect(advantage.threshold).toBe(Infinity);
  });
});

describe('tprAtFpr and ppv (hand table)', () => {
  // Levels, highest first (score: tp, fp): 10: 1,0  9: 1,1  8: 2,1  7: 3,3  6: 4,3  5: 4,4
  // 4: 4,5  3: 4,6  2: 4,8  1: 5,9  0: 5,10.
  const member = [10, 8, 7, 6, 1];
  const nonMember = [9, 7, 7, 5, 4, 3, 2, 2, 1, 0];
  it.each([
    { fpr: 0, threshold: 10, tp: 1, fp: 0 },
    { fpr: 0.05, threshold: 10, tp: 1, fp: 0 }, // below 1/n: FPR 0 is still reachable above the top non-member
    { fpr: 0.1, threshold: 8, tp: 2, fp: 1 },
    { fpr: 0.2, threshold: 8, tp: 2, fp: 1 }, // the tie of two non-members at 7 is never split
    { fpr: 0.29, threshold: 8, tp: 2, fp: 1 },
    { fpr: 0.3, threshold: 6, tp: 4, fp: 3 },
    { fpr: 0.7, threshold: 3, tp: 4, fp: 6 },
    { fpr: 1, threshold: 0, tp: 5, fp: 10 },
  ])('fpr=$fpr → threshold $threshold, TP $tp, FP $fp', ({ fpr, threshold, tp, fp }) => {
    const r = membershipMetrics(member, nonMember, { fpr, confidence: 0.9 });
    expect(r.tprAtFpr).toEqual({
      value: tp / 5,
      ci: clopperPearson(tp, 5, 0.9),
      fpr,
      threshold,
      achievedFpr: fp / 10,
      atOrAbove: { members: tp, nonMembers: fp },
    });
    // m ≠ n: equal-prior precision TPR/(TPR+FPR) with the Bonferroni ratio interval.
    const tpr = tp / 5;
    const fprHat = fp / 10;
    expect(r.ppv.value).toBeCloseTo(tpr / (tpr + fprHat), 15);
    expect(r.ppv.threshold).toBe(threshold);
    const [tLo, tHi] = clopperPearson(tp, 5, 0.95);
    const [fLo, fHi] = clopperPearson(fp, 10, 0.95);
    expect(r.ppv.ci[0]).toBeCloseTo(tLo / (tLo + fHi), 12);
    expect(r.ppv.ci[1]).toBeCloseTo(tHi / (tHi + fLo), 12);
  });

  it('uses threshold +Infinity (TPR 0, achievedFpr 0, PPV null) when only "no one" meets the target', () => {
    const r = membershipMetrics([1, 2], [3, 0], { fpr: 0.1, confidence: 0.95 });
    expect(r.tprAtFpr).toEqual({
      value: 0,
      ci: clopperPearson(0, 2, 0.95),
      fpr: 0.1,
      threshold: Infinity,
      achievedFpr: 0,
      atOrAbove: { members: 0, nonMembers: 0 },
    });
    expect(r.ppv).toEqual({ value: null, ci: [0, 1], threshold: Infinity });
  });

  it('with m = n, PPV is TP/(TP+FP) with Clopper–Pearson on those counts', () => {
    const x = [9, 8, 7, 6, 5, 4, 3, 2];
    const y = [7.5, 5.5, 1, 1, 0, 0, 0, 0];
    const r = membershipMetrics(x, y, { fpr: 0.25, confidence: 0.95 });
    // Two FPs allowed (7.5, 5.5); the next non-member level, the tie at 1, would make four:
    // threshold 2 keeps all 8 members, FP 2.
    expect(r.tprAtFpr.threshold).toBe(2);
    expect(r.ppv.value).toBeCloseTo(8 / 10, 15);
    expect(r.ppv.ci).toEqual(clopperPearson(8, 10, 0.95));
  });
});

describe('epsilonLowerBound (Jagielski et al. 2020)', () => {
  it('matches the formula by hand with one candidate threshold', () => {
    // Binary scores: the only candidate is "score ≥ 1" (the lowest score is never a candidate), so T = 1
    // and each one-sided bound is at level α/2.
    const x = [...repeat(1, 80), ...repeat(0, 20)];
    const y = [...repeat(1, 30), ...repeat(0, 70)];
    for (const delta of [0, 0.01]) {
      const r = membershipMetrics(x, y, { fpr: 0.01, confidence: 0.95, delta }).epsilonLowerBound;
      const tprLo = cpLowerByBisection(80, 100, 0.025);
      const fprHi = cpUpperByBisection(30, 100, 0.025);
      const expected = Math.max(Math.log((tprLo - delta) / fprHi), Math.log((1 - fprHi - delta) / (1 - tprLo)));
      const plugIn = Math.max(Math.log((80.5 / 101 - delta) / (30.5 / 101)), Math.log((1 - 30.5 / 101 - delta) / (1 - 80.5 / 101)));
      expect(r.thresholdsTried).toBe(1);
      expect(r.threshold).toBe(1);
      expect(r.value).toBeCloseTo(expected, 9);
      expect(r.ci[0]).toBe(r.value);
      expect(r.ci[1]).toBeCloseTo(plugIn, 12);
    }
  });

  it('tries at most maxThresholds candidates and pays for them (more candidates, no larger bound here)', () => {
    const x = [...repeat(1, 80), ...repeat(0, 20)];
    const y = [...repeat(1, 30), ...repeat(0, 70)];
    const rng = new Rng(5);
    const cx = normals(rng, 2000, 1);
    const cy = normals(rng, 2000);
    for (const maxThresholds of [1, 8, 64, 500]) {
      const r = membershipMetrics(cx, cy, { ...OPTS, maxThresholds }).epsilonLowerBound;
      expect(r.thresholdsTried).toBeLessThanOrEqual(maxThresholds);
      expect(r.thresholdsTried).toBeGreaterThan(0);
    }
    expect(membershipMetrics(x, y, { ...OPTS, maxThresholds: 64 }).epsilonLowerBound.thresholdsTried).toBe(1);
  });

  it('pays the Bonferroni cost of searching T = 2 thresholds: each bound at α/(2T), by hand', () => {
    // 50 members at 3; non-members 25 at 2 and 25 at 1. Candidates: the levels 3 and 2 (the
    // lowest is never one), so T = 2. At 3 every member and no non-member is over the threshold,
    // where Clopper–Pearson has closed forms: TPR_lo = a^(1/50), FPR_hi = 1 − a^(1/50), with
    // a = α/(2T) = 0.05/4, so ε ≥ ln(a^(1/50) / (1 − a^(1/50))) = 2.3904 (the level 2 gives less).
    const x = repeat(3, 50);
    const y = [...repeat(2, 25), ...repeat(1, 25)];
    const bound = (T: number) => {
      const q = (0.05 / (2 * T)) ** (1 / 50);
      return Math.log(q / (1 - q));
    };
    const r = membershipMetrics(x, y, OPTS).epsilonLowerBound;
    expect(r.thresholdsTried).toBe(2);
    expect(r.threshold).toBe(3);
    expect(bound(2)).toBeCloseTo(2.3904, 4);
    expect(r.value).toBeCloseTo(bound(2), 9);
    // Dropping the search's cost would report the T = 1 bound, 0.18 higher.
    expect(bound(1) - r.value).toBeGreaterThan(0.15);
  });

  it('is 0 when every score ties (no candidate threshold)', () => {
    const r = membershipMetrics([1, 1, 1], [1, 1], OPTS).epsilonLowerBound;
    expect(r).toEqual({
      value: 0,
      ci: [0, 0],
      threshold: Infinity,
      thresholdsTried: 0,
      atOrAbove: { members: 0, nonMembers: 0 },
      tail: null,
    });
  });

  // The same separation seen from either end: members all high (the high tail gives the bound:
  // members over the threshold, no non-member), or non-members all low under a block of ties
  // (the low tail: non-members below the threshold, no member). The report says which.
  it.each([
    {
      name: 'high tail: 40 members above every non-member, the rest tied with the non-members',
      x: [...repeat(3, 40), ...repeat(1, 60)],
      y: repeat(1, 100),
      tail: 'high',
      threshold: 3,
      atOrAbove: { members: 40, nonMembers: 0 },
    },
    {
      name: 'low tail: 40 non-members below every member, the rest tied with the members',
      x: repeat(5, 60),
      y: [...repeat(5, 60), ...repeat(1, 40)],
      tail: 'low',
      threshold: 5,
      atOrAbove: { members: 60, nonMembers: 60 },
    },
  ])('says which tail the bound came from: $name', ({ x, y, tail, threshold, atOrAbove }) => {
    const r = membershipMetrics(x, y, OPTS).epsilonLowerBound;
    expect(r.value).toBeGreaterThan(0);
    expect(r.tail).toBe(tail);
    expect(r.threshold).toBe(threshold);
    expect(r.atOrAbove).toEqual(atOrAbove);
  });

  it('has no tail when no bound is positive', () => {
    const rng = new Rng(4);
    expect(membershipMetrics(normals(rng, 500), normals(rng, 500), OPTS).epsilonLowerBound.tail).toBeNull();
  });

  it.each([1, 2, 3, 4, 5])('is about 0 on identically distributed scores (seed %i, 5000 each)', (seed) => {
    const rng = new Rng(seed);
    const r = membershipMetrics(normals(rng, 5000), normals(rng, 5000), OPTS).epsilonLowerBound;
    expect(r.value).toBeGreaterThanOrEqual(0);
    expect(r.value).toBeLessThan(0.05);
  });

  it('is large on perfectly separated scores (1000 each)', () => {
    const rng = new Rng(8);
    const x = Float64Array.from({ length: 1000 }, () => 10 + rng.next());
    const y = Float64Array.from({ length: 1000 }, () => rng.next());
    const r = membershipMetrics(x, y, OPTS).epsilonLowerBound;
    expect(r.value).toBeGreaterThan(3);
    expect(r.ci[1]).toBeGreaterThanOrEqual(r.value);
  });

  it.each([11, 12, 13, 14, 15])('never exceeds the true ε = 1 of randomized response (seed %i, 20000 each), yet gets close', (seed) => {
    const rng = new Rng(seed);
    const x = randomizedResponse(rng, 20000, 1, true);
    const y = randomizedResponse(rng, 20000, 1, false);
    for (const delta of [0, 1e-5]) {
      const r = membershipMetrics(x, y, { ...OPTS, delta }).epsilonLowerBound;
      expect(r.value).toBeLessThanOrEqual(1);
      expect(r.value).toBeGreaterThan(0.9);
    }
  });

  it.each([21, 22, 23])('never exceeds the true ε = 1 of the Laplace mechanism, searching many thresholds (seed %i)', (seed) => {
    const rng = new Rng(seed);
    const r = membershipMetrics(laplace(rng, 20000, 1, true), laplace(rng, 20000, 1, false), OPTS).epsilonLowerBound;
    expect(r.thresholdsTried).toBe(64);
    expect(r.value).toBeLessThanOrEqual(1);
    expect(r.value).toBeGreaterThan(0.7);
  });
});

describe('topTie and the advantage threshold counts', () => {
  it('counts the records at the highest score, and those at or above the advantage threshold', () => {
    const r = membershipMetrics([1, 1, 1, 0.5, 0.2], [1, 1, 0.4, 0.3, 0.1, 0], OPTS);
    expect(r.topTie).toEqual({ score: 1, members: 3, nonMembers: 2 });
    // TPR − FPR: at 1, 3/5 − 2/6 = 0.267; at 0.5, 4/5 − 2/6 = 0.467 (the best); at 0.2, 5/5 − 4/6 = 0.333.
    expect(r.advantage.threshold).toBe(0.5);
    expect(r.advantage.atOrAbove).toEqual({ members: 4, nonMembers: 2 });
  });
});

describe('rankingMetrics', () => {
  it('gives exactly the AUC and advantage of membershipMetrics', () => {
    const rng = new Rng(99);
    const x = Float64Array.from({ length: 300 }, () => Math.round(rng.normal() * 3 + 1));
    const y = Float64Array.from({ length: 400 }, () => Math.round(rng.normal() * 3));
    const full = membershipMetrics(x, y, { fpr: 0.05, confidence: 0.9 });
    const light = rankingMetrics(x, y, 0.9);
    expect(light).toEqual({ members: 300, nonMembers: 400, auc: full.auc, advantage: full.advantage });
  });
});
