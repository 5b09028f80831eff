/**
 * The whole-sequence operations (src/model/sequence-ops.ts): hand-computed position scores, token
 * choice against the renormalised distributions it must sample from, and the nextLogProbs
 * fallbacks against direct computations on a plain-function model.
 */
import { describe, expect, it } from 'vitest';
import { logSoftmaxRows } from '../../src/model/scores';
import { chooseToken, continuationScores, generate, positionScore, rowSamplers, scoreTokens } from '../../src/model/sequence-ops';
import type { SamplingOptions } from '../../src/model/sequence-types';
import { Rng } from '../../src/util/random';
import { FunctionSequenceModel, hashModel } from '../probes/extraction-helpers';

const LN2 = Math.LN2;
const logs = (...p: number[]) => Float64Array.from(p, Math.log);

describe('positionScore', () => {
  // p = [1/2, 1/4, 1/4]: log p = [−ln2, −2ln2, −2ln2]; μ = Σ p log p = −1.5 ln2;
  // E[(log p)²] = 2.5 ln²2, so σ = √(2.5 − 2.25) ln2 = ln2 / 2.
  it.each([
    { token: 0, logProb: -LN2, rank: 0 },
    { token: 1, logProb: -2 * LN2, rank: 1 }, // token 2 ties with it but has a higher id
    { token: 2, logProb: -2 * LN2, rank: 2 }, // token 1 ties with it and has a lower id
  ])('token $token of [1/2, 1/4, 1/4]: log p, μ, σ, rank $rank', ({ token, logProb, rank }) => {
    const score = positionScore(logs(0.5, 0.25, 0.25), 0, 3, token);
    expect(score.logProb).toBeCloseTo(logProb, 12);
    expect(score.mean).toBeCloseTo(-1.5 * LN2, 12);
    expect(score.std).toBeCloseTo(LN2 / 2, 12);
    expect(score.rank).toBe(rank);
  });

  it('reads the row at an offset, and a zero probability adds nothing to μ and σ', () => {
    const rows = Float64Array.from([0, 0, ...logs(0.5, 0.5, 0)]);
    const score = positionScore(rows, 2, 3, 2);
    expect(score).toEqual({ logProb: -Infinity, mean: -LN2, std: 0, rank: 2 });
  });
});

/** Empirical frequencies of `draws` choices with one seeded rng. */
function frequencies(row: Float64Array, sampling: Omit<SamplingOptions, 'rng'>, draws: number, seed = 7): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(row.length).fill(0);
  for (let i = 0; i < draws; i++) counts[chooseToken(row, 0, row.length, { ...sampling, rng })]!++;
  return counts.map((c) => c / draws);
}

const normalise = (w: number[]) => w.map((v) => v / w.reduce((a, b) => a + b, 0));

