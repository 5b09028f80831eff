/**
 * Pure: a decoder's KV cache between forward passes, and the batch operations on it. Each tensor
 * is [outer, batch, heads, length, head_dim] in row-major float32 (outer = 1 for a key or value
 * tensor, 2 for a joint key-value one), so picking rows is a copy of contiguous blocks.
 */
import type { CacheSlot } from './decoder-layout';

export interface CacheTensor {
  data: Float32Array;
  dims: number[];
}

export interface KvCache {
  rows: number;
  /** Tokens held per row (padding included). */
  length: number;
  tensors: CacheTensor[];
}

/** Dimensions of a slot's tensor for `rows` rows of `length` tokens, as the model declares them. */
export function cacheDims(slot: CacheSlot, rows: number, length: number): number[] {
  const dims = [rows, slot.heads, length, slot.headDim];
  return slot.outer === 1 ? dims : [slot.outer, ...dims];
}

/** The cache before the first token: every tensor of length 0. */
export function emptyCache(slots: readonly CacheSlot[], rows: number): KvCache {
  return { rows, length: 0, tensors: slots.map((s) => ({ data: new Float32Array(0), dims: cacheDims(s, rows, 0) })) };
}

/**
 * The cache of the given rows, in that order; a row may repeat (forking one row's prefix over a
 * whole batch is `gatherRows(cache, [0, 0, …, 0])`).
 */
export function gatherRows(cache: KvCache, rows: readonly number[]): KvCache {
  const tensors = cache.tensors.map(({ data, dims }) => {
    const batchAxis = dims.length - 4;
    const outer = batchAxis === 0 ? 1 : dims[0]!;
    const rowSize = dims[batchAxis + 1]! * dims[batchAxis + 2]! * dims[batchAxis + 3]!;
    const out = new Float32Array(outer * rows.length * rowSize);
    for (let o = 0; o < outer; o++) {
      const from = o * cache.rows * rowSize;
      const to = o * rows.length * rowSize;
      rows.forEach((r, i) => out.set(data.subarray(from + r * rowSize, from + (r + 1) * rowSize), to + i * rowSize));
    }
    const newDims = dims.slice();
    newDims[batchAxis] = rows.length;
    return { data: out, dims: newDims };
  });
  return { rows: rows.length, length: cache.length, tensors };
}

/** Bytes one row's cache takes per token, over every tensor. */
export function cacheBytesPerToken(slots: readonly CacheSlot[]): number {
  return slots.reduce((sum, s) => sum + 4 * s.outer * s.heads * s.headDim, 0);
}
