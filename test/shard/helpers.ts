/** Shared by the sharding tests: shards written to a fresh folder, reports compared as rendered files. */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeReportFiles } from '../../src/publish/files';
import type { GateReport } from '../../src/result';
import type { RunOptions } from '../../src/run/gate';
import { runShard } from '../../src/shard/run-shard';

export const ROOT = path.resolve(__dirname, '../..');
export const DIGITS = path.join(ROOT, 'examples/digits');

export const tempDir = (prefix = 'privacy-gate-shard-') => mkdtempSync(path.join(tmpdir(), prefix));

/** Runs shards 1..n of the policy into one fresh folder (in order: the order does not matter to the merge). */
export async function writeShards(policy: string, n: number, options: Omit<RunOptions, 'split'> = {}): Promise<string> {
  const dir = tempDir();
  for (let i = 1; i <= n; i++) await runShard(policy, { index: i, count: n }, dir, options);
  return dir;
}

/**
 * Every file the reporters write (JSON, Markdown, HTML, SARIF, PNGs), keyed by name, with the
 * timings (the only part allowed to differ) set to zero first.
 */
export function renderedFiles(report: GateReport): Map<string, Buffer> {
  const timed = structuredClone(report);
  timed.timings = {};
  for (const probe of timed.probes) probe.seconds = 0;
  const dir = tempDir('privacy-gate-render-');
  writeReportFiles(timed, dir);
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      // Paths inside the output folder are the folder's own: written relative to it, so equal.
      else files.set(path.relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/** A policy file in a fresh folder (paths in it absolute); `roots` for runGate lets the gate read it. */
export function policyIn(yaml: string): { file: string; roots: string[] } {
  const dir = tempDir('privacy-gate-shard-policy-');
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, yaml.replaceAll('DIGITS', DIGITS));
  return { file, roots: [ROOT, dir] };
}

/**
 * The leaky digits model on 400 sampled rows of the data files in `data` (DIGITS stands for the
 * example's folder), with label-stability noise queries: sampling and noise must not depend on n.
 */
export const sampledPolicy = (data: string, seed = 7) => `version: 1
name: sampled digits
seed: ${seed}
model: { path: DIGITS/leaky.onnx, input: x, output: probabilities }
data:
  members: { path: ${data}/members.csv }
  non-members: { path: ${data}/non-members.csv }
  label: digit
  features: "pixel_*"
  max-rows: 400
probes:
  membership:
    attacks: [loss, label-stability]
    thresholds:
      auc: { warn: 0.55, fail: 0.6 }
`;
