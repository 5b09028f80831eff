/**
 * Canary exposure with subword tokens: every candidate text tokenised whole and scored by its
 * full likelihood, against a brute force that scores each candidate's whole token sequence one
 * position at a time (no shared prefix, no batching) and ranks by sorting. Models return dyadic
 * log-probabilities (multiples of 1/8), so sums are exact in any order and ties are frequent.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExtractionSettings } from '../../src/policy/types';
import { extractionProbe } from '../../src/probes/extraction/family';
import { subwordExposures } from '../../src/probes/extraction/subword-exposure';
import type { SequenceProbeContext, TextData } from '../../src/probes/types';
import { fillCanary, parseCanaryFormat, type CanaryFormat } from '../../src/text/canary';
import type { TextTokenizer } from '../../src/text/tokenizer';
import { rngFor } from '../../src/util/random';
import { FunctionModel } from './extraction-helpers';
import { fixtureTokenizer } from './subword-tokenizer';

const source = { file: 'policy.yml', line: 1, column: 1 };
const origin = { file: 'policy.yml', line: 1, field: 'probes.extraction.canaries.format', what: 'the canary format' };

/** Greedy longest-match over a vocabulary with multi-character tokens: "123" and "12" are tokens, so fillings tokenise differently. */
function toyTokenizer(extra: { bosId?: number } = {}): TextTokenizer & { vocab: string[] } {
  const vocab = ['<s>', ...' abcdefghijklmnopqrstuvwxyz0123456789.:', '12', '123', '00', '000', '99', 'pin', ' is', '7.', 'my'];
  const index = new Map(vocab.map((t, i) => [t, i]));
  return {
    vocab,
    kind: 'tokenizer.json',
    source: 'toy.tokenizer.json',
    size: vocab.length,
    padId: undefined,
    ...extra,
    encode(text) {
      const out: number[] = [];
      for (let i = 0; i < text.length;) {
        let len = Math.min(3, text.length - i);
        while (len > 1 && !index.has(text.slice(i, i + len))) len--;
        const id = index.get(text.slice(i, i + len));
        if (id === undefined) throw new Error(`no token for ${text[i]}`);
        out.push(id);
        i += len;
      }
      return Int32Array.from(out);
    },
    decode: (ids) => Array.from(ids, (id) => (id === 0 ? '' : vocab[id]!)).join(''),
  };
}

/** Dyadic pseudo-random log-probabilities: −(1 + h mod 40)/8 for each token, h a hash of (context, token). */
function dyadicModel(size: number, seed = 3): (context: Int32Array) => Float64Array {
  return (context) => {
    const rng = rngFor(seed, Array.from(context).join(','));
    return Float64Array.from({ length: size }, () => -(1 + rng.int(40)) / 8);
  };
}

/** A model that has memorised `text` after the start token: each next token of it gets log-probability 0. */
function memorised(size: number, tokens: Int32Array): (context: Int32Array) => Float64Array {
  const base = dyadicModel(size);
  return (context) => {
    const out = base(context);
    if (context.length < tokens.length && context.every((v, i) => tokens[i] === v)) out[tokens[context.length]!] = 0;
    return out;
  };
}

function allFillings(format: CanaryFormat): string[] {
  let out = [''];
  for (const s of format.segments) {
    if (s.kind !== 'slot') continue;
    const alphabet = { digits: '0123456789', letters: 'abcdefghijklmnopqrstuvwxyz', hex: '0123456789abcdef' }[s.slot];
    for (let j = 0; j < s.length; j++) out = out.flatMap((p) => [...alphabet].map((c) => p + c));
  }
  return out;
}

