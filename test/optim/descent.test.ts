/**
 * The optimiser on plain JS models: a softmax-regression model (the reconstruction's direction
 * must be the class's weight vector), exact query budgets, each stopping rule, seeding.
 */
import { describe, expect, it } from 'vitest';
import { minimise, type BatchLoss, type DescentOptions } from '../../src/optim/descent';
import { centralDifferences, naturalEvolution, type Box } from '../../src/optim/gradient';
import { rngFor } from '../../src/util/random';

const D = 20;
const C = 4;

/**
 * Softmax regression with weights summing to zero over the classes (the softmax cannot tell
 * a shared shift apart, so this is no loss of generality): from x = 0 the gradient of p_c is
 * then p_c·(w_c − Σ_k p_k w_k) = w_c / C, and it stays along w_c while the other classes
 * keep equal scores.
 */
function softmaxModel(seed: number) {
  const rng = rngFor(seed, 'test:softmax');
  const w = Array.from({ length: C }, () => Float64Array.from({ length: D }, () => rng.normal()));
  for (let j = 0; j < D; j++) {
    const mean = w.reduce((s, row) => s + row[j]!, 0) / C;
    for (const row of w) row[j]! -= mean;
  }
  const probabilities = (x: ArrayLike<number>) => {
    const z = w.map((row) => row.reduce((s, v, j) => s + v * x[j]!, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  let queries = 0;
  let calls = 0;
  const lossFor =
    (targets: number[]): BatchLoss =>
    async (rows, count, owners) => {
      queries += count;
      calls++;
      return Float64Array.from({ length: count }, (_, r) => 1 - probabilities(rows.subarray(r * D, (r + 1) * D))[targets[owners[r]!]!]!);
    };
  return {
    w,
    probabilities,
    lossFor,
    get queries() {
      return queries;
    },
    get calls() {
      return calls;
    },
  };
}

const box: Box = { lower: new Float64Array(D).fill(-10), upper: new Float64Array(D).fill(10) };

function options(over: Partial<DescentOptions> = {}): DescentOptions {
  return { box, estimator: centralDifferences(box, 1e-3), stepSize: 0.002, maxQueries: 5000, patience: 10, ...over };
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

describe('minimise (MI-FACE descent with estimated gradients)', () => {
  it.each([
    ['central differences', () => centralDifferences(box, 1e-3)],
    ['NES', () => naturalEvolution(box, 1e-3, 200, rngFor(2, 'inversion:nes'))],
  ])('on a softmax-regression model, each class’s reconstruction points along its weight vector (%s)', async (_name, estimator) => {
    const model = softmaxModel(1);
    const targets = [0, 1, 2, 3];
    const starts = targets.map(() => new Float64Array(D));
    const results = await minimise(starts, model.lossFor(targets), options({ estimator: estimator(), maxQueries: 20 * 401 }));
    for (const [k, r] of results.entries()) {
      expect(cosine(r.x, model.w[k]!)).toBeGreaterThan(0.9);
      // And not along the others'.
      for (let other = 0; other < C; other++) if (other !== k) expect(cosine(r.x, model.w[other]!)).toBeLessThan(0.2);
      expect(model.probabilities(r.x)[k]).toBeGreaterThan(model.probabilities(starts[k]!)[k]!);
      expect(r.startQueried).toBeCloseTo(1 - 1 / C, 12);
    }
  });

  it('queries all problems of a step in one batch and keeps each within its budget exactly', async () => {
    const model = softmaxModel(2);
    const perStep = 1 + 2 * D;
    const budget = 10 * perStep + perStep - 1; // room for 10 steps, not 11
    const results = await minimise(
      [new Float64Array(D), new Float64Array(D)],
      model.lossFor([0, 1]),
      options({
        maxQueries: budget,
        patience: 1000,
        stepSize: 1e-4,
      }),
    );
    for (const r of results) {
      expect(r.stop).toBe('budget');
      expect(r.steps).toBe(10);
      expect(r.queries).toBe(10 * perStep);
    }
    expect(model.queries).toBe(2 * 10 * perStep);
    expect(model.calls).toBe(10);
  });

  it('splits a step into calls of at most maxBatchRows rows without changing any result', async () => {
    const run = async (maxBatchRows?: number) => {
      const model = softmaxModel(7);
      const starts = [0, 1, 2, 3].map(() => new Float64Array(D));
      const estimator = naturalEvolution(box, 1e-3, 5, rngFor(3, 'inversion:nes'));
      const results = await minimise(starts, model.lossFor([0, 1, 2, 3]), options({ estimator, maxQueries: 10 * 11, maxBatchRows }));
      return { calls: model.calls, x: results.map((r) => [...r.x]) };
    };
    const whole = await run();
    const split = await run(25); // two problems (2 × 11 rows) per call
    expect(whole.calls).toBe(10);
    expect(split.calls).toBe(20);
    expect(split.x).toEqual(whole.x);
  });

  it('stops each problem once its queried loss reaches the target', async () => {
    const model = softmaxModel(3);
    const results = await minimise(
      [new Float64Array(D), new Float64Array(D)],
      model.lossFor([0, 1]),
      options({
        stepSize: 0.01,
        stopAt: 0.5, // p_c ≥ 0.5
        maxQueries: 100_000,
        patience: 1000,
      }),
    );
    for (const r of results) {
      expect(r.stop).toBe('target');
      expect(r.queried).toBeLessThanOrEqual(0.5);
      expect(r.trace.slice(0, -1).every((v) => v > 0.5)).toBe(true);
    }
  });

  it('stops on a zero gradient (a model that ignores its input) after one step', async () => {
    let queries = 0;
    const constant: BatchLoss = async (_rows, count) => {
      queries += count;
      return new Float64Array(count).fill(0.9);
    };
    const [r] = await minimise([new Float64Array(D).fill(1)], constant, options());
    expect(r!.stop).toBe('flat');
    expect(r!.steps).toBe(1);
    expect(queries).toBe(1 + 2 * D);
    expect([...r!.x]).toEqual(new Array(D).fill(1));
  });

  it('stops after `patience` steps without a better loss, and returns the best point, not the last', async () => {
    // The queried loss falls along each step, but a prior rises faster: 100·‖x‖², whose
    // gradient is hidden from the descent, so every step away from the start is worse.
    const model = softmaxModel(4);
    const start = new Float64Array(D);
    const prior = {
      value: (x: ArrayLike<number>) => 100 * Array.from(x).reduce((s, v) => s + v * v, 0),
      gradient: () => new Float64Array(D), // hidden from the descent, so it keeps stepping out
    };
    const [r] = await minimise([start], model.lossFor([0]), options({ prior, patience: 3, stepSize: 0.01 }));
    expect(r!.stop).toBe('patience');
    expect(r!.steps).toBe(4); // the start, then 3 steps that are all worse
    expect([...r!.x]).toEqual([...start]);
    expect(r!.loss).toBe(r!.trace[0]);
  });

  it('clips every point to the box', async () => {
    const model = softmaxModel(5);
    const small: Box = { lower: new Float64Array(D).fill(-0.1), upper: new Float64Array(D).fill(0.1) };
    const [r] = await minimise(
      [new Float64Array(D).fill(5)],
      model.lossFor([2]),
      options({
        box: small,
        estimator: centralDifferences(small, 1e-2),
        stepSize: 0.5,
      }),
    );
    for (const v of r!.x) expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
    // The start is clipped to the corner (0.1, …, 0.1); big steps push features onto both bounds.
    expect(r!.startQueried).toBeCloseTo(1 - model.probabilities(new Float64Array(D).fill(0.1))[2]!, 12);
    expect(r!.x.filter((v) => v === 0.1).length).toBeGreaterThan(0);
    expect(r!.x.filter((v) => v === -0.1).length).toBeGreaterThan(0);
    expect(r!.queried).toBeLessThan(r!.startQueried);
  });

  it('gives the same result for the same seed, and a different one for another seed (NES)', async () => {
    const run = async (seed: number) => {
      const model = softmaxModel(6);
      const [r] = await minimise(
        [new Float64Array(D)],
        model.lossFor([1]),
        options({
          estimator: naturalEvolution(box, 1e-3, 5, rngFor(seed, 'inversion:nes')),
          maxQueries: 30 * 11,
        }),
      );
      return [...r!.x];
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});
