/**
 * Generation extraction (Carlini et al. 2021) on plain-function models: the k-token window index
 * against a brute force (collisions included), the extracted count against a string-level oracle,
 * the non-member baseline, the rankings, redaction, determinism, the policy, and memorisation
 * through the model's own `generate`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors';
import { ObservedSequence } from '../../src/model/sequence-surface';
import { generate as opsGenerate } from '../../src/model/sequence-ops';
import type { GenerateOptions } from '../../src/model/sequence-types';
import type { ExtractionSettings, GenerationSettings } from '../../src/policy/types';
import { extractionProbe } from '../../src/probes/extraction/family';
import { promptIds, redactedExcerpt } from '../../src/probes/extraction/generation';
import { WindowIndex } from '../../src/probes/extraction/windows';
import { generationTables } from '../../src/report/generation';
import type { SequenceProbeContext } from '../../src/probes/types';
import type { TextTokenizer } from '../../src/text/tokenizer';
import { loadPolicy } from '../../src/run/policy';
import { rngFor } from '../../src/util/random';
import { policyDir } from '../policy/helpers';
import { FunctionModel, FunctionSequenceModel, hashModel, logSoftmax, TEST_VOCAB, textData } from './extraction-helpers';

const V = TEST_VOCAB.size;
const source = { file: 'policy.yml', line: 3, column: 5 };

/**
 * A model that memorised `training`: when the context is a prefix of some training texts it puts
 * `mass` on each of their next characters (equally); otherwise a pseudo-random distribution.
 */
function memorising(training: string[], mass = 12): (context: Int32Array) => Float64Array {
  const texts = training.map((t) => TEST_VOCAB.encode(t, { file: 'training' }));
  const fallback = hashModel(V, 11);
  return (context) => {
    const next = new Set<number>();
    for (const t of texts) if (t.length > context.length && context.every((v, i) => t[i] === v)) next.add(t[context.length]!);
    if (next.size === 0) return fallback(context);
    const logits = new Array<number>(V).fill(0);
    for (const id of next) logits[id] = mass;
    return logSoftmax(logits);
  };
}

const words = ['whale', 'ship', 'sea', 'harpoon', 'captain', 'mast', 'deck', 'storm', 'oil', 'boat', 'crew', 'wind'];
/** Distinct 40-character texts with pseudo-random words. */
function texts(n: number, seed: number): string[] {
  const rng = rngFor(seed, 'texts');
  return Array.from({ length: n }, (_, i) => {
    let t = `${i}${seed} `;
    while (t.length < 40) t += `${words[rng.int(words.length)]} `;
    return t.slice(0, 40);
  });
}

/** Boilerplate in both sets: reproducing it is not evidence of training. */
const COMMON = 'the project gutenberg ebook of moby dick';

const generation = (over: Partial<GenerationSettings> = {}): GenerationSettings => ({
  prompts: [{ text: '', source }],
  samples: 120,
  length: 40,
  temperature: 1,
  topK: 0,
  topP: 1,
  matchTokens: 16,
  inspect: 10,
  ...over,
});

const settings = (g: GenerationSettings): ExtractionSettings => ({
  canaries: [],
  exposure: { exactLimit: 1e7, samples: 1000 },
  thresholds: {},
  generation: g,
});

function context(model: FunctionModel, members: string[], nonMembers: string[], reference?: FunctionModel): SequenceProbeContext {
  return {
    task: 'sequence',
    model,
    vocabulary: TEST_VOCAB,
    members: textData('members', members),
    nonMembers: textData('non-members', nonMembers),
    seed: 7,
    confidence: 0.95,
    ...(reference ? { reference } : {}),
  };
}

