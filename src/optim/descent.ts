/**
 * Gradient descent with estimated gradients, for many problems at once (MI-FACE's Algorithm 1,
 * Fredrikson et al. 2015, with queries instead of back-propagation). Every step queries the
 * probe rows of every active problem in one batch (split only beyond `maxBatchRows`), so the
 * model sees few, large calls.
 *
 * The loss of a point is a queried part q(x) (e.g. 1 − p_c(x)) plus an optional analytic prior
 * (e.g. λ·TV(x)) whose gradient needs no query. A step moves the point against the gradient by
 * a fixed length: `stepSize` root-mean-square per free feature, as a fraction of its range
 * (normalised gradient descent). Softmax scores are flat far from and close to a decision, so a
 * step proportional to the raw gradient would crawl exactly where the attack has to travel;
 * normalising keeps the direction, which is what the linear-model test checks, and makes one
 * step size fit every model. The point is clipped to the box after every step.
 *
 * Stops, per problem, when: the next step would exceed the query budget (`budget`), the best
 * loss has not improved for `patience` steps (`patience`), the queried loss reaches `stopAt`
 * (`target`), or the estimated gradient is exactly zero, where no step can help (`flat`: e.g.
 * a label-only answer, or scores rounded or saturated around the point). The result is the best
 * point evaluated, not the last one.
 */
import type { Box, GradientEstimator } from './gradient';
import { freeFeatures } from './gradient';

/** Queried losses of many points at once: `owners[i]` says which problem row i belongs to. */
export type BatchLoss = (rows: Float64Array, count: number, owners: Int32Array) => Promise<Float64Array>;

export interface Prior {
  value(x: ArrayLike<number>): number;
  gradient(x: ArrayLike<number>): Float64Array;
}

export interface DescentOptions {
  box: Box;
  estimator: GradientEstimator;
  /** Root-mean-square move per free feature and step, as a fraction of the feature's range. */
  stepSize: number;
  /** Query budget per problem; a step is taken only if all of its queries fit. */
  maxQueries: number;
  /** Steps without a new best loss before giving up. */
  patience: number;
  /** Stop once the queried loss is at most this. */
  stopAt?: number;
  /** Analytic term added to the loss, with its weight already applied. */
  prior?: Prior;
  /**
   * Largest number of rows per loss call: problems beyond it go to further calls in the same
   * step, so memory stays bounded for many classes of large inputs (default 8192).
   */
  maxBatchRows?: number;
}

export type StopReason = 'budget' | 'patience' | 'target' | 'flat';

export interface DescentResult {
  /** The best point evaluated. */
  x: Float64Array;
  /** Its queried loss and its full loss (queried + prior). */
  queried: number;
  loss: number;
  /** Queried loss of the start. */
  startQueried: number;
  queries: number;
  steps: number;
  stop: StopReason;
  /** Full loss at each step's point, for a convergence plot. */
  trace: number[];
}

interface State {
  x: Float64Array;
  best: Float64Array;
  bestLoss: number;
  bestQueried: number;
  startQueried: number;
  queries: number;
  steps: number;
  sinceBest: number;
  stop?: StopReason;
  trace: number[];
}

const DEFAULT_MAX_BATCH_ROWS = 8192;

export async function minimise(starts: Float64Array[], loss: BatchLoss, options: DescentOptions): Promise<DescentResult[]> {
  const { box, estimator, prior } = options;
  const d = box.lower.length;
  const free = freeFeatures(box);
  const perStep = estimator.queriesPerStep;
  const states: State[] = starts.map((start) => {
    const x = clip(Float64Array.from(start), box);
    return { x, best: x, bestLoss: Infinity, bestQueried: NaN, startQueried: NaN, queries: 0, steps: 0, sinceBest: 0, trace: [] };
  });

  for (;;) {
    const active: number[] = [];
    for (const [i, s] of states.entries()) {
      if (s.stop) continue;
      if (s.queries + perStep > options.maxQueries) s.stop = 'budget';
      else active.push(i);
    }
    if (active.length === 0) break;
    const perCall = Math.max(1, Math.floor((options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS) / perStep));
    for (let first = 0; first < active.length; first += perCall) {
      await stepGroup(active.slice(first, first + perCall));
    }
  }

  /** One step for a group of problems: probe rows, one loss call, moves. */
  async function stepGroup(active: number[]): Promise<void> {
    const probes = active.map((i) => estimator.probe(states[i]!.x));
    const rows = new Float64Array(active.length * perStep * d);
    const owners = new Int32Array(active.length * perStep);
    probes.forEach((p, k) => {
      rows.set(p.rows, k * perStep * d);
      owners.fill(active[k]!, k * perStep, (k + 1) * perStep);
    });
    const values = await loss(rows, active.length * perStep, owners);

    active.forEach((i, k) => {
      const s = states[i]!;
      const mine = values.subarray(k * perStep, (k + 1) * perStep);
      s.queries += perStep;
      s.steps++;
      const queried = mine[0]!;
      const total = queried + (prior ? prior.value(s.x) : 0);
      if (s.steps === 1) s.startQueried = queried;
      s.trace.push(total);
      if (total < s.bestLoss) {
        s.best = s.x;
        s.bestLoss = total;
        s.bestQueried = queried;
        s.sinceBest = 0;
      } else if (++s.sinceBest >= options.patience) {
        s.stop = 'patience';
        return;
      }
      if (options.stopAt !== undefined && queried <= options.stopAt) {
        s.stop = 'target';
        return;
      }
      const g = probes[k]!.gradient(mine);
      if (prior) {
        const pg = prior.gradient(s.x);
        for (let j = 0; j < d; j++) g[j]! += pg[j]!;
      }
      const moved = step(s.x, g, free, box, options.stepSize);
      if (!moved) s.stop = 'flat';
      else s.x = moved;
    });
  }

  return states.map((s) => ({
    x: s.best,
    queried: s.bestQueried,
    loss: s.bestLoss,
    startQueried: s.startQueried,
    queries: s.queries,
    steps: s.steps,
    stop: s.stop!,
    trace: s.trace,
  }));
}

/**
 * x − η · range ⊙ ĝ, with ĝ the gradient in normalised units (g ⊙ range) scaled to unit RMS;
 * undefined when the gradient is zero. Returns a new array: the old point may be the best.
 */
function step(x: Float64Array, g: Float64Array, free: Int32Array, box: Box, stepSize: number): Float64Array | undefined {
  let sumSquares = 0;
  for (const j of free) {
    const gz = g[j]! * (box.upper[j]! - box.lower[j]!);
    sumSquares += gz * gz;
  }
  if (!(sumSquares > 0) || free.length === 0) return undefined;
  const rms = Math.sqrt(sumSquares / free.length);
  const next = Float64Array.from(x);
  for (const j of free) {
    const range = box.upper[j]! - box.lower[j]!;
    next[j] = x[j]! - (stepSize * range * range * g[j]!) / rms;
  }
  return clip(next, box);
}

function clip(x: Float64Array, box: Box): Float64Array {
  for (let j = 0; j < x.length; j++) x[j] = Math.min(box.upper[j]!, Math.max(box.lower[j]!, x[j]!));
  return x;
}
