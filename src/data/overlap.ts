/**
 * Records in both the members and the non-members. Membership inference asks whether the model
 * treats members differently from non-members; a record in both sets is on both sides of that
 * question, and two copies of one file make every attack read AUC 0.5 ("no leak") whatever the
 * model does. A record is its selected features and its label as loaded (what the model and the
 * attacks see), compared by SHA-256.
 */
import type { Dataset } from './types';

export interface Overlap {
  /** Non-member rows (of those loaded) whose record is also among the loaded members. */
  count: number;
  /** The first such non-member row and the member row holding the same record (loaded-row indices). */
  first?: { member: number; nonMember: number };
}

/** A 53-bit hash of a loaded row's record; equal records hash alike. */
export type RecordHash = (data: Dataset, row: number) => number;

/**
 * Rows are hashed to a number (two 32-bit multiply-xor lanes over the features' float32 bits and
 * the label's characters) and every hash match is confirmed value by value, so the count is
 * exact. A SHA-256 string per row cost seconds and a string map hundreds of MB at 10^6 rows.
 */
export function findOverlap(members: Dataset, nonMembers: Dataset, hash: RecordHash = recordHash): Overlap {
  // The first member row of each record, by hash; rows whose hash matches an earlier, different record.
  const firstRow = new Map<number, number>();
  const collided = new Map<number, number[]>();
  for (let r = 0; r < members.rows; r++) {
    const h = hash(members, r);
    const first = firstRow.get(h);
    if (first === undefined) firstRow.set(h, r);
    else if (!sameRecord(members, first, members, r)) {
      const others = collided.get(h);
      if (!others) collided.set(h, [r]);
      else if (!others.some((o) => sameRecord(members, o, members, r))) others.push(r);
    }
  }
  const overlap: Overlap = { count: 0 };
  for (let r = 0; r < nonMembers.rows; r++) {
    const h = hash(nonMembers, r);
    const first = firstRow.get(h);
    if (first === undefined) continue;
    const member = sameRecord(members, first, nonMembers, r) ? first : collided.get(h)?.find((o) => sameRecord(members, o, nonMembers, r));
    if (member === undefined) continue;
    overlap.count++;
    overlap.first ??= { member, nonMember: r };
  }
  return overlap;
}

/** Same features (-0 and 0 are the same input to the model) and the same label. */
function sameRecord(a: Dataset, row: number, b: Dataset, other: number): boolean {
  const width = a.features.length;
  if (b.features.length !== width || a.labels[row] !== b.labels[other]) return false;
  for (let j = 0; j < width; j++) if (a.x[row * width + j] !== b.x[other * width + j]) return false;
  return true;
}

const words = new WeakMap<Float32Array, Uint32Array>();

function recordHash(data: Dataset, row: number): number {
  let bits = words.get(data.x);
  if (!bits) words.set(data.x, (bits = new Uint32Array(data.x.buffer, data.x.byteOffset, data.x.length)));
  const width = data.features.length;
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  // The words: the features' bits (-0 as 0), a separator, the label's characters. Mixed inline:
  // a closure per row costs more than the hashing here.
  const label = data.labels[row] ?? '';
  const features = row * width;
  for (let i = 0, end = width + 1 + label.length; i < end; i++) {
    let word = i < width ? bits[features + i]! : i === width ? 0xffffffff : label.charCodeAt(i - width - 1);
    if (word === 0x80000000) word = 0;
    h1 = Math.imul(h1 ^ word, 0x01000193);
    h2 = Math.imul(h2 ^ word, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
