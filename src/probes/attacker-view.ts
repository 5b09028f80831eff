/**
 * The scores an attacker reads off the surface, whatever the attack: probabilities (or
 * log-probabilities) per class, with what top-k hides spread evenly over the hidden classes.
 * Shared by the membership, attribute-inference and inversion families. Pure.
 */
import type { Observation, RevealedScores } from '../model/types';

/** log(0) guard: a revealed (rounded) probability of 0 is read as this probability. */
export const FLOOR = 1e-12;

/** Revealed scores with nothing hidden: every class's score, on the surface's scale. */
export interface AttackerScores {
  scale: RevealedScores['scale'];
  values: Float32Array | Float64Array;
}

/**
 * The attacker's reading of the revealed scores: with top-k, the mass the API does not show is
 * spread evenly over the hidden classes (the attacker's best guess). What is hidden comes from
 * the surface's mask alone; without a mask the revealed scores are returned as they are.
 */
export function attackerScores(obs: Observation): AttackerScores {
  const { rows, classCount: k, scores } = obs;
  if (!scores) throw new Error('the surface reveals no scores');
  const { scale, values, hidden } = scores;
  if (!hidden) return { scale, values };
  // Float64 whatever the revealed type: the filled-in shares are not float32 values.
  const out = Float64Array.from(values.subarray(0, rows * k));
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let hiddenCount = 0;
    for (let c = 0; c < k; c++) hiddenCount += hidden[base + c]!;
    if (hiddenCount === 0) continue;
    const fill = scale === 'log' ? logHiddenShare(out, hidden, base, k, hiddenCount) : hiddenShare(out, hidden, base, k, hiddenCount);
    for (let c = 0; c < k; c++) if (hidden[base + c]) out[base + c] = fill;
  }
  return { scale, values: out };
}

/** (1 − Σ revealed p) / hidden count, at least 0. */
function hiddenShare(p: Float32Array | Float64Array, hidden: Uint8Array, base: number, k: number, count: number): number {
  let known = 0;
  for (let c = 0; c < k; c++) if (!hidden[base + c]) known += p[base + c]!;
  return Math.max(0, 1 - known) / count;
}

/** The same in log space: log((1 − exp(logsumexp of revealed)) / count), −∞ when nothing is left. */
function logHiddenShare(lp: Float32Array | Float64Array, hidden: Uint8Array, base: number, k: number, count: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (!hidden[base + c]) max = Math.max(max, lp[base + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) if (!hidden[base + c]) sum += Math.exp(lp[base + c]! - max);
  const known = max + Math.log(sum);
  return known >= 0 ? -Infinity : Math.log(-Math.expm1(known)) - Math.log(count);
}

/** The attacker's class probabilities (hidden scores filled in): float64, or a probability model's own float32 values. */
export function attackerProbabilities(obs: Observation): Float32Array | Float64Array {
  const { scale, values } = attackerScores(obs);
  return scale === 'log' ? Float64Array.from(values, Math.exp) : values;
}

/** log p of row `row`'s class `c` as the attacker reads it, probabilities floored at `floor`. */
export function attackerLogProbability(scores: AttackerScores, k: number, row: number, c: number, floor: number): number {
  const v = scores.values[row * k + c]!;
  return scores.scale === 'log' ? Math.max(v, Math.log(floor)) : Math.log(Math.max(v, floor));
}
