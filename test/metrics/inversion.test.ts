/** Reconstruction scores against values computed by hand. */
import { describe, expect, it } from 'vitest';
import {
  centredCosine,
  classMeans,
  identificationRate,
  meanWithInterval,
  nearestCentroid,
  overallMean,
  studentQuantile,
} from '../../src/metrics/inversion';

describe('centred cosine', () => {
  it.each([
    ['parallel after centring', [3, 3], [5, 5], [1, 1], 1],
    ['opposite', [2, 0], [0, 0], [1, 0], -1],
    ['orthogonal', [2, 1], [1, 2], [1, 1], 0],
    ['45 degrees', [2, 1], [2, 2], [1, 1], Math.SQRT1_2],
    ['zero vector (the start at the centre) is like nothing', [1, 1], [4, 2], [1, 1], 0],
  ])('%s', (_name, a, b, centre, expected) => {
    expect(centredCosine(a, b, centre)).toBeCloseTo(expected, 14);
  });

  it('differs from the raw cosine, which is near 1 for any two positive images', () => {
    // Two "images" that share the background but differ where it matters.
    const a = [10, 10, 10, 1];
    const b = [10, 10, 1, 10];
    const centre = [10, 10, 5.5, 5.5];
    const raw = centredCosine(a, b, [0, 0, 0, 0]);
    expect(raw).toBeGreaterThan(0.7);
    expect(centredCosine(a, b, centre)).toBeCloseTo(-1, 14);
  });
});

describe('class means and nearest centroid', () => {
  it('averages the rows of each class, undefined for an empty one', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const means = classMeans(x, Int32Array.from([0, 2, 0, 2]), 2, 3);
    expect(means.map((m) => (m ? [...m] : undefined))).toEqual([[3, 4], undefined, [5, 6]]);
    expect([...overallMean(x, 4, 2)]).toEqual([4, 5]);
  });

  it('picks the most similar centroid and skips missing ones', () => {
    const centre = [0, 0];
    const centroids = [Float64Array.of(1, 0), undefined, Float64Array.of(0, 1)];
    expect(nearestCentroid([0.2, 3], centroids, centre)).toBe(2);
    expect(nearestCentroid([3, 0.2], centroids, centre)).toBe(0);
  });

  it('identifies no class from the centre itself', () => {
    expect(nearestCentroid([0.5, 0.5], [Float64Array.of(1, 0), Float64Array.of(0, 1)], [0.5, 0.5])).toBe(-1);
  });
});

describe('identification rate', () => {
  it('10 of 10 classes: Clopper–Pearson lower bound (α/2)^(1/n) = 0.025^(1/10)', () => {
    const r = identificationRate(new Array(10).fill(true), 0.95);
    expect(r.value).toBe(1);
    expect(r.ci[0]).toBeCloseTo(0.025 ** 0.1, 10);
    expect(r.ci[1]).toBe(1);
  });

  it('0 of 4: upper bound 1 − (α/2)^(1/n)', () => {
    const r = identificationRate([false, false, false, false], 0.95);
    expect(r.value).toBe(0);
    expect(r.ci).toEqual([0, expect.closeTo(1 - 0.025 ** 0.25, 10)]);
  });

  it('no classes: no value', () => {
    expect(identificationRate([], 0.95)).toEqual({ value: null, ci: [0, 1], successes: 0, trials: 0 });
  });
});

describe('mean with a Student-t interval', () => {
  it.each([
    // Tabulated two-sided quantiles t(1 − α/2; ν).
    [0.05, 1, 12.706205],
    [0.05, 4, 2.776445],
    [0.05, 9, 2.262157],
    [0.01, 9, 3.249836],
    [0.05, 1000, 1.962339],
  ])('t quantile for α = %s, ν = %s is %s', (alpha, nu, expected) => {
    expect(studentQuantile(alpha, nu)).toBeCloseTo(expected, 5);
  });

  it('1, 2, 3, 4, 5: mean 3 ± 2.776445 · 1.581139 / √5', () => {
    const r = meanWithInterval([1, 2, 3, 4, 5], 0.95, [-10, 10]);
    const half = (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(r.value).toBe(3);
    expect(r.ci[0]).toBeCloseTo(3 - half, 5);
    expect(r.ci[1]).toBeCloseTo(3 + half, 5);
  });

  it('is clipped to the possible range, and one value gives the whole range', () => {
    expect(meanWithInterval([1.9, 2, 0], 0.95, [-2, 2]).ci[1]).toBe(2);
    expect(meanWithInterval([0.4], 0.95, [-2, 2])).toEqual({ value: 0.4, ci: [-2, 2], n: 1 });
    expect(meanWithInterval([], 0.95, [-2, 2]).value).toBeNull();
  });
});
