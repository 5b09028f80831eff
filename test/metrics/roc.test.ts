import { describe, expect, it } from 'vitest';
import { downsampleRoc, rocCurve, type RocPoint } from '../../src/metrics/roc';
import { Rng } from '../../src/util/random';
import { countAtLeast, ints, normals } from './reference';

describe('rocCurve', () => {
  it('groups ties and walks from the strictest threshold down (hand example)', () => {
    const member = [0.9, 0.8, 0.8, 0.3];
    const nonMember = [0.8, 0.5, 0.1];
    const rows: Array<[number, number, number]> = [
      [Infinity, 0, 0],
      [0.9, 1, 0],
      [0.8, 3, 1],
      [0.5, 3, 2],
      [0.3, 4, 2],
      [0.1, 4, 3],
    ];
    expect(rocCurve(member, nonMember)).toEqual(rows.map(([threshold, tp, fp]) => ({ threshold, tp, fp, tpr: tp / 4, fpr: fp / 3 })));
  });

  it.each([
    { seed: 1, m: 40, n: 60, kind: 'ints' },
    { seed: 2, m: 500, n: 300, kind: 'normals' },
  ])('counts agree with a direct count at every threshold (seed $seed, $kind)', ({ seed, m, n, kind }) => {
    const rng = new Rng(seed);
    const x = kind === 'ints' ? ints(rng, m, 5) : normals(rng, m, 0.5);
    const y = kind === 'ints' ? ints(rng, n, 5) : normals(rng, n);
    const roc = rocCurve(x, y);
    const distinct = new Set([...x, ...y]).size;
    expect(roc).toHaveLength(distinct + 1);
    expect(roc[0]).toEqual({ threshold: Infinity, tp: 0, fp: 0, tpr: 0, fpr: 0 });
    expect(roc.at(-1)!.tpr).toBe(1);
    expect(roc.at(-1)!.fpr).toBe(1);
    for (let i = 1; i < roc.length; i++) {
      const p = roc[i]!;
      expect(p.threshold).toBeLessThan(roc[i - 1]!.threshold);
      expect(p.tp).toBe(countAtLeast(x, p.threshold));
      expect(p.fp).toBe(countAtLeast(y, p.threshold));
    }
  });
});

describe('downsampleRoc', () => {
  const rng = new Rng(7);
  const full = rocCurve(normals(rng, 20000, 1), normals(rng, 20000));

  it('returns a copy of short curves unchanged', () => {
    const short = rocCurve([3, 2], [1]);
    const out = downsampleRoc(short, 200);
    expect(out).toEqual(short);
    expect(out[0]).not.toBe(short[0]);
  });

  it('keeps at most maxPoints, the endpoints, the zero-FPR top, and a subsequence of the curve', () => {
    const out = downsampleRoc(full, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out.length).toBeGreaterThan(100);
    expect(out[0]).toEqual(full[0]);
    expect(out.at(-1)).toEqual(full.at(-1));
    const zeroTop = full.filter((p) => p.fpr === 0).at(-1)!;
    expect(out).toContainEqual(zeroTop);
    const byThreshold = new Map<number, RocPoint>(full.map((p) => [p.threshold, p]));
    for (let i = 0; i < out.length; i++) {
      expect(out[i]).toEqual(byThreshold.get(out[i]!.threshold));
      if (i > 0) expect(out[i]!.threshold).toBeLessThan(out[i - 1]!.threshold);
    }
  });

  it('spends its points on the low-FPR region (log spacing)', () => {
    const out = downsampleRoc(full, 200);
    // Evenly spaced in FPR would put ~2 points below 1 %; log spacing over [1/n, 1] puts half below 1 %.
    expect(out.filter((p) => p.fpr > 0 && p.fpr < 0.01).length).toBeGreaterThan(60);
  });

  it.each([1, 0, 2.5, Number.NaN])('rejects maxPoints=%s', (maxPoints) => {
    expect(() => downsampleRoc(full, maxPoints)).toThrow(RangeError);
  });
});
