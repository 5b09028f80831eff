/**
 * Canary formats (Carlini et al. 2019, "The Secret Sharer"): text with secret slots, e.g.
 * "my pin is {digits:6}". A slot is `{class:n}` with class digits (0-9), letters (a-z) or hex
 * (0-9a-f); `{{` and `}}` write literal braces. The candidate space R is every filling of the
 * slots; a secret is the concatenation of what fills the slots, in order.
 */

export const SLOT_CLASSES = {
  digits: '0123456789',
  letters: 'abcdefghijklmnopqrstuvwxyz',
  hex: '0123456789abcdef',
} as const;
export type SlotClass = keyof typeof SLOT_CLASSES;

export type Segment = { kind: 'text'; text: string } | { kind: 'slot'; slot: SlotClass; length: number };

export interface CanaryFormat {
  /** The format as written. */
  source: string;
  segments: Segment[];
  /** Characters of the secret: the total length of the slots. */
  secretLength: number;
  /** log2 |R|: bits of the candidate space. */
  spaceBits: number;
  /** |R| (a float when it exceeds 2^53). */
  spaceSize: number;
}

/** One character position of a filled format: a fixed character, or a slot's alphabet. */
export type Position = { fixed: string } | { choices: string };

/** Parses a format; returns a message saying what is wrong instead of throwing (callers place it). */
export function parseCanaryFormat(format: string): CanaryFormat | { error: string } {
  const segments: Segment[] = [];
  let text = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if ((c === '{' || c === '}') && format[i + 1] === c) {
      text += c;
      i += 2;
      continue;
    }
    if (c === '}') return { error: `unmatched "}" at character ${i + 1}; write "}}" for a literal brace` };
    if (c !== '{') {
      text += c;
      i += 1;
      continue;
    }
    const end = format.indexOf('}', i);
    if (end < 0) return { error: `unclosed "{" at character ${i + 1}; expected a slot such as {digits:6}, or "{{" for a literal brace` };
    const body = format.slice(i + 1, end);
    const match = /^(\w+):(\d+)$/.exec(body);
    if (!match || !(match[1]! in SLOT_CLASSES)) {
      return { error: `invalid slot "{${body}}" at character ${i + 1}; expected {digits:n}, {letters:n} or {hex:n}` };
    }
    const length = Number(match[2]);
    if (length < 1 || length > 64) return { error: `slot "{${body}}" at character ${i + 1} must have a length from 1 to 64` };
    if (text) segments.push({ kind: 'text', text });
    text = '';
    segments.push({ kind: 'slot', slot: match[1] as SlotClass, length });
    i = end + 1;
  }
  if (text) segments.push({ kind: 'text', text });
  const slots = segments.filter((s): s is Extract<Segment, { kind: 'slot' }> => s.kind === 'slot');
  if (slots.length === 0) return { error: 'the format has no secret slot; expected e.g. "my pin is {digits:6}"' };
  const spaceBits = slots.reduce((bits, s) => bits + s.length * Math.log2(SLOT_CLASSES[s.slot].length), 0);
  return {
    source: format,
    segments,
    secretLength: slots.reduce((n, s) => n + s.length, 0),
    spaceBits,
    spaceSize: slots.reduce((n, s) => n * SLOT_CLASSES[s.slot].length ** s.length, 1),
  };
}

/** Why `secret` cannot fill `format`'s slots (message never quotes the secret), or undefined. */
export function secretProblem(format: CanaryFormat, secret: string): string | undefined {
  const chars = [...secret];
  if (chars.length !== format.secretLength) {
    return `has ${chars.length} characters; the slots of "${format.source}" take ${format.secretLength}`;
  }
  let k = 0;
  for (const segment of format.segments) {
    if (segment.kind !== 'slot') continue;
    const alphabet = SLOT_CLASSES[segment.slot];
    for (let j = 0; j < segment.length; j++, k++) {
      if (!alphabet.includes(chars[k]!)) {
        return `has character ${k + 1} outside the ${segment.slot} alphabet (${alphabet}) of its slot`;
      }
    }
  }
  return undefined;
}

/** The character positions of the filled format, in order. */
export function positionsOf(format: CanaryFormat): Position[] {
  const out: Position[] = [];
  for (const segment of format.segments) {
    if (segment.kind === 'text') for (const c of segment.text) out.push({ fixed: c });
    else for (let j = 0; j < segment.length; j++) out.push({ choices: SLOT_CLASSES[segment.slot] });
  }
  return out;
}

/** The format with the secret in its slots. */
export function fillCanary(format: CanaryFormat, secret: string): string {
  const chars = [...secret];
  let k = 0;
  let out = '';
  for (const segment of format.segments) {
    if (segment.kind === 'text') out += segment.text;
    else {
      out += chars.slice(k, k + segment.length).join('');
      k += segment.length;
    }
  }
  return out;
}

/** The format with a redacted secret in its slots, e.g. "my pin is 2••••3". */
export function redactedCanary(format: CanaryFormat, redactedSecret: string): string {
  return fillCanary(format, redactedSecret);
}
