/**
 * Scale: the membership probe (4 attacks) on 10^6 + 10^6 records of 64 float32 features (NPY,
 * digits rows drawn with replacement, int64 labels) against the digits model, in a child process
 * so that its peak RSS is the run's alone. Target: peak RSS ≤ 1.5 GB. Prints wall time, the run's
 * own timings and the peak RSS. `SCALE_ROWS` changes the count (e.g. 200000 for a quick look).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '../src/util/random';
import { npy } from './io';
import { writeMembershipPolicy } from './membership';

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples/digits');

export function bench(): Promise<void> {
  const rows = Number(process.env.SCALE_ROWS ?? 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-scale-'));
  try {
    const policy = writeScaleExample(dir, rows);
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/scale-run.ts'), policy, dir], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const wall = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`the scale run failed (exit ${child.status}): ${child.stderr}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      verdict: string;
      timings: Record<string, number>;
      probeSeconds: number;
      maxRssMiB: number;
    };
    const t = run.timings;
    console.log(
      `membership probe on ${fmt(rows)} + ${fmt(rows)} NPY records (64 float32 features): verdict ${run.verdict}, wall ${wall.toFixed(1)} s ` +
        `(data ${(t.data! / 1000).toFixed(1)} s, probe ${run.probeSeconds.toFixed(1)} s), peak RSS ${fmt(run.maxRssMiB)} MiB (target ≤ 1,536 MiB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}

/** members/non-members .npy files (features and labels) of `rows` digits rows each, and a policy. */
function writeScaleExample(dir: string, rows: number): string {
  const rng = new Rng(4);
  for (const set of ['members', 'non-members']) {
    const lines = readFileSync(path.join(example, `data/${set}.csv`), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const cells = lines.map((line) => line.split(',').map(Number));
    const x = new Float32Array(rows * 64);
    const y = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = cells[rng.int(cells.length)]!;
      for (let j = 0; j < 64; j++) x[r * 64 + j] = row[j]!;
      y[r] = BigInt(row[64]!);
    }
    writeFileSync(path.join(dir, `${set}.npy`), npy('<f4', `(${rows}, 64)`, x));
    writeFileSync(path.join(dir, `${set}-labels.npy`), npy('<i8', `(${rows},)`, y));
  }
  return writeMembershipPolicy(
    dir,
    'scale bench',
    [
      'members: { path: members.npy, labels: members-labels.npy }',
      'non-members: { path: non-members.npy, labels: non-members-labels.npy }',
    ],
    rows,
  );
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
