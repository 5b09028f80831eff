/**
 * The extraction probe end to end on plain-function models (no onnxruntime): memorisation
 * rates against counts fixed by construction (checked against Newcombe's published interval),
 * the secret scan, canary exposure, and that no secret ever appears unredacted in the result.
 */
import { describe, expect, it } from 'vitest';
import { extractionProbe } from '../../src/probes/extraction/family';
import type { SequenceProbeContext } from '../../src/probes/types';
import type { ExtractionSettings } from '../../src/policy/types';
import { clopperPearson } from '../../src/metrics/binomial';
import { FunctionModel, hashModel, logSoftmax, TEST_VOCAB, textData } from './extraction-helpers';

const V = TEST_VOCAB.size;
const source = { file: 'policy.yml', line: 3, column: 5 };

/**
 * A model that memorised `training`: when the context is a prefix of a training text it puts
 * most of the mass on that text's next character; otherwise a pseudo-random distribution.
 */
function memorising(training: string[], mass = 6): (context: Int32Array) => Float64Array {
  const texts = training.map((t) => TEST_VOCAB.encode(t, { file: 'training' }));
  const fallback = hashModel(V, 11);
  return (context) => {
    const hit = texts.find((t) => t.length > context.length && context.every((v, i) => t[i] === v));
    if (!hit) return fallback(context);
    const logits = new Array<number>(V).fill(0);
    logits[hit[context.length]!] = mass;
    return logSoftmax(logits);
  };
}

const word = (i: number) => `${'abcdefghij'[i]}${'klmnopqrst'[(i * 3) % 10]}${'uvwxyz'[i % 6]}`;
/** Twenty distinct 24-character texts. */
const text = (i: number) =>
  `${word(i)} ${word((i + 1) % 10)}${i >= 10 ? '!' : '.'} and then ${word((i + 7) % 10)} x${i}`.slice(0, 24).padEnd(24, '.');

const settings = (over: Partial<ExtractionSettings>): ExtractionSettings => ({
  canaries: [],
  exposure: { exactLimit: 1e7, samples: 1000 },
  thresholds: {},
  ...over,
});

function context(model: FunctionModel, members: string[], nonMembers: string[]): SequenceProbeContext {
  return {
    task: 'sequence',
    model,
    vocabulary: TEST_VOCAB,
    members: textData('members', members),
    nonMembers: textData('non-members', nonMembers),
    seed: 7,
    confidence: 0.95,
  };
}

describe('memorization', () => {
  // 10 members, 9 memorised; 10 non-members, 3 of which share their first 16 characters with a
  // memorised text (so they are "reproduced" although not trained on). 9/10 vs 3/10 is example
  // (b) of Newcombe 1998, Table II: method 10 gives [0.1705, 0.8090].
  const members = Array.from({ length: 10 }, (_, i) => text(i));
  const training = members.slice(0, 9);
  const nonMembers = [...[0, 1, 2].map((i) => text(i).slice(0, 16) + 'zzzzzzzz'), ...Array.from({ length: 7 }, (_, i) => text(10 + i))];

  it('member and non-member rates, their gap with Newcombe’s interval, and similarities', async () => {
    const model = new FunctionModel(V, memorising(training));
    const result = await extractionProbe.run(context(model, members, nonMembers), settings({ memorization: { prefix: 8, suffix: 8 } }));
    const m = result.attacks.find((a) => a.attack === 'memorization')!.metrics;
    expect(m['extraction-rate']).toMatchObject({ value: 0.9, k: 9, n: 10, ci: clopperPearson(9, 10, 0.95) });
    expect(m['non-member-rate']).toMatchObject({ value: 0.3, k: 3, n: 10 });
    expect(m['extraction-gap']!.value).toBeCloseTo(0.6, 12);
    expect(m['extraction-gap']!.ci[0]).toBeCloseTo(0.1705, 4);
    expect(m['extraction-gap']!.ci[1]).toBeCloseTo(0.809, 4);
    expect(m['member-similarity']!.value).toBeGreaterThanOrEqual(0.9);
    expect(m['non-member-similarity']!.value).toBeLessThan(m['member-similarity']!.value!);
    // Greedy decoding is batched across all 20 prompts: one call per generated token.
    expect(model.calls).toBe(8);
    expect(model.queries).toBe(20 * 8);
  });

  it('works on a label-only surface (greedy needs only the top token) and skips short texts', async () => {
    const model = new FunctionModel(V, memorising(training), { scores: 'label', topK: 0 });
    const result = await extractionProbe.run(
      context(model, [...members, 'short'], nonMembers),
      settings({ memorization: { prefix: 8, suffix: 8 } }),
    );
    expect(result.attacks[0]!.metrics['extraction-rate']!.value).toBe(0.9);
    expect(result.notes.join(' ')).toMatch(/1 member and 0 non-member texts are shorter than prefix \+ suffix = 16/);
  });
});

