/**
 * The one definition of "a number" in a data file: optional surrounding spaces or tabs, an
 * optional sign, decimal digits with an optional point, an optional exponent. No hex, no
 * "NaN"/"Infinity", no empty cell: a missing value must be reported, never read as 0 (which
 * is what `Number("")` would do).
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

const NUMBER_TEXT = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/** Parses text with the grammar above; NaN when it is not a number. */
export function parseNumberText(text: string): number {
  return NUMBER_TEXT.test(text) ? Number(text) : NaN;
}

/**
 * The same grammar read straight from bytes (CSV cells), without making a string: this runs
 * once per loaded cell, millions of times. Short decimals take Clinger's fast path (an exact
 * integer mantissa times or divided by an exact power of ten is one correctly rounded
 * operation); anything longer falls back to `Number`, so results always equal `Number(text)`.
 */
export function parseNumberBytes(bytes: Uint8Array, start: number, end: number): number {
  // The common cell, a plain integer of at most 15 digits, is read exactly in one short loop.
  if (end > start && end - start <= 15) {
    let value = 0;
    let i = start;
    for (; i < end; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (i === end) return value;
  }
  while (start < end && (bytes[start] === 32 || bytes[start] === 9)) start++;
  while (end > start && (bytes[end - 1] === 32 || bytes[end - 1] === 9)) end--;
  let i = start;
  let negative = false;
  if (i < end && (bytes[i] === 45 || bytes[i] === 43)) {
    negative = bytes[i] === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (i < end) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    i++;
  }
  if (i < end && bytes[i] === 46) {
    i++;
    while (i < end) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      digits++;
      fraction++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (i < end && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < end && (bytes[i] === 45 || bytes[i] === 43)) {
      expNegative = bytes[i] === 45;
      i++;
    }
    let expDigits = 0;
    while (i < end) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      // Saturate: an absurd exponent gives 0 or Infinity in the fallback anyway.
      if (exponent < 100000) exponent = exponent * 10 + d;
      expDigits++;
      i++;
    }
    if (expDigits === 0) return NaN;
    if (expNegative) exponent = -exponent;
  }
  if (i !== end) return NaN;
  const power = exponent - fraction;
  if (mantissa <= Number.MAX_SAFE_INTEGER && power >= -22 && power <= 22) {
    const value = power < 0 ? mantissa / POW10[-power]! : mantissa * POW10[power]!;
    return negative ? -value : value;
  }
  let text = '';
  for (let j = start; j < end; j++) text += String.fromCharCode(bytes[j]!);
  return Number(text);
}
