/**
 * The shared-prefix exposure walk against an independent brute force: every candidate of the
 * format scored on its own (one query per candidate position, no sharing, no pruning), then
 * ranked by sorting. The two must agree exactly, ties included.
 */
import { describe, expect, it } from 'vitest';
import { parseCanaryFormat, positionsOf, type CanaryFormat } from '../../src/text/canary';
import { formatExposures, type TokenisedFormat } from '../../src/probes/extraction/exposure';
import { tokeniseFormat } from '../../src/probes/extraction/run';
import { rngFor } from '../../src/util/random';
import { FunctionModel, hashModel, logSoftmax, TEST_VOCAB } from './extraction-helpers';

const V = TEST_VOCAB.size;
const source = { file: 'policy.yml', line: 1, column: 1 };

function format(text: string): { format: CanaryFormat; tokens: TokenisedFormat } {
  const f = parseCanaryFormat(text) as CanaryFormat;
  return { format: f, tokens: tokeniseFormat(f, TEST_VOCAB, { format: text, source }) };
}

/** Every candidate's tokens from the first slot on, in lexicographic order of choices. */
function allCandidates(tokens: TokenisedFormat): Int32Array[] {
  let out: number[][] = [[]];
  for (const choices of tokens.positions) out = out.flatMap((prefix) => Array.from(choices, (c) => [...prefix, c]));
  return out.map((c) => Int32Array.from(c));
}

/** Brute force: each candidate's log-likelihood from its own queries, summed in position order. */
async function bruteForce(model: FunctionModel, tokens: TokenisedFormat, secrets: Int32Array[]) {
  const candidates = allCandidates(tokens);
  const scores: number[] = [];
  for (const c of candidates) {
    let score = 0;
    for (let j = 0; j < c.length; j++) {
      const context = Int32Array.from([...tokens.prefix, ...c.subarray(0, j)]);
      const lp = (await model.next([context], { probe: 'brute force' })).logProbs!;
      score += Math.min(0, lp[c[j]!]!);
    }
    scores.push(score);
  }
  const key = (t: Int32Array) => Array.from(t).join(',');
  const index = new Map(candidates.map((c, i) => [key(c), i]));
  return secrets.map((s) => {
    const own = scores[index.get(key(s))!]!;
    const sorted = [...scores].sort((a, b) => b - a);
    const better = sorted.filter((v) => v > own).length;
    const ties = sorted.filter((v) => v === own).length - 1;
    const rank = 1 + better + ties / 2;
    return { better, ties, rank, exposure: Math.log2(candidates.length) - Math.log2(rank) };
  });
}

function secretTokens(f: CanaryFormat, secret: string): Int32Array {
  const positions = positionsOf(f);
  const first = positions.findIndex((p) => 'choices' in p);
  const chars = [...secret];
  let k = 0;
  return Int32Array.from(positions.slice(first), (p) => TEST_VOCAB.idOf('fixed' in p ? p.fixed : chars[k++]!)!);
}

const options = (exactLimit = 1e7) => ({ exactLimit, samples: 3000, batchRows: 64, confidence: 0.95, rng: rngFor(1, 'test') });

describe('exact exposure = brute-force ranking', () => {
  it.each([
    { name: 'one digit slot', text: 'pin {digits:3}', secrets: ['042', '999', '500', '123'], fn: hashModel(V, 1) },
    { name: 'two slots with text between and after', text: 'id {hex:2}-{digits:1}!', secrets: ['a07', '0f9', 'ff0'], fn: hashModel(V, 2) },
    { name: 'letters, a nearly flat model (close scores)', text: 'x{letters:2}', secrets: ['ab', 'zz'], fn: hashModel(V, 3, 0.05) },
  ])('$name', async ({ text, secrets, fn }) => {
    const { format: f, tokens } = format(text);
    const ids = secrets.map((s) => secretTokens(f, s));
    const walk = await formatExposures(new FunctionModel(V, fn), tokens, ids, options());
    const brute = await bruteForce(new FunctionModel(V, fn), tokens, ids);
    walk.results.forEach((r, i) => {
      expect(r.estimated).toBe(false);
      expect({ better: r.better, ties: r.ties, rank: r.rank }).toEqual({
        better: brute[i]!.better,
        ties: brute[i]!.ties,
        rank: brute[i]!.rank,
      });
      expect(r.exposure).toBe(brute[i]!.exposure);
      expect(r.ci).toEqual([r.exposure, r.exposure]);
    });
  });

  it('ties from a rounded surface count half, as in the brute force', async () => {
    const { format: f, tokens } = format('pin {digits:3}');
    const surface = { scores: 'full' as const, topK: 0, decimals: 1 };
    const ids = ['042', '777'].map((s) => secretTokens(f, s));
    const walk = await formatExposures(new FunctionModel(V, hashModel(V, 4, 0.3), surface), tokens, ids, options());
    const brute = await bruteForce(new FunctionModel(V, hashModel(V, 4, 0.3), surface), tokens, ids);
    expect(walk.results.map((r) => r.rank)).toEqual(brute.map((b) => b.rank));
    expect(walk.results.some((r) => r.ties! > 0)).toBe(true);
  });
});

