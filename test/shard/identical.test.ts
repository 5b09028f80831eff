/**
 * A run split over n shards and merged gives the single run's report, byte for byte apart from
 * timings: every rendered file (JSON, Markdown, HTML, SARIF, inversion PNGs) compared. Real
 * onnxruntime runs of the committed examples:
 * - digits policy.yml: the threshold attacks (records split) and class inversion (a search:
 *   shard 1 runs it whole);
 * - the deep audit: LiRA online and offline and RMIA with 16 reference models, split by model;
 * - the hardened deep audit: 9 one-pixel shifts make the candidate's query 16,173 rows, split
 *   in blocks of whole batches across the shards;
 * - wages: a regression model and attribute inference;
 * - a sampled policy (max-rows below the file size, label-stability noise queries): the seeded
 *   sample is the same records whatever n.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GateReport } from '../../src/result';
import { runGate } from '../../src/run/gate';
import { mergeSignals } from '../../src/shard/merge';
import { DIGITS, policyIn, renderedFiles, ROOT, sampledPolicy, writeShards } from './helpers';

const sampled = policyIn(sampledPolicy('DIGITS/data'));

const CASES: Array<{ name: string; policy: string; roots?: string[]; shards: number[]; verdict: GateReport['verdict'] }> = [
  { name: 'digits: threshold attacks and inversion', policy: path.join(DIGITS, 'policy.yml'), shards: [1, 2, 4], verdict: 'fail' },
  {
    name: 'digits deep audit: LiRA and RMIA, 16 reference models',
    policy: path.join(DIGITS, 'deep-audit.policy.yml'),
    shards: [1, 2, 4],
    verdict: 'fail',
  },
  {
    name: 'hardened deep audit: shifted queries split in blocks',
    policy: path.join(DIGITS, 'deep-audit.hardened.policy.yml'),
    shards: [4],
    verdict: 'warn',
  },
  {
    name: 'wages: a regression model, attribute inference',
    policy: path.join(ROOT, 'examples/wages/policy.yml'),
    shards: [2],
    verdict: 'fail',
  },
  {
    name: 'digits vs released: the released model split by records like the candidate',
    policy: path.join(DIGITS, 'vs-released.policy.yml'),
    shards: [2],
    verdict: 'fail',
  },
  { name: 'sampled digits: the same records whatever n', policy: sampled.file, roots: sampled.roots, shards: [3], verdict: 'fail' },
];

describe.each(CASES)('$name', { timeout: 600_000 }, ({ policy, roots, shards, verdict }) => {
  let single: Map<string, Buffer>;

  it('the single run (the reference)', async () => {
    const report = await runGate(policy, roots ? { roots } : {});
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe(verdict);
    single = renderedFiles(report);
  });

  it.each(shards)('n = %i: the merged report is byte-identical apart from timings', async (n) => {
    const folder = await writeShards(policy, n, roots ? { roots } : {});
    const merged = renderedFiles(await mergeSignals([folder], roots ? { roots } : {}));
    expect([...merged.keys()]).toEqual([...single.keys()]);
    for (const [name, bytes] of single) expect(merged.get(name)!.toString('latin1'), name).toBe(bytes.toString('latin1'));
  });
});
