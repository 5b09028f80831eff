/**
 * The text-membership signals on a real GPT-2-architecture ONNX export (14ex's tiny random-weight
 * decoder without a KV cache, test/fixtures/lm), checked against PyTorch's own numbers in
 * lm.expected.json: the per-token log-probabilities the gate reads through the surface, and the
 * per-text loss, Min-K% and Min-K%++ scores of a real gate run, with μ_t and σ_t computed here
 * from PyTorch's full log-softmax rows by the paper's definition (an implementation independent
 * of src/model/sequence-ops.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ObservedSequence } from '../../src/model/sequence-surface';
import { openOnnxSequenceModel } from '../../src/model/sequence';
import { runGate } from '../../src/run/gate';

interface Case {
  ids: number[];
  token_log_probs: number[];
  log_softmax?: number[][];
}
const expected = JSON.parse(readFileSync('test/fixtures/lm/lm.expected.json', 'utf8')) as { cases: Case[] };
const [member, nonMember] = expected.cases as [Case, Case];

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const lowest = (v: number[], k: number) => [...v].sort((a, b) => a - b).slice(0, Math.max(1, Math.floor(v.length * k)));

/** z_t = (log p(x_t) − μ_t) / σ_t from the full rows: row t − 1 is the distribution of token t. */
function standardised(c: Case): number[] {
  return c.token_log_probs.map((lp, i) => {
    const row = c.log_softmax![i]!;
    let mu = 0;
    let second = 0;
    for (const l of row) {
      mu += Math.exp(l) * l;
      second += Math.exp(l) * l * l;
    }
    return (lp - mu) / Math.sqrt(second - mu * mu);
  });
}

const scores = (c: Case) => ({
  loss: mean(c.token_log_probs),
  'min-k': mean(lowest(c.token_log_probs, 0.5)),
  'min-k-plus-plus': mean(lowest(standardised(c), 0.5)),
});

describe('text membership on the tiny GPT-2 export (onnxruntime) against PyTorch', () => {
  it('the surface gives PyTorch’s per-token log-probabilities, positions 1 … n−1', async () => {
    const model = await openOnnxSequenceModel({ path: 'test/fixtures/lm/tiny-gpt2-nocache.onnx', scores: 'auto' });
    const observed = new ObservedSequence(model, { scores: 'full', topK: 0 });
    const got = await observed.score(
      expected.cases.map((c) => Int32Array.from(c.ids)),
      { probe: 'test' },
    );
    expected.cases.forEach((c, i) => {
      expect(got[i]!.logProbs).toHaveLength(c.ids.length - 1);
      c.token_log_probs.forEach((lp, t) => expect(Math.abs(got[i]!.logProbs[t]! - lp)).toBeLessThan(2e-4));
    });
  });

  it('a gate run scores each text as PyTorch’s numbers give', { timeout: 120_000 }, async () => {
    const report = await runGate('test/fixtures/text-membership/gpt2.policy.yml');
    expect(report.error).toBeUndefined();
    const probe = report.probes[0]!;
    expect(probe.id).toBe('text-membership');
    expect(probe.status).toBe('ok');
    const [m, n] = [scores(member), scores(nonMember)];
    for (const attack of ['loss', 'min-k', 'min-k-plus-plus'] as const) {
      // One text per side: the histogram's range is the two texts' scores.
      const h = probe.attacks.find((a) => a.attack === attack)!.details!.histogram!;
      const [lo, hi] = [Math.min(m[attack], n[attack]), Math.max(m[attack], n[attack])];
      expect(h.min, attack).toBeCloseTo(lo, 3);
      expect(h.max, attack).toBeCloseTo(hi, 3);
      // The member's side holds the member's score.
      const memberBin = h.members.findIndex((count) => count > 0);
      expect(memberBin === 0, attack).toBe(m[attack] <= n[attack]);
    }
    // Min-K%++ is not Min-K% of another name on this model.
    expect(Math.abs(m['min-k-plus-plus'] - m['min-k'])).toBeGreaterThan(0.1);
  });
});
