/**
 * Generation extraction (Carlini et al. 2021, "Extracting Training Data from Large Language
 * Models", §4–5): sample many generations, rank them by how suspiciously likely the model finds
 * them, and count the samples that reproduce member text verbatim.
 *
 * Rankings (lower = more suspicious, the first `inspect` of each are "inspected"):
 * - perplexity: exp(−mean log p) of the generated tokens under the model;
 * - zlib: log-perplexity / zlib entropy (bits of the zlib-compressed UTF-8 text): low
 *   perplexity on text that does not compress well, i.e. not merely repetitive;
 * - reference (with `model.reference-model`): log-perplexity under the model / log-perplexity
 *   under the reference model: text the fine-tune made far more likely than the base model did.
 *
 * Verbatim: a sample holds a k-token window (k = match-tokens) equal to one of a member text
 * (windows.ts). Common text: a member window that also occurs in a non-member text is text of the
 * distribution (boilerplate, quotations), not evidence of training; a sample whose only member
 * windows are common is reported as `common`, not counted. `extracted-samples` counts distinct
 * samples with at least one member window that no non-member text has.
 *
 * A report never carries training text: listed samples are cut to a short excerpt, every
 * character of it that lies in a member window is redacted (first and last character kept, as
 * for secrets), and so is anything the secret scan's built-in patterns match.
 */
import { deflateSync } from 'node:zlib';
import type { ObservedSequenceModel, TokenScores } from '../../model/sequence-types';
import type { GenerationSettings } from '../../policy/types';
import type { AttackMeasurement, ExtractedSample, GenerationRanking } from '../../result';
import { builtinPattern, scanText } from '../../text/patterns';
import { redact } from '../../text/redact';
import type { TextTokenizer } from '../../text/tokenizer';
import { rngFor } from '../../util/random';
import type { SequenceProbeContext, TextData } from '../types';
import { WindowIndex } from './windows';

/** Rows per generate / score call: bounds a decoder's KV cache and the fallback's contexts. */
const BATCH = 256;
/** Characters of a sample shown in the report (before redaction, which keeps the length). */
const EXCERPT = 64;
/** Samples listed in the report (all are counted). */
const LISTED = 20;
/** Redacted in every excerpt, whatever the secret scan's settings. */
const SECRET_PATTERNS = (['email', 'phone', 'id-number'] as const).map((name) => builtinPattern(name));

export type RankingName = 'perplexity' | 'zlib' | 'reference';

export interface Sample {
  /** Index of the prompt it was generated from. */
  prompt: number;
  tokens: Int32Array;
  /** How many of the generated samples are this one (duplicates count once). */
  copies: number;
  logPerplexity: number;
  zlibBits: number;
  referenceLogPerplexity?: number;
  /** Covered by member windows at all / by a member window no non-member text has. */
  verbatim: boolean;
  extracted: boolean;
  /** Tokens of the sample inside a member window (common ones included). */
  memberTokens: number;
  /** The member text (0-based, in ctx.members order) of the first uncommon window, when extracted. */
  memberText?: number;
  /** Per token: 1 when it lies in a member window. */
  covered: Uint8Array;
}

export interface GenerationOutcome {
  attack: AttackMeasurement;
  notes: string[];
}

