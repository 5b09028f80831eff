/**
 * An index of every k-token window of a set of texts (Carlini et al. 2021 count a generated
 * sample as memorised when it reproduces training text verbatim; here "verbatim" means k
 * consecutive tokens equal to k consecutive tokens of one member text).
 *
 * Open addressing over typed arrays rather than a Map of strings: a member file of 10^7 tokens
 * has 10^7 windows, and a string key per window would cost gigabytes. Each slot holds a 32-bit
 * polynomial hash of the window and where its first occurrence starts in the concatenated
 * texts; a lookup whose hash matches is confirmed token by token, so a collision never counts as
 * a match. Equal windows are stored once. Windows never cross from one text into the next.
 */

/** Multiplier of the polynomial hash (odd, so multiplication is a bijection mod 2^32). */
const BASE = 0x01000193;

export interface WindowMatch {
  /** The slot of the matched window (stable: use it to mark or test the window). */
  slot: number;
  /** Which text and where in it the window first occurs. */
  text: number;
  offset: number;
}

export class WindowIndex {
  /** Windows stored (distinct). */
  readonly size: number;
  private readonly tokens: Int32Array;
  /** Start of text i in `tokens`; starts[texts] = tokens.length. */
  private readonly starts: Int32Array;
  private readonly hashes: Uint32Array;
  /** Start in `tokens` of the window in each slot; −1 when the slot is empty. */
  private readonly at: Int32Array;
  private readonly mask: number;
  private readonly power: number;

  constructor(
    texts: readonly Int32Array[],
    readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`window length must be a positive integer, got ${k}`);
    let total = 0;
    let windows = 0;
    for (const t of texts) {
      total += t.length;
      windows += Math.max(0, t.length - k + 1);
    }
    this.tokens = new Int32Array(total);
    this.starts = new Int32Array(texts.length + 1);
    let at = 0;
    texts.forEach((t, i) => {
      this.starts[i] = at;
      this.tokens.set(t, at);
      at += t.length;
    });
    this.starts[texts.length] = at;
    let capacity = 16;
    while (capacity < windows * 2) capacity *= 2;
    this.hashes = new Uint32Array(capacity);
    this.at = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.power = powerOf(k);
    let size = 0;
    texts.forEach((_, i) => {
      this.eachWindow(this.tokens, this.starts[i]!, this.starts[i + 1]!, (start, hash) => {
        if (this.insert(start, hash)) size += 1;
      });
    });
    this.size = size;
  }

  /** Slots in the table: the length of a per-slot mark array. */
  get capacity(): number {
    return this.at.length;
  }

  /** Calls `found` for every k-token window of `sequence` that occurs in the indexed texts (position in `sequence`, match). */
  matches(sequence: Int32Array, found: (position: number, match: WindowMatch) => void): void {
    this.eachWindow(sequence, 0, sequence.length, (start, hash) => {
      const slot = this.lookup(sequence, start, hash);
      if (slot >= 0) found(start, this.matchOf(slot));
    });
  }

  /** The slot holding `sequence[start, start + k)`, or −1. */
  find(sequence: Int32Array, start: number): number {
    return this.lookup(sequence, start, hashOf(sequence, start, this.k));
  }

  private matchOf(slot: number): WindowMatch {
    const start = this.at[slot]!;
    // The last text starting at or before `start`.
    let lo = 0;
    let hi = this.starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    return { slot, text: lo, offset: start - this.starts[lo]! };
  }

  private eachWindow(source: Int32Array, from: number, to: number, use: (start: number, hash: number) => void): void {
    const k = this.k;
    if (to - from < k) return;
    let hash = hashOf(source, from, k);
    use(from, hash);
    for (let s = from + 1; s + k <= to; s++) {
      // Rolling update mod 2^32: drop source[s − 1]·BASE^(k−1), shift, add the new token.
      hash = (Math.imul((hash - Math.imul(source[s - 1]!, this.power)) | 0, BASE) + source[s + k - 1]!) >>> 0;
      use(s, hash);
    }
  }

  /** Stores the window starting at `start` of the indexed tokens unless an equal one is stored; true when stored. */
  private insert(start: number, hash: number): boolean {
    let slot = mix(hash) & this.mask;
    for (;;) {
      const at = this.at[slot]!;
      if (at < 0) {
        this.at[slot] = start;
        this.hashes[slot] = hash;
        return true;
      }
      if (this.hashes[slot] === hash && this.equal(this.tokens, start, at)) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  private lookup(source: Int32Array, start: number, hash: number): number {
    let slot = mix(hash) & this.mask;
    for (;;) {
      const at = this.at[slot]!;
      if (at < 0) return -1;
      if (this.hashes[slot] === hash && this.equal(source, start, at)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private equal(source: Int32Array, start: number, at: number): boolean {
    for (let i = 0; i < this.k; i++) if (source[start + i] !== this.tokens[at + i]) return false;
    return true;
  }
}

/** Σ source[from + i]·BASE^(k−1−i) mod 2^32. */
export function hashOf(source: Int32Array, from: number, k: number): number {
  let hash = 0;
  for (let i = 0; i < k; i++) hash = (Math.imul(hash, BASE) + source[from + i]!) >>> 0;
  return hash;
}

function powerOf(k: number): number {
  let p = 1;
  for (let i = 1; i < k; i++) p = Math.imul(p, BASE);
  return p;
}

/** Spreads the polynomial hash's bits over the table index (a murmur3 finaliser). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
