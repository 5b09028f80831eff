import { describe, expect, it } from 'vitest';
import { clopperPearson, clopperPearsonOneSided } from '../../src/metrics/binomial';
import { cpLowerByBisection, cpUpperByBisection } from './reference';

describe('clopperPearson', () => {
  // Published exact 95 % intervals (standard Clopper–Pearson tables; k = 0 upper is 1 − 0.025^(1/n)).
  it.each([
    { k: 0, n: 10, lo: 0, hi: 0.3085 },
    { k: 5, n: 10, lo: 0.1871, hi: 0.8129 },
    { k: 10, n: 10, lo: 0.6915, hi: 1 },
    { k: 1, n: 20, lo: 0.0013, hi: 0.2487 },
    { k: 3, n: 50, lo: 0.0125, hi: 0.1655 },
    { k: 17, n: 40, lo: 0.2704, hi: 0.5911 },
  ])('k=$k n=$n at 95% is [$lo, $hi]', ({ k, n, lo, hi }) => {
    const [a, b] = clopperPearson(k, n, 0.95);
    expect(a).toBeCloseTo(lo, 4);
    expect(b).toBeCloseTo(hi, 4);
  });

  it('k = 0 upper bound has the closed form 1 − (α/2)^(1/n)', () => {
    for (const n of [1, 3, 10, 100, 5000]) {
      expect(clopperPearson(0, n, 0.95)[1]).toBeCloseTo(1 - Math.pow(0.025, 1 / n), 12);
      expect(clopperPearson(n, n, 0.95)[0]).toBeCloseTo(Math.pow(0.025, 1 / n), 12);
    }
  });

  const grid: Array<{ k: number; n: number; confidence: number }> = [];
  for (const n of [1, 7, 20, 53, 200]) {
    for (const k of new Set([0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 1, n])) {
      for (const confidence of [0.9, 0.95, 0.99]) grid.push({ k, n, confidence });
    }
  }
  it.each(grid)('matches bisection on the binomial CDF: k=$k n=$n conf=$confidence', ({ k, n, confidence }) => {
    const tail = (1 - confidence) / 2;
    const [lo, hi] = clopperPearson(k, n, confidence);
    expect(lo).toBeCloseTo(cpLowerByBisection(k, n, tail), 9);
    expect(hi).toBeCloseTo(cpUpperByBisection(k, n, tail), 9);
  });

  it('returns [0, 1] for n = 0 (no information)', () => {
    expect(clopperPearson(0, 0, 0.95)).toEqual([0, 1]);
  });

  it.each([
    { k: -1, n: 10, c: 0.95 },
    { k: 11, n: 10, c: 0.95 },
    { k: 1.5, n: 10, c: 0.95 },
    { k: 1, n: -1, c: 0.95 },
    { k: 1, n: 2.5, c: 0.95 },
    { k: Number.NaN, n: 10, c: 0.95 },
    { k: 1, n: 10, c: 0 },
    { k: 1, n: 10, c: 1 },
    { k: 1, n: 10, c: 95 },
    { k: 1, n: 10, c: Number.NaN },
  ])('throws RangeError for k=$k n=$n confidence=$c', ({ k, n, c }) => {
    expect(() => clopperPearson(k, n, c)).toThrow(RangeError);
    expect(() => clopperPearsonOneSided(k, n, c, 'lower')).toThrow(RangeError);
  });
});

describe('clopperPearsonOneSided', () => {
  it('k = 0 upper at 95% is the "rule of three" exact value 1 − 0.05^(1/n)', () => {
    expect(clopperPearsonOneSided(0, 100, 0.95, 'upper')).toBeCloseTo(0.029513, 6);
    expect(clopperPearsonOneSided(0, 100, 0.95, 'lower')).toBe(0);
    expect(clopperPearsonOneSided(100, 100, 0.95, 'upper')).toBe(1);
    expect(clopperPearsonOneSided(100, 100, 0.95, 'lower')).toBeCloseTo(Math.pow(0.05, 1 / 100), 12);
  });

  it.each([
    { k: 3, n: 10, confidence: 0.95 },
    { k: 30, n: 1000, confidence: 0.999 },
    { k: 190, n: 200, confidence: 1 - 0.05 / 128 },
    { k: 1, n: 40, confidence: 0.8 },
  ])('matches bisection: k=$k n=$n conf=$confidence', ({ k, n, confidence }) => {
    const tail = 1 - confidence;
    expect(clopperPearsonOneSided(k, n, confidence, 'lower')).toBeCloseTo(cpLowerByBisection(k, n, tail), 9);
    expect(clopperPearsonOneSided(k, n, confidence, 'upper')).toBeCloseTo(cpUpperByBisection(k, n, tail), 9);
  });

  it('one-sided at confidence c equals the two-sided bound at 2c − 1', () => {
    const [lo, hi] = clopperPearson(7, 30, 0.9);
    expect(clopperPearsonOneSided(7, 30, 0.95, 'lower')).toBeCloseTo(lo, 12);
    expect(clopperPearsonOneSided(7, 30, 0.95, 'upper')).toBeCloseTo(hi, 12);
  });

  it('rejects an unknown side', () => {
    expect(() => clopperPearsonOneSided(1, 2, 0.95, 'both' as 'lower')).toThrow(RangeError);
  });
});