export async function generationAttack(
  ctx: SequenceProbeContext,
  settings: GenerationSettings,
  tokenizer: TextTokenizer,
): Promise<GenerationOutcome> {
  const notes: string[] = [];
  const prompts = settings.prompts.map((p) => promptIds(p, tokenizer));
  const generated = await sampleAll(ctx.model, prompts, settings, ctx.seed, tokenizer.eosId);
  const samples = distinct(generated);
  await scoreSamples(ctx.model, prompts, samples, 'model');
  if (ctx.reference) await scoreSamples(ctx.reference, prompts, samples, 'reference');
  const texts = samples.map((s) => tokenizer.decode(s.tokens));
  texts.forEach((text, i) => (samples[i]!.zlibBits = zlibBits(text)));
  const baseline = matchWindows(samples, ctx.members, ctx.nonMembers, settings.matchTokens);
  const rankings = rank(samples, settings.inspect, ctx.reference !== undefined);
  const extracted = samples.filter((s) => s.extracted);
  const verbatim = samples.filter((s) => s.verbatim);
  if (ctx.members.tokens.length < ctx.members.rowsInFile) {
    notes.push(
      `generation: the ${settings.matchTokens}-token window index holds the ${ctx.members.tokens.length} sampled member texts (data.members.max-rows), not all ${ctx.members.rowsInFile}: a sample reproducing an unsampled text is not counted`,
    );
  }
  if (baseline.nonMemberWindows === 0) {
    notes.push(
      `generation: no non-member text has ${settings.matchTokens} tokens, so no member window could be recognised as common text; every verbatim sample counts as extracted`,
    );
  }
  const listed = listSamples(samples, texts, rankings, tokenizer, ctx.members.lines);
  const rows = prompts.length * settings.samples;
  const description = `${rows} sampled generations of ${settings.length} tokens (temperature ${settings.temperature}${settings.topK ? `, top-k ${settings.topK}` : ''}${settings.topP < 1 ? `, top-p ${settings.topP}` : ''}) ranked by ${rankings.map((r) => r.ranking).join(', ')}; a sample is extracted when ${settings.matchTokens} consecutive tokens of it occur verbatim in a member text and in no non-member text (Carlini et al. 2021).`;
  return {
    attack: {
      attack: 'generation',
      description,
      metrics: {
        'extracted-samples': {
          value: extracted.length,
          ci: [extracted.length, extracted.length],
          generations: rows,
          distinct: samples.length,
          verbatim: verbatim.length,
          common: verbatim.length - extracted.length,
        },
      },
      details: {
        matchTokens: settings.matchTokens,
        inspect: settings.inspect,
        // Each ranking's tally; its full order stays here (it only places the listed samples).
        rankings: rankings.map(({ ranking, inspected, extracted, verbatim }) => ({ ranking, inspected, extracted, verbatim })),
        memberWindows: baseline.memberWindows,
        nonMemberWindows: baseline.nonMemberWindows,
        commonWindows: baseline.commonWindows,
        samples: listed,
        listed: listed.length,
        distinct: samples.length,
      },
    },
    notes,
  };
}

/**
 * A policy prompt as token ids. "" starts from the tokeniser's beginning-of-text id (or
 * end-of-text, as GPT-2 does) when it has one: a decoder cannot be queried with no token at all.
 */
export function promptIds(
  prompt: GenerationSettings['prompts'][number],
  tokenizer: TextTokenizer,
  field = 'probes.extraction.generation.prompts',
): Int32Array {
  if (prompt.text === '') {
    const start = tokenizer.bosId ?? tokenizer.eosId;
    return start === undefined ? new Int32Array(0) : Int32Array.of(start);
  }
  return tokenizer.encode(prompt.text, {
    file: prompt.source.file,
    line: prompt.source.line,
    field,
    what: 'the prompt',
  });
}

/** `samples` generations per prompt, in batches of BATCH rows, each batch with its own seeded stream. */
async function sampleAll(
  model: ObservedSequenceModel,
  prompts: readonly Int32Array[],
  settings: GenerationSettings,
  seed: number,
  stopId: number | undefined,
): Promise<{ prompt: number; tokens: Int32Array }[]> {
  const rows = prompts.flatMap((_, p) => Array.from({ length: settings.samples }, () => p));
  const out: { prompt: number; tokens: Int32Array }[] = [];
  for (let start = 0; start < rows.length; start += BATCH) {
    const chunk = rows.slice(start, start + BATCH);
    const generated = await model.generate(
      chunk.map((p) => prompts[p]!),
      {
        steps: settings.length,
        sampling: {
          temperature: settings.temperature,
          topK: settings.topK,
          topP: settings.topP,
          rng: rngFor(seed, `extraction/generation/${start}`),
        },
        ...(stopId === undefined ? {} : { stopId }),
      },
      { probe: "the extraction probe's generation sampling" },
    );
    chunk.forEach((p, i) => out.push({ prompt: p, tokens: generated[i]! }));
  }
  return out;
}

