/**
 * The decoder adapter (src/model/decoder.ts) on the tiny GPT-2 exports of test/fixtures/lm (one
 * set of weights in three layouts: KV cache, no cache, merged) against PyTorch's numbers in
 * lm.expected.json, and the three layouts and the generic fallbacks against each other.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { openDecoderModel, type DecoderModel, type DecoderOptions } from '../../src/model/decoder';
import { NonFiniteOutput } from '../../src/model/non-finite';
import { openOnnxSequenceModel } from '../../src/model/sequence';
import { openSequenceModel } from '../../src/model/sequence-open';
import { continuationsByPrefixes, generateByPrefixes, scoreByPrefixes } from '../../src/model/sequence-ops';
import type { GenerateOptions, SequenceModel } from '../../src/model/sequence-types';
import { Rng } from '../../src/util/random';

const dir = 'test/fixtures/lm';
interface Case {
  ids: number[];
  token_log_probs: number[];
  greedy: number[];
  log_softmax?: number[][];
}
const expected = JSON.parse(readFileSync(`${dir}/lm.expected.json`, 'utf8')) as {
  vocab_size: number;
  pad_id: number;
  cases: Case[];
  left_padded: { input_ids: number[][]; attention_mask: number[][]; greedy: number[][] };
};
const V = expected.vocab_size;
const PAD = expected.pad_id;
const LAYOUTS = ['cache', 'nocache', 'merged'] as const;
const cases = expected.cases.map((c) => Int32Array.from(c.ids));

async function open(layout: (typeof LAYOUTS)[number], options: Partial<DecoderOptions> = {}): Promise<DecoderModel> {
  const model = await openDecoderModel({ path: `${dir}/tiny-gpt2-${layout}.onnx`, scores: 'auto', padId: PAD, ...options });
  if (!model) throw new Error(`${layout} was not recognised as a decoder`);
  return model;
}

const sampling = (seed: number, topK = 0, topP = 1, temperature = 1): GenerateOptions['sampling'] => ({
  temperature,
  topK,
  topP,
  rng: new Rng(seed),
});
const arrays = (rows: Int32Array[]) => rows.map((r) => Array.from(r));

describe.each(LAYOUTS)('tiny-gpt2-%s.onnx', (layout) => {
  it('recognises the layout', async () => {
    const model = await open(layout);
    expect(model.info).toMatchObject({
      input: 'input_ids',
      attentionMask: 'attention_mask',
      output: 'logits',
      vocabSize: V,
      scoreKind: 'logits',
      context: null,
    });
    expect(model.info.decoder).toEqual(
      layout === 'nocache'
        ? { cache: false, layers: 0, merged: false, positionIds: false }
        : { cache: true, layers: 2, merged: layout === 'merged', positionIds: true, heads: 2, headDim: 8 },
    );
  });

  it("scoreTokens: PyTorch's log-softmax per position within 1e-4, in one forward pass per sequence", async () => {
    const model = await open(layout);
    const scores = await model.scoreTokens(cases);
    expected.cases.forEach((c, i) => {
      expect(scores[i]!.logProbs).toHaveLength(c.ids.length - 1);
      c.token_log_probs.forEach((lp, t) => expect(Math.abs(scores[i]!.logProbs[t]! - lp)).toBeLessThan(1e-4));
      // μ, σ and ranks from PyTorch's whole rows, where the fixture has them.
      c.log_softmax?.slice(0, -1).forEach((row, t) => {
        const p = row.map(Math.exp);
        const mean = row.reduce((a, lp, k) => a + p[k]! * lp, 0);
        const std = Math.sqrt(row.reduce((a, lp, k) => a + p[k]! * lp * lp, 0) - mean * mean);
        const own = row[c.ids[t + 1]!]!;
        expect(Math.abs(scores[i]!.mean[t]! - mean)).toBeLessThan(1e-3);
        expect(Math.abs(scores[i]!.std[t]! - std)).toBeLessThan(1e-3);
        expect(scores[i]!.ranks[t]).toBe(row.filter((v) => v > own + 1e-4).length);
      });
    });
    expect(model.queries).toBe(cases.length);
  });

  it('nextLogProbs: the last position of left-padded rows equals the unpadded rows (PyTorch within 1e-4)', async () => {
    const model = await open(layout);
    const withRows = expected.cases.filter((c) => c.log_softmax);
    const contexts = withRows.flatMap((c) => c.log_softmax!.map((_, t) => Int32Array.from(c.ids.slice(0, t + 1))));
    const want = withRows.flatMap((c) => c.log_softmax!);
    const got = await model.nextLogProbs(contexts);
    want.forEach((row, r) => row.forEach((v, k) => expect(Math.abs(got[r * V + k]! - v)).toBeLessThan(1e-4)));
  });

  it("greedy generation equals PyTorch's, prompts of different lengths in one left-padded batch", async () => {
    const model = await open(layout);
    const out = await model.generate(cases, { steps: 8 });
    expect(arrays(out)).toEqual(expected.cases.map((c) => c.greedy));
    expect(arrays(out)).toEqual(expected.left_padded.greedy);
    // With a cache: one prefill row per prompt, then one row per prompt and step.
    if (layout !== 'nocache') expect(model.queries).toBe(3 + 3 * 7);
  });

  it('padding does not change a row: scored alone or beside a longer row, left or right', async () => {
    const model = await open(layout);
    const [alone] = await model.scoreTokens([cases[1]!]);
    const [, padded] = await model.scoreTokens([cases[2]!, cases[1]!]);
    alone!.logProbs.forEach((v, t) => expect(Math.abs(padded!.logProbs[t]! - v)).toBeLessThan(1e-5));
    const single = await model.nextLogProbs([cases[1]!]);
    const batch = await model.nextLogProbs([cases[2]!, cases[1]!]);
    single.forEach((v, k) => expect(Math.abs(batch[V + k]! - v)).toBeLessThan(1e-5));
  });

  it('a small logits bound splits batches without changing any number', async () => {
    const whole = await open(layout);
    const split = await open(layout, { logitsBytes: 4 * V * 12 });
    const a = await whole.scoreTokens(cases);
    const b = await split.scoreTokens(cases);
    a.forEach((s, i) => s.logProbs.forEach((v, t) => expect(Math.abs(b[i]!.logProbs[t]! - v)).toBeLessThan(1e-5)));
    const options = { steps: 10, sampling: sampling(3, 20, 0.95) };
    expect(arrays(await split.generate(cases, options))).toEqual(
      arrays(await whole.generate(cases, { ...options, sampling: sampling(3, 20, 0.95) })),
    );
  });
});

describe('cache, no cache and merged agree', () => {
  const prompts = [cases[0]!, cases[1]!, Int32Array.of(PAD), cases[2]!.subarray(0, 4)];

  it.each<{ name: string; options: () => GenerateOptions }>([
    { name: 'plain sampling', options: () => ({ steps: 12, sampling: sampling(5) }) },
    { name: 'top-k 8, top-p 0.9, temperature 0.8', options: () => ({ steps: 12, sampling: sampling(6, 8, 0.9, 0.8) }) },
    { name: 'greedy with a stop token', options: () => ({ steps: 12, stopId: 111 }) },
  ])('the same seed gives the same tokens: $name (and the generic fallback too)', async ({ options }) => {
    const results: number[][][] = [];
    for (const layout of LAYOUTS) results.push(arrays(await (await open(layout)).generate(prompts, options())));
    results.push(arrays(await (await open('cache', { useCache: false })).generate(prompts, options())));
    results.push(arrays(await generateByPrefixes(await open('cache'), prompts, options())));
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
    if (options().stopId !== undefined) expect(results[0]!.every((row) => row.length === 12 || row.at(-1) === 111)).toBe(true);
  });

  it('scores within 1e-4 across layouts and the per-prefix fallback', async () => {
    const reference = await scoreByPrefixes(await open('nocache'), cases);
    for (const layout of LAYOUTS) {
      const scores = await (await open(layout)).scoreTokens(cases);
      scores.forEach((s, i) =>
        s.logProbs.forEach((v, t) => {
          expect(Math.abs(v - reference[i]!.logProbs[t]!)).toBeLessThan(1e-4);
          expect(Math.abs(s.mean[t]! - reference[i]!.mean[t]!)).toBeLessThan(1e-4);
          expect(s.ranks[t]).toBe(reference[i]!.ranks[t]);
        }),
      );
    }
  });
});

describe('forking a shared prefix', () => {
  it('generate with equal prompts: the prompt computed once and forked equals the unforked runs', async () => {
    const prompt = cases[0]!.subarray(0, 5);
    const model = await open('cache');
    const forked = await model.generate([prompt, prompt, prompt, prompt], { steps: 10, sampling: sampling(8) });
    // One prefill row, then 4 rows per step after the first token.
    expect(model.queries).toBe(1 + 4 * 9);
    const unforked = await generateByPrefixes(await open('nocache'), [prompt, prompt, prompt, prompt], {
      steps: 10,
      sampling: sampling(8),
    });
    expect(arrays(forked)).toEqual(arrays(unforked));
    expect(new Set(forked.map((r) => r.join(','))).size).toBeGreaterThan(1);
  });

  it('continuationScores: each continuation after the forked prefix equals scoring prefix + continuation whole', async () => {
    const prefix = cases[2]!.subarray(0, 6);
    const continuations = [cases[2]!.subarray(6, 12), Int32Array.of(5), Int32Array.of(), cases[0]!, Int32Array.of(PAD, 7)];
    for (const layout of LAYOUTS) {
      const model = await open(layout);
      const got = await model.continuationScores(prefix, continuations);
      if (layout !== 'nocache') expect(model.queries).toBe(1 + 3);
      const direct = await continuationsByPrefixes(await open('nocache'), prefix, continuations);
      expect(Array.from(got.offsets)).toEqual(Array.from(direct.offsets));
      got.logProbs.forEach((v, j) => expect(Math.abs(v - direct.logProbs[j]!)).toBeLessThan(1e-4));
      expect(Array.from(got.ranks)).toEqual(Array.from(direct.ranks));
      const whole = await model.scoreTokens([Int32Array.from([...prefix, ...cases[0]!])]);
      const fromWhole = whole[0]!.logProbs.subarray(prefix.length - 1);
      fromWhole.forEach((v, j) => expect(Math.abs(got.logProbs[got.offsets[3]! + j]! - v)).toBeLessThan(1e-5));
    }
  });
});

describe('context cap (model.context)', () => {
  it('positions past the cap are scored from their last `context` tokens', async () => {
    const model = await open('cache', { context: 8 });
    const [capped] = await model.scoreTokens([cases[2]!]);
    const [full] = await model.scoreTokens([cases[2]!.subarray(0, 8)]);
    full!.logProbs.forEach((v, t) => expect(capped!.logProbs[t]).toBe(v));
    const window = await model.nextLogProbs([cases[2]!.subarray(0, 15)]);
    expect(capped!.logProbs[14]).toBeCloseTo(window[cases[2]![15]!]!, 10);
    const [alone] = await model.scoreTokens([cases[2]!.subarray(7, 16)]);
    expect(capped!.logProbs[14]).toBeCloseTo(alone!.logProbs[7]!, 5);
  });
});

describe("past the model's 64 positions", () => {
  const long = Int32Array.from({ length: 70 }, (_, i) => (i * 37) % V);

  it('without model.context: an InputError pointing to model.context', async () => {
    const model = await open('cache');
    const error = await model.scoreTokens([long]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/refused 70 tokens per row .*set model.context/);
    expect((error as InputError).location).toMatchObject({ file: `${dir}/tiny-gpt2-cache.onnx`, field: 'model.context' });
    await expect(model.generate([Int32Array.of(1)], { steps: 70 })).rejects.toThrow(/refused 65 tokens per row/);
  });

  it('with model.context 64: scored and generated in windows, the same as the cache up to 64 tokens', async () => {
    const capped = await open('cache', { context: 64 });
    const [scores] = await capped.scoreTokens([long]);
    expect(scores!.logProbs).toHaveLength(69);
    const [head] = await (await open('cache')).scoreTokens([long.subarray(0, 64)]);
    head!.logProbs.forEach((v, t) => expect(scores!.logProbs[t]).toBe(v));
    const [windowed] = await capped.generate([Int32Array.of(1)], { steps: 70 });
    const [cached] = await (await open('cache')).generate([Int32Array.of(1)], { steps: 64 });
    expect(windowed).toHaveLength(70);
    expect(Array.from(windowed!.subarray(0, 64))).toEqual(Array.from(cached!));
    const cont = await capped.continuationScores(long.subarray(0, 60), [long.subarray(60)]);
    expect(cont.logProbs).toHaveLength(10);
    cont.logProbs.forEach((v, j) => expect(v).toBeCloseTo(scores!.logProbs[59 + j]!, 4));
  });
});

describe('errors', () => {
  it('an empty prompt is an InputError naming the model', async () => {
    const model = await open('cache');
    await expect(model.generate([Int32Array.of()], { steps: 2 })).rejects.toThrow(InputError);
    await expect(model.continuationScores(Int32Array.of(), [Int32Array.of(1)])).rejects.toThrow(/empty prompt/);
  });

  it('non-finite logits: NonFiniteOutput naming the model, the output and how many rows', async () => {
    const path = 'test/fixtures/models/decoder-nan.onnx';
    const model = (await openDecoderModel({ path, scores: 'auto' }))!;
    expect(model.info.decoder).toMatchObject({ cache: true, layers: 1 });
    await expect(model.scoreTokens([Int32Array.of(1, 2, 0)])).resolves.toHaveLength(1);
    const error = await model.scoreTokens([Int32Array.of(1, 2), Int32Array.of(1, 3, 2), Int32Array.of(3, 0)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteOutput);
    expect((error as NonFiniteOutput).message).toMatch(
      /model output "logits" holds non-finite values \(NaN\) in 2 of 3 rows queried, the first at row 2/,
    );
    expect((error as NonFiniteOutput).location).toMatchObject({ file: path, field: 'model.output' });
    // Generation reaches token 3 from 2 (W's argmax) … and stops there with the same error.
    await expect(model.generate([Int32Array.of(3)], { steps: 3 })).rejects.toThrow(NonFiniteOutput);
    await expect(model.continuationScores(Int32Array.of(1), [Int32Array.of(3, 1)])).rejects.toThrow(NonFiniteOutput);
  });

  it('a present that does not grow with the past is a shape mismatch naming the output', async () => {
    const path = 'test/fixtures/models/decoder-stale-present.onnx';
    const model = (await openDecoderModel({ path, scores: 'auto' }))!;
    const error = await model.generate([Int32Array.of(1, 2)], { steps: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/shape mismatch: decoder output "present\.0\.key" is \[1, 1, 0, 2\] after 0 \+ 2 tokens/);
    expect((error as InputError).location?.file).toBe(path);
  });

  it('a policy override naming a missing mask input is an InputError', async () => {
    await expect(openDecoderModel({ path: `${dir}/tiny-gpt2-cache.onnx`, scores: 'auto', attentionMask: 'mask' })).rejects.toThrow(
      /no input "mask"/,
    );
  });
});

describe('openSequenceModel', () => {
  it('opens decoder exports with the decoder adapter and other models with the plain one', async () => {
    const decoder: SequenceModel = await openSequenceModel({ path: `${dir}/tiny-gpt2-cache.onnx`, scores: 'auto' });
    expect(decoder.info.decoder?.cache).toBe(true);
    expect('generate' in decoder).toBe(true);
    const plain = await openSequenceModel({ path: 'test/fixtures/models/seq-bigram-mask.onnx', scores: 'auto' });
    expect(plain.info.decoder).toBeUndefined();
    expect('scoreTokens' in plain).toBe(false);
    const direct = await openOnnxSequenceModel({ path: 'test/fixtures/models/seq-bigram-mask.onnx', scores: 'auto' });
    expect(await plain.nextLogProbs([Int32Array.of(1, 2)])).toEqual(await direct.nextLogProbs([Int32Array.of(1, 2)]));
  });
});
