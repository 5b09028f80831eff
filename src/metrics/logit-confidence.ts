/**
 * LiRA's per-query signal: the logit-scaled confidence φ = log(p_y / (1 − p_y)) (Carlini et
 * al. 2022, §IV-B: it makes the per-model confidence distributions close to Gaussian). Pure.
 *
 * From log-probabilities (a logits model at full precision, see src/model/surface.ts) it is
 * lp_y − logsumexp_{c≠y} lp_c = z_y − logsumexp_{c≠y} z_c: no probability is formed, so a
 * confident row keeps its exact φ. This is the same number the membership probe's `confidence`
 * attack reports on the log scale (src/probes/membership-scores.ts, logConfidenceScores); a
 * test holds the two equal. From probabilities it is log p_y − log Σ_{c≠y} p_c: 1 − p_y is the
 * sum of the other classes, not a subtraction from a p_y rounded to 1 (as TensorFlow Privacy's
 * calculate_statistic(option='logit') does it).
 */

/** Revealed class scores, rows × classes, every class filled in (top-k holes filled by the caller). */
export interface ClassScoreRows {
  scale: 'log' | 'probability';
  values: Float32Array | Float64Array;
}

/**
 * Probabilities are read no smaller than the smallest positive float32 (2^−149 ≈ 1.4e−45): a
 * float32 model cannot reveal less, so |φ| ≤ 149·ln 2 ≈ 103.3 from probabilities (TensorFlow
 * Privacy adds 1e−45 for the same reason).
 */
export const PROBABILITY_FLOOR = 2 ** -149;

/**
 * An infinite φ from log-probabilities (only possible when a top-k fill left nothing for the
 * other classes) is read as ±745.13 = −log(smallest float64): the largest odds float64 can
 * express. Finite values are never clipped.
 */
export const PHI_LIMIT = -Math.log(Number.MIN_VALUE);

/**
 * φ for each row's true class `truth[r]`.
 * @throws RangeError on a NaN score (a hidden score not filled in) or a class out of range.
 */
export function logitConfidence(scores: ClassScoreRows, classCount: number, truth: Int32Array): Float64Array {
  const out = new Float64Array(truth.length);
  const v = scores.values;
  if (v.length < truth.length * classCount) throw new RangeError(`${v.length} scores for ${truth.length} rows × ${classCount} classes`);
  for (let r = 0; r < truth.length; r++) {
    const base = r * classCount;
    const y = truth[r]!;
    if (!(y >= 0 && y < classCount)) throw new RangeError(`row ${r}: class ${y} is not in 0..${classCount - 1}`);
    const phi = scores.scale === 'log' ? fromLogProbabilities(v, base, classCount, y) : fromProbabilities(v, base, classCount, y);
    if (Number.isNaN(phi)) throw new RangeError(`row ${r}: a score is NaN (hidden scores must be filled in first)`);
    out[r] = phi;
  }
  return out;
}

function fromLogProbabilities(lp: Float32Array | Float64Array, base: number, k: number, y: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (c !== y && lp[base + c]! > max) max = lp[base + c]!;
  let rest: number;
  if (max === -Infinity) rest = -Infinity;
  else {
    let sum = 0;
    for (let c = 0; c < k; c++) if (c !== y) sum += Math.exp(lp[base + c]! - max);
    rest = max + Math.log(sum);
  }
  const phi = lp[base + y]! - rest;
  return phi === Infinity ? PHI_LIMIT : phi === -Infinity ? -PHI_LIMIT : phi;
}

function fromProbabilities(p: Float32Array | Float64Array, base: number, k: number, y: number): number {
  let rest = 0;
  for (let c = 0; c < k; c++) if (c !== y) rest += p[base + c]!;
  return Math.log(Math.max(p[base + y]!, PROBABILITY_FLOOR)) - Math.log(Math.max(rest, PROBABILITY_FLOOR));
}

/** log p from φ = log(p / (1 − p)): log σ(φ), without overflow at either end. */
export function logSigmoid(phi: number): number {
  return phi >= 0 ? -Math.log1p(Math.exp(-phi)) : phi - Math.log1p(Math.exp(phi));
}
