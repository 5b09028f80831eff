import { describe, expect, it } from 'vitest';
import { observe } from '../../src/model/surface';

const probs = Float32Array.of(0.1, 0.6, 0.3, 0.25, 0.25, 0.5);

describe('observe (output surface)', () => {
  it('full: reveals every score and the argmax label', () => {
    const o = observe(probs, 2, 3, { scores: 'full', topK: 3 });
    expect([...o.labels]).toEqual([1, 2]);
    expect([...o.scores!]).toEqual([...probs]);
  });

  it('top-k: keeps the k largest, hides the rest as NaN, ties broken by class index', () => {
    const o = observe(probs, 2, 3, { scores: 'top-k', topK: 2 });
    const shown = [...o.scores!].map((v) => (Number.isNaN(v) ? null : +v.toFixed(2)));
    expect(shown).toEqual([null, 0.6, 0.3, 0.25, null, 0.5]);
  });

  it('decimals: rounds what is revealed', () => {
    const o = observe(Float32Array.of(0.123, 0.877), 1, 2, { scores: 'full', topK: 2, decimals: 1 });
    expect([...o.scores!].map((v) => +v.toFixed(6))).toEqual([0.1, 0.9]);
  });

  it('label: reveals no scores at all', () => {
    const o = observe(probs, 2, 3, { scores: 'label', topK: 3 });
    expect(o.scores).toBeUndefined();
    expect([...o.labels]).toEqual([1, 2]);
  });
});