describe('chooseToken', () => {
  it('greedy: the argmax, the lowest id on ties, with or without temperature 0', () => {
    const row = logs(0.1, 0.4, 0.4, 0.1);
    expect(chooseToken(row, 0, 4)).toBe(1);
    expect(chooseToken(row, 0, 4, { temperature: 0, topK: 0, topP: 1, rng: new Rng(1) })).toBe(1);
    expect(chooseToken(Float64Array.from([9, 9, ...row]), 2, 4)).toBe(1);
  });

  const p = [0.4, 0.3, 0.2, 0.1];
  // 40,000 draws: a frequency's standard error is below 0.0025, so 0.012 is about 5 of them.
  it.each([
    { name: 'plain sampling', temperature: 1, topK: 0, topP: 1, want: p },
    { name: 'temperature 2 flattens: p^(1/2) renormalised', temperature: 2, topK: 0, topP: 1, want: normalise(p.map(Math.sqrt)) },
    { name: 'temperature 0.5 sharpens: p² renormalised', temperature: 0.5, topK: 0, topP: 1, want: normalise(p.map((v) => v * v)) },
    { name: 'top-k 2', temperature: 1, topK: 2, topP: 1, want: [0.4 / 0.7, 0.3 / 0.7, 0, 0] },
    { name: 'top-p 0.5: the smallest head reaching 0.5', temperature: 1, topK: 0, topP: 0.5, want: [0.4 / 0.7, 0.3 / 0.7, 0, 0] },
    { name: 'top-p 0.8', temperature: 1, topK: 0, topP: 0.8, want: [0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9, 0] },
    // After top-k 3 the head is [4/9, 3/9, 2/9]: 4/9 + 3/9 ≥ 0.75 keeps two (over the whole row it would keep three).
    { name: 'top-k 3 then top-p 0.75 on the renormalised head', temperature: 1, topK: 3, topP: 0.75, want: [0.4 / 0.7, 0.3 / 0.7, 0, 0] },
  ])('$name', ({ temperature, topK, topP, want }) => {
    const got = frequencies(logs(...p), { temperature, topK, topP }, 40_000);
    got.forEach((f, i) => expect(Math.abs(f - want[i]!)).toBeLessThan(0.012));
  });

  it('top-k keeps the lower ids among tied tokens, and never draws a zero-probability token', () => {
    const got = frequencies(logs(0.3, 0.3, 0.3, 0.1, 0), { temperature: 1, topK: 2, topP: 1 }, 20_000);
    expect(got[2]).toBe(0);
    expect(got[3]).toBe(0);
    expect(got[4]).toBe(0);
    expect(Math.abs(got[0]! - 0.5)).toBeLessThan(0.02);
  });

  it('the same seed gives the same tokens', () => {
    const row = logs(...p);
    const draw = () => frequencies(row, { temperature: 1, topK: 0, topP: 0.9 }, 1, 42);
    expect(draw()).toEqual(draw());
  });

  it('top-k on a large vocabulary with ties at the k-th score draws exactly what a full sort would', () => {
    const width = 2000;
    const setup = new Rng(3);
    // Scores on a coarse grid, so many tokens tie, at the threshold too.
    const row = Float64Array.from({ length: width }, () => Math.round(setup.normal() * 4) / 2);
    const reference = (rng: Rng, topK: number, topP: number): number => {
      const order = Array.from({ length: width }, (_, c) => c).sort((a, b) => row[b]! - row[a]! || a - b);
      const head = order.slice(0, topK);
      let weights = head.map((c) => Math.exp(row[c]! - row[head[0]!]!));
      let total = weights.reduce((a, b) => a + b, 0);
      let mass = 0;
      const kept = weights.findIndex((w) => (mass += w / total) >= topP) + 1 || weights.length;
      weights = weights.slice(0, kept);
      total = weights.reduce((a, b) => a + b, 0);
      let u = rng.next() * total;
      for (let i = 0; i < kept; i++) if ((u -= weights[i]!) < 0) return head[i]!;
      return head[kept - 1]!;
    };
    for (const [topK, topP] of [
      [40, 1],
      [7, 0.6],
      [1, 1],
    ] as const) {
      const a = new Rng(11);
      const b = new Rng(11);
      for (let i = 0; i < 300; i++)
        expect(chooseToken(row, 0, width, { temperature: 1, topK, topP, rng: a })).toBe(reference(b, topK, topP));
    }
  });
  it('a row of logits draws the same tokens as its log-probabilities (the decoder samples from logits)', () => {
    const width = 1024;
    const setup = new Rng(9);
    const logits = Float32Array.from({ length: width }, () => 3 * setup.normal() + 40);
    const logProbs = new Float64Array(width);
    logSoftmaxRows(logits, 1, width, logProbs);
    for (const sampling of [
      { temperature: 0, topK: 0, topP: 1 },
      { temperature: 1, topK: 40, topP: 1 },
      { temperature: 0.7, topK: 0, topP: 0.9 },
    ]) {
      const a = new Rng(21);
      const b = new Rng(21);
      for (let i = 0; i < 500; i++)
        expect(chooseToken(logits, 0, width, { ...sampling, rng: a })).toBe(chooseToken(logProbs, 0, width, { ...sampling, rng: b }));
    }
  });
});

