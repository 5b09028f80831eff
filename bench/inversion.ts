/**
 * Inversion-probe cost on the digits example: model queries and wall time of the probe (as the
 * gate reports them) for each model, with central differences (the `auto` choice for 64 pixels)
 * and with NES, plus what the attack achieved, so speed and strength are read side by side.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../src/run/gate';

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples/digits');

export async function bench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-bench-inversion-'));
  try {
    for (const model of ['leaky', 'hardened']) {
      for (const gradient of ['central', 'nes']) {
        const policy = writePolicy(dir, model, gradient);
        // The policy is written to a temporary folder: allow it beside the repository.
        const report = await runGate(policy, { roots: [dir, process.cwd()] });
        const probe = report.probes.find((p) => p.id === 'inversion');
        if (report.verdict === 'error' || !probe || probe.status === 'error') {
          throw new Error(report.error?.message ?? probe?.error ?? 'no inversion result');
        }
        const attack = probe.attacks[0]!;
        const m = attack.metrics;
        const perStep = attack.details?.queriesPerStep as number;
        console.log(
          `${model}.onnx, ${gradient} (${perStep} queries per class and step): ${probe.queries.toLocaleString('en-US')} queries, ` +
            `${probe.seconds.toFixed(3)} s, ${Math.round(probe.queries / Math.max(probe.seconds, 1e-9)).toLocaleString('en-US')} queries/s; ` +
            `identification ${fmt(m['identification-rate']!.value)}, similarity gain ${fmt(m['similarity-gain']!.value)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writePolicy(dir: string, model: string, gradient: string): string {
  const file = path.join(dir, `${model}-${gradient}.yml`);
  writeFileSync(
    file,
    [
      'version: 1',
      `name: inversion bench (${model}, ${gradient})`,
      'seed: 42',
      `model: { path: ${JSON.stringify(path.join(example, `${model}.onnx`))} }`,
      'data:',
      `  members: { path: ${JSON.stringify(path.join(example, 'data/members.csv'))} }`,
      `  non-members: { path: ${JSON.stringify(path.join(example, 'data/non-members.csv'))} }`,
      '  label: digit',
      '  features: "pixel_*"',
      'probes:',
      '  inversion:',
      '    image: { height: 8, width: 8 }',
      `    gradient: ${gradient}`,
      '    thresholds: { similarity-gain: { fail: 0.9 } }',
      '',
    ].join('\n'),
  );
  return file;
}

const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
