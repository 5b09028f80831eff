/**
 * Gradient estimates from queries against the closed-form gradient of a logistic-regression
 * model, p(x) = σ(w·x + b), ∇p = p(1 − p)·w, written as a plain function (no ONNX).
 */
import { describe, expect, it } from 'vitest';
import { centralDifferences, freeFeatures, naturalEvolution, type Box, type GradientEstimator } from '../../src/optim/gradient';
import { rngFor } from '../../src/util/random';

const D = 12;
const rng = rngFor(1, 'test:gradient');
const W = Float64Array.from({ length: D }, () => rng.normal());
const B = 0.3;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logistic = (x: ArrayLike<number>) => sigmoid(Array.from(W).reduce((s, w, j) => s + w * x[j]!, B));
const analytic = (x: ArrayLike<number>) => {
  const p = logistic(x);
  return W.map((w) => p * (1 - p) * w);
};

/** Features in [−2, 3] (range 5), except feature 4, which is fixed at 1. */
function box(): Box {
  const lower = new Float64Array(D).fill(-2);
  const upper = new Float64Array(D).fill(3);
  lower[4] = upper[4] = 1;
  return { lower, upper };
}

function estimate(estimator: GradientEstimator, x: Float64Array): Float64Array {
  const probe = estimator.probe(x);
  const rows = probe.rows.length / D;
  expect(rows).toBe(estimator.queriesPerStep);
  const values = Array.from({ length: rows }, (_, r) => logistic(probe.rows.subarray(r * D, (r + 1) * D)));
  expect(values[0]).toBe(logistic(x)); // row 0 is the point itself
  return probe.gradient(values);
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! ** 2;
    nb += b[j]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

const points: Array<[string, number]> = [
  ['the origin', 0],
  ['a point in the flat tail', 2.5],
  ['a point across the boundary', -1],
];

describe('gradient estimates on a logistic-regression model', () => {
  it('skips fixed features', () => {
    expect([...freeFeatures(box())]).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
    expect(centralDifferences(box(), 0.01).queriesPerStep).toBe(1 + 2 * 11);
    expect(naturalEvolution(box(), 0.01, 7, rngFor(0, 'x')).queriesPerStep).toBe(15);
  });

  it.each(points)('central differences match the analytic gradient at %s', (_name, value) => {
    const x = new Float64Array(D).fill(value);
    x[4] = 1;
    const g = estimate(centralDifferences(box(), 1e-3), x);
    const exact = analytic(x);
    expect(g[4]).toBe(0);
    for (let j = 0; j < D; j++) {
      if (j === 4) continue;
      // Taylor: |error| ≤ h²/6 · max|∂³p/∂x_j³| = h²/6 · |w_j|³ · max|σ'''| (= 1/8), h = 5e-3.
      const bound = ((5e-3 ** 2 / 6) * Math.abs(W[j]!) ** 3) / 8;
      expect(Math.abs(g[j]! - exact[j]!)).toBeLessThanOrEqual(bound + 1e-12);
    }
  });

  it.each(points)('NES points the way of the analytic gradient at %s, with about its length', (_name, value) => {
    const x = new Float64Array(D).fill(value);
    x[4] = 1;
    const g = estimate(naturalEvolution(box(), 0.01, 2000, rngFor(3, 'test:nes')), x);
    const exact = analytic(x);
    exact[4] = 0;
    expect(g[4]).toBe(0);
    expect(cosine(g, exact)).toBeGreaterThan(0.95);
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
    expect(norm(g) / norm(exact)).toBeGreaterThan(0.8);
    expect(norm(g) / norm(exact)).toBeLessThan(1.2);
  });

  it('NES is seeded: the same stream gives the same estimate, another stream a different one', () => {
    const x = new Float64Array(D).fill(0.5);
    const a = estimate(naturalEvolution(box(), 0.01, 20, rngFor(5, 'inversion:nes')), x);
    const b = estimate(naturalEvolution(box(), 0.01, 20, rngFor(5, 'inversion:nes')), x);
    const c = estimate(naturalEvolution(box(), 0.01, 20, rngFor(6, 'inversion:nes')), x);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });
});
