/**
 * Membership scores from what the surface reveals; higher = more likely a member. Pure.
 * Definitions follow Yeom et al. 2018 (loss), Salem et al. 2019 (confidence, entropy),
 * Song & Mittal 2021 (modified entropy) and Choquette-Choo et al. 2021 (label-only attacks).
 */
import type { Observation } from '../model/types';

/** log(0) guard: a rounded score of 0 is read as this probability. */
const FLOOR = 1e-12;

export type ScoreAttack = 'loss' | 'confidence' | 'entropy' | 'modified-entropy';

/**
 * The attacker's reading of the revealed scores as a probability vector: with top-k, the mass
 * the API does not show is spread evenly over the hidden classes (the attacker's best guess).
 */
export function attackerProbabilities(obs: Observation): Float64Array {
  const { rows, classCount: k, scores } = obs;
  if (!scores) throw new Error('the surface reveals no scores');
  // Native conversion, then only rows with hidden (NaN) scores are revisited: 2× faster on a full surface.
  const p = new Float64Array(scores.subarray(0, rows * k));
  for (let r = 0; r < rows; r++) {
    let hidden = 0;
    for (let c = 0; c < k; c++) if (Number.isNaN(p[r * k + c]!)) hidden++;
    if (hidden === 0) continue;
    let known = 0;
    for (let c = 0; c < k; c++) if (!Number.isNaN(p[r * k + c]!)) known += p[r * k + c]!;
    const fill = Math.max(0, 1 - known) / hidden;
    for (let c = 0; c < k; c++) if (Number.isNaN(p[r * k + c]!)) p[r * k + c] = fill;
  }
  return p;
}

/** Class probabilities, row-major: float32 as revealed, or float64 after filling hidden scores. */
export type Probabilities = Float32Array | Float64Array;

/**
 * {@link attackerProbabilities} without the float64 copy when no score is hidden: the revealed
 * float32 scores are then the attacker's probabilities as they are, and since widening a
 * float32 to float64 is exact, every score computed from them is identical.
 */
export function revealedProbabilities(obs: Observation): Probabilities {
  const { rows, classCount: k, scores } = obs;
  if (!scores) throw new Error('the surface reveals no scores');
  for (let i = 0; i < rows * k; i++) if (Number.isNaN(scores[i]!)) return attackerProbabilities(obs);
  return scores.subarray(0, rows * k);
}

export function scoreAttack(attack: ScoreAttack, p: Probabilities, classCount: number, truth: Int32Array): Float64Array {
  const out = new Float64Array(truth.length);
  // One loop per attack: V8 optimises each once (a switch inside one shared loop was
  // re-optimised for every attack on the gate's single, cold run, 2× slower).
  switch (attack) {
    case 'loss':
      lossScores(p, classCount, truth, out);
      break;
    case 'confidence':
      confidenceScores(p, classCount, truth, out);
      break;
    case 'entropy':
      entropyScores(p, classCount, truth.length, out);
      break;
    case 'modified-entropy':
      modifiedEntropyScores(p, classCount, truth, out);
      break;
  }
  return out;
}

/** −cross-entropy loss: log p_y. */
function lossScores(p: Probabilities, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) out[r] = Math.log(Math.max(p[r * k + truth[r]!]!, FLOOR));
}

function confidenceScores(p: Probabilities, k: number, truth: Int32Array, out: Float64Array): void {
  for (let r = 0; r < truth.length; r++) out[r] = p[r * k + truth[r]!]!;
}

/** −H(p) = Σ p log p. */
function entropyScores(p: Probabilities, k: number, rows: number, out: Float64Array): void {
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
function modifiedEntropyScores(p: Probabilities, k: number, truth: Int32Array, out: Float64Array): void {
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
