/**
 * What both output surfaces (classifiers: surface.ts, next-token models: sequence-surface.ts)
 * do to scores: pick the top answer, hide all but the top k, round to `decimals`. One
 * implementation, so a class and a token are revealed by the same rules.
 */

/** Index of the largest score in `values[offset .. offset + width)`; ties go to the lowest index, as numpy's argmax does. */
export function argmax(values: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

/** 1 for every score the top-k surface hides; ties keep the lower index, so a row always reveals the same entries. */
export function topKMask(values: ArrayLike<number>, rows: number, width: number, k: number): Uint8Array {
  const hidden = new Uint8Array(rows * width).fill(1);
  const order = new Int32Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let c = 0; c < width; c++) order[c] = c;
    order.sort((a, b) => values[base + b]! - values[base + a]! || a - b);
    for (let i = 0; i < k; i++) hidden[base + order[i]!] = 0;
  }
  return hidden;
}

/** A revealed score or value rounded to `decimals` decimals, as an API that prints it would. */
export function roundToDecimals(p: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(p * scale) / scale;
}
