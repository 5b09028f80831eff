import { describe, expect, it } from 'vitest';
import { sortFloat64, splitByLabel } from '../../src/metrics/sort';
import { Rng } from '../../src/util/random';

/** Bit patterns, so −0 vs +0 and NaN payloads are compared exactly. */
function bits(values: Float64Array): string[] {
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * values.length);
  return Array.from(values, (_, i) => `${words[2 * i + 1]!.toString(16)}:${words[2 * i]!.toString(16)}`);
}

const SPECIALS = [
  0,
  -0,
  -Infinity,
  Infinity,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  -1e-310,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1,
  -1,
  0.5,
];

/** Random doubles mixing magnitudes, signs, subnormals, specials and many duplicates. */
function mixed(rng: Rng, count: number): Float64Array {
  return Float64Array.from({ length: count }, () => {
    const kind = rng.int(6);
    if (kind === 0) return SPECIALS[rng.int(SPECIALS.length)]!;
    if (kind === 1) return rng.int(5) - 2; // heavy ties
    if (kind === 2) return (rng.next() - 0.5) * 1e-315; // subnormal
    if (kind === 3) return Math.log(rng.next() + 1e-300);
    if (kind === 4) return rng.normal() * 10 ** (rng.int(40) - 20);
    return Math.fround(rng.next()); // float32 values: low mantissa bits all zero
  });
}

describe('sortFloat64', () => {
  it.each([
    { name: 'empty', count: 0, seed: 1 },
    { name: 'one value', count: 1, seed: 2 },
    { name: 'two values', count: 2, seed: 3 },
    { name: 'small', count: 37, seed: 4 },
    { name: 'medium', count: 5_000, seed: 5 },
    { name: 'large', count: 60_000, seed: 6 },
  ])('orders $name input exactly like TypedArray.prototype.sort', ({ count, seed }) => {
    const values = mixed(new Rng(seed), count);
    const expected = values.slice().sort();
    sortFloat64(values);
    expect(bits(values)).toEqual(bits(expected));
  });

  it.each([
    { name: 'all equal', values: [3, 3, 3, 3] },
    { name: 'already sorted', values: [-2, -1, 0, 1, 2] },
    { name: 'reversed', values: [2, 1, 0, -1, -2] },
    { name: '−0 and +0 in both orders', values: [0, -0, 0, -0] },
    { name: 'infinities', values: [Infinity, -Infinity, 0, -Infinity] },
    { name: 'NaN last', values: [NaN, 1, -Infinity, NaN, -5] },
  ])('handles $name', ({ values }) => {
    const a = Float64Array.from(values);
    const expected = a.slice().sort();
    sortFloat64(a);
    expect(bits(a)).toEqual(bits(expected));
  });

  it('puts a NaN with the sign bit set last, as the canonical NaN', () => {
    const a = new Float64Array([1, 0, -1]);
    new Uint32Array(a.buffer).set([0, 0xfff80000], 2); // a[1] = negative quiet NaN
    sortFloat64(a);
    expect(a[0]).toBe(-1);
    expect(a[1]).toBe(1);
    expect(a[2]).toBeNaN();
  });

  it('sorts a view inside a larger buffer without touching its neighbours', () => {
    const whole = Float64Array.from([9, 3, 1, 2, -9]);
    sortFloat64(whole.subarray(1, 4));
    expect([...whole]).toEqual([9, 1, 2, 3, -9]);
  });

  it('moves labels with their values, stably (ties keep their input order)', () => {
    const rng = new Rng(7);
    const values = mixed(rng, 20_000).map((v) => (Number.isNaN(v) ? 0 : v));
    const labels = Int32Array.from(values, (_, i) => i); // labels = original index
    // Reference: a stable comparison sort of (value, index) pairs, −0 before +0.
    const order = Array.from(values, (_, i) => i).sort((i, j) => {
      const a = values[i]!;
      const b = values[j]!;
      if (a !== b) return a < b ? -1 : 1;
      if (Object.is(a, -0) !== Object.is(b, -0)) return Object.is(a, -0) ? -1 : 1;
      return i - j;
    });
    const sorted = values.slice();
    sortFloat64(sorted, labels);
    expect([...labels]).toEqual(order);
    expect(bits(sorted)).toEqual(bits(Float64Array.from(order, (i) => values[i]!)));
  });

  it('rejects labels of another length', () => {
    expect(() => sortFloat64(new Float64Array(3), new Int32Array(2))).toThrow(RangeError);
  });
});

describe('splitByLabel', () => {
  it('groups values by label and keeps their order within each group', () => {
    const values = Float64Array.from([1, 2, 3, 4, 5, 6, 7]);
    const labels = Int32Array.from([2, 0, 2, 1, 0, 2, 0]);
    const { values: out, starts } = splitByLabel(values, labels, 4);
    expect([...starts]).toEqual([0, 3, 4, 7, 7]);
    expect([...out]).toEqual([2, 5, 7, 4, 1, 3, 6]);
  });

  it.each([
    { name: 'a negative label', labels: [0, -1] },
    { name: 'a label ≥ groupCount', labels: [0, 2] },
    { name: 'a length mismatch', labels: [0] },
  ])('rejects $name', ({ labels }) => {
    expect(() => splitByLabel(Float64Array.from([1, 2]), Int32Array.from(labels), 2)).toThrow(RangeError);
  });
});
