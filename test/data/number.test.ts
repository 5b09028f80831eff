import { describe, expect, it } from 'vitest';
import { parseNumberBytes, parseNumberText } from '../../src/data/number';
import { Rng } from '../../src/util/random';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const fromBytes = (s: string) => parseNumberBytes(bytes(s), 0, s.length);

describe('number grammar', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['-3', -3],
    ['+4', 4],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e2', 100],
    ['1E-2', 0.01],
    ['-2.5e+3', -2500],
    ['  3 ', 3],
    ['\t3', 3],
    ['0.1', 0.1],
    // eslint-disable-next-line no-loss-of-precision -- the nearest double is the expected value
    ['123456789012345678901234567890', 123456789012345678901234567890],
    ['1e400', Infinity],
    ['4.9e-324', 4.9e-324],
  ])('reads %j as %d', (text, value) => {
    expect(fromBytes(text)).toBe(value);
    expect(parseNumberText(text)).toBe(value);
  });

  it.each(['', ' ', 'abc', '1,5', '0x10', 'NaN', 'nan', 'Infinity', '-', '.', 'e5', '1e', '1e+', '1.2.3', '1 2', '--1', '3a'])(
    'rejects %j',
    (text) => {
      expect(fromBytes(text)).toBeNaN();
      expect(parseNumberText(text)).toBeNaN();
    },
  );

  // Plain integers take a short path of their own up to 15 digits; 16 and more take the general one.
  it.each(['00', '007', '123456789012345', '999999999999999', '1234567890123456', '9007199254740993', '0000000000000001'])(
    'reads the integer %j as Number() does',
    (text) => {
      expect(fromBytes(text)).toBe(Number(text));
      expect(parseNumberBytes(bytes(` ${text},`), 1, text.length + 1)).toBe(Number(text));
    },
  );

  it('reads a cell in the middle of a buffer', () => {
    expect(parseNumberBytes(bytes('12,34.5,6'), 3, 7)).toBe(34.5);
  });

  it('agrees with Number() on random decimals, including long and tiny ones', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 20000; i++) {
      const int = String(rng.int(10 ** (1 + rng.int(9)))).repeat(1 + rng.int(3));
      const frac = rng.next() < 0.7 ? `.${String(rng.int(10 ** (1 + rng.int(9))))}` : '';
      const exp = rng.next() < 0.3 ? `e${rng.int(60) - 30}` : '';
      const text = `${rng.next() < 0.5 ? (rng.next() < 0.5 ? '-' : '+') : ''}${int}${frac}${exp}`;
      expect(fromBytes(text), text).toBe(Number(text));
    }
  });
});
