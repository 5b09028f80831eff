/**
 * Canary exposure with a subword tokeniser (a tokenizer.json): candidate secrets tokenise
 * differently ("281943" may be 2 tokens, "000000" 1, a filling may merge with the text around
 * it), so the character trie of exposure.ts does not apply. Each candidate filling is encoded as
 * the WHOLE text (format prefix + filling + suffix, after the tokeniser's start token when it
 * has one) and scored by its full sequence log-likelihood.
 *
 * All candidates share the tokens of the longest common token prefix P; log p(text) =
 * log p(P) + log p(rest | P), and log p(P) is the same for every candidate, so ranks are those
 * of log p(rest | P). Candidates are scored in batches of consecutive fillings, each from the
 * longest token prefix its batch shares, with `continuations(prefix, rests)`: a decoder export
 * computes the prefix once and forks its KV cache across the batch.
 *
 * Exact rank over every candidate up to the exact limit; above it, the skew-normal estimate of
 * Carlini et al. 2019 (§4.3) from a seeded uniform sample, marked as estimated, as on the
 * character path.
 */
import { RuntimeFailure } from '../../errors';
import { exposureOf, midRank } from '../../metrics/exposure';
import type { ObservedSequenceModel } from '../../model/sequence-types';
import { fillCanary, SLOT_CLASSES, type CanaryFormat } from '../../text/canary';
import type { TextTokenizer } from '../../text/tokenizer';
import type { TextOrigin } from '../../text/vocab';
import type { Rng } from '../../util/random';
import { estimatedExposures, type ExposureResult, type WalkStats } from './exposure';

export interface SubwordOptions {
  /** Largest |R| ranked exactly. */
  exactLimit: number;
  /** Candidates sampled when estimating. */
  samples: number;
  /** Continuations per model call. */
  batch: number;
  confidence: number;
  rng: Rng;
}

export interface SubwordStats extends WalkStats {
  /** Candidate texts tokenised and scored (every candidate when exact, the sample otherwise). */
  scored: number;
  /** Tokens of the shared prefix P, and of the scored continuations in all. */
  prefixTokens: number;
  continuationTokens: number;
}

/** Candidate token sequences, flat: candidate i is tokens[offsets[i], offsets[i + 1]). */
export interface EncodedCandidates {
  tokens: Int32Array;
  offsets: Int32Array;
}

/** Exposure of each secret (a filling of the format's slots) by whole-text likelihood. */
export async function subwordExposures(
  model: ObservedSequenceModel,
  tokenizer: TextTokenizer,
  format: CanaryFormat,
  secrets: readonly string[],
  options: SubwordOptions,
  origin: TextOrigin,
): Promise<{ results: ExposureResult[]; stats: SubwordStats }> {
  const before = model.queries;
  const exact = format.spaceSize <= options.exactLimit;
  const alphabets = slotAlphabets(format);
  // Exact: every candidate in mixed-radix order, secrets found by their index. Estimated: the
  // secrets first, then the sample.
  const count = exact ? format.spaceSize : secrets.length + options.samples;
  const fillingOf = exact
    ? (i: number) => fillingAt(alphabets, i)
    : (() => {
        const sampled = Array.from({ length: options.samples }, () => alphabets.map((a) => a[options.rng.int(a.length)]!).join(''));
        return (i: number) => (i < secrets.length ? secrets[i]! : sampled[i - secrets.length]!);
      })();
  const start = tokenizer.bosId ?? tokenizer.eosId;
  const encoded = encodeCandidates(count, (i) => fillCanary(format, fillingOf(i)), tokenizer, start, origin);
  const { prefix, scores, continuationTokens } = await scoreCandidates(model, encoded, options.batch);
  const secretIndex = exact ? secrets.map((s) => indexOfFilling(alphabets, s)) : secrets.map((_, i) => i);
  const stats: SubwordStats = {
    queries: model.queries - before,
    nodes: 0,
    pruned: 0,
    estimated: !exact,
    scored: count,
    prefixTokens: prefix.length,
    continuationTokens,
  };
  if (exact) {
    const results = secretIndex.map((index): ExposureResult => {
      const own = scores[index]!;
      let better = 0;
      let ties = 0;
      for (let i = 0; i < scores.length; i++) {
        if (scores[i]! > own) better += 1;
        else if (scores[i] === own && i !== index) ties += 1;
      }
      const rank = midRank(better, ties);
      const exposure = exposureOf(rank, format.spaceBits);
      return { exposure, ci: [exposure, exposure], rank, logPerplexity: -own / Math.LN2, estimated: false, better, ties };
    });
    return { results, stats };
  }
  const secretScores = secretIndex.map((index) => scores[index]!);
  const results = estimatedExposures(scores.subarray(secrets.length), secretScores, format.spaceBits, options.confidence);
  return { results, stats };
}

