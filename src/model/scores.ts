/**
 * Pure conversions from a model's raw output to class scores, and the checks on it. Kept apart
 * from the adapter so they are tested without onnxruntime.
 */

const SUM_TOLERANCE = 1e-3;

/**
 * Rows of non-negative values that sum to 1 are probabilities; anything else is logits.
 * A single column is a binary model's P(class 1) when it lies in [0, 1], else its logit.
 */
export function detectScoreKind(raw: Float32Array, rows: number, width: number): { kind: 'probabilities' | 'logits'; reason: string } {
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

/**
 * Writes the rows × classes scores the model revealed into `out` (the raw values exactly), from
 * `width` raw scores per row. A single column is a binary model's score for class 1: as a
 * probability p it becomes [1 − p, p]; as a logit z it becomes the logits [0, z], whose softmax
 * is [1 − σ(z), σ(z)]; `out` must then be float64 (1 − p is not a float32). Nothing is rounded into probabilities here: that
 * is the surface's decision (src/model/surface.ts).
 */
export function toClassScores(
  scores: Float32Array,
  rows: number,
  width: number,
  kind: 'probabilities' | 'logits',
  out: Float32Array | Float64Array,
): void {
  if (width > 1) {
    out.set(scores.subarray(0, rows * width));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const v = scores[r]!;
    out[2 * r] = kind === 'logits' ? 0 : 1 - v;
    out[2 * r + 1] = v;
  }
}

/**
 * Row-wise log-softmax in float64: log p_c = (z_c − max) − log1p(Σ_{c ≠ argmax} exp(z_c − max)),
 * so that a confident row keeps its tiny log p_max = −log1p(ε) (adding ε to the logsumexp
 * first, z − (max + ε), would lose it to the rounding of max).
 */
export function logSoftmaxRows(logits: ArrayLike<number>, rows: number, width: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let top = 0;
    for (let c = 1; c < width; c++) if (logits[base + c]! > logits[base + top]!) top = c;
    const max = logits[base + top]!;
    let rest = 0;
    for (let c = 0; c < width; c++) if (c !== top) rest += Math.exp(logits[base + c]! - max);
    const logRest = Math.log1p(rest);
    for (let c = 0; c < width; c++) out[base + c] = logits[base + c]! - max - logRest;
  }
}

/** Rows holding a NaN or ±Infinity among their `width` values: how many, and the first one. */
export interface NonFiniteRows {
  count: number;
  /** 0-based index of the first such row. */
  first: number;
  /** Its first non-finite value. */
  value: number;
}

/** Scans `rows` rows of `width` values for NaN and ±Infinity; undefined when every value is finite. */
export function findNonFinite(values: ArrayLike<number>, rows: number, width: number): NonFiniteRows | undefined {
  let found: NonFiniteRows | undefined;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c]!;
      // v − v is NaN exactly for NaN and ±Infinity: one subtraction, no call.
      if (v - v !== 0) {
        if (found) found.count++;
        else found = { count: 1, first: r, value: v };
        break;
      }
    }
  }
  return found;
}
