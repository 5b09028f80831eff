/**
 * Per-text membership scores of a language model, from the per-token scores of one text
 * x_0 … x_{n−1} (positions t = 1 … n−1: the first token has no prediction). Higher = more likely
 * a member, as every membership score in src/metrics. Pure: no model, no I/O.
 *
 * - loss (Yeom et al. 2018; Carlini et al. 2021 "perplexity"): the mean token log-likelihood
 *   (1/T) Σ_t log p(x_t | x_<t), T = n − 1; the negative of the training loss.
 * - zlib (Carlini et al. 2021, "Extracting Training Data from Large Language Models", §5.2): the
 *   mean log-likelihood over the zlib-compressed length of the text in bytes. Text that is
 *   likely only because it is repetitive compresses well and is discounted. The reference
 *   implementation of Min-K%++ (zjysteven/mink-plus-plus, run.py) computes ll / len(zlib.compress
 *   (text.encode('utf-8'))) at Python's default level 6; Node's zlib at the same level gives the same
 *   length to within a byte or two (Node bundles Chromium's zlib, whose matcher differs: 70 vs
 *   71 bytes on a line of Moby-Dick), so scores agree with the reference to about 1%, and the
 *   gate's own numbers are the same on every run.
 * - min-k (Shi et al. 2024, "Detecting Pretraining Data from Large Language Models", ICLR):
 *   the mean of the k% lowest token log-probabilities: a member has few very unlikely tokens.
 * - min-k-plus-plus (Zhang et al. 2024, "Min-K%++: Improved Baseline for Detecting
 *   Pre-Training Data from Large Language Models"): each token's log-probability standardised
 *   by the model's own next-token distribution, z_t = (log p(x_t) − μ_t) / σ_t with
 *   μ_t = E_{z∼p(·|x_<t)}[log p(z)] and σ_t² = E[(log p(z))²] − μ_t², then the mean of the k%
 *   lowest z_t (training drives x_t towards a local maximum of the likelihood).
 * - reference (Carlini et al. 2021 §5.2; Mireshghallah et al. 2022, "Quantifying Privacy Risks
 *   of Masked Language Models Using Membership Inference Attacks"): the target's mean
 *   log-likelihood minus a reference model's on the same tokens, so text that any model finds
 *   likely is discounted.
 *
 * Edge cases, decided against the reference implementation:
 * - k% of T tokens: the reference takes int(T · k) (a floor); a text shorter than 1/k tokens would
 *   then average nothing (NaN). Here the count is max(1, floor(T · k + 1e-9)): the same count
 *   wherever the reference gives one, the slack keeping 0.29 · 100 at 29 as written, and at least
 *   one token.
 * - σ_t = 0 (every token the model considers possible is equally likely, or one token has all
 *   the mass): the reference divides by zero (NaN or ±∞). Here z_t = 0 when log p(x_t) = μ_t to
 *   within rounding (the token is exactly as typical as the model expects: no evidence either
 *   way) and −∞ when x_t has probability 0. σ_t below 1e-12 counts as 0: in float64 a uniform
 *   distribution's σ comes out as cancellation noise, not 0.
 * - A −∞ log-probability (a probability of 0, or rounded to 0 by the surface) gives −∞ scores,
 *   which rank below every other text; a NaN (a hidden score) is refused: see {@link checkRevealed}.
 */
import { deflateSync } from 'node:zlib';

/** zlib's compression level for the zlib score: 6, the default of zlib, Python and Node. */
export const ZLIB_LEVEL = 6;

/** Below this σ_t the z-score of Min-K%++ is decided without dividing (see the module comment). */
const SIGMA_FLOOR = 1e-12;

export interface TokenScoreArrays {
  logProbs: ArrayLike<number>;
  mean?: ArrayLike<number>;
  std?: ArrayLike<number>;
}

/** Mean token log-likelihood. @throws RangeError when no token is scored. */
export function lossScore(logProbs: ArrayLike<number>): number {
  requireTokens(logProbs.length);
  let sum = 0;
  for (let t = 0; t < logProbs.length; t++) sum += logProbs[t]!;
  return sum / logProbs.length;
}

/** Bytes of the text's UTF-8 encoding compressed by zlib at {@link ZLIB_LEVEL}. */
export function zlibLength(text: string): number {
  return deflateSync(Buffer.from(text, 'utf8'), { level: ZLIB_LEVEL }).length;
}

/** Mean log-likelihood over the zlib length of the text in bytes. */
export function zlibScore(logProbs: ArrayLike<number>, text: string): number {
  return lossScore(logProbs) / zlibLength(text);
}

/** How many of `tokens` scores the k% lowest are: max(1, floor(tokens · k)). */
export function lowestCount(tokens: number, k: number): number {
  if (!(k > 0 && k <= 1)) throw new RangeError(`k must be in (0, 1], got ${k}`);
  requireTokens(tokens);
  return Math.max(1, Math.floor(tokens * k + 1e-9));
}

/** Mean of the k% lowest token log-probabilities (Min-K% Prob). */
export function minKScore(logProbs: ArrayLike<number>, k: number): number {
  return meanOfLowest(logProbs, k);
}

/** z_t = (log p(x_t) − μ_t) / σ_t per position, with the σ_t = 0 rule of the module comment. */
export function standardisedLogProbs(scores: Required<TokenScoreArrays>): Float64Array {
  const { logProbs, mean, std } = scores;
  if (mean.length !== logProbs.length || std.length !== logProbs.length) {
    throw new RangeError(`μ and σ need one value per token: ${logProbs.length} tokens, ${mean.length} μ, ${std.length} σ`);
  }
  const z = new Float64Array(logProbs.length);
  for (let t = 0; t < logProbs.length; t++) {
    const lp = logProbs[t]!;
    const sigma = std[t]!;
    if (Number.isNaN(sigma) || Number.isNaN(mean[t]!)) throw new RangeError(`μ or σ of token ${t + 1} is NaN (a hidden score)`);
    if (sigma >= SIGMA_FLOOR) z[t] = (lp - mean[t]!) / sigma;
    else z[t] = lp === -Infinity ? -Infinity : 0;
  }
  return z;
}

/** Mean of the k% lowest standardised token log-probabilities (Min-K%++). */
export function minKPlusPlusScore(scores: Required<TokenScoreArrays>, k: number): number {
  return meanOfLowest(standardisedLogProbs(scores), k);
}

/** The target's mean log-likelihood minus the reference model's, over the same tokens. */
export function referenceScore(target: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (target.length !== reference.length) {
    throw new RangeError(`the target scores ${target.length} tokens and the reference ${reference.length}; they must score the same text`);
  }
  return lossScore(target) - lossScore(reference);
}

/**
 * Where the surface hid a score a membership score needs: the first NaN position, or -1. The
 * probe refuses such a text (a hidden score must never be read as a number).
 */
export function checkRevealed(values: ArrayLike<number>): number {
  for (let t = 0; t < values.length; t++) if (Number.isNaN(values[t])) return t;
  return -1;
}

function meanOfLowest(values: ArrayLike<number>, k: number): number {
  const count = lowestCount(values.length, k);
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i]!;
  return sum / count;
}

function requireTokens(tokens: number): void {
  if (tokens < 1) throw new RangeError('a membership score needs at least one scored token (a text of two or more tokens)');
}