/** Oracle on strings: a sample is extracted when a k-character substring is in a member text and in no non-member text. */
function oracle(samples: string[], members: string[], nonMembers: string[], k: number): { verbatim: number; extracted: number } {
  let verbatim = 0;
  let extracted = 0;
  for (const s of new Set(samples)) {
    let isVerbatim = false;
    let isExtracted = false;
    for (let i = 0; i + k <= s.length; i++) {
      const w = s.slice(i, i + k);
      if (!members.some((m) => m.includes(w))) continue;
      isVerbatim = true;
      if (!nonMembers.some((n) => n.includes(w))) isExtracted = true;
    }
    verbatim += Number(isVerbatim);
    extracted += Number(isExtracted);
  }
  return { verbatim, extracted };
}

describe('WindowIndex', () => {
  it.each([
    { k: 1, vocab: 3 },
    { k: 3, vocab: 3 },
    { k: 5, vocab: 2 },
    { k: 8, vocab: 4 },
  ])('finds exactly the windows a brute force finds (k $k, vocabulary $vocab)', ({ k, vocab }) => {
    const rng = rngFor(5, `windows/${k}`);
    const random = (n: number) => Int32Array.from({ length: n }, () => rng.int(vocab));
    const indexed = Array.from({ length: 6 }, (_, i) => random(i * 4));
    const index = new WindowIndex(indexed, k);
    const key = (t: Int32Array, at: number) => Array.from(t.subarray(at, at + k)).join(',');
    const all = new Set(indexed.flatMap((t) => Array.from({ length: Math.max(0, t.length - k + 1) }, (_, i) => key(t, i))));
    expect(index.size).toBe(all.size);
    for (let q = 0; q < 20; q++) {
      const query = random(12);
      const found: number[] = [];
      index.matches(query, (position, match) => {
        found.push(position);
        // The match points at an equal window of the indexed text.
        expect(key(indexed[match.text]!, match.offset)).toBe(key(query, position));
      });
      const expected = Array.from({ length: Math.max(0, 13 - k) }, (_, i) => i).filter((i) => all.has(key(query, i)));
      expect(found).toEqual(expected);
    }
  });

  it('a hash collision is confirmed token by token, not counted', () => {
    // h([a, b]) = a·B + b with B = 0x01000193: [1, 0] and [0, 0x01000193] share a hash.
    const index = new WindowIndex([Int32Array.of(1, 0)], 2);
    const found: number[] = [];
    index.matches(Int32Array.of(0, 0x01000193), (p) => found.push(p));
    expect(found).toEqual([]);
    index.matches(Int32Array.of(1, 0), (p) => found.push(p));
    expect(found).toEqual([0]);
  });

  it('windows never span two texts', () => {
    const index = new WindowIndex([Int32Array.of(1, 2), Int32Array.of(3, 4)], 2);
    const found: number[] = [];
    index.matches(Int32Array.of(2, 3), (p) => found.push(p));
    expect(found).toEqual([]);
    expect(index.size).toBe(2);
  });
});

