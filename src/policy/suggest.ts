/** "Did you mean" for keys, enum values and preset names. */
import { distance } from 'fastest-levenshtein';

/** Case and dashes/underscores ignored, so `maxRows` and `max_rows` both find `max-rows`. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: an edit distance
 * of at most 2, or at most a third of the word's length.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = normalise(word) === normalise(candidate) ? 0 : distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= 2 || bestDistance <= word.length / 3 ? best : undefined;
}
