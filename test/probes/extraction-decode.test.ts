import { describe, expect, it } from 'vitest';
import { greedyDecode, sampleDecode, sampleRow } from '../../src/probes/extraction/decode';
import { rngFor } from '../../src/util/random';
import { FunctionModel, logSoftmax } from './extraction-helpers';

const SOURCE = { probe: 'the decoder test' };

/** Next token = (last + 1) mod 5 with probability ~0.9: a cycle greedy decoding follows. */
const cycle = (context: Int32Array) => {
  const logits = [0, 0, 0, 0, 0];
  logits[((context.at(-1) ?? 0) + 1) % 5] = 4;
  return logSoftmax(logits);
};

describe('decoders', () => {
  it('greedy: batched across prompts of different lengths, one call per step', async () => {
    const model = new FunctionModel(5, cycle);
    const out = await greedyDecode(model, [Int32Array.from([0]), Int32Array.from([3, 3, 3])], 4, SOURCE);
    expect(out.map((o) => [...o])).toEqual([
      [1, 2, 3, 4],
      [4, 0, 1, 2],
    ]);
    expect(model.calls).toBe(4);
    expect(model.queries).toBe(8);
  });

  it('temperature 0 is greedy; sampling is seeded and needs revealed scores', async () => {
    const prompts = [Int32Array.from([0]), Int32Array.from([2])];
    const greedy = await sampleDecode(new FunctionModel(5, cycle), prompts, 3, { temperature: 0, topK: 0, rng: rngFor(1, 's') }, SOURCE);
    expect(greedy.map((o) => [...o])).toEqual([
      [1, 2, 3],
      [3, 4, 0],
    ]);
    const a = await sampleDecode(new FunctionModel(5, cycle), prompts, 20, { temperature: 1, topK: 0, rng: rngFor(1, 's') }, SOURCE);
    const b = await sampleDecode(new FunctionModel(5, cycle), prompts, 20, { temperature: 1, topK: 0, rng: rngFor(1, 's') }, SOURCE);
    expect(a).toEqual(b);
    const label = new FunctionModel(5, cycle, { scores: 'label', topK: 0 });
    await expect(sampleDecode(label, prompts, 2, { temperature: 1, topK: 0, rng: rngFor(1, 's') }, SOURCE)).rejects.toThrow(
      /needs next-token scores/,
    );
  });
});

describe('sampleRow', () => {
  const draw = (lp: number[], options: { temperature: number; topK: number }, n = 20_000, hidden?: Uint8Array) => {
    const rng = rngFor(9, 'draws');
    const counts = new Array<number>(lp.length).fill(0);
    for (let i = 0; i < n; i++) counts[sampleRow(Float64Array.from(lp), { ...options, rng }, hidden)]! += 1;
    return counts.map((c) => c / n);
  };
  const lp = [0.6, 0.3, 0.1].map(Math.log);

  it.each([
    { name: 'T = 1 follows the probabilities', options: { temperature: 1, topK: 0 }, expected: [0.6, 0.3, 0.1] },
    // p^(1/T) renormalised: 0.36, 0.09, 0.01 over 0.46.
    { name: 'T = 0.5 sharpens them', options: { temperature: 0.5, topK: 0 }, expected: [0.36 / 0.46, 0.09 / 0.46, 0.01 / 0.46] },
    { name: 'top-k 2 drops the least likely and renormalises', options: { temperature: 1, topK: 2 }, expected: [2 / 3, 1 / 3, 0] },
    { name: 'top-k 1 is greedy', options: { temperature: 1, topK: 1 }, expected: [1, 0, 0] },
  ])('$name', ({ options, expected }) => {
    draw(lp, options).forEach((f, i) => expect(Math.abs(f - expected[i]!)).toBeLessThan(0.015));
  });

  it('hidden (the surface says so, whatever the value) and zero-probability tokens are never drawn', () => {
    const hidden = Uint8Array.of(0, 1, 0, 0, 1);
    const f = draw([Math.log(0.25), Math.log(0.25), -Infinity, Math.log(0.25), Math.log(0.25)], { temperature: 1, topK: 0 }, 2000, hidden);
    expect(f[1]).toBe(0);
    expect(f[2]).toBe(0);
    expect(f[4]).toBe(0);
    expect(f[0]! + f[3]!).toBe(1);
  });
});
