/**
 * The per-text membership scores against values worked out by hand, and Min-K%++ against its
 * paper's definition (Zhang et al. 2024, eq. 2: z_t = (log p(x_t) − μ_t) / σ_t with μ_t and σ_t
 * the mean and standard deviation of log p(z) for z drawn from the model's own next-token
 * distribution).
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkRevealed,
  lossScore,
  lowestCount,
  minKPlusPlusScore,
  minKScore,
  referenceScore,
  standardisedLogProbs,
  zlibLength,
  zlibScore,
} from '../../src/metrics/text-membership';
import { positionScore } from '../../src/model/sequence-ops';

const ln = Math.log;

describe('loss, zlib and reference', () => {
  it('loss is the mean token log-likelihood', () => {
    expect(lossScore([-1, -2, -3])).toBe(-2);
    expect(lossScore([ln(0.5)])).toBeCloseTo(-0.693147, 6);
  });

  it('zlib divides the mean log-likelihood by the zlib length in bytes (level 6, UTF-8)', () => {
    // "hello world" deflates to 19 bytes (2 header + 13 data + 4 Adler-32), as Python's zlib.compress gives.
    expect(zlibLength('hello world')).toBe(19);
    expect(zlibScore([-1, -2, -3], 'hello world')).toBeCloseTo(-2 / 19, 12);
    // Bytes, not characters: "é" is two bytes in UTF-8.
    expect(zlibLength('é'.repeat(40))).toBe(deflateSync(Buffer.from('é'.repeat(40), 'utf8'), { level: 6 }).length);
    // A repetitive text compresses better, so the same likelihood is discounted more.
    expect(zlibScore([-1], 'ab'.repeat(200))).toBeLessThan(zlibScore([-1], 'the quick brown fox jumps over the lazy dog'));
  });

  it('reference is the target mean log-likelihood minus the reference model’s', () => {
    expect(referenceScore([-1, -1], [-2, -4])).toBe(2);
    expect(() => referenceScore([-1, -1], [-2])).toThrow(/same text/);
  });

  it('a text with no scored token is refused', () => {
    expect(() => lossScore([])).toThrow(/at least one scored token/);
  });
});

describe('Min-K%: how many tokens are the k% lowest', () => {
  it.each([
    // [tokens, k, count]: floor(T·k) as the reference's int(len · ratio), but at least 1.
    [10, 0.2, 2],
    [10, 0.3, 3], // 10 · 0.3 = 3.0000000000000004 in float64
    [10, 0.7, 7],
    [5, 0.2, 1],
    [3, 0.2, 1], // the reference's int(0.6) = 0 would average nothing
    [1, 0.2, 1],
    [100, 0.29, 29], // 100 · 0.29 = 28.999999999999996: the slack keeps what was written
    [7, 1, 7],
  ])('%i tokens at k = %f → %i', (tokens, k, count) => {
    expect(lowestCount(tokens, k)).toBe(count);
  });

  it('k must be in (0, 1]', () => {
    expect(() => lowestCount(10, 0)).toThrow(/k must be in/);
    expect(() => lowestCount(10, 1.5)).toThrow(/k must be in/);
  });

  it('min-k averages the lowest log-probabilities, whatever their order', () => {
    const lp = [-0.1, -0.5, -1.0, -0.2, -0.3, -0.4, -0.9, -0.6, -0.7, -0.8];
    expect(minKScore(lp, 0.2)).toBeCloseTo(-0.95, 12);
    expect(minKScore(lp, 1)).toBeCloseTo(-0.55, 12);
    expect(minKScore([-2, -Infinity, -1], 0.2)).toBe(-Infinity);
  });
});

describe('Min-K%++ against the paper’s definition', () => {
  // Two tokens with p = (3/4, 1/4): μ = ¾ln¾ + ¼ln¼, σ = sqrt(p(1 − p))·|ln¾ − ln¼| = sqrt(3)/4 · ln 3,
  // so z(token 0) = ¼ ln 3 / σ = 1/sqrt(3) and z(token 1) = −¾ ln 3 / σ = −sqrt(3).
  const row = [ln(0.75), ln(0.25)];
  const mu = 0.75 * ln(0.75) + 0.25 * ln(0.25);
  const sigma = (Math.sqrt(3) / 4) * ln(3);

  it('μ and σ from the whole next-token distribution (positionScore) are the hand-computed ones', () => {
    const s = positionScore(row, 0, 2, 0);
    expect(s.mean).toBeCloseTo(mu, 12);
    expect(s.std).toBeCloseTo(sigma, 12);
  });

  it('z_t = (log p(x_t) − μ_t) / σ_t', () => {
    const z = standardisedLogProbs({ logProbs: [row[0]!, row[1]!], mean: [mu, mu], std: [sigma, sigma] });
    expect(z[0]).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(z[1]).toBeCloseTo(-Math.sqrt(3), 12);
  });

  it('averages the k% lowest z, not the z of the k% lowest log-probabilities', () => {
    // Token A: log p = −3 but the model was unsure anyway (μ −3, σ 1): z = 0.
    // Token B: log p = −1 where the model expected −0.2 with σ 0.1: z = −8.
    const scores = { logProbs: [-3, -1, -0.5, -0.5, -0.5], mean: [-3, -0.2, -0.5, -0.5, -0.5], std: [1, 0.1, 1, 1, 1] };
    expect(minKPlusPlusScore(scores, 0.2)).toBeCloseTo(-8, 12);
    expect(minKScore(scores.logProbs, 0.2)).toBe(-3);
    expect(minKPlusPlusScore(scores, 0.4)).toBeCloseTo(-4, 12);
  });

  it('σ = 0: z is 0 for a token as likely as expected, −∞ for an impossible one (the reference divides by zero)', () => {
    const z = standardisedLogProbs({ logProbs: [ln(0.5), -Infinity, 0], mean: [ln(0.5), ln(0.5), 0], std: [0, 0, 0] });
    expect(Array.from(z)).toEqual([0, -Infinity, 0]);
    // A uniform distribution's σ is cancellation noise in float64, not exactly 0: still z = 0.
    const uniform = new Array<number>(50).fill(-ln(50));
    const s = positionScore(uniform, 0, 50, 7);
    expect(standardisedLogProbs({ logProbs: [s.logProb], mean: [s.mean], std: [s.std] })[0]).toBeCloseTo(0, 6);
  });

  it('refuses μ or σ of another length', () => {
    expect(() => standardisedLogProbs({ logProbs: [-1, -2], mean: [-1], std: [1, 1] })).toThrow(/one value per token/);
  });
});

describe('checkRevealed', () => {
  it('finds the first score the surface hid (NaN); −∞ is a revealed 0', () => {
    expect(checkRevealed([-1, -Infinity, -2])).toBe(-1);
    expect(checkRevealed([-1, NaN, NaN])).toBe(1);
  });
});

describe('hidden μ or σ', () => {
  it('is refused, not read as σ = 0', () => {
    expect(() => standardisedLogProbs({ logProbs: [-1], mean: [NaN], std: [NaN] })).toThrow(/hidden score/);
  });
});
