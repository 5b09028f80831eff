/** Plain-function sequence models for the extraction tests: no onnxruntime involved. */
import { observeNext } from '../../src/model/sequence-surface';
import type { NextTokenObservation, ObservedSequenceModel } from '../../src/model/sequence-types';
import type { SurfaceSettings } from '../../src/policy/types';
import { rngFor } from '../../src/util/random';
import { Vocabulary } from '../../src/text/vocab';

/** A model given as a function from a context to next-token log-probabilities, counting rows. */
export class FunctionModel implements ObservedSequenceModel {
  queries = 0;
  calls = 0;
  readonly revealsScores: boolean;

  constructor(
    readonly vocabSize: number,
    private readonly fn: (context: Int32Array) => Float64Array,
    readonly surface: SurfaceSettings = { scores: 'full', topK: 0 },
  ) {
    this.revealsScores = surface.scores !== 'label';
  }

  async next(contexts: readonly Int32Array[]): Promise<NextTokenObservation> {
    this.queries += contexts.length;
    this.calls += 1;
    const lp = new Float64Array(contexts.length * this.vocabSize);
    contexts.forEach((c, r) => lp.set(this.fn(c), r * this.vocabSize));
    return observeNext(lp, contexts.length, this.vocabSize, this.surface);
  }
}

export function logSoftmax(logits: number[]): Float64Array {
  const max = Math.max(...logits);
  const sum = logits.reduce((a, v) => a + Math.exp(v - max), 0);
  return Float64Array.from(logits, (v) => v - max - Math.log(sum));
}

/** Pseudo-random but deterministic logits for every context (a "hash" language model). */
export function hashModel(vocabSize: number, seed = 1, spread = 2): (context: Int32Array) => Float64Array {
  return (context) => {
    const rng = rngFor(seed, Array.from(context).join(','));
    return logSoftmax(Array.from({ length: vocabSize }, () => spread * rng.normal()));
  };
}

/** "<pad>", space, a-z, 0-9 and a few punctuation marks. */
export const TEST_VOCAB = new Vocabulary(['<pad>', ...' abcdefghijklmnopqrstuvwxyz0123456789.-@!:'], 0, 'test vocabulary');
