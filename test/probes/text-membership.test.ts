/**
 * The text-membership probe on plain-function language models (no onnxruntime): a model that
 * memorised its members is caught by every attack and fails the gate; one that treats both sets
 * alike reads chance and passes once the data can resolve the check, and is insufficient (not a
 * pass) before; swapped files are refused; a hidden score is never read as a number; the first
 * token is scored after a beginning-of-text id; per-text scores match hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import { InputError, RuntimeFailure } from '../../src/errors';
import { checksFor, swappedAttacks } from '../../src/gate/verdict';
import { zlibLength } from '../../src/metrics/text-membership';
import type { SurfaceSettings, TextMembershipAttack, TextMembershipSettings } from '../../src/policy/types';
import { textMembershipProbe } from '../../src/probes/text-membership/family';
import type { ProbeResult } from '../../src/result';
import type { SequenceProbeContext } from '../../src/probes/types';
import type { TextTokenizer } from '../../src/text/tokenizer';
import { rngFor } from '../../src/util/random';
import { FunctionModel, hashModel, logSoftmax, TEST_VOCAB, textData } from './extraction-helpers';

const V = TEST_VOCAB.size;
const source = { file: 'policy.yml', line: 9, column: 7 };
const ALL: TextMembershipAttack[] = ['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz ';

/** `count` distinct seeded texts of `length` characters. */
function texts(seed: string, count: number, length = 16): string[] {
  const rng = rngFor(5, seed);
  return Array.from({ length: count }, (_, i) => {
    let t = `${i} `;
    while (t.length < length) t += LETTERS[Math.floor(rng.next() * LETTERS.length)];
    return t;
  });
}

/** Puts `mass` on the next character of any training text the context is a prefix of; a hash model elsewhere. */
function memorising(training: string[], mass = 4): (context: Int32Array) => Float64Array {
  const encoded = training.map((t) => TEST_VOCAB.encode(t, { file: 'training' }));
  const fallback = hashModel(V, 11);
  return (context) => {
    const hit = encoded.find((t) => t.length > context.length && context.every((v, i) => t[i] === v));
    if (!hit) return fallback(context);
    const logits = Array.from(fallback(context));
    logits[hit[context.length]!] = mass;
    return logSoftmax(logits);
  };
}

function settings(over: Partial<TextMembershipSettings> = {}): TextMembershipSettings {
  return {
    attacks: ['loss', 'zlib', 'min-k', 'min-k-plus-plus'],
    minK: 0.2,
    fpr: 0.01,
    allowOverlap: false,
    thresholds: { auc: { fail: 0.6, source }, advantage: { fail: 0.3, source } },
    ...over,
  };
}

function context(
  model: FunctionModel,
  members: string[],
  nonMembers: string[],
  over: Partial<SequenceProbeContext> = {},
): SequenceProbeContext {
  return {
    task: 'sequence',
    model,
    vocabulary: TEST_VOCAB,
    members: textData('members', members, '/data/'),
    nonMembers: textData('non-members', nonMembers, '/data/'),
    seed: 1,
    confidence: 0.95,
    ...over,
  };
}

async function probe(ctx: SequenceProbeContext, s: TextMembershipSettings): Promise<ProbeResult> {
  const measured = await textMembershipProbe.run(ctx, s);
  return {
    id: 'text-membership',
    description: textMembershipProbe.description,
    status: 'ok',
    attacks: measured.attacks,
    checks: checksFor('text-membership', measured.attacks, s.thresholds, ctx.confidence),
    notes: measured.notes,
    queries: 0,
    seconds: 0,
  };
}

const auc = (result: ProbeResult, attack: string) => result.attacks.find((a) => a.attack === attack)!.metrics['auc']!;

