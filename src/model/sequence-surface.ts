/**
 * The output surface of a text API: what it reveals about each next token. Every extraction
 * attack queries the model through it, so none can use more than an outside attacker sees:
 * - full: every token's probability (as "logprobs" APIs do);
 * - top-k: the k most likely tokens' probabilities, the rest hidden (the `hidden` mask);
 * - label: only the most likely token (greedy generation).
 * `decimals` rounds revealed probabilities (a rounded 0 becomes log 0 = −∞).
 */
import type { SurfaceSettings } from '../policy/types';
import { traced } from './non-finite';
import { argmax, roundToDecimals, topKMask } from './reveal';
import type { NextTokenObservation, ObservedSequenceModel, SequenceModel } from './sequence-types';
import type { QuerySource } from './types';

/** Pure: turns full log-probabilities into what the surface reveals. */
export function observeNext(logProbs: Float64Array, rows: number, vocabSize: number, surface: SurfaceSettings): NextTokenObservation {
  const top = new Int32Array(rows);
  for (let r = 0; r < rows; r++) top[r] = argmax(logProbs, r * vocabSize, vocabSize);
  if (surface.scores === 'label') return { rows, vocabSize, top };
  const shown = logProbs.slice();
  const hidden = surface.scores === 'top-k' && surface.topK < vocabSize ? topKMask(logProbs, rows, vocabSize, surface.topK) : undefined;
  const decimals = surface.decimals;
  if (decimals !== undefined) {
    for (let i = 0; i < shown.length; i++) {
      if (!hidden?.[i]) shown[i] = Math.log(roundToDecimals(Math.exp(shown[i]!), decimals));
    }
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
}
