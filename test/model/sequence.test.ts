/**
 * The ONNX sequence adapter against two PyTorch-exported fixtures whose scores the test computes
 * itself from the weight tables (test/fixtures/models/make_sequence_fixtures.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { openOnnxSequenceModel, planInputs, toInt64, toLogProbs } from '../../src/model/sequence';
import { observeNext } from '../../src/model/sequence-surface';

const dir = 'test/fixtures/models';
const expected = JSON.parse(readFileSync(`${dir}/sequence.expected.json`, 'utf8')) as {
  vocab: number;
  W: number[][];
  A: number[][];
  B: number[][];
};
const V = expected.vocab;

function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
  return row.map((v) => v - max - Math.log(sum));
}

const ids = (...values: number[]) => Int32Array.from(values);

describe('sequence model: [batch, seq, vocab] probabilities with an attention mask', () => {
  it('finds the ids and mask inputs, detects probabilities and reads the last position of each row', async () => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-bigram-mask.onnx`, scores: 'auto' });
    const contexts = [ids(1, 2, 3), ids(4), ids(5, 0), ids(2, 2, 2, 2, 1)];
    const lp = await model.nextLogProbs(contexts);
    expect(model.info).toMatchObject({
      input: 'input_ids',
      attentionMask: 'attention_mask',
      output: 'probs',
      context: null,
      fixedContext: false,
      vocabSize: V,
      scoreKind: 'probabilities',
    });
    contexts.forEach((c, r) => {
      // The bigram model's next token depends only on the row's last real token: no padding was added.
      const want = logSoftmax(expected.W[c[c.length - 1]!]!);
      for (let t = 0; t < V; t++) expect(lp[r * V + t]).toBeCloseTo(want[t]!, 5);
    });
    // One query per row (rows of 4 different lengths went in 4 length groups).
    expect(model.queries).toBe(4);
  });

  it('caps a symbolic context at model.context (older tokens dropped)', async () => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-bigram-mask.onnx`, scores: 'probabilities', context: 2 });
    const lp = await model.nextLogProbs([ids(1, 2, 3, 4)]);
    const want = logSoftmax(expected.W[4]!);
    for (let t = 0; t < V; t++) expect(lp[t]).toBeCloseTo(want[t]!, 5);
    expect(model.info.context).toBe(2);
  });

  it('an empty prompt is an input error for a symbolic context', async () => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-bigram-mask.onnx`, scores: 'auto' });
    await expect(model.nextLogProbs([ids()])).rejects.toThrow(/empty prompt/);
  });
});

describe('sequence model: fixed context of 4, [batch, vocab] logits', () => {
  const expectedRow = (last: number, second: number) => logSoftmax(expected.A[last]!.map((a, t) => a + expected.B[second]![t]!));

  it.each([
    { name: 'exactly 4 tokens', context: [1, 2, 3, 4], last: 4, second: 3 },
    { name: 'longer: truncated to the last 4', context: [5, 5, 1, 2, 3, 5], last: 5, second: 3 },
    { name: 'shorter: left-padded with the pad id', context: [3], last: 3, second: 0 },
    { name: 'empty: all padding', context: [], last: 0, second: 0 },
  ])('$name', async ({ context, last, second }) => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-window-logits.onnx`, scores: 'auto', padId: 0 });
    const lp = await model.nextLogProbs([Int32Array.from(context)]);
    const want = expectedRow(last, second);
    for (let t = 0; t < V; t++) expect(lp[t]).toBeCloseTo(want[t]!, 5);
    expect(model.info).toMatchObject({ context: 4, fixedContext: true, scoreKind: 'logits' });
  });

  it('batches many rows and counts one query per row', async () => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-window-logits.onnx`, scores: 'logits', padId: 0, batchSize: 7 });
    const contexts = Array.from({ length: 25 }, (_, i) => ids(i % 6, (i * 5) % 6));
    const lp = await model.nextLogProbs(contexts);
    contexts.forEach((c, r) => {
      const want = expectedRow(c[1]!, c[0]!);
      expect(lp[r * V + 2]).toBeCloseTo(want[2]!, 5);
    });
    expect(model.queries).toBe(25);
  });

  it('a short prompt without a pad id is an input error naming pad-id', async () => {
    const model = await openOnnxSequenceModel({ path: `${dir}/seq-window-logits.onnx`, scores: 'auto' });
    // Both ways to name one: the character vocabulary's field, and tokenizer_config.json beside a tokenizer.json.
    await expect(model.nextLogProbs([ids(1)])).rejects.toThrow(/pad-id.*"pad_token" in the tokenizer_config\.json/);
  });

  it('model.context that contradicts the fixed context is an input error', async () => {
    await expect(openOnnxSequenceModel({ path: `${dir}/seq-window-logits.onnx`, scores: 'auto', context: 8 })).rejects.toThrow(
      /takes exactly 4 tokens/,
    );
  });
});

describe('planInputs (pure)', () => {
  const t = (name: string, type: string, shape: (number | string)[]) => ({ name, type, shape });
  const out = [t('logits', 'float32', ['batch', 10])];
  it.each([
    { name: 'float features are not token ids', inputs: [t('x', 'float32', ['batch', 8])], error: /expected int64 token ids/ },
    {
      name: 'two id-like inputs need model.input',
      inputs: [t('a', 'int64', ['b', 4]), t('c', 'int64', ['b', 4])],
      error: /set model.input/,
    },
    {
      name: 'an unknown extra input',
      inputs: [t('ids', 'int64', ['b', 4]), t('mask', 'int64', ['b', 4]), t('pos', 'int64', ['b', 4])],
      input: 'ids',
      error: /cannot fill: pos/,
    },
  ])('$name', ({ inputs, error, input }) => {
    expect(() => planInputs({ path: 'm.onnx', scores: 'auto', ...(input ? { input } : {}) }, inputs, out)).toThrow(error);
    try {
      planInputs({ path: 'm.onnx', scores: 'auto' }, inputs, out);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
    }
  });

  it('an integer output is not next-token scores', () => {
    expect(() => planInputs({ path: 'm.onnx', scores: 'auto' }, [t('ids', 'int64', ['b', 4])], [t('label', 'int64', ['b'])])).toThrow(
      /holds next-token scores/,
    );
  });
});

describe('toLogProbs, toInt64 and the surface', () => {
  it('toInt64 equals BigInt conversion, negative values included', () => {
    const values = Int32Array.from([0, 1, 75, -1, 2147483647, -2147483648, 123456]);
    expect([...toInt64(values)]).toEqual([...values].map((v) => BigInt(v)));
  });

  it('log-softmax of logits equals log of the softmax', () => {
    const out = new Float64Array(3);
    toLogProbs([1, 2, 3], 'logits', out);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect([...out]).toEqual([1, 2, 3].map((v) => expect.closeTo(Math.log(Math.exp(v) / z), 12)));
  });

  it('top-k hides all but the k most likely tokens; label reveals only the top token; decimals round probabilities', () => {
    const lp = Float64Array.from([0.1, 0.5, 0.15, 0.25].map(Math.log));
    const topK = observeNext(lp, 1, 4, { scores: 'top-k', topK: 2 });
    expect(topK.top[0]).toBe(1);
    expect(Number.isNaN(topK.logProbs![0]!)).toBe(true);
    expect(Number.isNaN(topK.logProbs![2]!)).toBe(true);
    expect(topK.logProbs![3]).toBeCloseTo(Math.log(0.25), 12);
    expect(observeNext(lp, 1, 4, { scores: 'label', topK: 0 }).logProbs).toBeUndefined();
    const rounded = observeNext(lp, 1, 4, { scores: 'full', topK: 0, decimals: 1 });
    expect(rounded.logProbs![2]).toBeCloseTo(Math.log(0.2), 12);
    expect(rounded.logProbs![0]).toBeCloseTo(Math.log(0.1), 12);
  });
});
