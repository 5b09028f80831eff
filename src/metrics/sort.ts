/**
 * Radix sort for float64 scores, optionally carrying an integer label (a class) along, and a
 * stable split of sorted scores by label.
 *
 * Why not TypedArray.prototype.sort: the membership probe sorts 2 × 100,000 scores per attack
 * plus every class's share of them, and V8's comparison sort spends ~8 ms per 100,000 doubles;
 * a least-significant-digit radix sort is linear (a few passes over the data) and, carrying the
 * class along, gives every class's sorted scores by one more stable counting pass instead of
 * one comparison sort per class.
 *
 * Order: the IEEE-754 bit pattern of a double, read as an unsigned 64-bit integer after
 * flipping the sign bit of non-negative numbers and every bit of negative ones, increases with
 * the number (Knuth, TAOCP vol. 3 §5.2.5; the usual "float radix" trick). That is the order of
 * TypedArray.prototype.sort: −Infinity first, −0 before +0, subnormals in place, NaN last
 * (every NaN is rewritten as the canonical quiet NaN so that negative NaN bit patterns go last
 * too). The sort is stable, so equal keys keep their input order (their labels too).
 */

import { scratch } from './scratch';

/** Bits per digit: 2^11 counters fit in L1 cache; 6 passes cover 64 bits (the top pass has 9). countDigits spells the 6 digits out. */
const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;
const PASSES = 6;

/**
 * Sorts `values` ascending in place (same order as TypedArray.prototype.sort) and applies the
 * same permutation to `labels` when given (stable: ties keep their input order).
 * @throws RangeError when labels has a different length.
 */
export function sortFloat64(values: Float64Array, labels?: Int32Array): void {
  const n = values.length;
  if (labels && labels.length !== n) {
    throw new RangeError(`labels has ${labels.length} entries for ${n} values`);
  }
  if (n < 2) return;
  // Words of each double: little-endian platforms (all that Node supports) keep the low word first.
  let src: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let dst: Uint32Array = scratch('sort:words', Uint32Array, 2 * n);
  let srcLabels: Int32Array | undefined = labels;
  let dstLabels: Int32Array | undefined = labels ? scratch('sort:labels', Int32Array, n) : undefined;
  const counts = countDigits(values, src);
  let moved = false;
  for (let p = 0; p < PASSES; p++) {
    // A pass whose digit is the same for every key would not move anything.
    if (!toOffsets(counts, p * RADIX, n)) continue;
    if (srcLabels) scatterWithLabels(src, dst, srcLabels, dstLabels!, counts, p);
    else scatter(src, dst, counts, p);
    [src, dst] = [dst, src];
    [srcLabels, dstLabels] = [dstLabels, srcLabels];
    moved = !moved;
  }
  // After an odd number of moves the sorted data sits in the scratch buffers.
  if (moved) {
    new Uint32Array(values.buffer, values.byteOffset, 2 * n).set(src);
    if (labels) labels.set(srcLabels!);
  }
}

// Each loop is its own small function: V8 then optimises it once, on its first long run, and
// reuses that code in every later pass and call (one big function kept deoptimising whenever a
// freshly optimised loop reached code that had not run yet, which made the first sort 4× slower).

/** Every digit of every key counted in one pass; NaNs are rewritten as the canonical quiet NaN. */
function countDigits(values: Float64Array, words: Uint32Array): Uint32Array {
  const counts = scratch('sort:counts', Uint32Array, PASSES * RADIX).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) {
      words[2 * i] = 0;
      words[2 * i + 1] = 0x7ff80000;
    }
    const hi = words[2 * i + 1]!;
    const lo = words[2 * i]!;
    const khi = keyHigh(hi);
    const klo = keyLow(hi, lo);
    counts[klo & MASK]!++;
    counts[RADIX + ((klo >>> BITS) & MASK)]!++;
    counts[2 * RADIX + (((klo >>> (2 * BITS)) | (khi << (32 - 2 * BITS))) & MASK)]!++;
    counts[3 * RADIX + ((khi >>> (3 * BITS - 32)) & MASK)]!++;
    counts[4 * RADIX + ((khi >>> (4 * BITS - 32)) & MASK)]!++;
    counts[5 * RADIX + (khi >>> (5 * BITS - 32))]!++;
  }
  return counts;
}

/** Turns pass p's counts into first output slots; false when one digit holds all n keys. */
function toOffsets(counts: Uint32Array, base: number, n: number): boolean {
  let sum = 0;
  let moves = true;
  for (let d = 0; d < RADIX; d++) {
    const c = counts[base + d]!;
    if (c === n) moves = false;
    counts[base + d] = sum;
    sum += c;
  }
  return moves;
}

function scatter(src: Uint32Array, dst: Uint32Array, counts: Uint32Array, p: number): void {
  const base = p * RADIX;
  const n = src.length >>> 1;
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    const lo = src[2 * i]!;
    const at = counts[base + digit(keyHigh(hi), keyLow(hi, lo), p)]!++;
    dst[2 * at] = lo;
    dst[2 * at + 1] = hi;
  }
}

function scatterWithLabels(
  src: Uint32Array,
  dst: Uint32Array,
  srcLabels: Int32Array,
  dstLabels: Int32Array,
  counts: Uint32Array,
  p: number,
): void {
  const base = p * RADIX;
  const n = src.length >>> 1;
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    const lo = src[2 * i]!;
    const at = counts[base + digit(keyHigh(hi), keyLow(hi, lo), p)]!++;
    dst[2 * at] = lo;
    dst[2 * at + 1] = hi;
    dstLabels[at] = srcLabels[i]!;
  }
}

/** High word of the order-preserving key: flip every bit of a negative number, else the sign bit. */
function keyHigh(hi: number): number {
  return (hi ^ ((hi >> 31) | 0x80000000)) >>> 0;
}

/** Low word of the key: flipped when the number is negative. */
function keyLow(hi: number, lo: number): number {
  return (lo ^ (hi >> 31)) >>> 0;
}

/** Digit p (bits 11p … 11p + 10) of the 64-bit key khi·2^32 + klo. */
function digit(khi: number, klo: number, p: number): number {
  const shift = p * BITS;
  if (shift >= 32) return (khi >>> (shift - 32)) & MASK;
  if (shift + BITS <= 32) return (klo >>> shift) & MASK;
  return ((klo >>> shift) | (khi << (32 - shift))) & MASK;
}

/** Values split by label: group g's values are `values.subarray(starts[g], starts[g + 1])`. */
export interface Groups {
  values: Float64Array;
  /** groupCount + 1 offsets into values. */
  starts: Uint32Array;
}

/**
 * Stable counting split by label: each group's values keep their order, so sorted input gives
 * every group's values sorted. The values go to `out` when given (else a new array).
 * @throws RangeError when a label is not an integer in [0, groupCount) or the lengths differ.
 */
export function splitByLabel(values: Float64Array, labels: Int32Array, groupCount: number, out = new Float64Array(values.length)): Groups {
  const n = values.length;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} entries for ${n} values`);
  const starts = new Uint32Array(groupCount + 1);
  for (let i = 0; i < n; i++) {
    const g = labels[i]!;
    if (!(g >= 0 && g < groupCount)) throw new RangeError(`label ${g} at index ${i} is outside [0, ${groupCount})`);
    starts[g + 1]!++;
  }
  for (let g = 0; g < groupCount; g++) starts[g + 1]! += starts[g]!;
  const next = starts.slice(0, groupCount);
  for (let i = 0; i < n; i++) out[next[labels[i]!]!++] = values[i]!;
  return { values: out, starts };
}
