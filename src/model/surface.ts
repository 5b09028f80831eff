/**
 * The output surface: what the deployed API reveals. Every probe queries the model through it,
 * so a probe can never use more than an outside attacker would see.
 *
 * Scores are revealed at full precision unless the surface declares otherwise: a logits
 * model's answers become log-probabilities in float64 (never a rounded probability), a
 * probability model's are used as it output them. Only `decimals` and `precision: float32`
 * round, and only `top-k` hides scores (through the `hidden` mask, never through the values).
 */
import { RuntimeFailure } from '../errors';
import type { SurfaceSettings } from '../policy/types';
import { traced } from './non-finite';
import { argmax, roundToDecimals, topKMask } from './reveal';
import { isRegressor, observeValues } from './regression';
import { logSoftmaxRows } from './scores';
import type { ClassScores, Classifier, Observation, QuerySource, RevealedScores, Target } from './types';

/** Pure: turns a classifier's full scores into what the surface reveals. */
export function observe(answer: ClassScores, rows: number, classes: number, surface: SurfaceSettings): Observation {
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = argmax(answer.values, r * classes, classes);
  if (surface.scores === 'label') return { rows, classCount: classes, labels };
  return { rows, classCount: classes, labels, scores: reveal(answer, rows, classes, surface) };
}

function reveal(answer: ClassScores, rows: number, classes: number, surface: SurfaceSettings): RevealedScores {
  const n = rows * classes;
  let scores: RevealedScores;
  if (answer.kind === 'logits') {
    const values = new Float64Array(n);
    logSoftmaxRows(answer.values, rows, classes, values);
    scores = { scale: 'log', values };
  } else {
    // The model's own probabilities as it output them (float32 or float64); copied, in float64,
    // only when the surface changes them.
    const own = answer.values.subarray(0, n);
    const values = changesScores(surface, classes) ? Float64Array.from(own) : own;
    scores = { scale: 'probability', values };
  }
  const hidden = surface.scores === 'top-k' && surface.topK < classes ? topKMask(scores.values, rows, classes, surface.topK) : undefined;
  if (surface.precision === 'float32' || surface.decimals !== undefined) scores = rounded(scores, surface);
  if (hidden) {
    for (let i = 0; i < n; i++) if (hidden[i]) scores.values[i] = NaN;
    scores.hidden = hidden;
  }
  return scores;
}

function changesScores(surface: SurfaceSettings, classes: number): boolean {
  return (surface.scores === 'top-k' && surface.topK < classes) || surface.precision === 'float32' || surface.decimals !== undefined;
}

/** Probabilities rounded as the surface declares: to float32, then to `decimals` decimals. */
function rounded(scores: RevealedScores, surface: SurfaceSettings): RevealedScores {
  const values = scores.values;
  const out = scores.scale === 'log' ? values.map(Math.exp) : values;
  if (surface.precision === 'float32') for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]!);
  const decimals = surface.decimals;
  if (decimals !== undefined) for (let i = 0; i < out.length; i++) out[i] = roundToDecimals(out[i]!, decimals);
  return { scale: 'probability', values: out };
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

  /** Labels and revealed scores of `rows` rows; `source` says where the rows come from, for errors. */
  async query(x: Float32Array, rows: number, source: QuerySource): Promise<Observation> {
    const model = this.classifier('query');
    const answer = await traced(model.predict(x, rows), source);
    return observe(answer, rows, model.info.classCount, this.surface);
  }

  /** Regression: one predicted value per row, as the surface reveals it (rounded to `decimals`). */
  async values(x: Float32Array, rows: number, source: QuerySource): Promise<Float32Array> {
    if (!isRegressor(this.model)) throw new RuntimeFailure('values() needs a regression model; this model is a classifier (use query)');
    return observeValues(await traced(this.model.predict(x, rows), source), this.surface);
  }

  private classifier(method: string): Classifier {
    if (isRegressor(this.model)) throw new RuntimeFailure(`${method}() needs a classifier; this model is a regression model (use values)`);
    return this.model;
  }
}
