/**
 * The output surface: what the deployed API reveals. Every probe queries the model through it,
 * so a probe can never use more than an outside attacker would see.
 */
import { RuntimeFailure } from '../errors';
import type { SurfaceSettings } from '../policy/types';
import { isRegressor, observeValues } from './regression';
import type { Classifier, Observation, Target } from './types';

/** Pure: turns full probabilities into what the surface reveals. */
export function observe(probabilities: Float32Array, rows: number, classes: number, surface: SurfaceSettings): Observation {
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = argmax(probabilities, r * classes, classes);
  if (surface.scores === 'label') return { rows, classCount: classes, labels };

  const scores = surface.scores === 'top-k' ? keepTopK(probabilities, rows, classes, surface.topK) : probabilities.slice();
  if (surface.decimals !== undefined) roundInPlace(scores, surface.decimals);
  return { rows, classCount: classes, labels, scores };
}

/**
 * A model behind its surface; the only handle probes get. A classifier is queried with
 * `query` (labels and revealed scores), a regression model with `values` (predicted values).
 */
export class ObservedModel {
  constructor(
    private readonly model: Target,
    readonly surface: SurfaceSettings,
  ) {}

  get task(): 'classification' | 'regression' {
    return isRegressor(this.model) ? 'regression' : 'classification';
  }

  /** Number of classes; 0 for a regression model. */
  get classCount(): number {
    return isRegressor(this.model) ? 0 : this.model.info.classCount;
  }

  get featureCount(): number {
    return this.model.info.featureCount;
  }

  get queries(): number {
    return this.model.queries;
  }

  async query(x: Float32Array, rows: number): Promise<Observation> {
    const model = this.classifier('query');
    const probabilities = await model.predict(x, rows);
    return observe(probabilities, rows, model.info.classCount, this.surface);
  }

  /** Regression: one predicted value per row, as the surface reveals it (rounded to `decimals`). */
  async values(x: Float32Array, rows: number): Promise<Float32Array> {
    if (!isRegressor(this.model)) throw new RuntimeFailure('values() needs a regression model; this model is a classifier (use query)');
    return observeValues(await this.model.predict(x, rows), this.surface);
  }

  private classifier(method: string): Classifier {
    if (isRegressor(this.model)) throw new RuntimeFailure(`${method}() needs a classifier; this model is a regression model (use values)`);
    return this.model;
  }
}

/** Index of the largest score; ties go to the lowest class index, as numpy's argmax does. */
function argmax(values: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

function keepTopK(probabilities: Float32Array, rows: number, classes: number, k: number): Float32Array {
  const out = new Float32Array(rows * classes).fill(NaN);
  if (k >= classes) return probabilities.slice();
  const order = new Int32Array(classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    for (let c = 0; c < classes; c++) order[c] = c;
    // Stable by index on ties, so the same row always reveals the same classes.
    order.sort((a, b) => probabilities[base + b]! - probabilities[base + a]! || a - b);
    for (let i = 0; i < k; i++) out[base + order[i]!] = probabilities[base + order[i]!]!;
  }
  return out;
}

function roundInPlace(values: Float32Array, decimals: number): void {
  const scale = 10 ** decimals;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) values[i] = Math.round(v * scale) / scale;
  }
}
