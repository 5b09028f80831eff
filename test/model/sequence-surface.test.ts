/**
 * ObservedSequence's whole-sequence operations: what each output surface reveals of per-token
 * scores, continuation scores and generations (src/model/sequence-surface.ts).
 */
import { describe, expect, it } from 'vitest';
import { positionScore } from '../../src/model/sequence-ops';
import { ObservedSequence } from '../../src/model/sequence-surface';
import type { SurfaceSettings } from '../../src/policy/types';
import { FunctionSequenceModel } from '../probes/extraction-helpers';

// Every context gets the same next-token distribution: [0.5, 0.3, 0.15, 0.05].
const P = [0.5, 0.3, 0.15, 0.05];
const row = Float64Array.from(P, Math.log);
const model = () => new FunctionSequenceModel(4, () => row);
const source = { probe: 'test' };
const sequence = Int32Array.of(0, 1, 3, 2, 0);
// Tokens 1, 3, 2, 0 scored: ranks 1, 3, 2, 0.
const ranks = [1, 3, 2, 0];
const direct = positionScore(row, 0, 4, 0);

const surfaces: Array<{ name: string; surface: SurfaceSettings; logProbs: number[]; whole: boolean; ranks: number[] }> = [
  { name: 'full', surface: { scores: 'full', topK: 0 }, logProbs: [0.3, 0.05, 0.15, 0.5].map(Math.log), whole: true, ranks },
  {
    name: 'top-k 2: rank ≥ 2 hidden, ranks from 2 on read as 2',
    surface: { scores: 'top-k', topK: 2 },
    logProbs: [Math.log(0.3), NaN, NaN, Math.log(0.5)],
    whole: false,
    ranks: [1, 2, 2, 0],
  },
  {
    name: 'top-k 4 = the whole vocabulary',
    surface: { scores: 'top-k', topK: 4 },
    logProbs: [0.3, 0.05, 0.15, 0.5].map(Math.log),
    whole: true,
    ranks,
  },
  {
    name: 'full, 1 decimal: 0.05 rounds to 0.1, 0.15 to 0.2 (and μ/σ hidden)',
    surface: { scores: 'full', topK: 0, decimals: 1 },
    logProbs: [0.3, 0.1, 0.2, 0.5].map(Math.log),
    whole: false,
    ranks,
  },
  {
    name: 'full, float32: each probability rounded to float32 (μ/σ of the unrounded row)',
    surface: { scores: 'full', topK: 0, precision: 'float32' },
    logProbs: [0.3, 0.05, 0.15, 0.5].map((p) => Math.log(Math.fround(p))),
    whole: true,
    ranks,
  },
  {
    name: 'full, 0 decimals: every score rounds to 0 or 1',
    surface: { scores: 'full', topK: 0, decimals: 0 },
    logProbs: [-Infinity, -Infinity, -Infinity, Math.log(1)],
    whole: false,
    ranks,
  },
];

describe('ObservedSequence.score', () => {
  it.each(surfaces)('$name', async ({ surface, logProbs, whole, ranks: wantRanks }) => {
    const [scores] = await new ObservedSequence(model(), surface).score([sequence], source);
    logProbs.forEach((v, t) => (Number.isNaN(v) ? expect(scores!.logProbs[t]).toBeNaN() : expect(scores!.logProbs[t]).toBeCloseTo(v, 12)));
    for (let t = 0; t < 4; t++) {
      if (whole) {
        expect(scores!.mean[t]).toBeCloseTo(direct.mean, 12);
        expect(scores!.std[t]).toBeCloseTo(direct.std, 12);
      } else {
        expect(scores!.mean[t]).toBeNaN();
        expect(scores!.std[t]).toBeNaN();
      }
    }
    expect(Array.from(scores!.ranks)).toEqual(wantRanks);
  });

  it('a label-only surface refuses scores and continuation sums, but generates', async () => {
    const observed = new ObservedSequence(model(), { scores: 'label', topK: 0 });
    await expect(observed.score([sequence], source)).rejects.toThrow(/label-only/);
    await expect(observed.continuations(Int32Array.of(0), [Int32Array.of(1)], source)).rejects.toThrow(/label-only/);
    const [tokens] = await observed.generate([Int32Array.of(2)], { steps: 3 }, source);
    expect(Array.from(tokens!)).toEqual([0, 0, 0]);
  });
});

describe('ObservedSequence.next under float32 precision', () => {
  it('a memorised token (p = 1 − 1e-9) reads as exactly 1, log p = 0, as a float32 API reveals it', async () => {
    const sure = Float64Array.from([1 - 1e-9, 5e-10, 3e-10, 2e-10], Math.log);
    const observed = new ObservedSequence(new FunctionSequenceModel(4, () => sure), { scores: 'full', topK: 0, precision: 'float32' });
    const seen = await observed.next([Int32Array.of(1)], source);
    expect(seen.logProbs![0]).toBe(0);
    expect(seen.logProbs![1]).toBe(Math.log(Math.fround(5e-10)));
    const unrounded = await new ObservedSequence(new FunctionSequenceModel(4, () => sure), { scores: 'full', topK: 0 }).next(
      [Int32Array.of(1)],
      source,
    );
    expect(unrounded.logProbs![0]).toBeLessThan(0);
  });
});

describe('ObservedSequence.continuations', () => {
  const continuations = [Int32Array.of(1, 0), Int32Array.of(3), Int32Array.of()];
  it.each([
    { name: 'full: Σ log p', surface: { scores: 'full', topK: 0 } as SurfaceSettings, want: [Math.log(0.3 * 0.5), Math.log(0.05), 0] },
    {
      name: 'top-k 2: NaN when a token is hidden',
      surface: { scores: 'top-k', topK: 2 } as SurfaceSettings,
      want: [Math.log(0.3 * 0.5), NaN, 0],
    },
    {
      name: 'full, 1 decimal: rounded probabilities',
      surface: { scores: 'full', topK: 0, decimals: 1 } as SurfaceSettings,
      want: [Math.log(0.3 * 0.5), Math.log(0.1), 0],
    },
  ])('$name', async ({ surface, want }) => {
    const m = model();
    const sums = await new ObservedSequence(m, surface).continuations(Int32Array.of(2), continuations, source);
    want.forEach((v, i) => (Number.isNaN(v) ? expect(sums[i]).toBeNaN() : expect(sums[i]).toBeCloseTo(v, 12)));
    expect(m.queries).toBe(3);
  });
});