/** Distinct samples (prompt and tokens), first occurrence order; duplicates add to `copies`. */
function distinct(generated: { prompt: number; tokens: Int32Array }[]): Sample[] {
  const seen = new Map<string, Sample>();
  for (const g of generated) {
    const key = `${g.prompt}:${g.tokens.join(',')}`;
    const known = seen.get(key);
    if (known) {
      known.copies += 1;
      continue;
    }
    seen.set(key, {
      prompt: g.prompt,
      tokens: g.tokens,
      copies: 1,
      logPerplexity: NaN,
      zlibBits: NaN,
      verbatim: false,
      extracted: false,
      memberTokens: 0,
      covered: new Uint8Array(g.tokens.length),
    });
  }
  return [...seen.values()];
}

/** Log-perplexity (nats per token) of each sample's generated tokens given its prompt. */
async function scoreSamples(
  model: ObservedSequenceModel,
  prompts: readonly Int32Array[],
  samples: Sample[],
  which: 'model' | 'reference',
): Promise<void> {
  for (let start = 0; start < samples.length; start += BATCH) {
    const chunk = samples.slice(start, start + BATCH);
    const sequences = chunk.map((s) => concat(prompts[s.prompt]!, s.tokens));
    const scores = await model.score(sequences, {
      probe: `the extraction probe's generation ranking (${which === 'model' ? 'the model' : 'the reference model'} scoring each sample)`,
    });
    chunk.forEach((s, i) => {
      const value = logPerplexity(scores[i]!, prompts[s.prompt]!.length);
      if (which === 'model') s.logPerplexity = value;
      else s.referenceLogPerplexity = value;
    });
  }
}

/**
 * −mean log p over the generated tokens: positions t ≥ max(1, prompt length) of the sequence
 * (the first token of an empty prompt has no prediction). NaN when nothing is scored or a score
 * is hidden (the policy check requires a full surface, so a NaN is a bug that ranks last).
 */
export function logPerplexity(scores: TokenScores, promptLength: number): number {
  const from = Math.max(0, promptLength - 1);
  const n = scores.logProbs.length - from;
  if (n <= 0) return NaN;
  let sum = 0;
  for (let t = from; t < scores.logProbs.length; t++) sum += scores.logProbs[t]!;
  return -sum / n;
}

/** Bits of the zlib-compressed UTF-8 text (the paper's "zlib entropy"). */
export function zlibBits(text: string): number {
  return deflateSync(Buffer.from(text, 'utf8')).length * 8;
}

interface Baseline {
  memberWindows: number;
  nonMemberWindows: number;
  /** Non-member windows found verbatim in the member texts. */
  commonWindows: number;
}

/** Marks each sample verbatim / extracted / covered against the member window index. */
function matchWindows(samples: Sample[], members: TextData, nonMembers: TextData, k: number): Baseline {
  const index = new WindowIndex(members.tokens, k);
  const common = new Uint8Array(index.capacity);
  let nonMemberWindows = 0;
  let commonWindows = 0;
  for (const text of nonMembers.tokens) {
    nonMemberWindows += Math.max(0, text.length - k + 1);
    index.matches(text, (_, match) => {
      commonWindows += 1;
      common[match.slot] = 1;
    });
  }
  for (const s of samples) {
    index.matches(s.tokens, (position, match) => {
      s.verbatim = true;
      s.covered.fill(1, position, position + k);
      if (!common[match.slot] && !s.extracted) {
        s.extracted = true;
        s.memberText = match.text;
      }
    });
    s.memberTokens = s.covered.reduce((a, v) => a + v, 0);
  }
  return { memberWindows: index.size, nonMemberWindows, commonWindows };
}

