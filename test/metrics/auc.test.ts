import { describe, expect, it } from 'vitest';
import { auc, aucWithCi } from '../../src/metrics/auc';
import { Rng } from '../../src/util/random';
import { bruteAuc, bruteDelongVariance, ints, normals } from './reference';

const Z95 = 1.959963984540054;

describe('auc', () => {
  it.each([
    { name: 'perfect separation', x: [5, 6, 7], y: [1, 2, 3], expected: 1 },
    { name: 'reversed', x: [1, 2, 3], y: [5, 6, 7], expected: 0 },
    { name: 'identical samples', x: [1, 2, 3], y: [1, 2, 3], expected: 0.5 },
    { name: 'all scores tied', x: [4, 4, 4, 4], y: [4, 4], expected: 0.5 },
    // pairs: (3,2)=1 (3,1)=1 (2,2)=½ (2,1)=1 → 3.5 / 4
    { name: 'hand example with a tie', x: [3, 2], y: [2, 1], expected: 0.875 },
    { name: 'single pair tied', x: [0], y: [0], expected: 0.5 },
    { name: '−Infinity scores rank lowest', x: [-Infinity, 1], y: [-Infinity, 0], expected: 0.625 },
    { name: '−0 ties with +0', x: [-0], y: [0], expected: 0.5 },
  ])('$name → $expected', ({ x, y, expected }) => {
    expect(auc(x, y)).toBeCloseTo(expected, 15);
  });

  const cases = [
    { seed: 1, m: 50, n: 50, max: 5 },
    { seed: 2, m: 37, n: 113, max: 5 },
    { seed: 3, m: 200, n: 9, max: 2 },
    { seed: 4, m: 1, n: 60, max: 5 },
    { seed: 5, m: 300, n: 250, max: 1000 },
  ];
  it.each(cases)('equals the brute-force pair count (seed $seed, ties: 0..$max)', ({ seed, m, n, max }) => {
    const rng = new Rng(seed);
    const x = ints(rng, m, max).map((v) => v + (rng.next() < 0.5 ? 1 : 0)); // members shifted up a bit
    const y = ints(rng, n, max);
    expect(auc(x, y)).toBeCloseTo(bruteAuc(x, y), 12);
  });

  it('equals the brute force on continuous scores and on plain arrays', () => {
    const rng = new Rng(9);
    const x = normals(rng, 120, 0.4);
    const y = normals(rng, 90);
    expect(auc(x, y)).toBeCloseTo(bruteAuc(x, y), 12);
    expect(auc(Array.from(x), Array.from(y))).toBe(auc(x, y));
  });

  it.each([
    { name: 'empty members', x: [], y: [1] },
    { name: 'empty non-members', x: [1], y: [] },
    { name: 'NaN', x: [1, Number.NaN], y: [1] },
    { name: '+Infinity', x: [1], y: [Infinity] },
  ])('throws RangeError on $name', ({ x, y }) => {
    expect(() => auc(x, y)).toThrow(RangeError);
  });
});

describe('aucWithCi (DeLong)', () => {
  const cases = [
    { seed: 11, m: 7, n: 9, max: 3 },
    { seed: 12, m: 20, n: 15, max: 5 },
    { seed: 13, m: 40, n: 33, max: 5 },
    { seed: 14, m: 2, n: 30, max: 5 },
    { seed: 15, m: 25, n: 25, max: 100000 },
  ];
  it.each(cases)('variance matches the O(m·n) structural components (seed $seed)', ({ seed, m, n, max }) => {
    const rng = new Rng(seed);
    const x = ints(rng, m, max).map((v) => v + rng.int(2));
    const y = ints(rng, n, max);
    const r = aucWithCi(x, y, 0.95);
    expect(r.value).toBeCloseTo(bruteAuc(x, y), 12);
    expect(r.se ** 2).toBeCloseTo(bruteDelongVariance(x, y), 12);
    // Normal interval, clipped to [0, 1].
    expect(r.ci[0]).toBeCloseTo(Math.max(0, r.value - Z95 * r.se), 12);
    expect(r.ci[1]).toBeCloseTo(Math.min(1, r.value + Z95 * r.se), 12);
  });

  it('widens with confidence and covers the value', () => {
    const rng = new Rng(21);
    const x = normals(rng, 500, 0.3);
    const y = normals(rng, 500);
    const c90 = aucWithCi(x, y, 0.9);
    const c99 = aucWithCi(x, y, 0.99);
    expect(c99.ci[0]).toBeLessThan(c90.ci[0]);
    expect(c99.ci[1]).toBeGreaterThan(c90.ci[1]);
    expect(c90.ci[0]).toBeLessThan(c90.value);
    expect(c90.ci[1]).toBeGreaterThan(c90.value);
  });

  it('is degenerate where DeLong is: zero width at perfect separation, [0, 1] with one score on a side', () => {
    expect(aucWithCi([5, 6], [1, 2], 0.95).ci).toEqual([1, 1]);
    const single = aucWithCi([5], [1, 2, 3], 0.95);
    expect(single.value).toBe(1);
    expect(single.ci).toEqual([0, 1]);
  });

  it('rejects a confidence outside (0, 1)', () => {
    expect(() => aucWithCi([1], [2], 1)).toThrow(RangeError);
  });
});
