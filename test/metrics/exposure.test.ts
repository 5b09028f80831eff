import { describe, expect, it } from 'vitest';
import {
  erfc,
  estimateExposure,
  exposureOf,
  fitSkewNormal,
  midRank,
  normalCdf,
  skewNormalCdf,
  skewNormalPdf,
} from '../../src/metrics/exposure';
import { meanWithInterval, normalisedSimilarity } from '../../src/metrics/similarity';
import { rngFor } from '../../src/util/random';

describe('exposure from a rank', () => {
  it.each([
    { better: 0, ties: 0, rank: 1, space: 1e6, exposure: Math.log2(1e6) },
    { better: 999_999, ties: 0, rank: 1e6, space: 1e6, exposure: 0 },
    { better: 3, ties: 4, rank: 6, space: 1024, exposure: 10 - Math.log2(6) },
    { better: 0, ties: 999, rank: 500.5, space: 1000, exposure: Math.log2(1000 / 500.5) },
  ])('better $better, ties $ties → rank $rank', ({ better, ties, rank, space, exposure }) => {
    expect(midRank(better, ties)).toBe(rank);
    expect(exposureOf(rank, Math.log2(space))).toBeCloseTo(exposure, 12);
  });
});

describe('normal tails', () => {
  it.each([
    // Reference values of Φ (R: pnorm), relative precision below 1e-6 even far in the tail.
    { x: 0, p: 0.5 },
    { x: -1.959963984540054, p: 0.025 },
    { x: -3, p: 0.0013498980316301 },
    { x: -6, p: 9.8658764503769e-10 },
    { x: -10, p: 7.619853024160527e-24 },
    { x: 2, p: 0.9772498680518208 },
  ])('Φ($x) = $p', ({ x, p }) => {
    expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(2e-7);
  });

  it('erfc is symmetric: erfc(−x) = 2 − erfc(x)', () => {
    for (const x of [0.1, 0.7, 1.5, 3]) expect(erfc(-x)).toBeCloseTo(2 - erfc(x), 12);
  });
});

describe('skew-normal', () => {
  it('with shape 0 is the normal distribution', () => {
    const d = { location: 2, scale: 3, shape: 0 };
    for (const x of [-10, -1, 2, 5, 9]) expect(skewNormalCdf(x, d)).toBeCloseTo(normalCdf((x - 2) / 3), 7);
  });

  it.each([0.5, 1, 3, -2])('F(location) = 1/2 − arctan(α)/π for α = %s (closed form)', (shape) => {
    expect(skewNormalCdf(0, { location: 0, scale: 1, shape })).toBeCloseTo(0.5 - Math.atan(shape) / Math.PI, 7);
  });

  it('the density integrates to the CDF (trapezoid check far in the left tail)', () => {
    const d = { location: 1, scale: 2, shape: 4 };
    const x = -4;
    let sum = 0;
    const h = 1e-4;
    for (let t = x - 40; t < x; t += h) sum += ((skewNormalPdf(t, d) + skewNormalPdf(t + h, d)) / 2) * h;
    expect(Math.abs(skewNormalCdf(x, d) - sum) / sum).toBeLessThan(1e-4);
  });

  it('the method-of-moments fit recovers the parameters of a large sample', () => {
    // Sample SN(ξ=5, ω=2, α=3) as ξ + ω(δ|U| + √(1−δ²)V) with U, V standard normal.
    const rng = rngFor(3, 'skew');
    const delta = 3 / Math.sqrt(10);
    const values = Array.from(
      { length: 200_000 },
      () => 5 + 2 * (delta * Math.abs(rng.normal()) + Math.sqrt(1 - delta * delta) * rng.normal()),
    );
    const fit = fitSkewNormal(values);
    expect(fit.location).toBeCloseTo(5, 1);
    expect(fit.scale).toBeCloseTo(2, 1);
    expect(fit.shape).toBeGreaterThan(2.4);
    expect(fit.shape).toBeLessThan(3.8);
  });
});

describe('estimated exposure', () => {
  it('reads −log2 F(x) off the fit, and brackets it with the sample’s Clopper–Pearson bounds', () => {
    const rng = rngFor(5, 'normal-sample');
    const sample = Array.from({ length: 20_000 }, () => 40 + 4 * rng.normal());
    // A secret 2 standard deviations below the mean: fraction Φ(−2) = 0.02275 → 5.46 bits.
    const e = estimateExposure(sample, 32, 30, 0.95);
    // Within 0.15 bits: the fit also estimates a (small) skew from the sample.
    expect(Math.abs(e.value - -Math.log2(normalCdf(-2)))).toBeLessThan(0.15);
    expect(e.ci[0]).toBeLessThan(e.value);
    expect(e.ci[1]).toBeGreaterThan(e.value);
    expect(e.rank).toBeCloseTo(2 ** 30 * 2 ** -e.value, -2);
  });

  it('is capped at log2|R| for a secret far beyond every sampled candidate', () => {
    const rng = rngFor(6, 'cap');
    const sample = Array.from({ length: 1000 }, () => 40 + rng.normal());
    expect(estimateExposure(sample, 0, 20, 0.95).value).toBe(20);
  });
});

describe('similarity', () => {
  it.each([
    { a: [1, 2, 3, 4], b: [1, 2, 3, 4], s: 1 },
    { a: [1, 2, 3, 4], b: [1, 2, 9, 4], s: 0.75 },
    { a: [1, 2, 3, 4], b: [2, 3, 4, 5], s: 0.5 },
    { a: [1, 2], b: [], s: 0 },
    { a: [], b: [], s: 1 },
  ])('$a vs $b → $s', ({ a, b, s }) => {
    expect(normalisedSimilarity(a, b)).toBe(s);
  });

  it('mean with a normal interval, clipped to [0, 1]', () => {
    const m = meanWithInterval([0.2, 0.4, 0.6, 0.8], 0.95);
    const half = 1.959963984540054 * Math.sqrt(0.0666666666666667 / 4);
    expect(m.value).toBeCloseTo(0.5, 12);
    expect(m.ci[0]).toBeCloseTo(0.5 - half, 9);
    expect(m.ci[1]).toBeCloseTo(0.5 + half, 9);
    expect(meanWithInterval([], 0.95)).toEqual({ value: null, ci: [0, 1], n: 0 });
    expect(meanWithInterval([1, 1, 1, 0.98], 0.95).ci[1]).toBe(1);
  });
});