/** Each slot character's alphabet, in order. */
function slotAlphabets(format: CanaryFormat): string[] {
  return format.segments.flatMap((s) => (s.kind === 'slot' ? Array.from({ length: s.length }, () => SLOT_CLASSES[s.slot]) : []));
}

/** The i-th filling in mixed-radix order (the last character varies fastest). */
export function fillingAt(alphabets: readonly string[], index: number): string {
  const chars = new Array<string>(alphabets.length);
  let rest = index;
  for (let j = alphabets.length - 1; j >= 0; j--) {
    const a = alphabets[j]!;
    chars[j] = a[rest % a.length]!;
    rest = Math.floor(rest / a.length);
  }
  return chars.join('');
}

function indexOfFilling(alphabets: readonly string[], filling: string): number {
  const chars = [...filling];
  let index = 0;
  alphabets.forEach((a, j) => (index = index * a.length + a.indexOf(chars[j]!)));
  return index;
}

/** The start token (when any) and the tokens of each candidate's whole text, flat. */
export function encodeCandidates(
  count: number,
  textOf: (i: number) => string,
  tokenizer: TextTokenizer,
  start: number | undefined,
  origin: TextOrigin,
): EncodedCandidates {
  let tokens = new Int32Array(Math.max(16, count * 8));
  const offsets = new Int32Array(count + 1);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const ids = tokenizer.encode(textOf(i), origin);
    const need = at + ids.length + 1;
    if (need > tokens.length) {
      const grown = new Int32Array(Math.max(need, tokens.length * 2));
      grown.set(tokens.subarray(0, at));
      tokens = grown;
    }
    if (start !== undefined) tokens[at++] = start;
    tokens.set(ids, at);
    at += ids.length;
    offsets[i + 1] = at;
  }
  return { tokens: tokens.subarray(0, at), offsets };
}

/**
 * The longest token prefix candidates [from, to) share, kept short enough that each of them has
 * at least one token after it (a candidate's whole likelihood must be scored).
 */
export function sharedPrefixLength({ tokens, offsets }: EncodedCandidates, from = 0, to = offsets.length - 1): number {
  let length = Infinity;
  for (let i = from; i < to; i++) length = Math.min(length, offsets[i + 1]! - offsets[i]! - 1);
  const first = offsets[from]!;
  for (let i = from + 1; i < to && length > 0; i++) {
    const at = offsets[i]!;
    let k = 0;
    while (k < length && tokens[at + k] === tokens[first + k]) k++;
    length = k;
  }
  return Math.max(0, length);
}

const SOURCE = { probe: "the extraction probe's canary enumeration (whole candidate texts, subword tokens)" };

/**
 * log p(rest | P) of every candidate, P the prefix all share. Each batch (consecutive candidates
 * in enumeration order, so sharing their first slot characters and often more tokens) is scored
 * from its own longer shared prefix P_b, computed once per call: log p(rest | P) =
 * log p(P_b after P | P) + log p(rest after P_b | P_b), the first term one extra row per batch.
 */
async function scoreCandidates(
  model: ObservedSequenceModel,
  encoded: EncodedCandidates,
  batch: number,
): Promise<{ prefix: Int32Array; scores: Float64Array; continuationTokens: number }> {
  const n = encoded.offsets.length - 1;
  const p = sharedPrefixLength(encoded);
  const prefix = encoded.tokens.slice(encoded.offsets[0]!, encoded.offsets[0]! + p);
  const scores = new Float64Array(n);
  let continuationTokens = 0;
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const pb = sharedPrefixLength(encoded, from, to);
    const batchPrefix = encoded.tokens.subarray(encoded.offsets[from]!, encoded.offsets[from]! + pb);
    const lead = pb > p ? revealed(await model.continuations(prefix, [batchPrefix.subarray(p)], SOURCE))[0]! : 0;
    const rests: Int32Array[] = [];
    for (let i = from; i < to; i++) rests.push(encoded.tokens.subarray(encoded.offsets[i]! + pb, encoded.offsets[i + 1]!));
    continuationTokens += rests.reduce((a, r) => a + r.length, 0) + (pb - p);
    const sums = revealed(await model.continuations(batchPrefix, rests, SOURCE));
    for (let i = 0; i < sums.length; i++) scores[from + i] = lead + sums[i]!;
  }
  return { prefix, scores, continuationTokens };
}

/** The surface check requires every probability; a NaN means a hidden score. */
function revealed(sums: Float64Array): Float64Array {
  if (sums.some((v) => Number.isNaN(v)))
    throw new RuntimeFailure(
      'canary exposure needs every next-token probability, but the output surface hides some (top-k); measure it with surface.scores: full',
    );
  return sums;
}