/** Each ranking's order (most suspicious first) and how many of its first `inspect` samples are extracted. */
function rank(samples: Sample[], inspect: number, withReference: boolean): (GenerationRanking & { order: number[] })[] {
  const metrics: [RankingName, (s: Sample) => number][] = [
    ['perplexity', (s) => s.logPerplexity],
    ['zlib', (s) => s.logPerplexity / s.zlibBits],
  ];
  if (withReference) metrics.push(['reference', (s) => s.logPerplexity / s.referenceLogPerplexity!]);
  return metrics.map(([ranking, metric]) => {
    const values = samples.map(metric);
    const order = samples.map((_, i) => i);
    // NaN last; equal values keep generation order, so the ranking is deterministic.
    order.sort((a, b) => sortKey(values[a]!) - sortKey(values[b]!) || a - b);
    const top = order.slice(0, Math.min(inspect, order.length));
    return {
      ranking,
      inspected: top.length,
      extracted: top.filter((i) => samples[i]!.extracted).length,
      verbatim: top.filter((i) => samples[i]!.verbatim).length,
      order,
    };
  });
}

function sortKey(v: number): number {
  return Number.isNaN(v) ? Infinity : v;
}

/** Extracted samples first (by their best position in any ranking), then verbatim, then the rest; redacted excerpts. */
function listSamples(
  samples: Sample[],
  texts: string[],
  rankings: (GenerationRanking & { order: number[] })[],
  tokenizer: TextTokenizer,
  memberLines: readonly number[],
): ExtractedSample[] {
  const positions = rankings.map((r) => {
    const at = new Int32Array(samples.length);
    r.order.forEach((sample, position) => (at[sample] = position));
    return at;
  });
  const best = (i: number) => Math.min(...positions.map((p) => p[i]!));
  const tier = (s: Sample) => (s.extracted ? 0 : s.verbatim ? 1 : 2);
  const order = samples
    .map((_, i) => i)
    .filter((i) => samples[i]!.verbatim)
    .sort((a, b) => tier(samples[a]!) - tier(samples[b]!) || best(a) - best(b) || a - b)
    .slice(0, LISTED);
  return order.map((i) => {
    const s = samples[i]!;
    const row: ExtractedSample = {
      excerpt: redactedExcerpt(s, texts[i]!, tokenizer),
      extracted: s.extracted,
      tokens: s.tokens.length,
      memberTokens: s.memberTokens,
      copies: s.copies,
      perplexity: Math.exp(s.logPerplexity),
      zlibRatio: s.logPerplexity / s.zlibBits,
      ranks: Object.fromEntries(rankings.map((r, j) => [r.ranking, positions[j]![i]! + 1])),
    };
    if (s.referenceLogPerplexity !== undefined) row.referenceRatio = s.logPerplexity / s.referenceLogPerplexity;
    if (s.memberText !== undefined) row.memberLine = memberLines[s.memberText]!;
    return row;
  });
}

/**
 * The sample's first EXCERPT characters with every character that came from a member window,
 * and every built-in secret pattern match, redacted. Characters are attributed to tokens by
 * decoding growing prefixes, so a multi-byte character split across tokens goes with the token
 * that completes it.
 */
export function redactedExcerpt(sample: Pick<Sample, 'tokens' | 'covered'>, text: string, tokenizer: TextTokenizer): string {
  const excerpt = [...text].slice(0, EXCERPT);
  const cover = new Uint8Array(excerpt.length);
  let done = 0;
  for (let t = 0; t < sample.tokens.length && done < excerpt.length; t++) {
    const upTo = Math.min(excerpt.length, [...tokenizer.decode(sample.tokens.subarray(0, t + 1))].length);
    if (sample.covered[t]) cover.fill(1, done, upTo);
    done = Math.max(done, upTo);
  }
  const plain = excerpt.join('');
  for (const match of scanText(plain, SECRET_PATTERNS)) {
    const from = [...plain.slice(0, match.index)].length;
    cover.fill(1, from, from + [...match.text].length);
  }
  let out = '';
  for (let i = 0; i < excerpt.length;) {
    let j = i;
    while (j < excerpt.length && cover[j] === cover[i]) j++;
    const run = excerpt.slice(i, j).join('');
    out += cover[i] ? redact(run) : run;
    i = j;
  }
  return [...text].length > EXCERPT ? `${out}…` : out;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