describe('rowSamplers', () => {
  it('one stream per row, seeded in row order from the caller rng; none without sampling', () => {
    expect(rowSamplers(3, undefined)).toEqual([undefined, undefined, undefined]);
    const rng = new Rng(5);
    const samplers = rowSamplers(2, { temperature: 1, topK: 0, topP: 1, rng });
    const seeds = new Rng(5);
    const first = new Rng(seeds.nextUint32());
    const second = new Rng(seeds.nextUint32());
    expect(samplers[0]!.rng.next()).toBe(first.next());
    expect(samplers[1]!.rng.next()).toBe(second.next());
  });
});

describe('fallbacks through nextLogProbs', () => {
  const V = 7;
  const fn = hashModel(V, 3);
  const model = () => new FunctionSequenceModel(V, fn);

  it('scoreTokens: every position scored from its prefix, one query per position', async () => {
    const m = model();
    const sequences = [Int32Array.of(1, 4, 2, 6), Int32Array.of(3), Int32Array.of(5, 0)];
    const scores = await scoreTokens(m, sequences);
    sequences.forEach((s, i) => {
      expect(scores[i]!.logProbs).toHaveLength(Math.max(0, s.length - 1));
      for (let t = 1; t < s.length; t++) {
        const direct = positionScore(fn(s.subarray(0, t)), 0, V, s[t]!);
        expect(scores[i]!.logProbs[t - 1]).toBe(direct.logProb);
        expect(scores[i]!.mean[t - 1]).toBe(direct.mean);
        expect(scores[i]!.std[t - 1]).toBe(direct.std);
        expect(scores[i]!.ranks[t - 1]).toBe(direct.rank);
      }
    });
    expect(m.queries).toBe(3 + 0 + 1);
  });

  it('generate, greedy: the argmax of each extended context; a row stops after its stop token', async () => {
    const prompts = [Int32Array.of(1), Int32Array.of(2, 3)];
    const out = await generate(model(), prompts, { steps: 5 });
    prompts.forEach((prompt, i) => {
      const context = Array.from(prompt);
      for (let s = 0; s < 5; s++) {
        const row = fn(Int32Array.from(context));
        const best = row.indexOf(Math.max(...row));
        expect(out[i]![s]).toBe(best);
        context.push(best);
      }
    });
    const stopAt = out[0]![1]!;
    const stopped = await generate(model(), prompts, { steps: 5, stopId: stopAt });
    expect(Array.from(stopped[0]!)).toEqual(Array.from(out[0]!.subarray(0, out[0]!.indexOf(stopAt) + 1)));
  });

  it('generate, sampled: a row that stops early does not change the others (one stream per row)', async () => {
    const prompts = [Int32Array.of(1), Int32Array.of(2), Int32Array.of(4)];
    const sampling = (seed: number) => ({ temperature: 1, topK: 0, topP: 1, rng: new Rng(seed) });
    const free = await generate(model(), prompts, { steps: 6, sampling: sampling(9) });
    const stopId = free[0]![0]!;
    const stopping = await generate(model(), prompts, { steps: 6, sampling: sampling(9), stopId });
    expect(Array.from(stopping[0]!)).toEqual([stopId]);
    for (const i of [1, 2]) {
      const cut = free[i]!.indexOf(stopId);
      expect(Array.from(stopping[i]!)).toEqual(Array.from(cut < 0 ? free[i]! : free[i]!.subarray(0, cut + 1)));
    }
    const again = await generate(model(), prompts, { steps: 6, sampling: sampling(9) });
    expect(again).toEqual(free);
  });

  it('continuationScores: each token scored after the prefix and the continuation so far', async () => {
    const prefix = Int32Array.of(2, 5);
    const continuations = [Int32Array.of(1, 3, 3), Int32Array.of(), Int32Array.of(6)];
    const m = model();
    const got = await continuationScores(m, prefix, continuations);
    expect(Array.from(got.offsets)).toEqual([0, 3, 3, 4]);
    continuations.forEach((c, i) => {
      for (let j = 0; j < c.length; j++) {
        const direct = positionScore(fn(Int32Array.from([...prefix, ...c.subarray(0, j)])), 0, V, c[j]!);
        expect(got.logProbs[got.offsets[i]! + j]).toBe(direct.logProb);
        expect(got.ranks[got.offsets[i]! + j]).toBe(direct.rank);
      }
    });
    expect(m.queries).toBe(4);
  });
});