describe('secret scan', () => {
  const email = 'ishmael@pequod.com';
  const training = [`my email is ${email}`, 'call me at 555-010-4477 today'];
  it('counts matches found verbatim in the member data, and reports them redacted', async () => {
    const model = new FunctionModel(V, memorising(training, 8));
    const result = await extractionProbe.run(
      context(model, training, ['nothing to see here at all']),
      settings({
        secretScan: {
          prompts: [
            { text: 'my email is ', source },
            { text: 'zz', source },
          ],
          samples: 8,
          length: 20,
          temperature: 1,
          topK: 0,
          patterns: ['email', 'phone', 'id-number'],
          regexes: ['pequod'],
        },
      }),
    );
    const scan = result.attacks.find((a) => a.attack === 'secret-scan')!;
    expect(scan.metrics['secret-matches']!.value).toBeGreaterThanOrEqual(1);
    const matches = scan.details!.matches!;
    expect(matches).toContainEqual(
      expect.objectContaining({ pattern: 'email', match: `i${'•'.repeat(email.length - 2)}m`, inMembers: true }),
    );
    expect(JSON.stringify(result)).not.toContain(email);
    // 2 prompts × 8 samples, 20 steps of one batch each.
    expect(model.queries).toBe(16 * 20);
  });

  it('is seeded: the same seed gives the same generations and counts', async () => {
    const run = async () =>
      extractionProbe.run(
        context(new FunctionModel(V, memorising(training, 2)), training, ['x'.repeat(30)]),
        settings({
          secretScan: {
            prompts: [{ text: 'my ', source }],
            samples: 16,
            length: 30,
            temperature: 1.5,
            topK: 5,
            patterns: ['email', 'phone'],
            regexes: [],
          },
        }),
      );
    expect(JSON.stringify(await run())).toBe(JSON.stringify(await run()));
  });
});

describe('canary exposure', () => {
  const training = ['code qzxv', 'key qzxvkw'];
  const small = { format: 'code {letters:4}', inserted: ['qzxv'], controls: ['mmmm'], source };
  const large = { format: 'key {letters:6}', inserted: ['qzxvkw'], controls: [], source };
  const canary = small;

  it('exact below the limit, estimated above it; max-exposure is over inserted canaries; no secret leaks', async () => {
    const model = new FunctionModel(V, memorising(training, 8));
    const result = await extractionProbe.run(context(model, training, ['y']), settings({ canaries: [small, large] }));
    const attack = result.attacks.find((a) => a.attack === 'canary-exposure')!;
    const rows = attack.details!.canaries!;
    // 26^4 = 456,976 ≤ 10^7: exact, and the memorised secret is ranked first.
    expect(rows[0]).toMatchObject({ canary: 'code ••••', kind: 'inserted', rank: 1, exposure: 4 * Math.log2(26), estimated: false });
    expect(rows[1]).toMatchObject({ canary: 'code ••••', kind: 'control', estimated: false });
    expect(rows[1]!.exposure).toBeLessThan(8);
    // 26^6 > 10^7: estimated from 1000 samples; the fitted tail caps at log2|R|, and the
    // distribution-free interval says only that no sampled candidate was more likely.
    const bits6 = 6 * Math.log2(26);
    expect(rows[2]).toMatchObject({ canary: 'key q••••w', kind: 'inserted', estimated: true, exposure: bits6 });
    expect(rows[2]!.ci[0]).toBeCloseTo(-Math.log2(1 - 0.025 ** (1 / 1000)), 6);
    expect(rows[2]!.ci[1]).toBe(bits6);
    expect(attack.metrics['max-exposure']).toMatchObject({ value: bits6, canary: 'key q••••w', estimated: true });
    expect(attack.metrics['control-exposure']!.value).toBe(rows[1]!.exposure);
    expect(result.notes.join(' ')).toMatch(/ESTIMATED from 1000 sampled candidates/);
    const json = JSON.stringify(result);
    for (const secret of ['qzxv', 'mmmm', 'qzxvkw']) expect(json).not.toContain(secret);
  });

  it('an unknown character in a canary format is an input error at the policy line', async () => {
    const model = new FunctionModel(V, memorising(training));
    const bad = { ...canary, format: 'Code {letters:6}' };
    await expect(extractionProbe.run(context(model, training, ['y']), settings({ canaries: [bad] }))).rejects.toMatchObject({
      name: 'InputError',
      location: { file: 'policy.yml', line: 3 },
      message: expect.stringMatching(/unknown character "C" .* of the canary format/),
    });
  });
});
