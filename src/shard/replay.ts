/**
 * The merge's models: no model is opened; every query is answered from the shards' recordings,
 * found by the SHA-256 of its input rows. So the merge runs the very code of a single run (the same
 * queries, caches, metrics and verdict) on the very answers the model gave, and a query no shard
 * answered (the slices came from other inputs, or a probe's queries depended on other rows'
 * answers) stops the merge instead of being guessed.
 */
import { InputError } from '../errors';
import type { ClassScores, Classifier, ModelInfo, Regressor, RegressorInfo } from '../model/types';
import type { ModelOpener, ModelRole } from '../run/models';
import { answerOf, type Answer, type ModelKey, type RecordedModel, type SignalsEntry, type SignalsFile } from './format';
import { inputHash, modelKey } from './record';
import { shardRows } from './spec';

interface Found {
  signals: SignalsFile;
  entry: SignalsEntry;
}

export class ReplayModels implements ModelOpener {
  private readonly index = new Map<string, Found>();
  private readonly models = new Map<ModelKey, RecordedModel>();
  private readonly count: number;
  private readonly block: number;

  /** `slices` in shard order, 1 to n, checked to belong together. */
  constructor(
    private readonly slices: readonly SignalsFile[],
    private readonly where: string,
  ) {
    this.count = slices.length;
    this.block = slices[0]!.header.blockRows;
    for (const signals of slices) {
      for (const entry of signals.header.entries)
        this.index.set(keyOf(entry.model, entry.rows, entry.start, entry.end, entry.input), { signals, entry });
      // The candidate as shard 1 saw it: its first batch is the single run's first batch (scores: auto decides there).
      for (const [key, model] of Object.entries(signals.header.models)) if (!this.models.has(key)) this.models.set(key, model);
    }
  }

  /** The shards' runtime (checkSlices made sure they all ran on one). */
  runtime(): ReturnType<ModelOpener['runtime']> {
    const runtime = this.slices[0]!.header.tool.runtime;
    if (!runtime)
      throw new InputError('the signals header does not name the onnxruntime the shard ran on', {
        file: this.slices[0]!.file,
        field: 'tool.runtime',
      });
    return Promise.resolve(runtime);
  }

  classifier(settings: { path: string }, role: ModelRole): Promise<Classifier> {
    const key = modelKey(role);
    const recorded = this.recorded(key, settings.path, 'classification');
    const info = recorded.info as ModelInfo;
    let queries = recorded.openQueries;
    const answer = this.answerer(key, info.featureCount);
    return Promise.resolve({
      info,
      get queries() {
        return queries;
      },
      predict: (x: Float32Array, rows: number): Promise<ClassScores> => {
        const { kind, values } = answer(x, rows, info.classCount);
        queries += rows;
        return Promise.resolve({ kind: kind as ClassScores['kind'], values });
      },
    });
  }

  regressor(settings: { path: string }, role: ModelRole): Promise<Regressor> {
    const key = modelKey(role);
    const recorded = this.recorded(key, settings.path, 'regression');
    const info = recorded.info as RegressorInfo;
    let queries = recorded.openQueries;
    const answer = this.answerer(key, info.featureCount);
    return Promise.resolve({
      task: 'regression' as const,
      info,
      get queries() {
        return queries;
      },
      predict: (x: Float32Array, rows: number): Promise<Float32Array> => {
        const { values } = answer(x, rows, 1);
        queries += rows;
        return Promise.resolve(values as Float32Array);
      },
    });
  }

  private recorded(key: ModelKey, path: string, task: RecordedModel['task']): RecordedModel {
    const recorded = this.models.get(key);
    if (!recorded || recorded.task !== task) {
      throw new InputError(
        `the signals in ${this.where} hold no ${task} model for ${key === 'candidate' ? 'the candidate' : key} (${path}); expected the slices of a run of this policy`,
        { file: this.slices[0]!.file, field: 'models' },
      );
    }
    return recorded;
  }

  /**
   * Answers a query of `rows` rows: each shard's slice of it, or else one shard's answer to the
   * whole query (a family only shard 1 runs, or a reference model).
   */
  private answerer(key: ModelKey, features: number) {
    return (x: Float32Array, rows: number, width: number): { kind: string; values: Answer } => {
      const parts: Found[] = [];
      // The shard expected to hold the answer, named when none does: the first whose slice is missing, or a reference model's owner.
      // The candidate and the released model are split by records like the candidate; a reference model is whole in one shard.
      const byRecords = key === 'candidate' || key === 'baseline';
      let expected = byRecords ? 1 : (Number(key.slice('reference-'.length)) % this.count) + 1;
      if (byRecords) {
        for (let i = 1; i <= this.count; i++) {
          const { start, end } = shardRows(rows, { index: i, count: this.count }, this.block);
          if (start === end) continue;
          const found = this.index.get(keyOf(key, rows, start, end, inputHash(x, start, end, features)));
          if (!found) {
            expected = i;
            parts.length = 0;
            break;
          }
          parts.push(found);
        }
      }
      if (parts.length === 0) {
        const whole = this.index.get(keyOf(key, rows, 0, rows, inputHash(x, 0, rows, features)));
        if (whole) parts.push(whole);
      }
      if (parts.length === 0) throw this.unanswered(key, rows, this.slices[expected - 1]!.file);
      const kinds = new Set(parts.map((p) => p.entry.kind));
      if (kinds.size > 1) {
        throw new InputError(
          `the shards read the model's scores differently (${[...kinds].join(' and ')}: model.scores: auto decided on each shard's first batch); set model.scores in the policy and run the shards again`,
          { file: parts[0]!.signals.file, field: 'model.scores' },
        );
      }
      for (const { signals, entry } of parts) {
        if (entry.length !== (entry.end - entry.start) * width) {
          throw new InputError(
            `an answer holds ${entry.length} values for ${entry.end - entry.start} rows; the model gives ${width} per row`,
            { file: signals.file, field: 'entries' },
          );
        }
      }
      const first = answerOf(parts[0]!.signals, parts[0]!.entry);
      if (parts.length === 1) return { kind: parts[0]!.entry.kind, values: first };
      const values = first instanceof Float64Array ? new Float64Array(rows * width) : new Float32Array(rows * width);
      for (const { signals, entry } of parts) values.set(answerOf(signals, entry), entry.start * width);
      return { kind: parts[0]!.entry.kind, values };
    };
  }

  private unanswered(key: ModelKey, rows: number, file: string): InputError {
    const model = key === 'candidate' ? "the candidate model's" : `${key.replace('-', ' model ')}'s`;
    return new InputError(
      `the signals in ${this.where} hold no answer to one of ${model} queries (${rows} rows): the shards ran on other inputs or another gate version, or a probe's queries depended on answers only the whole run has; run the shards again from this commit`,
      { file, field: 'entries' },
    );
  }
}

function keyOf(model: ModelKey, rows: number, start: number, end: number, input: string): string {
  return `${model}|${rows}|${start}|${end}|${input}`;
}
