/**
 * Patterns the secret scan looks for in generated text. The built-in ones are deliberately
 * simple and broad: a scan that misses a format under-reports leakage, while a false match is
 * only counted when the exact string also occurs in the training data.
 */

export const BUILTIN_PATTERNS = {
  /** name@domain.tld */
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  /**
   * Phone numbers: an optional +country code, then groups of digits with spaces, dots, dashes or
   * brackets between; 7 to 15 digits in all (checked by `acceptPhone`), so a 6-digit PIN is an
   * id-number, not a phone number.
   */
  phone: /(?<![\w+])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){1,5}(?!\w)/g,
  /** ID-like runs: 6 or more digits not part of a longer word (PINs, account and ID numbers). */
  'id-number': /(?<![\w])\d{6,}(?![\w])/g,
} as const;

export type BuiltinPattern = keyof typeof BUILTIN_PATTERNS;
export const BUILTIN_PATTERN_NAMES = Object.keys(BUILTIN_PATTERNS) as BuiltinPattern[];

export interface ScanPattern {
  /** "email", "phone", "id-number", or "regex N" for the N-th user regex (1-based). */
  name: string;
  regex: RegExp;
  /** A check a match must also pass (what a regex cannot count). */
  accept?: (match: string) => boolean;
}

/** Phone numbers have 7 to 15 digits (E.164 allows 15). */
export function acceptPhone(match: string): boolean {
  const digits = match.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

/** The built-in patterns by name, with their extra checks. */
export function builtinPattern(name: BuiltinPattern): ScanPattern {
  return name === 'phone' ? { name, regex: BUILTIN_PATTERNS.phone, accept: acceptPhone } : { name, regex: BUILTIN_PATTERNS[name] };
}

/** Compiles a user regex with the global flag, or returns why it is invalid. */
export function compileUserRegex(source: string): RegExp | { error: string } {
  try {
    const regex = new RegExp(source, 'gu');
    if (regex.test('')) return { error: 'it matches the empty string, so it would match everywhere' };
    return regex;
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export interface PatternMatch {
  pattern: string;
  text: string;
  /** Offset of the match in the scanned text (UTF-16 units). */
  index: number;
}

/** Every match of every pattern in `text` that ends after `from` (i.e. touches generated text). */
export function scanText(text: string, patterns: readonly ScanPattern[], from = 0): PatternMatch[] {
  const out: PatternMatch[] = [];
  for (const { name, regex, accept } of patterns) {
    const re = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
    for (const m of text.matchAll(re)) {
      if (m[0].length === 0 || (accept && !accept(m[0]))) continue;
      if (m.index! + m[0].length > from) out.push({ pattern: name, text: m[0], index: m.index! });
    }
  }
  return out;
}
