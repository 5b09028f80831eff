/**
 * Text-membership speed: texts scored per second by the probe (every attack from one scoring
 * pass per text and model), as the gate reports its time, on
 * - the charlm LSTM (examples/charlm, 70 + 70 paragraphs, the hardened model as reference:
 *   test/fixtures/text-membership/charlm.policy.yml), a fixed-context model scored position by
 *   position;
 * - the tiny GPT-2 export without a cache (test/fixtures/lm/tiny-gpt2-nocache.onnx), 256 + 256
 *   seeded texts of 48 token ids, written to a temporary folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../src/run/gate';
import { rngFor } from '../src/util/random';

const root = path.resolve(import.meta.dirname, '..');

export async function bench(): Promise<void> {
  await report('charlm LSTM, 70 + 70 paragraphs, reference model', path.join(root, 'test/fixtures/text-membership/charlm.policy.yml'), [
    root,
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-bench-text-membership-'));
  try {
    const rng = rngFor(1, 'bench/text-membership');
    const texts = (n: number) =>
      Array.from({ length: n }, () => JSON.stringify(Array.from({ length: 48 }, () => Math.floor(rng.next() * 356)))).join('\n');
    writeFileSync(path.join(dir, 'members.jsonl'), texts(256));
    writeFileSync(path.join(dir, 'non-members.jsonl'), texts(256));
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'name: text-membership bench (tiny GPT-2)',
        `model: { path: ${JSON.stringify(path.join(root, 'test/fixtures/lm/tiny-gpt2-nocache.onnx'))}, task: sequence }`,
        'data: { members: { path: members.jsonl }, non-members: { path: non-members.jsonl }, max-rows: 256 }',
        'probes:',
        '  text-membership:',
        '    thresholds: { auc: { fail: 0.6 } }',
        '',
      ].join('\n'),
    );
    await report('tiny GPT-2 (no cache), 256 + 256 texts of 48 tokens', policy, [dir, root]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function report(label: string, policy: string, roots: string[]): Promise<void> {
  const result = await runGate(policy, { roots });
  const probe = result.probes.find((p) => p.id === 'text-membership');
  if (!probe || probe.status === 'error') throw new Error(result.error?.message ?? probe?.error ?? 'no text-membership result');
  const texts = result.inputs.data.filter((d) => d.role === 'members' || d.role === 'non-members').reduce((sum, d) => sum + d.rows, 0);
  console.log(
    `${label}: ${probe.attacks.length} attacks, ${texts} texts, ${probe.queries.toLocaleString('en-US')} target queries, ` +
      `${probe.seconds.toFixed(2)} s, ${Math.round(texts / Math.max(probe.seconds, 1e-9)).toLocaleString('en-US')} texts/s`,
  );
}
