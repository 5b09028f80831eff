/**
 * Attribute-inference cost on the wages example: model queries and wall time of the probe (as
 * the gate reports them) for each model, with the shipped policy (the attacker knows every
 * other column: 2 queries per record) and with only 6 columns known (the other 12 filled in
 * from 16 attacker records: 32 queries per record), plus what the attack achieved.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../src/run/gate';

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples/wages');

const KNOWN = ['education', 'south', 'female', 'experience', 'age', 'married'];

export async function bench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-bench-attribute-'));
  try {
    for (const model of ['leaky', 'hardened']) {
      for (const known of [undefined, KNOWN]) {
        // The policy is written to a temporary folder: allow it beside the repository.
        const report = await runGate(writePolicy(dir, model, known), { roots: [dir, process.cwd()] });
        const probe = report.probes.find((p) => p.id === 'attribute-inference');
        if (report.verdict === 'error' || !probe || probe.status === 'error') {
          throw new Error(report.error?.message ?? probe?.error ?? 'no attribute-inference result');
        }
        const attack = probe.attacks[0]!;
        const m = attack.metrics;
        const perRecord = attack.details?.queriesPerRecord as number;
        console.log(
          `${model}.onnx, ${known ? `${known.length} columns known, 16 samples` : 'all columns known'} (${perRecord} queries per record): ` +
            `${probe.queries.toLocaleString('en-US')} queries, ${probe.seconds.toFixed(3)} s, ` +
            `${Math.round(probe.queries / Math.max(probe.seconds, 1e-9)).toLocaleString('en-US')} queries/s; ` +
            `lift ${fmt(m['lift']!.value)}, member gap ${fmt(m['member-gap']!.value)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The shipped policy for `model`, optionally with fewer known columns. */
function writePolicy(dir: string, model: string, known: string[] | undefined): string {
  const file = path.join(dir, `${model}-${known ? 'partial' : 'all'}.yml`);
  const lines = [
    `extends: ${JSON.stringify(path.join(example, 'policy.yml'))}`,
    `name: attribute-inference bench (${model})`,
    `model: { path: ${JSON.stringify(path.join(example, `${model}.onnx`))} }`,
  ];
  if (known) lines.push('probes:', '  attribute-inference:', `    known: [${known.join(', ')}]`, '    samples: 16');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}
