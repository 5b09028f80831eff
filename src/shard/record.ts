/**
 * A shard's models: the candidate answers only the shard's rows of each query for real (the
 * rest get stand-in scores that the shard's own, discarded, metrics read and nothing else), and
 * each reference model is opened only by the shard that owns it. Every real answer is recorded
 * for the merge, keyed by the SHA-256 of the input rows it answers.
 */
import { sha256 } from '../data';
import type { ClassScores, Classifier, ModelInfo, Regressor } from '../model/types';
import type { ModelSettings } from '../policy/types';
import { ONNX_MODELS, type ModelOpener, type ModelRole } from '../run/models';
import type { ModelKey, RecordedAnswer, RecordedModel } from './format';
import { blockRows, shardRows, type ShardSpec } from './spec';

/** `records`: answer this shard's rows of each query; `whole`: answer every row (a family only shard 1 runs). */
export type RecordMode = 'records' | 'whole';

export function modelKey(role: ModelRole): ModelKey {
  return role.kind === 'reference' ? `reference-${role.index}` : role.kind;
}

/** Reference model k is opened and answered by shard (k mod n) + 1 only. */
export function ownsReference(shard: ShardSpec, index: number): boolean {
  return index % shard.count === shard.index - 1;
}

export function inputHash(x: Float32Array, start: number, end: number, features: number): string {
  return sha256(new Uint8Array(x.buffer, x.byteOffset + start * features * 4, (end - start) * features * 4));
}

export class RecordingModels implements ModelOpener {
  mode: RecordMode = 'records';
  readonly answers: RecordedAnswer[] = [];
  /** The first error a real model raised: the shard fails with it, whatever the probe made of it. */
  failure: unknown;
  private readonly opened = new Map<ModelKey, { model: Classifier | Regressor; openQueries: number }>();
  private candidate: Classifier | undefined;

  constructor(
    readonly shard: ShardSpec,
    private readonly real: ModelOpener = ONNX_MODELS,
  ) {}

  /** Rows per block, from the candidate's input (see shardRows). */
  get blockRows(): number {
    const model = this.opened.get('candidate')?.model;
    return model ? blockRows(model.info.input, model.info.inputs) : 1;
  }

  /** What the merge needs of every model this shard opened for real, read after the probes (scores: auto is decided on the first batch). */
  recordedModels(): Record<ModelKey, RecordedModel> {
    const out: Record<ModelKey, RecordedModel> = {};
    for (const [key, { model, openQueries }] of this.opened) {
      out[key] = { task: 'task' in model ? 'regression' : 'classification', info: model.info, openQueries };
    }
    return out;
  }

  runtime(): ReturnType<ModelOpener['runtime']> {
    return this.real.runtime();
  }

  async classifier(settings: ModelSettings, role: ModelRole): Promise<Classifier> {
    if (role.kind === 'reference' && !ownsReference(this.shard, role.index)) return this.standIn();
    const model = await this.guard(this.real.classifier(settings, role));
    this.remember(role, model);
    if (role.kind === 'candidate') this.candidate = model;
    const record = this.recorder(role, model.info.featureCount);
    const standIn = (rows: number) => standInScores(rows, model.info);
    return {
      get info() {
        return model.info;
      },
      get queries() {
        return model.queries;
      },
      predict: (x, rows) => record(x, rows, (part, n) => model.predict(part, n), standIn),
    };
  }

  async regressor(settings: ModelSettings, role: ModelRole): Promise<Regressor> {
    const model = await this.guard(this.real.regressor(settings, role));
    this.remember(role, model);
    const record = this.recorder(role, model.info.featureCount);
    return {
      task: 'regression',
      get info() {
        return model.info;
      },
      get queries() {
        return model.queries;
      },
      predict: async (x, rows) => {
        const answer = await record(
          x,
          rows,
          async (part, n) => ({ kind: 'values', values: await model.predict(part, n) }),
          (n) => ({ kind: 'values', values: new Float32Array(n) }),
        );
        return answer.values as Float32Array;
      },
    };
  }

  private remember(role: ModelRole, model: Classifier | Regressor): void {
    // A reference model is opened again for each query; what opening it costs is the same each time.
    const key = modelKey(role);
    if (!this.opened.has(key)) this.opened.set(key, { model, openQueries: model.queries });
  }

  /**
   * Answers a query: the rows this shard owns for real (recorded), stand-ins for the rest. A
   * reference model, and any model in `whole` mode, answers every row.
   */
  private recorder(role: ModelRole, features: number) {
    type Scores = ClassScores | { kind: 'values'; values: Float32Array };
    return async <S extends Scores>(
      x: Float32Array,
      rows: number,
      answer: (part: Float32Array, rows: number) => Promise<S>,
      standIn: (rows: number) => S,
    ): Promise<S> => {
      const whole = role.kind === 'reference' || this.mode === 'whole';
      const { start, end } = whole ? { start: 0, end: rows } : shardRows(rows, this.shard, this.blockRows);
      if (start === end) return standIn(rows);
      const real = await this.guard(answer(x.subarray(start * features, end * features), end - start));
      this.answers.push({
        model: modelKey(role),
        rows,
        start,
        end,
        input: inputHash(x, start, end, features),
        kind: real.kind,
        values: real.values,
      });
      if (start === 0 && end === rows) return real;
      const out = standIn(rows);
      const width = real.values.length / (end - start);
      out.values.set(real.values, start * width);
      return { ...out, kind: real.kind };
    };
  }

  /** A reference model this shard does not own: shaped like the candidate, never opened. */
  private standIn(): Classifier {
    const candidate = this.candidate!;
    return {
      get info() {
        return candidate.info;
      },
      queries: 0,
      predict: (_x, rows) => Promise.resolve(standInScores(rows, candidate.info)),
    };
  }

  private async guard<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }
}

/** Uniform probabilities (or zero logits): finite scores the shard's discarded metrics can read. */
function standInScores(rows: number, info: ModelInfo): ClassScores {
  const classes = info.classCount;
  return info.scoreKind === 'logits'
    ? { kind: 'logits', values: new Float64Array(rows * classes) }
    : { kind: 'probabilities', values: new Float64Array(rows * classes).fill(1 / classes) };
}