describe('text-membership on a model that memorised its members', () => {
  const members = texts('members', 120);
  const nonMembers = texts('non-members', 120);

  it('every attack tells members apart (AUC near 1) and every check fails', async () => {
    const model = new FunctionModel(V, memorising(members));
    // The reference model knows the language but not the members: the hash model the target falls back on.
    const reference = new FunctionModel(V, hashModel(V, 11));
    const result = await probe(context(model, members, nonMembers, { reference }), settings({ attacks: ALL }));
    expect(result.attacks.map((a) => a.attack)).toEqual(ALL);
    for (const attack of ALL) {
      expect(auc(result, attack).value, attack).toBeGreaterThan(0.95);
      expect(auc(result, attack).ci[0], attack).toBeGreaterThan(0.6);
    }
    expect(result.checks).toHaveLength(2 * ALL.length);
    expect(new Set(result.checks.map((c) => c.status))).toEqual(new Set(['fail']));
    // The measurement has the classifier attacks' shape: the reports read it generically.
    const loss = result.attacks[0]!;
    expect(Object.keys(loss.metrics)).toEqual(['auc', 'advantage', 'tpr-at-fpr', 'ppv', 'epsilon-lower-bound']);
    expect(loss.metrics['tpr-at-fpr']!.fpr).toBe(0.01);
    expect(loss.metrics['auc']!.sample).toEqual({ members: 120, nonMembers: 120 });
    expect(loss.details!.roc!.length).toBeGreaterThan(2);
    expect(loss.details!.histogram!.members.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('the reference attack discounts what the reference model also finds likely', async () => {
    // Reference = the target itself: the likelihood ratio is 0 for every text, so it reads chance while loss does not.
    const fn = memorising(members);
    const result = await probe(
      context(new FunctionModel(V, fn), members, nonMembers, { reference: new FunctionModel(V, fn) }),
      settings({ attacks: ['loss', 'reference'] }),
    );
    expect(auc(result, 'loss').value).toBeGreaterThan(0.95);
    expect(auc(result, 'reference').value).toBe(0.5);
  });

  it('a reference that memorised the members harder reads below chance: noted, not taken for swapped files', async () => {
    const result = await probe(
      context(new FunctionModel(V, memorising(members, 4)), members, nonMembers, {
        reference: new FunctionModel(V, memorising(members, 8)),
      }),
      settings({ attacks: ['loss', 'reference'] }),
    );
    expect(auc(result, 'reference').ci[1]).toBeLessThan(0.5);
    expect(swappedAttacks([result])).toEqual([]);
    expect(result.notes.join('\n')).toMatch(/reference reads below chance .* fits the member texts better than the target/);
  });

  it('swapped member and non-member files are refused, not passed', async () => {
    const model = new FunctionModel(V, memorising(members));
    const result = await probe(context(model, nonMembers, members), settings({ attacks: ['loss', 'min-k'] }));
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(swappedAttacks([result]).map((s) => s.attack)).toEqual(['loss', 'min-k']);
  });
});

describe('text-membership on a model that treats both sets alike', () => {
  it('reads chance and passes once the data resolves the checks', async () => {
    const model = new FunctionModel(V, hashModel(V, 3));
    const result = await probe(context(model, texts('a', 300), texts('b', 300)), settings());
    for (const attack of result.attacks) {
      const a = attack.metrics['auc']!;
      expect(a.ci[0]).toBeLessThan(0.5);
      expect(a.ci[1]).toBeGreaterThan(0.5);
      expect(a.ci[1]).toBeLessThan(0.6);
    }
    expect(new Set(result.checks.map((c) => c.status))).toEqual(new Set(['pass']));
    expect(swappedAttacks([result])).toEqual([]);
  });

  it('the same texts in both sets are refused (every attack would read chance), or noted with data.allow-overlap', async () => {
    const model = new FunctionModel(V, hashModel(V, 3));
    const same = texts('a', 100);
    const run = () => probe(context(model, same, [...texts('b', 50), ...same.slice(0, 50)]), settings({ attacks: ['loss'] }));
    await expect(run()).rejects.toThrow(InputError);
    await expect(run()).rejects.toThrow(
      /^50 of the 100 non-member texts used are also among the member texts \(the same token ids; first: line 51 of \/data\/non-members\.txt is line 1 of \/data\/members\.txt\)/,
    );
    const allowed = await probe(context(model, same, same), settings({ attacks: ['loss'], allowOverlap: true }));
    expect(allowed.attacks[0]!.metrics['auc']!.value).toBe(0.5);
    expect(allowed.notes.join('\n')).toMatch(
      /100 of the 100 non-member texts used are also among the member texts .* allowed by data\.allow-overlap/,
    );
  });

  it('is insufficient, not a pass, with too few texts', async () => {
    const model = new FunctionModel(V, hashModel(V, 3));
    const result = await probe(context(model, texts('a', 20), texts('b', 20)), settings({ attacks: ['loss'] }));
    expect(result.checks.map((c) => c.status)).toEqual(['insufficient', 'insufficient']);
    expect(result.checks[0]!.needs).toMatchObject({ members: 65, nonMembers: 65, have: { members: 20, nonMembers: 20 } });
  });
});

describe('per-text scores', () => {
  it('loss and zlib of a uniform model are −ln V and −ln V over the zlib length (one text per side)', async () => {
    const uniform = () => new Float64Array(V).fill(-Math.log(V));
    const result = await probe(context(new FunctionModel(V, uniform), ['hello world'], ['abc abc abc abc']), settings());
    // With one text per side, the histogram's range is the two scores.
    const range = (attack: string) => {
      const h = result.attacks.find((a) => a.attack === attack)!.details!.histogram!;
      return [h.min, h.max];
    };
    const l = -Math.log(V);
    expect(range('loss')[0]).toBeCloseTo(l, 12);
    expect(range('loss')[1]).toBeCloseTo(l, 12);
    const z = [l / zlibLength('hello world'), l / zlibLength('abc abc abc abc')].sort((a, b) => a - b);
    expect(range('zlib')[0]).toBeCloseTo(z[0]!, 12);
    expect(range('zlib')[1]).toBeCloseTo(z[1]!, 12);
    // σ of a uniform distribution is 0: every z is 0 (the Min-K%++ rule for σ = 0).
    expect(range('min-k-plus-plus')).toEqual([0, 0]);
  });

  it('texts of one token cannot be scored without a beginning-of-text id, and are after it', async () => {
    const model = new FunctionModel(V, hashModel(V, 3));
    const one = ['a', 'b', 'c'];
    await expect(probe(context(model, one, one), settings())).rejects.toThrow(InputError);
    await expect(probe(context(model, one, one), settings())).rejects.toThrow(/none of the members texts has two tokens or more/);
    const withBos: TextTokenizer = {
      kind: 'characters',
      source: 'test',
      size: V,
      padId: 0,
      bosId: 0,
      encode: (t) => TEST_VOCAB.encode(t, { file: 'x' }),
      decode: (ids) => TEST_VOCAB.decode(ids),
    };
    const result = await probe(context(model, one, ['x', 'y', 'z'], { tokenizer: withBos }), settings({ attacks: ['loss'] }));
    expect(result.attacks[0]!.metrics['auc']!.sample).toEqual({ members: 3, nonMembers: 3 });
    expect(result.notes.join('\n')).toMatch(/beginning-of-text token \(id 0\)/);
  });

  it('a text too short among longer ones is skipped and noted', async () => {
    const model = new FunctionModel(V, hashModel(V, 3));
    const result = await probe(context(model, ['a', 'abc', 'abd'], ['xyz', 'xzy']), settings({ attacks: ['loss'] }));
    expect(result.attacks[0]!.metrics['auc']!.sample).toEqual({ members: 2, nonMembers: 2 });
    expect(result.notes.join('\n')).toMatch(/1 member and 0 non-member texts have fewer than two tokens/);
  });
});

describe('hidden scores', () => {
  it('a top-k surface that hides a token’s probability is refused, never read as a number', async () => {
    const model = new FunctionModel(V, hashModel(V, 3), { scores: 'top-k', topK: 3 });
    const run = probe(context(model, texts('a', 10), texts('b', 10)), settings({ attacks: ['loss'] }));
    await expect(run).rejects.toThrow(RuntimeFailure);
    await expect(probe(context(model, texts('a', 10), texts('b', 10)), settings({ attacks: ['loss'] }))).rejects.toThrow(
      /surface hid the target model's probability of token \d+ of line \d+ of \/data\/members\.txt \(members\)/,
    );
  });

  it('a float32 surface rounds a memorised token to probability 1: what separated the sets unrounded ties, and a note says so', async () => {
    // After an "a" the model is 1 − 1e-9 sure of another "a", after a "b" 1 − 1e-8 sure of a "b":
    // unrounded, the all-"a" members have the lower loss; as float32 both read as exactly 1.
    const a = TEST_VOCAB.idOf('a')!;
    const b = TEST_VOCAB.idOf('b')!;
    const sure = (token: number, doubt: number) =>
      Float64Array.from({ length: V }, (_, t) => Math.log(t === token ? 1 - doubt : doubt / (V - 1)));
    const uniform = new Float64Array(V).fill(-Math.log(V));
    const fn = (c: Int32Array) => (c.at(-1) === a ? sure(a, 1e-9) : c.at(-1) === b ? sure(b, 1e-8) : uniform);
    const members = Array.from({ length: 12 }, (_, i) => 'a'.repeat(10 + i));
    const nonMembers = Array.from({ length: 12 }, (_, i) => 'b'.repeat(10 + i));
    const auc = async (surface: SurfaceSettings) => {
      const result = await probe(context(new FunctionModel(V, fn, surface), members, nonMembers), settings({ attacks: ['loss'] }));
      return { auc: result.attacks[0]!.metrics['auc']!.value, notes: result.notes.join('\n') };
    };
    expect((await auc({ scores: 'full', topK: 0 })).auc).toBe(1);
    const rounded = await auc({ scores: 'full', topK: 0, precision: 'float32' });
    expect(rounded.auc).toBe(0.5);
    expect(rounded.notes).toMatch(/float32 probabilities .* memorised texts tie/);
  });

  it('rounded scores hide μ and σ: Min-K%++ is refused', async () => {
    const model = new FunctionModel(V, hashModel(V, 3), { scores: 'full', topK: 0, decimals: 3 });
    await expect(probe(context(model, texts('a', 10), texts('b', 10)), settings({ attacks: ['min-k-plus-plus'] }))).rejects.toThrow(
      /min-k-plus-plus needs μ and σ/,
    );
  });
});