/** Brute force: each candidate's whole sequence (start token, then its tokens) scored position by position. */
async function bruteForce(model: FunctionModel, tokenizer: TextTokenizer, format: CanaryFormat, secrets: string[]) {
  const start = tokenizer.bosId ?? tokenizer.eosId;
  const fillings = allFillings(format);
  const scores = new Map<string, number>();
  for (const f of fillings) {
    const ids = [...(start === undefined ? [] : [start]), ...tokenizer.encode(fillCanary(format, f), origin)];
    let score = 0;
    for (let t = start === undefined ? 0 : 1; t < ids.length; t++) {
      const lp = (await model.next([Int32Array.from(ids.slice(0, t))], { probe: 'brute force' })).logProbs!;
      score += lp[ids[t]!]!;
    }
    scores.set(f, score);
  }
  const all = [...scores.values()];
  return secrets.map((s) => {
    const own = scores.get(s)!;
    const better = all.filter((v) => v > own).length;
    const ties = all.filter((v) => v === own).length - 1;
    const rank = 1 + better + ties / 2;
    return { better, ties, rank, exposure: Math.log2(fillings.length) - Math.log2(rank) };
  });
}

const options = (over: Partial<Parameters<typeof subwordExposures>[4]> = {}) => ({
  exactLimit: 1e6,
  samples: 500,
  batch: 64,
  confidence: 0.95,
  rng: rngFor(1, 'subword'),
  ...over,
});

describe('canary exposure with subword tokens', () => {
  it.each([
    {
      name: 'toy tokenizer with a start token',
      format: 'my pin is {digits:3}.',
      tokenizer: () => toyTokenizer({ bosId: 0 }),
      secrets: ['123', '000', '517', '997'],
    },
    { name: 'toy tokenizer, slot first, no start token', format: '{digits:3}7.', tokenizer: () => toyTokenizer(), secrets: ['120', '999'] },
    {
      name: 'the byte-level BPE fixture',
      format: 'the pin: {digits:3}',
      tokenizer: () => fixtureTokenizer(),
      secrets: ['281', '000', '999'],
    },
  ])('exact ranks equal a brute force over whole texts ($name)', async ({ format: text, tokenizer: make, secrets }) => {
    const tokenizer = make();
    const format = parseCanaryFormat(text) as CanaryFormat;
    const model = new FunctionModel(tokenizer.size, dyadicModel(tokenizer.size));
    const { results, stats } = await subwordExposures(model, tokenizer, format, secrets, options(), origin);
    const expected = await bruteForce(new FunctionModel(tokenizer.size, dyadicModel(tokenizer.size)), tokenizer, format, secrets);
    expect(results.map((r) => ({ better: r.better, ties: r.ties, rank: r.rank, exposure: r.exposure }))).toEqual(expected);
    expect(results.every((r) => !r.estimated)).toBe(true);
    expect(stats).toMatchObject({ scored: 1000, estimated: false });
    // The candidates really do tokenise to different lengths (else the character walk would do).
    const lengths = new Set(allFillings(format).map((f) => tokenizer.encode(fillCanary(format, f), origin).length));
    if (tokenizer.source.startsWith('toy')) expect(lengths.size).toBeGreaterThan(1);
  });

  it('a memorised canary ranks first however it tokenises', async () => {
    const tokenizer = toyTokenizer({ bosId: 0 });
    const format = parseCanaryFormat('my pin is {digits:4}.') as CanaryFormat;
    const secret = '1237';
    const tokens = Int32Array.from([0, ...tokenizer.encode(fillCanary(format, secret), origin)]);
    const model = new FunctionModel(tokenizer.size, memorised(tokenizer.size, tokens));
    const { results, stats } = await subwordExposures(model, tokenizer, format, [secret, '5555'], options({ batch: 4096 }), origin);
    expect(results[0]).toMatchObject({ rank: 1, better: 0, ties: 0 });
    expect(results[0]!.exposure).toBeCloseTo(Math.log2(10_000), 10);
    expect(results[1]!.exposure).toBeLessThan(8);
    // "my pin is " is shared by every candidate: scored once as the prefix (start token included).
    expect(stats.prefixTokens).toBe(1 + tokenizer.encode('my pin is ', origin).length);
    expect(stats.scored).toBe(10_000);
  });

  it('above the exact limit: estimated from a seeded sample, and the same seed gives the same numbers', async () => {
    const tokenizer = toyTokenizer({ bosId: 0 });
    const format = parseCanaryFormat('my pin is {digits:4}.') as CanaryFormat;
    const secret = '1237';
    const tokens = Int32Array.from([0, ...tokenizer.encode(fillCanary(format, secret), origin)]);
    const run = () =>
      subwordExposures(
        new FunctionModel(tokenizer.size, memorised(tokenizer.size, tokens)),
        tokenizer,
        format,
        [secret],
        options({ exactLimit: 1000 }),
        origin,
      );
    const a = await run();
    const b = await run();
    expect(a.results).toEqual(b.results);
    expect(a.results[0]!.estimated).toBe(true);
    expect(a.stats).toMatchObject({ estimated: true, scored: 1 + 500 });
    expect(a.results[0]!.exposure).toBeGreaterThan(10);
  });
});