describe('generation extraction', () => {
  const members = [...texts(12, 1), COMMON];
  const nonMembers = [...texts(12, 2), COMMON];
  // Memorised: the first 8 member texts and the boilerplate; not the last 4.
  const training = [...members.slice(0, 8), COMMON];

  it('counts the samples that reproduce member text, not common text, as a string oracle does', async () => {
    const model = new FunctionModel(V, memorising(training));
    const g = generation();
    const result = await extractionProbe.run(context(model, members, nonMembers), settings(g));
    const attack = result.attacks.find((a) => a.attack === 'generation')!;
    const metric = attack.metrics['extracted-samples']!;
    // The oracle decodes the same seeded generations (same chunking and seeds as the probe).
    const again = await model.generate(
      Array.from({ length: g.samples }, () => new Int32Array(0)),
      { steps: g.length, sampling: { temperature: 1, topK: 0, topP: 1, rng: rngFor(7, 'extraction/generation/0') } },
      { probe: 'test' },
    );
    const decoded = again.map((t) => TEST_VOCAB.decode(t));
    const truth = oracle(decoded, members, nonMembers, g.matchTokens);
    expect(metric.value).toBe(truth.extracted);
    expect(metric.verbatim).toBe(truth.verbatim);
    expect(metric.distinct).toBe(new Set(decoded).size);
    expect(metric.generations).toBe(g.samples);
    // The memorising model reproduces most of its 8 member texts and the boilerplate.
    expect(truth.extracted).toBeGreaterThanOrEqual(5);
    expect(metric.common).toBeGreaterThanOrEqual(1);
    // The non-member baseline: non-member windows found in a member text (the boilerplate's among them).
    const windows = (t: string) => Array.from({ length: t.length - g.matchTokens + 1 }, (_, i) => t.slice(i, i + g.matchTokens));
    const common = nonMembers.flatMap(windows).filter((w) => members.some((m) => m.includes(w))).length;
    expect(common).toBeGreaterThanOrEqual(COMMON.length - g.matchTokens + 1);
    expect(attack.details!.commonWindows).toBe(common);
    expect(attack.details!.nonMemberWindows).toBe(nonMembers.reduce((a, t) => a + t.length - g.matchTokens + 1, 0));
  });

  it('ranks memorised samples first by perplexity and zlib ratio; by the reference ratio when a reference model is given', async () => {
    const model = new FunctionModel(V, memorising(training));
    // The reference knows the boilerplate too (a base model would): its ratio pushes it down.
    const reference = new FunctionModel(V, memorising([COMMON]));
    const g = generation({ inspect: 5 });
    const result = await extractionProbe.run(context(model, members, nonMembers, reference), settings(g));
    const details = result.attacks.find((a) => a.attack === 'generation')!.details!;
    const rankings = details.rankings!;
    expect(rankings.map((r) => r.ranking)).toEqual(['perplexity', 'zlib', 'reference']);
    for (const r of rankings) expect(Object.keys(r)).toEqual(['ranking', 'inspected', 'extracted', 'verbatim']);
    for (const r of rankings) expect(r.inspected).toBe(5);
    // Memorised texts are near-certain under the model: every top-5 sample is verbatim.
    expect(rankings[0]!.verbatim).toBe(5);
    // The reference ratio ranks member text the base model does not know first.
    expect(rankings[2]!.extracted).toBe(5);
    const samples = details.samples!;
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(Object.keys(s.ranks)).toEqual(['perplexity', 'zlib', 'reference']);
      expect(s.referenceRatio).toBeGreaterThan(0);
    }
    // Extracted samples are listed first, each with the member line it reproduces.
    const firstCommon = samples.findIndex((s) => !s.extracted);
    if (firstCommon >= 0) expect(samples.slice(firstCommon).every((s) => !s.extracted)).toBe(true);
    for (const s of samples.filter((x) => x.extracted)) expect(s.memberLine).toBeGreaterThanOrEqual(1);
  });

  it('never carries training text: excerpts are short and member windows redacted', async () => {
    const model = new FunctionModel(V, memorising(training));
    const result = await extractionProbe.run(context(model, members, nonMembers), settings(generation()));
    const json = JSON.stringify(result);
    for (const m of members) for (let i = 0; i + 8 <= m.length; i++) expect(json).not.toContain(m.slice(i, i + 8));
    const samples = result.attacks.find((a) => a.attack === 'generation')!.details!.samples!;
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect([...s.excerpt].length).toBeLessThanOrEqual(65);
  });

  it('the Markdown summary shows each ranking, the non-member baseline and redacted excerpts', async () => {
    const model = new FunctionModel(V, memorising(training));
    const result = await extractionProbe.run(context(model, members, nonMembers), settings(generation()));
    const text = generationTables(result).join('\n');
    // Each ranking inspects its top 10 distinct samples (fewer when fewer are distinct).
    const inspected = Number(/\| perplexity \| (\d+) \| \d+ \| \d+ \|/.exec(text)?.[1]);
    const distinct = result.attacks.find((a) => a.attack === 'generation')!.metrics['extracted-samples']!.distinct!;
    expect(inspected).toBe(Math.min(10, distinct));
    expect(text).toMatch(new RegExp(`\\| zlib \\| ${inspected} \\|`));
    expect(text).toMatch(/Non-member baseline: \d+ of 325 16-token windows/);
    expect(text).toContain('•');
    for (const m of members) for (let i = 0; i + 8 <= m.length; i++) expect(text).not.toContain(m.slice(i, i + 8));
    expect(generationTables({ attacks: [] })).toEqual([]);
  });

  it('redacts member windows and secret-like strings in an excerpt, by token', () => {
    const tokens = TEST_VOCAB.encode('abc whale ship xyz mail a@b.co', { file: 't' });
    const covered = new Uint8Array(tokens.length);
    covered.fill(1, 4, 14); // "whale ship"
    const tokenizer = charTokenizer();
    expect(redactedExcerpt({ tokens, covered }, TEST_VOCAB.decode(tokens), tokenizer)).toBe('abc w••••••••p xyz mail a••••o');
  });

  it('the same seed gives the same report', async () => {
    const run = async () =>
      JSON.stringify(
        await extractionProbe.run(context(new FunctionModel(V, memorising(training)), members, nonMembers), settings(generation())),
      );
    expect(await run()).toBe(await run());
  });

  it('"" starts from the beginning-of-text token, or end-of-text, when the tokeniser has one', () => {
    const prompt = { text: '', source };
    expect(Array.from(promptIds(prompt, charTokenizer()))).toEqual([]);
    expect(Array.from(promptIds(prompt, { ...charTokenizer(), eosId: 41 }))).toEqual([41]);
    expect(Array.from(promptIds(prompt, { ...charTokenizer(), eosId: 41, bosId: 40 }))).toEqual([40]);
    expect(Array.from(promptIds({ text: 'ab', source }, charTokenizer()))).toEqual([2, 3]);
  });

  it('stops a sample at the end-of-text token', async () => {
    const eos = TEST_VOCAB.idOf('!')!;
    // After "ab" the model is certain of "!".
    const fn = memorising(['ab!zzzzzzzzzzzzzzzzzzzzzzzzz'], 40);
    const model = new FunctionModel(V, fn);
    const ctx: SequenceProbeContext = {
      ...context(model, members, nonMembers),
      vocabulary: undefined,
      tokenizer: { ...charTokenizer(), eosId: eos },
    };
    const result = await extractionProbe.run(ctx, settings(generation({ prompts: [{ text: 'ab', source }], samples: 3, length: 20 })));
    const metric = result.attacks.find((a) => a.attack === 'generation')!.metrics['extracted-samples']!;
    expect(metric.distinct).toBe(1);
  });
});

