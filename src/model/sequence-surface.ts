/**
 * The output surface of a text API: what it reveals about each next token. Every extraction
 * attack queries the model through it, so none can use more than an outside attacker sees:
 * - full: every token's probability (as "logprobs" APIs do);
 * - top-k: the k most likely tokens' probabilities, the rest hidden (the `hidden` mask);
 * - label: only the most likely token (greedy generation).
 * `precision: float32` rounds each revealed probability to float32 (a memorised token's p ≈ 1
 * becomes exactly 1, log p = 0: ties at the top), then `decimals` rounds it (a rounded 0 becomes
 * log 0 = −∞).
 */
import type { SurfaceSettings } from '../policy/types';
import { traced } from './non-finite';
import { argmax, roundToDecimals, topKMask } from './reveal';
import { continuationScores, generate, scoreTokens } from './sequence-ops';
import type { GenerateOptions, NextTokenObservation, ObservedSequenceModel, SequenceModel, TokenScores } from './sequence-types';
import type { QuerySource } from './types';

/** Pure: turns full log-probabilities into what the surface reveals. */
export function observeNext(logProbs: Float64Array, rows: number, vocabSize: number, surface: SurfaceSettings): NextTokenObservation {
  const top = new Int32Array(rows);
  for (let r = 0; r < rows; r++) top[r] = argmax(logProbs, r * vocabSize, vocabSize);
  if (surface.scores === 'label') return { rows, vocabSize, top };
  const shown = logProbs.slice();
  const hidden = surface.scores === 'top-k' && surface.topK < vocabSize ? topKMask(logProbs, rows, vocabSize, surface.topK) : undefined;
  if (roundsScores(surface)) {
    for (let i = 0; i < shown.length; i++) if (!hidden?.[i]) shown[i] = roundedLogProb(shown[i]!, surface);
  }
  if (!hidden) return { rows, vocabSize, top, logProbs: shown };
  for (let i = 0; i < shown.length; i++) if (hidden[i]) shown[i] = NaN;
  return { rows, vocabSize, top, logProbs: shown, hidden };
}

export class ObservedSequence implements ObservedSequenceModel {
  constructor(
    private readonly model: SequenceModel,
    readonly surface: SurfaceSettings,
  ) {}

  get queries(): number {
    return this.model.queries;
  }

  get vocabSize(): number {
    return this.model.info.vocabSize;
  }

  get revealsScores(): boolean {
    return this.surface.scores !== 'label';
  }

  async next(contexts: readonly Int32Array[], source: QuerySource): Promise<NextTokenObservation> {
    const logProbs = await traced(this.model.nextLogProbs(contexts), source);
    return observeNext(logProbs, contexts.length, this.vocabSize, this.surface);
  }

  async score(sequences: readonly Int32Array[], source: QuerySource): Promise<TokenScores[]> {
    this.mustRevealScores('per-token scores');
    const scores = await traced(scoreTokens(this.model, sequences), source);
    return scores.map((s) => observeTokenScores(s, this.vocabSize, this.surface));
  }

  generate(prompts: readonly Int32Array[], options: GenerateOptions, source: QuerySource): Promise<Int32Array[]> {
    return traced(generate(this.model, prompts, options), source);
  }

  async continuations(prefix: Int32Array, continuations: readonly Int32Array[], source: QuerySource): Promise<Float64Array> {
    this.mustRevealScores('continuation scores');
    const scores = await traced(continuationScores(this.model, prefix, continuations), source);
    const sums = new Float64Array(continuations.length);
    for (let i = 0; i < continuations.length; i++) {
      let sum = 0;
      for (let j = scores.offsets[i]!; j < scores.offsets[i + 1]!; j++) {
        sum += revealedLogProb(scores.logProbs[j]!, scores.ranks[j]!, this.vocabSize, this.surface);
      }
      sums[i] = sum;
    }
    return sums;
  }

  /** A probe asking a label-only surface for scores is a bug in the policy checks, not user input. */
  private mustRevealScores(what: string): void {
    if (!this.revealsScores) throw new Error(`${what} asked of a label-only surface: the policy checks should have refused this probe`);
  }
}

/**
 * Pure: per-token scores as the surface reveals them. A token outside the top k is NaN, and μ/σ
 * (which need every token's score) are NaN unless the surface shows all scores unrounded. Under
 * top-k a rank is known only below k: every rank from k on reads as k ("not among the top k").
 */
export function observeTokenScores(scores: TokenScores, vocabSize: number, surface: SurfaceSettings): TokenScores {
  const n = scores.logProbs.length;
  const logProbs = new Float64Array(n);
  for (let t = 0; t < n; t++) logProbs[t] = revealedLogProb(scores.logProbs[t]!, scores.ranks[t]!, vocabSize, surface);
  // A top-k surface with k ≥ the vocabulary shows every score, as observeNext treats it. Under
  // float32 rounding μ and σ stay those of the unrounded row (they differ by about 1e-7 relative;
  // the rows themselves are not kept), while decimals would move them visibly: NaN then.
  const whole = surface.scores !== 'label' && !topKOnly(surface, vocabSize) && surface.decimals === undefined;
  return {
    logProbs,
    mean: whole ? scores.mean.slice() : new Float64Array(n).fill(NaN),
    std: whole ? scores.std.slice() : new Float64Array(n).fill(NaN),
    ranks: topKOnly(surface, vocabSize) ? scores.ranks.map((r) => Math.min(r, surface.topK)) : scores.ranks.slice(),
  };
}

function topKOnly(surface: SurfaceSettings, vocabSize: number): boolean {
  return surface.scores === 'top-k' && surface.topK < vocabSize;
}

function revealedLogProb(logProb: number, rank: number, vocabSize: number, surface: SurfaceSettings): number {
  if (topKOnly(surface, vocabSize) && rank >= surface.topK) return NaN;
  return roundsScores(surface) ? roundedLogProb(logProb, surface) : logProb;
}

function roundsScores(surface: SurfaceSettings): boolean {
  return surface.precision === 'float32' || surface.decimals !== undefined;
}

/** log p after the surface's rounding of p: to float32, then to `decimals` decimals. */
function roundedLogProb(logProb: number, surface: SurfaceSettings): number {
  let p = Math.exp(logProb);
  if (surface.precision === 'float32') p = Math.fround(p);
  if (surface.decimals !== undefined) p = roundToDecimals(p, surface.decimals);
  return Math.log(p);
}
