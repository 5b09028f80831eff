import { describe, expect, it } from 'vitest';
import { attributeMetrics, differenceIndependent, differencePaired, proportion, wilson } from '../../src/metrics/attribute';
import { clopperPearson } from '../../src/metrics/binomial';

const Z95 = 1.959963984540054;

describe('wilson', () => {
  // 95% Wilson intervals: 81/263 is the worked example of Newcombe 1998 ("Two-sided confidence
  // intervals for the single proportion", Stat Med 17:857); the others were computed by hand.
  it.each([
    { k: 7, n: 34, lo: 0.1035, hi: 0.368 },
    { k: 0, n: 10, lo: 0, hi: 0.2775 },
    { k: 81, n: 263, lo: 0.2553, hi: 0.3662 },
  ])('k=$k n=$n is [$lo, $hi]', ({ k, n, lo, hi }) => {
    const [a, b] = wilson(k, n, 0.95);
    expect(a).toBeCloseTo(lo, 4);
    expect(b).toBeCloseTo(hi, 4);
  });

  // Independent check: the Wilson bounds are the p where the score statistic equals z.
  it.each([
    [3, 20],
    [10, 11],
    [50, 100],
    [1, 400],
  ])('ends solve |k/n − p| = z·√(p(1 − p)/n) for k=%i n=%i', (k, n) => {
    const [lo, hi] = wilson(k, n, 0.95);
    for (const p of [lo, hi]) {
      if (p === 0 || p === 1) continue;
      expect(Math.abs(k / n - p) / Math.sqrt((p * (1 - p)) / n)).toBeCloseTo(Z95, 9);
    }
  });

  it('n = 0 carries no information', () => expect(wilson(0, 0, 0.95)).toEqual([0, 1]));
  it('rejects impossible counts', () => expect(() => wilson(5, 4, 0.95)).toThrow(RangeError));
});

describe('differenceIndependent (Newcombe hybrid score, method 10)', () => {
  // Published values: Newcombe 1998a's worked example 56/70 − 48/80, and Perondi et al. 2004
  // (7/34 − 1/34) from Fagerland, Lydersen & Laake 2017, "Statistical Analysis of Contingency
  // Tables", ch. 4. The third row was computed by hand from the Wilson intervals.
  it.each([
    { k1: 56, n1: 70, k2: 48, n2: 80, d: 0.2, lo: 0.0524, hi: 0.3339 },
    { k1: 7, n1: 34, k2: 1, n2: 34, d: 0.1765, lo: 0.0189, hi: 0.3404 },
    { k1: 9, n1: 10, k2: 3, n2: 10, d: 0.6, lo: 0.1705, hi: 0.809 },
  ])('$k1/$n1 − $k2/$n2 = $d [$lo, $hi]', ({ k1, n1, k2, n2, d, lo, hi }) => {
    const r = differenceIndependent(k1, n1, k2, n2, 0.95);
    expect(r.value).toBeCloseTo(d, 4);
    expect(r.ci[0]).toBeCloseTo(lo, 4);
    expect(r.ci[1]).toBeCloseTo(hi, 4);
  });

  it('is antisymmetric: swapping the groups mirrors the interval', () => {
    const a = differenceIndependent(30, 50, 12, 40, 0.9);
    const b = differenceIndependent(12, 40, 30, 50, 0.9);
    expect(b.value).toBeCloseTo(-a.value!, 12);
    expect(b.ci[0]).toBeCloseTo(-a.ci[1], 12);
    expect(b.ci[1]).toBeCloseTo(-a.ci[0], 12);
  });

  it('stays inside [−1, 1] and is null without records', () => {
    const r = differenceIndependent(10, 10, 0, 10, 0.99);
    expect(r.ci[0]).toBeGreaterThan(0);
    expect(r.ci[1]).toBeLessThanOrEqual(1);
    expect(differenceIndependent(0, 0, 3, 5, 0.95)).toEqual({ value: null, ci: [-1, 1] });
  });
});

describe('differencePaired (Newcombe square-and-add for paired data, method 10)', () => {
  // Cavo et al. 2012 (59, 6; 16, 80): −0.0621 [−0.1186, −0.0046], as published in Fagerland et
  // al. 2017, ch. 8. The others were computed by hand: Bentur et al. 2009 (1, 1; 7, 12), where
  // ad − bc = 5 ≤ n/2 so φ = 0; and a table with strong agreement (φ = 0.588).
  it.each([
    { t: { a: 59, b: 6, c: 16, d: 80 }, delta: -0.0621, lo: -0.1186, hi: -0.0046 },
    { t: { a: 1, b: 1, c: 7, d: 12 }, delta: -0.2857, lo: -0.5069, hi: -0.0256 },
    { t: { a: 200, b: 30, c: 5, d: 32 }, delta: 0.0936, lo: 0.0513, hi: 0.1377 },
  ])('$t → $delta [$lo, $hi]', ({ t, delta, lo, hi }) => {
    const r = differencePaired(t, 0.95);
    expect(r.value).toBeCloseTo(delta, 4);
    expect(r.ci[0]).toBeCloseTo(lo, 4);
    expect(r.ci[1]).toBeCloseTo(hi, 4);
  });

  it('is narrower than the independent interval when the two indicators agree', () => {
    const t = { a: 200, b: 30, c: 5, d: 32 };
    const n = 267;
    const paired = differencePaired(t, 0.95);
    const independent = differenceIndependent(t.a + t.b, n, t.a + t.c, n, 0.95);
    expect(paired.ci[1] - paired.ci[0]).toBeLessThan(independent.ci[1] - independent.ci[0]);
  });

  it('identical indicators: difference 0 and an interval that covers it', () => {
    const r = differencePaired({ a: 180, b: 0, c: 0, d: 40 }, 0.95);
    expect(r.value).toBe(0);
    expect(r.ci[0]).toBeLessThan(0);
    expect(r.ci[1]).toBeGreaterThan(0);
  });
});

describe('attributeMetrics', () => {
  it('counts the paired table and every proportion from per-record outcomes', () => {
    // 10 members: attack right on 8, baseline right on 6; both right on 5.
    const memberCorrect = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const memberBaselineCorrect = [1, 1, 1, 1, 1, 0, 0, 0, 1, 0];
    const nonMemberCorrect = [true, false, true, false, false, true];
    const m = attributeMetrics({ memberCorrect, memberBaselineCorrect, nonMemberCorrect }, 0.95);
    expect(m.liftTable).toEqual({ a: 5, b: 3, c: 1, d: 1 });
    expect(m.memberAccuracy).toEqual({ value: 0.8, ci: clopperPearson(8, 10, 0.95), k: 8, n: 10 });
    expect(m.baselineAccuracy.value).toBe(0.6);
    expect(m.nonMemberAccuracy).toEqual(proportion(3, 6, 0.95));
    expect(m.lift).toEqual(differencePaired({ a: 5, b: 3, c: 1, d: 1 }, 0.95));
    expect(m.lift.value).toBeCloseTo(0.2, 12);
    expect(m.memberGap).toEqual(differenceIndependent(8, 10, 3, 6, 0.95));
    expect(m.memberGap.value).toBeCloseTo(0.3, 12);
  });

  it('refuses member outcomes of different lengths', () => {
    expect(() => attributeMetrics({ memberCorrect: [1], memberBaselineCorrect: [], nonMemberCorrect: [] }, 0.95)).toThrow(/same members/);
  });
});
