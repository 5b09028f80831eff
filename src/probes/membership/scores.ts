/**
 * Membership scores from what the surface reveals; higher = more likely a member. Pure.
 * Definitions follow Yeom et al. 2018 (loss), Salem et al. 2019 (confidence, entropy),
 * Song & Mittal 2021 (modified entropy) and Choquette-Choo et al. 2021 (label-only attacks).
 */
import type { Observation } from '../../model/types';
import { FLOOR, type AttackerScores } from '../attacker-view';

/** Revealed class scores: a probability model's own float32 values, or float64. */
type Scores = Float32Array | Float64Array;

export type ScoreAttack = 'loss' | 'confidence' | 'entropy' | 'modified-entropy';

/**
 * One membership score per row. From log-probabilities (a logits model at full precision) every
 * score is computed in log space, so confident rows keep distinct scores; from probabilities
 * they are computed from the values as revealed.
 */
export function scoreAttack(attack: ScoreAttack, scores: AttackerScores, classCount: number, truth: Int32Array): Float64Array {
  const out = new Float64Array(truth.length);
  const p = scores.values;
  const log = scores.scale === 'log';
  // One loop per attack: V8 optimises each once (a switch inside one shared loop was
  // re-optimised for every attack on the gate's single, cold run, 2× slower).
  switch (attack) {
    case 'loss':
      if (log) logLossScores(p, classCount, truth, out);
      else lossScores(p, classCount, truth, out);
      break;
    case 'confidence':
      if (log) logConfidenceScores(p, classCount, truth, out);
      else confidenceScores(p, classCount, truth, out);
      break;
    case 'entropy':
      if (log) logEntropyScores(p, classCount, truth.length, out);
      else entropyScores(p, classCount, truth.length, out);
      break;
    case 'modified-entropy':
      if (log) logModifiedEntropyScores(p, classCount, truth, out);
      else modifiedEntropyScores(p, classCount, truth, out);
      break;
  }
  return out;
}

/**
 * Rows whose revealed probability of the true label is exactly 1 (log-probability exactly 0):
 * the output saturated, so every score attack gives these rows the same, highest score.
 */
export function saturatedRows(scores: AttackerScores, classCount: number, truth: Int32Array): number {
  const one = scores.scale === 'log' ? 0 : 1;
  let n = 0;
  for (let r = 0; r < truth.length; r++) if (scores.values[r * classCount + truth[r]!] === one) n++;
  return n;
}

/** −cross-entropy loss: log p_y. */
function lossScores(p: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) out[r] = Math.log(Math.max(p[r * k + truth[r]!]!, FLOOR));
}

function confidenceScores(p: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) out[r] = p[r * k + truth[r]!]!;
}

/** −H(p) = Σ p log p. */
function entropyScores(p: Scores, k: number, rows: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let negH = 0;
    for (let c = 0; c < k; c++) {
      const v = p[base + c]!;
      if (v > 0) negH += v * Math.log(v);
    }
    out[r] = negH;
  }
}

/** −Mentr (Song & Mittal 2021): −(1 − p_y) log p_y − Σ_{c≠y} p_c log(1 − p_c), negated. */
function modifiedEntropyScores(p: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) {
    const base = r * k;
    const y = truth[r]!;
    const py = Math.max(p[base + y]!, FLOOR);
    let mentr = -(1 - py) * Math.log(py);
    for (let c = 0; c < k; c++) {
      if (c === y) continue;
      const v = p[base + c]!;
      mentr -= v * Math.log(Math.max(1 - v, FLOOR));
    }
    out[r] = -mentr;
  }
}

// Log space: lp holds log p. 1 − p_c is never formed by subtraction from a rounded p_c; it is
// the sum of the other classes, logsumexp_{j≠c} lp_j, which stays exact for confident rows.

/** −loss = log p_y = z_y − logsumexp(z). */
function logLossScores(lp: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) out[r] = lp[r * k + truth[r]!]!;
}

/**
 * Confidence on the logit scale: log(p_y / (1 − p_y)) = z_y − logsumexp_{c≠y} z_c, which ranks
 * rows exactly as p_y does but does not saturate. Certainty (nothing left for the other
 * classes) is the largest finite score.
 */
function logConfidenceScores(lp: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) {
    const base = r * k;
    const y = truth[r]!;
    out[r] = Math.min(lp[base + y]! - logSumExpExcept(lp, base, k, y), Number.MAX_VALUE);
  }
}

/** −H(p) = Σ p log p, with log p taken as revealed. */
function logEntropyScores(lp: Scores, k: number, rows: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let negH = 0;
    for (let c = 0; c < k; c++) {
      const v = lp[base + c]!;
      if (v > -Infinity) negH += Math.exp(v) * v;
    }
    out[r] = negH;
  }
}

/** −Mentr with log p_y, 1 − p_y and log(1 − p_c) all from log-probabilities. */
function logModifiedEntropyScores(lp: Scores, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) {
    const base = r * k;
    const y = truth[r]!;
    const lpy = lp[base + y]!;
    const rest = Math.exp(logSumExpExcept(lp, base, k, y)); // 1 − p_y
    let mentr = rest > 0 ? -rest * lpy : 0;
    for (let c = 0; c < k; c++) {
      if (c === y) continue;
      const pc = Math.exp(lp[base + c]!);
      if (pc === 0) continue;
      // log(1 − p_c): log1p is exact for small p_c; at most one class has p_c ≥ ½, whose
      // complement is the sum of the others.
      const log1mp = pc < 0.5 ? Math.log1p(-pc) : logSumExpExcept(lp, base, k, c);
      mentr -= pc * log1mp;
    }
    out[r] = -mentr;
  }
}

/** logsumexp of row `base`'s k log-probabilities other than class `skip`. */
function logSumExpExcept(lp: Scores, base: number, k: number, skip: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (c !== skip && lp[base + c]! > max) max = lp[base + c]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let c = 0; c < k; c++) if (c !== skip) sum += Math.exp(lp[base + c]! - max);
  return max + Math.log(sum);
}

/** Gap attack (Yeom 2018): a correctly classified record is guessed to be a member. */
export function gapScores(obs: Observation, truth: Int32Array): Float64Array {
  return Float64Array.from(truth, (y, r) => (obs.labels[r] === y ? 1 : 0));
}

/**
 * Label-only stability (Choquette-Choo 2021): members tend to keep their correct label under
 * small input noise. Score = correct on the clean input + number of noisy copies still correct.
 * `noisyLabels` holds `copies` predictions per record, record-major.
 */
export function stabilityScores(obs: Observation, noisyLabels: Int32Array, copies: number, truth: Int32Array): Float64Array {
  const out = new Float64Array(truth.length);
  for (let r = 0; r < truth.length; r++) {
    let score = obs.labels[r] === truth[r] ? 1 : 0;
    for (let q = 0; q < copies; q++) if (noisyLabels[r * copies + q] === truth[r]) score++;
    out[r] = score;
  }
  return out;
}
