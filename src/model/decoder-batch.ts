/**
 * Pure: how rows of token ids become one padded batch for a decoder, and how rows are grouped
 * into batches that fit the memory bound.
 */

export interface PaddedBatch {
  rows: number;
  /** New tokens per row (the widest row; shorter rows are padded). */
  width: number;
  ids: Int32Array;
  /** 1 for a real token, 0 for padding: rows × width (the past's columns are prepended by the caller). */
  mask: Int32Array;
}

/**
 * Rows padded to the widest one with `padId`: on the left for generation and next-token scores
 * (every row's last token is then at the last position), on the right for whole-sequence scores
 * (every row's tokens keep positions 0 … n−1).
 */
export function padRows(rows: readonly Int32Array[], side: 'left' | 'right', padId: number): PaddedBatch {
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const ids = new Int32Array(rows.length * width).fill(padId);
  const mask = new Int32Array(rows.length * width);
  rows.forEach((row, r) => {
    const start = r * width + (side === 'left' ? width - row.length : 0);
    ids.set(row, start);
    mask.fill(1, start, start + row.length);
  });
  return { rows: rows.length, width, ids, mask };
}

/**
 * Position ids for the last `width` columns of a rows × total mask, as Hugging Face computes them
 * for padded batches: cumsum(mask) − 1, with padded positions set to 1 (any value works there,
 * the mask hides them; 1 is what transformers uses).
 */
export function positionsFromMask(mask: Int32Array, rows: number, total: number, width: number): Int32Array {
  const positions = new Int32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let seen = 0;
    for (let c = 0; c < total; c++) {
      const m = mask[r * total + c]!;
      seen += m;
      const at = c - (total - width);
      if (at >= 0) positions[r * width + at] = m ? seen - 1 : 1;
    }
  }
  return positions;
}

/** rows × (a + b) from rows × a and rows × b, row by row. */
export function joinColumns(left: Int32Array, a: number, right: Int32Array, b: number, rows: number): Int32Array {
  const out = new Int32Array(rows * (a + b));
  for (let r = 0; r < rows; r++) {
    out.set(left.subarray(r * a, (r + 1) * a), r * (a + b));
    out.set(right.subarray(r * b, (r + 1) * b), r * (a + b) + a);
  }
  return out;
}

/** The given rows of a rows × width matrix. */
export function pickRows(matrix: Int32Array, width: number, rows: readonly number[]): Int32Array {
  const out = new Int32Array(rows.length * width);
  rows.forEach((r, i) => out.set(matrix.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/**
 * Consecutive runs of `order` (indices sorted by length) to send as one batch each: at most
 * `maxRows(width)` rows, where width is the run's longest length; with `sameLength` (a model
 * without an attention mask cannot be padded) a run never mixes lengths.
 */
export function chunkByLength(
  order: readonly number[],
  lengthOf: (i: number) => number,
  maxRows: (width: number) => number,
  sameLength: boolean,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let width = 0;
  for (const i of order) {
    const length = lengthOf(i);
    const wider = Math.max(width, length);
    const breaks = current.length > 0 && ((sameLength && length !== width) || current.length + 1 > maxRows(wider));
    if (breaks) {
      chunks.push(current);
      current = [];
      width = 0;
    }
    current.push(i);
    width = Math.max(width, length);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Indices 0 … n−1 by increasing length (stable), so batches pad little. */
export function byLength(lengths: readonly number[]): number[] {
  return lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
}
