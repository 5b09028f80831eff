/** Plain-function sequence models for the extraction tests: no onnxruntime involved. */
import { ObservedSequence } from '../../src/model/sequence-surface';
import type { SequenceModel, SequenceModelInfo } from '../../src/model/sequence-types';
import type { TextData } from '../../src/probes/types';
import type { SurfaceSettings } from '../../src/policy/types';
import { rngFor } from '../../src/util/random';
import { Vocabulary } from '../../src/text/vocab';

/** A plain function as the model (log-probabilities of the next token), behind the surface as the gate sees it. */
export class FunctionModel extends ObservedSequence {
  private readonly inner: FunctionSequenceModel;

  constructor(vocabSize: number, fn: (context: Int32Array) => Float64Array, surface: SurfaceSettings = { scores: 'full', topK: 0 }) {
    const inner = new FunctionSequenceModel(vocabSize, fn);
    super(inner, surface);
    this.inner = inner;
  }

  /** onnxruntime calls so far (one per nextLogProbs). */
  get calls(): number {
    return this.inner.calls;
  }
}

/** The SequenceModel behind FunctionModel: counts rows and calls like the ONNX adapter. */
export class FunctionSequenceModel implements SequenceModel {
  queries = 0;
  calls = 0;
  readonly info: SequenceModelInfo;

  constructor(
    vocabSize: number,
    private readonly fn: (context: Int32Array) => Float64Array,
  ) {
    this.info = {
      inputs: [],
      outputs: [],
      input: 'ids',
      output: 'logits',
      context: null,
      fixedContext: false,
      vocabSize,
      scoreKind: 'logits',
      scoreKindReason: 'a test function',
    };
  }

  async nextLogProbs(contexts: readonly Int32Array[]): Promise<Float64Array> {
    this.queries += contexts.length;
    this.calls += 1;
    const width = this.info.vocabSize;
    const lp = new Float64Array(contexts.length * width);
    contexts.forEach((c, r) => lp.set(this.fn(c), r * width));
    return lp;
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

/** A text data set of `texts` (one per line) encoded with TEST_VOCAB, read from `${folder}${role}.txt`. */
export function textData(role: string, texts: string[], folder = ''): TextData {
  return {
    role,
    file: `${folder}${role}.txt`,
    tokens: texts.map((t) => TEST_VOCAB.encode(t, { file: role })),
    lines: texts.map((_, i) => i + 1),
    corpus: texts.join('\n'),
    rows: texts.length,
    rowsInFile: texts.length,
  };
}
