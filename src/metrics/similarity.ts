/**
 * Text similarity for the memorisation attack: 1 − Levenshtein distance / length, so 1 is a
 * verbatim continuation and 0 shares nothing in place. Token sequences are compared as strings
 * of code units (one per token id), which fastest-levenshtein handles natively.
 */
import { distance } from 'fastest-levenshtein';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkConfidence, type Interval } from './binomial';

/** 1 − edit distance / max(length); two empty sequences are identical (1). */
export function normalisedSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - distance(asString(a), asString(b)) / longest;
}

function asString(ids: ArrayLike<number>): string {
  let s = '';
  // Ids beyond one UTF-16 unit would need surrogates; vocabularies here are far smaller.
  for (let i = 0; i < ids.length; i++) s += String.fromCharCode(ids[i]! & 0xffff);
  return s;
}

export interface MeanEstimate {
  value: number | null;
  ci: Interval;
  n: number;
}

/**
 * Mean of values in [0, 1] with a normal-approximation interval (mean ± z·s/√n, clipped to
 * [0, 1]); null with [0, 1] when there are no values.
 */
export function meanWithInterval(values: readonly number[], confidence: number): MeanEstimate {
  checkConfidence(confidence);
  const n = values.length;
  if (n === 0) return { value: null, ci: [0, 1], n };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n === 1) return { value: mean, ci: [0, 1], n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = normalQuantile(1 - (1 - confidence) / 2, 0, 1) * Math.sqrt(variance / n);
  return { value: mean, ci: [Math.max(0, mean - half), Math.min(1, mean + half)], n };
}
