/**
 * User-controlled text quoted in a message (a CSV header cell, a column name, an unknown policy
 * key, a value): secrets masked, then cut to MAX_QUOTED characters, so a 500 MB header line is
 * never echoed whole into stderr and the report, and a cut never leaves half a token behind.
 * Escaping for each output channel is the reporters' job; this only bounds and masks.
 */
import { redactSecrets } from './secrets';

export const MAX_QUOTED = 200;

/** Longest message kept whole: a guard for messages that list many quoted strings. */
export const MAX_MESSAGE = 4000;

/** The text masked and cut to MAX_QUOTED characters, saying how much was left out. */
export function cutUserText(text: string, limit = MAX_QUOTED): string {
  const masked = redactSecrets(text);
  if (masked.length <= limit) return masked;
  // Never split a surrogate pair: the half would be an invalid character in every report.
  const end = /[\uD800-\uDBFF]/.test(masked[limit - 1]!) ? limit - 1 : limit;
  return `${masked.slice(0, end)}… (${masked.length - end} more characters)`;
}

/** A user's string for a message: masked, cut, in double quotes with JSON escapes. */
export function quoteUserText(text: string): string {
  return JSON.stringify(cutUserText(text));
}

/** A whole message masked and, if it is longer than MAX_MESSAGE, cut (messages built from many quoted strings). */
export function boundMessage(message: string): string {
  return cutUserText(message, MAX_MESSAGE);
}