function charTokenizer(): TextTokenizer {
  return {
    kind: 'characters',
    source: 'test',
    size: V,
    padId: 0,
    encode: (text, origin) => TEST_VOCAB.encode(text, origin),
    decode: (ids) => TEST_VOCAB.decode(ids),
  };
}

/** A model with its own `generate` (as a decoder export with a KV cache has): counts its calls. */
class GeneratingModel extends FunctionSequenceModel {
  generateCalls = 0;

  async generate(prompts: readonly Int32Array[], options: GenerateOptions): Promise<Int32Array[]> {
    this.generateCalls += 1;
    const plain = { info: this.info, queries: 0, nextLogProbs: (c: readonly Int32Array[]) => this.nextLogProbs(c) };
    return opsGenerate(plain, prompts, options);
  }
}

describe('memorisation through generate', () => {
  it('one batched greedy generate call, the same figures as step-by-step decoding', async () => {
    const members = texts(10, 3);
    const nonMembers = texts(10, 4);
    const fn = memorising(members.slice(0, 7));
    const s: ExtractionSettings = {
      canaries: [],
      exposure: { exactLimit: 1e7, samples: 1000 },
      thresholds: {},
      memorization: { prefix: 8, suffix: 16 },
    };
    const inner = new GeneratingModel(V, fn);
    const fast = await extractionProbe.run(
      { ...context(new FunctionModel(V, fn), members, nonMembers), model: new ObservedSequence(inner, { scores: 'label', topK: 0 }) },
      s,
    );
    expect(inner.generateCalls).toBe(1);
    const slow = await extractionProbe.run(context(new FunctionModel(V, fn), members, nonMembers), s);
    expect(fast.attacks[0]!.metrics).toEqual(slow.attacks[0]!.metrics);
    expect(fast.attacks[0]!.metrics['extraction-rate']!.k).toBe(7);
  });
});