describe('exposure extremes and query counts', () => {
  it('a model that gives the canary the top probability at every step has the maximum exposure, log2|R|', async () => {
    const { format: f, tokens } = format('pin {digits:4}');
    const secret = secretTokens(f, '2819');
    // Half the mass on the canary's next character, the rest spread evenly.
    const fn = (context: Int32Array) => {
      const j = context.length - tokens.prefix.length;
      const logits = new Array<number>(V).fill(0);
      if (j < secret.length) logits[secret[j]!] = 5;
      return logSoftmax(logits);
    };
    const { results } = await formatExposures(new FunctionModel(V, fn), tokens, [secret], options());
    expect(results[0]!.rank).toBe(1);
    expect(results[0]!.exposure).toBe(Math.log2(10_000));
  });

  it('a model that gives every candidate the same likelihood: all tie, exposure log2|R| − log2((|R|+1)/2) ≈ 1 bit', async () => {
    const { format: f, tokens } = format('pin {digits:3}');
    const model = new FunctionModel(V, () => logSoftmax(new Array<number>(V).fill(0)));
    const { results, stats } = await formatExposures(model, tokens, [secretTokens(f, '314')], options());
    expect(results[0]!.rank).toBe(1 + 999 / 2);
    expect(results[0]!.exposure).toBeCloseTo(Math.log2(1000) - Math.log2(500.5), 12);
    // No pruning is possible (every prefix ties the bound): one query per trie node, 1 + 10 + 100,
    // plus one per position for the secret's own likelihood.
    expect(stats.nodes).toBe(111);
    expect(stats.queries).toBe(111 + 3);
  });

  it('branch and bound skips prefixes less likely than every secret, and stays exact', async () => {
    const { format: f, tokens } = format('pin {digits:4}');
    const secret = secretTokens(f, '2819');
    const fn = (context: Int32Array) => {
      const j = context.length - tokens.prefix.length;
      const logits = hashModel(V, 9)(context).map((v) => v);
      if (j < secret.length) logits[secret[j]!] = 4;
      return logSoftmax(Array.from(logits));
    };
    const walk = await formatExposures(new FunctionModel(V, fn), tokens, [secret], options());
    expect(walk.stats.nodes).toBeLessThan(1111);
    expect(walk.stats.pruned).toBeGreaterThan(0);
    const brute = await bruteForce(new FunctionModel(V, fn), tokens, [secret]);
    expect(walk.results[0]!.rank).toBe(brute[0]!.rank);
  });
});

describe('estimated exposure (|R| above the exact limit)', () => {
  it('is marked estimated and lands near the exact value', async () => {
    const { format: f, tokens } = format('pin {digits:5}');
    const fn = hashModel(V, 5, 1);
    const secrets = ['00000', '12345', '99999', '31415'].map((s) => secretTokens(f, s));
    const exact = await formatExposures(new FunctionModel(V, fn), tokens, secrets, options());
    const estimated = await formatExposures(new FunctionModel(V, fn), tokens, secrets, options(10_000));
    estimated.results.forEach((r, i) => {
      expect(r.estimated).toBe(true);
      expect(r.samples).toBe(3000);
      expect(Math.abs(r.exposure - exact.results[i]!.exposure)).toBeLessThan(1);
      // The sample's distribution-free interval covers the exact value.
      expect(exact.results[i]!.exposure).toBeGreaterThanOrEqual(r.ci[0] - 1e-9);
      expect(exact.results[i]!.exposure).toBeLessThanOrEqual(r.ci[1] + 1e-9);
    });
    expect(estimated.stats.estimated).toBe(true);
  });
});
