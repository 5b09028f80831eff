/**
 * Redaction of secrets for every report, JSON included: a privacy tool must not become the leak.
 * A secret is shown as its first and last character with "•" between, keeping its length (so a
 * reviewer can tell secrets apart and see the format) while hiding the rest. Secrets of four
 * characters or fewer show no character at all: first and last would be half of them.
 */

export const MASK = '•';

export function redact(secret: string): string {
  const chars = [...secret];
  if (chars.length <= 4) return MASK.repeat(chars.length);
  return chars[0]! + MASK.repeat(chars.length - 2) + chars[chars.length - 1]!;
}

/** Replaces every occurrence of each secret in `text` by its redaction (longest first). */
export function redactAll(text: string, secrets: Iterable<string>): string {
  const sorted = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of sorted) out = out.split(secret).join(redact(secret));
  return out;
}
