/**
 * Gradient estimates from function values only. ONNX Runtime gives no gradients, and an outside
 * attacker only gets query answers, so the inversion probe estimates ∇f from batched queries
 * around the current point. Pure: the caller queries the rows and hands the values back.
 *
 * Both estimators work in normalised coordinates z = (x − lower) / (upper − lower), so one step
 * size (a fraction of each feature's range) suits features of any scale, and skip features whose
 * range is empty (lower = upper): they cannot move, so querying around them would waste budget.
 */
import type { Rng } from '../util/random';

/** Per-feature bounds of the search; a feature with lower = upper is fixed. */
export interface Box {
  lower: Float64Array;
  upper: Float64Array;
}

/** The rows to query around one point, and how to turn their values into a gradient. */
export interface ProbeRows {
  /** rows × d, row-major; row 0 is the point itself, so its value is f(x). */
  rows: Float64Array;
  /** The gradient in x-space (0 for fixed features) from the values at the rows, in order. */
  gradient(values: ArrayLike<number>): Float64Array;
}

export interface GradientEstimator {
  readonly kind: 'central' | 'nes';
  /** Rows queried per point and step, the point itself included. */
  readonly queriesPerStep: number;
  probe(x: Float64Array): ProbeRows;
}

/** Indices of the features that can move. */
export function freeFeatures(box: Box): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < box.lower.length; j++) if (box.upper[j]! > box.lower[j]!) out.push(j);
  return Int32Array.from(out);
}

/**
 * Central differences: f(x ± h_j e_j) for every free feature j, h_j = delta · range_j;
 * g_j = (f(x + h_j e_j) − f(x − h_j e_j)) / (2 h_j). Error O(h²) per coordinate, 2·d + 1 queries.
 * The probes may step a little outside the box: the model answers there too, and clipping
 * them would turn the central difference into a one-sided one at the bounds.
 */
export function centralDifferences(box: Box, delta: number): GradientEstimator {
  const free = freeFeatures(box);
  const d = box.lower.length;
  const steps = Float64Array.from(free, (j) => delta * (box.upper[j]! - box.lower[j]!));
  return {
    kind: 'central',
    queriesPerStep: 1 + 2 * free.length,
    probe(x) {
      const rows = new Float64Array((1 + 2 * free.length) * d);
      for (let r = 0; r < 1 + 2 * free.length; r++) rows.set(x, r * d);
      free.forEach((j, i) => {
        rows[(1 + 2 * i) * d + j]! += steps[i]!;
        rows[(2 + 2 * i) * d + j]! -= steps[i]!;
      });
      return {
        rows,
        gradient(values) {
          const g = new Float64Array(d);
          free.forEach((j, i) => {
            g[j] = (values[1 + 2 * i]! - values[2 + 2 * i]!) / (2 * steps[i]!);
          });
          return g;
        },
      };
    },
  };
}

/**
 * Antithetic Gaussian smoothing, the NES / SPSA family (Wierstra et al. 2014; Ilyas et al. 2018):
 * with u_i ~ N(0, I) over the free features in normalised units,
 *   ĝ_z = 1 / (2 σ n) · Σ_i (f(z + σ u_i) − f(z − σ u_i)) · u_i,
 * an unbiased estimate of the gradient of f smoothed by N(0, σ²), and g_x = ĝ_z / range.
 * Costs 2·n + 1 queries whatever the dimension, so it suits large inputs; the pairs cancel the
 * f(z) term and most of the variance of a one-sided estimate.
 */
export function naturalEvolution(box: Box, delta: number, samples: number, rng: Rng): GradientEstimator {
  const free = freeFeatures(box);
  const d = box.lower.length;
  const range = Float64Array.from(free, (j) => box.upper[j]! - box.lower[j]!);
  return {
    kind: 'nes',
    queriesPerStep: 1 + 2 * samples,
    probe(x) {
      const rows = new Float64Array((1 + 2 * samples) * d);
      const u = new Float64Array(samples * free.length);
      for (let k = 0; k < u.length; k++) u[k] = rng.normal();
      for (let r = 0; r < 1 + 2 * samples; r++) rows.set(x, r * d);
      for (let s = 0; s < samples; s++) {
        free.forEach((j, i) => {
          const step = delta * range[i]! * u[s * free.length + i]!;
          rows[(1 + 2 * s) * d + j]! += step;
          rows[(2 + 2 * s) * d + j]! -= step;
        });
      }
      return {
        rows,
        gradient(values) {
          const g = new Float64Array(d);
          for (let s = 0; s < samples; s++) {
            const diff = values[1 + 2 * s]! - values[2 + 2 * s]!;
            if (diff === 0) continue;
            free.forEach((j, i) => {
              g[j]! += diff * u[s * free.length + i]!;
            });
          }
          free.forEach((j, i) => {
            g[j] = g[j]! / (2 * delta * samples * range[i]!);
          });
          return g;
        },
      };
    },
  };
}
