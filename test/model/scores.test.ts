import { describe, expect, it } from 'vitest';
import { detectScoreKind, softmaxRows, toProbabilities } from '../../src/model/scores';

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

describe('softmaxRows', () => {
  it('matches exp(z)/Σexp(z) computed by hand, and survives huge logits', () => {
    const out = new Float32Array(6);
    softmaxRows([0, Math.log(3), 0, 1000, 1000, 0], 2, 3, out);
    // Row 1: e^0 = 1, e^ln3 = 3, e^0 = 1 → 1/5, 3/5, 1/5. Row 2: two equal giants → ½, ½, 0.
    expect([...out].map((v) => +v.toFixed(6))).toEqual([0.2, 0.6, 0.2, 0.5, 0.5, 0]);
  });
});

describe('toProbabilities', () => {
  it('expands a single sigmoid logit into two classes', () => {
    const out = new Float32Array(2);
    toProbabilities(Float32Array.of(0), 1, 1, 'logits', out);
    expect([...out]).toEqual([0.5, 0.5]);
  });
});