describe('generation policy', () => {
  const HEAD = `version: 1
model:
  path: model.onnx
  task: sequence
  tokenizer: { vocab: "abc", pad-id: 0 }
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
`;
  const FILES = ['model.onnx', 'members.txt', 'non-members.txt'];
  const load = (text: string) => {
    const dir = policyDir({ 'policy.yaml': text }, FILES);
    return loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] });
  };
  const refusal = (text: string): PolicyError => {
    try {
      load(text);
    } catch (error) {
      return error as PolicyError;
    }
    throw new Error('the policy was accepted');
  };

  it('the threshold alone switches generation on with every default', () => {
    const policy = load(`${HEAD}probes:\n  extraction:\n    thresholds: { extracted-samples: { fail: 0 } }\n`);
    const g = policy.probes.extraction!.generation!;
    expect({ ...g, prompts: g.prompts.map((p) => p.text) }).toEqual({
      prompts: [''],
      samples: 256,
      length: 64,
      temperature: 1,
      topK: 40,
      topP: 1,
      matchTokens: 32,
      inspect: 100,
    });
    expect(policy.probes.extraction!.thresholds['extracted-samples']).toMatchObject({ fail: 0 });
  });

  it('reads every field', () => {
    const policy = load(
      `${HEAD}probes:\n  extraction:\n    generation: { prompts: ["ab"], samples: 8, length: 20, temperature: 0.7, top-k: 5, top-p: 0.9, match-tokens: 10, inspect: 4 }\n    thresholds: { extracted-samples: { warn: 0, fail: 2 } }\n`,
    );
    expect(policy.probes.extraction!.generation).toMatchObject({
      samples: 8,
      length: 20,
      temperature: 0.7,
      topK: 5,
      topP: 0.9,
      matchTokens: 10,
      inspect: 4,
    });
  });

  it.each([
    {
      name: 'a top-k surface',
      text: `${HEAD}surface: { scores: top-k, top-k: 5 }\nprobes:\n  extraction:\n    generation: { samples: 8 }\n    thresholds: { extracted-samples: { fail: 0 } }\n`,
      line: 12,
      field: 'probes.extraction.generation',
      message: /needs every next-token probability, but surface\.scores is top-k/,
    },
    {
      name: 'a window longer than a sample',
      text: `${HEAD}probes:\n  extraction:\n    generation: { length: 20, match-tokens: 30 }\n    thresholds: { extracted-samples: { fail: 0 } }\n`,
      line: 11,
      field: 'probes.extraction.generation.match-tokens',
      message: /match-tokens \(30\) is longer than a sample \(length 20\)/,
    },
    {
      name: 'a fractional threshold',
      text: `${HEAD}probes:\n  extraction:\n    thresholds: { extracted-samples: { fail: 0.5 } }\n`,
      line: 11,
      field: 'probes.extraction.thresholds.extracted-samples.fail',
      message: /integer/,
    },
  ])('refuses $name', ({ text, line, field, message }) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(PolicyError);
    expect(error.location).toMatchObject({ line, field });
    expect(error.message).toMatch(message);
  });
});
