/**
 * Which part of a run a shard does: `i/n`, and the rows of a query it answers. Rows are split
 * in blocks of whole model batches, so every batch a shard runs is a batch the single run runs
 * too, with the same rows: the answers are the same bits, not merely close.
 */
import { InputError } from '../errors';
import { DEFAULT_BATCH } from '../model/onnx';
import type { TensorInfo } from '../model/types';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** Generous for a matrix job; more shards than this would mostly wait for their runners. */
export const MAX_SHARDS = 256;

/** `where` names the option or input for the message, e.g. `--shard` on the `command line`. */
export function parseShard(text: string, where: { file: string; field: string; name: string }): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new InputError(
      `${where.name} is ${JSON.stringify(text.slice(0, 40))}; expected i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/4 for the second of four shards`,
      { file: where.file, field: where.field },
    );
  }
  return { index, count };
}

/**
 * Rows per block: the adapter's batch, or for a model whose input fixes the batch size, the
 * smallest multiple of it that is at least that batch (the adapter then runs batches of the fixed size).
 */
export function blockRows(input: string, inputs: readonly TensorInfo[]): number {
  const first = inputs.find((i) => i.name === input)?.shape[0];
  const fixed = typeof first === 'number' && first > 0 ? first : undefined;
  return fixed ? fixed * Math.ceil(DEFAULT_BATCH / fixed) : DEFAULT_BATCH;
}

/**
 * The rows [start, end) of a query of `rows` rows that shard i of n answers: whole blocks, the
 * first shards taking one block more when they do not divide evenly (so shard 1 always holds the
 * first block, the one the single run's first batch comes from). Empty when there are fewer blocks than shards.
 */
export function shardRows(rows: number, shard: ShardSpec, block: number): { start: number; end: number } {
  const blocks = Math.ceil(rows / block);
  const edge = (i: number) => Math.min(rows, Math.ceil((i * blocks) / shard.count) * block);
  return { start: edge(shard.index - 1), end: edge(shard.index) };
}
