import { describe, expect, it } from 'vitest';
import { observe } from '../../src/model/surface';
import type { ClassScores } from '../../src/model/types';

const probs: ClassScores = { kind: 'probabilities', values: Float32Array.of(0.1, 0.6, 0.3, 0.25, 0.25, 0.5) };
const values = (o: ReturnType<typeof observe>) => [...o.scores!.values];

describe('observe (output surface)', () => {
  it('full: reveals every probability as the model gave it, and the argmax label', () => {
    const o = observe(probs, 2, 3, { scores: 'full', topK: 3 });
    expect([...o.labels]).toEqual([1, 2]);
    expect(o.scores).toMatchObject({ scale: 'probability' });
    expect(o.scores!.hidden).toBeUndefined();
    expect(values(o)).toEqual([...probs.values]);
  });

  it.each([
    { name: 'full', surface: { scores: 'full', topK: 3 }, type: Float32Array, same: true },
    { name: 'float32 precision', surface: { scores: 'full', topK: 3, precision: 'float32' }, type: Float64Array, same: false },
    { name: 'decimals', surface: { scores: 'full', topK: 3, decimals: 2 }, type: Float64Array, same: false },
    { name: 'top-k', surface: { scores: 'top-k', topK: 2 }, type: Float64Array, same: false },
  ] as const)('$name: float32 probabilities are kept as they are only when nothing changes them', ({ surface, type, same }) => {
    const o = observe(probs, 2, 3, surface);
    expect(o.scores!.values).toBeInstanceOf(type);
    expect(o.scores!.values.buffer === probs.values.buffer).toBe(same);
  });

  it('top-k: the mask hides all but the k largest, ties broken by class index; hidden values are poisoned', () => {
    const o = observe(probs, 2, 3, { scores: 'top-k', topK: 2 });
    expect([...o.scores!.hidden!]).toEqual([1, 0, 0, 0, 1, 0]);
    const shown = values(o).map((v, i) => (o.scores!.hidden![i] ? Number.isNaN(v) : +v.toFixed(2)));
    expect(shown).toEqual([true, 0.6, 0.3, 0.25, true, 0.5]);
  });

  it('decimals: rounds what is revealed', () => {
    const o = observe({ kind: 'probabilities', values: Float32Array.of(0.123, 0.877) }, 1, 2, { scores: 'full', topK: 2, decimals: 1 });
    expect(values(o).map((v) => +v.toFixed(6))).toEqual([0.1, 0.9]);
  });

  it('label: reveals no scores at all', () => {
    const o = observe(probs, 2, 3, { scores: 'label', topK: 3 });
    expect(o.scores).toBeUndefined();
    expect([...o.labels]).toEqual([1, 2]);
  });

  it('logits: reveals log-probabilities in float64, so a confident row does not round to probability 1', () => {
    // Margin 30: p_0 = 1 − 2e⁻³⁰ rounds to 1 in float32 (and in float64), yet log p_0 = −log1p(2e⁻³⁰).
    const o = observe({ kind: 'logits', values: Float64Array.of(30, 0, 0) }, 1, 3, { scores: 'full', topK: 3 });
    expect(o.scores!.scale).toBe('log');
    expect(o.scores!.values[0]).toBeCloseTo(-2 * Math.exp(-30), 25);
    expect(o.scores!.values[0]).toBeLessThan(0);
    expect(o.scores!.values[1]).toBeCloseTo(-30 - 2 * Math.exp(-30), 12);
    expect([...o.labels]).toEqual([0]);
  });

  it.each([
    {
      name: 'precision: float32',
      surface: { precision: 'float32' as const },
      want: [1, Math.fround(Math.exp(-30)), Math.fround(Math.exp(-30))],
    },
    { name: 'decimals: 3', surface: { decimals: 3 }, want: [1, 0, 0] },
  ])('logits with $name: only a declared rounding turns them into rounded probabilities', ({ surface, want }) => {
    const o = observe({ kind: 'logits', values: Float64Array.of(30, 0, 0) }, 1, 3, { scores: 'full', topK: 3, ...surface });
    expect(o.scores!.scale).toBe('probability');
    expect(values(o)).toEqual(want);
  });

  it('logits under top-k: the mask comes from the ranking, values stay on the log scale', () => {
    const o = observe({ kind: 'logits', values: Float64Array.of(2, 5, 1) }, 1, 3, { scores: 'top-k', topK: 1 });
    expect([...o.scores!.hidden!]).toEqual([1, 0, 1]);
    expect(o.scores!.values[1]).toBeCloseTo(5 - Math.log(Math.exp(2) + Math.exp(5) + Math.exp(1)), 14);
  });
});
