/**
 * Pure conversions from a model's raw output to class probabilities. Kept apart from the
 * adapter so they are tested without onnxruntime.
 */

const SUM_TOLERANCE = 1e-3;

/**
 * Rows of non-negative values that sum to 1 are probabilities; anything else is logits.
 * A single column is a binary model's P(class 1) when it lies in [0, 1], else its logit.
 */
export function detectScoreKind(
  raw: Float32Array,
  rows: number,
  width: number,
): { kind: 'probabilities' | 'logits'; reason: string } {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const v = raw[r * width + c]!;
      if (!(v >= 0 && v <= 1)) return { kind: 'logits', reason: `row ${r + 1} has a score ${v} outside [0, 1]` };
      sum += v;
    }
    if (width > 1 && Math.abs(sum - 1) > SUM_TOLERANCE) {
      return { kind: 'logits', reason: `row ${r + 1} sums to ${sum.toFixed(4)}, not 1` };
    }
  }
  return {
    kind: 'probabilities',
    reason: width === 1 ? 'every score lies in [0, 1]' : `all ${rows} rows are non-negative and sum to 1`,
  };
}

/** Writes rows × classes probabilities into `out` from `width` raw scores per row. */
export function toProbabilities(
  scores: Float32Array,
  rows: number,
  width: number,
  kind: 'probabilities' | 'logits',
  out: Float32Array,
): void {
  if (width === 1) {
    for (let r = 0; r < rows; r++) {
      const p = kind === 'logits' ? 1 / (1 + Math.exp(-scores[r]!)) : scores[r]!;
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return;
  }
  if (kind === 'probabilities') {
    out.set(scores.subarray(0, rows * width));
    return;
  }
  softmaxRows(scores, rows, width, out);
}

/** Numerically stable softmax (the row maximum is subtracted before exponentiating). */
export function softmaxRows(logits: ArrayLike<number>, rows: number, width: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let max = -Infinity;
    for (let c = 0; c < width; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const e = Math.exp(logits[base + c]! - max);
      out[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < width; c++) out[base + c]! /= sum;
  }
}