describe('the test tokenizer over the fixture', () => {
  const expected = JSON.parse(readFileSync('test/fixtures/lm/tokenizers.expected.json', 'utf8')) as {
    bytelevel: { cases: { text: string; ids: number[] }[] };
  };
  it("gives the independent encoder's ids, with the library cache and with the plain Map cache (the bench compares their speed)", () => {
    const plain = fixtureTokenizer(undefined, undefined, true);
    const library = fixtureTokenizer();
    for (const c of expected.bytelevel.cases) {
      expect(Array.from(library.encode(c.text, origin))).toEqual(c.ids);
      expect(Array.from(plain.encode(c.text, origin))).toEqual(c.ids);
    }
    for (let i = 0; i < 3000; i += 7) {
      const text = `my pin is ${String(i * 331).padStart(6, '0')}.`;
      expect(Array.from(plain.encode(text, origin))).toEqual(Array.from(library.encode(text, origin)));
    }
  });
});

describe('the extraction probe on a tokenizer.json', () => {
  const texts: TextData = { role: 'members', file: 'm.txt', tokens: [], lines: [], corpus: '', rows: 0, rowsInFile: 0 };
  const settings = (canaries: ExtractionSettings['canaries'], policyExactLimit?: number): ExtractionSettings => ({
    canaries,
    exposure: { exactLimit: 1e7, samples: 200, ...(policyExactLimit ? { policyExactLimit } : {}) },
    thresholds: {},
  });

  it('scores whole texts, reports how many candidates were scored, and defaults the exact limit to 10^6', async () => {
    const tokenizer = toyTokenizer({ bosId: 0 });
    const model = new FunctionModel(tokenizer.size, dyadicModel(tokenizer.size));
    const ctx: SequenceProbeContext = {
      task: 'sequence',
      model,
      tokenizer,
      members: texts,
      nonMembers: { ...texts, role: 'non-members' },
      seed: 5,
      confidence: 0.95,
    };
    const canaries = [
      { format: 'pin {digits:3}', inserted: ['123'], controls: ['000'], source },
      { format: 'code {digits:7}', inserted: ['1234567'], controls: [], source },
    ];
    const result = await extractionProbe.run(ctx, settings(canaries));
    const attack = result.attacks.find((a) => a.attack === 'canary-exposure')!;
    expect(attack.details!.walks).toMatchObject([
      { format: 'pin {digits:3}', tokens: 'subword', scored: 1000, estimated: false },
      // 10^7 > 10^6: estimated on this path, although the character path walks it exactly.
      { format: 'code {digits:7}', tokens: 'subword', scored: 201, estimated: true },
    ]);
    expect(result.notes.some((n) => n.includes('1,000 candidate texts were each tokenised whole'))).toBe(true);
    expect(result.notes.some((n) => n.includes('"code {digits:7}"') && n.includes('ESTIMATED'))).toBe(true);
    // The policy's exact-limit applies when written.
    const exact = await extractionProbe.run(ctx, settings([canaries[0]!], 100));
    expect(exact.attacks[0]!.details!.walks![0]).toMatchObject({ estimated: true, scored: 2 + 200 });
    expect(JSON.stringify(result)).not.toContain('1234567');
  });
});
