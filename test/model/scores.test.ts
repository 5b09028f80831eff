import { describe, expect, it } from 'vitest';
import { detectScoreKind, findNonFinite, logSoftmaxRows, toClassScores } from '../../src/model/scores';

describe('detectScoreKind', () => {
  it.each([
    { name: 'rows summing to 1', raw: [0.2, 0.8, 0.5, 0.5], width: 2, kind: 'probabilities' },
    { name: 'a negative score', raw: [-1, 2, 0.5, 0.5], width: 2, kind: 'logits' },
    { name: 'rows not summing to 1', raw: [0.2, 0.2, 0.5, 0.5], width: 2, kind: 'logits' },
    { name: 'one column inside [0, 1]', raw: [0.3, 0.9], width: 1, kind: 'probabilities' },
    { name: 'one column outside [0, 1]', raw: [0.3, 4.2], width: 1, kind: 'logits' },
  ])('$name → $kind', ({ raw, width, kind }) => {
    expect(detectScoreKind(Float32Array.from(raw), raw.length / width, width).kind).toBe(kind);
  });
});

describe('logSoftmaxRows', () => {
  it('matches z − log Σ exp(z) computed by hand, survives huge logits, and keeps a confident row below 0', () => {
    const out = new Float64Array(9);
    logSoftmaxRows([0, Math.log(3), 0, 1000, 1000, 0, 40, 0, 0], 3, 3, out);
    // Row 1: e^0 = 1, e^ln3 = 3, e^0 = 1 → 1/5, 3/5, 1/5. Row 2: two equal giants → ½, ½, 0.
    expect([...out.subarray(0, 6)].map((v) => +Math.exp(v).toFixed(6))).toEqual([0.2, 0.6, 0.2, 0.5, 0.5, 0]);
    // Row 3: log p_0 = −log1p(2e⁻⁴⁰) ≈ −8.5e−18, not 0 (float64 p_0 would round to exactly 1).
    expect(out[6]! / (-2 * Math.exp(-40))).toBeCloseTo(1, 12);
  });
});

describe('toClassScores', () => {
  it.each([
    { kind: 'logits' as const, raw: 1.5, want: [0, 1.5] },
    { kind: 'probabilities' as const, raw: 0.25, want: [0.75, 0.25] },
  ])('expands a single $kind column into two classes', ({ kind, raw, want }) => {
    const out = new Float64Array(2);
    toClassScores(Float32Array.of(raw), 1, 1, kind, out);
    expect([...out]).toEqual(want);
  });
});

describe('findNonFinite', () => {
  it('counts rows holding NaN or ±Infinity and names the first', () => {
    const values = [0, 1, NaN, 2, 3, 4, Infinity, -Infinity, -Infinity, 5];
    expect(findNonFinite(Float32Array.from(values), 5, 2)).toEqual({ count: 3, first: 1, value: NaN });
    expect(findNonFinite(Float32Array.of(0, 1, 1e38), 3, 1)).toBeUndefined();
  });
});
