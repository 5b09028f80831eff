/**
 * The merge refuses, exit 2 with a message naming the file, every set of slices that is not the
 * n parts of one run: another gate version or onnxruntime (native vs WebAssembly, or another version), policy, model, data, reference models or seed; a
 * shard missing or given twice; a shard count that differs; a changed or foreign file; and a
 * checkout whose files differ from those the shards measured. Through the CLI, as a workflow runs it.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { RUNTIME_ENV } from '../../src/model/runtime';
import type { SignalsHeader } from '../../src/shard/format';
import { runShard } from '../../src/shard/run-shard';
import { DIGITS, policyIn, ROOT, sampledPolicy, tempDir, writeShards } from './helpers';
import { sink } from '../helpers/sink';

async function gate(args: string[], roots: string[]) {
  const out = sink();
  const err = sink();
  const code = await cli([...args, ...roots.flatMap((r) => ['--root', r])], out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

const { file: policy, roots } = policyIn(sampledPolicy('DIGITS/data'));
let shards: string;
const shardFile = (i: number) => path.join(shards, `privacy-gate-signals-${i}-of-2.signals`);

/** Splits a signals file into its header (parsed) and the bytes after it. */
function parts(file: string): { header: SignalsHeader; payload: Buffer } {
  const bytes = readFileSync(file);
  const newline = bytes.indexOf(0x0a);
  return { header: JSON.parse(bytes.subarray(0, newline).toString('utf8')), payload: bytes.subarray(newline + 1) };
}

/** A folder with shard 1 as written and shard 2 changed by `edit` (or left out), as the merge would download them. */
function folderWith(edit: ((h: SignalsHeader, payload: Buffer) => Buffer | void) | 'drop', name = 'privacy-gate-signals-2-of-2.signals') {
  const dir = tempDir();
  copyFileSync(shardFile(1), path.join(dir, 'privacy-gate-signals-1-of-2.signals'));
  if (edit === 'drop') return { dir, file: path.join(dir, name) };
  const { header, payload } = parts(shardFile(2));
  const replaced = edit(header, payload);
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), replaced ?? payload]));
  return { dir, file };
}

beforeAll(async () => {
  shards = await writeShards(policy, 2, { roots });
}, 120_000);

describe('merge refuses slices that are not the parts of one run', () => {
  const other = 'f'.repeat(64);
  it.each<{ name: string; edit: Parameters<typeof folderWith>[0]; message: RegExp; named?: 'shard 2' | 'shard 1'; inRun?: boolean }>([
    { name: 'another gate version', edit: (h) => void (h.tool.version = '0.0.9'), message: /written by privacy-gate 0\.0\.9; this is \d/ },
    { name: 'another policy', edit: (h) => void (h.inputs.policy[0]!.sha256 = other), message: /different policy than .*1-of-2/ },
    { name: 'another policy file', edit: (h) => void (h.policyFile = 'release/other.yml'), message: /different policy than/ },
    { name: 'another model', edit: (h) => void (h.inputs.model!.sha256 = other), message: /different model than/ },
    { name: 'other data', edit: (h) => void (h.inputs.data[0]!.sha256 = other), message: /different data than/ },
    { name: 'other rows sampled', edit: (h) => void (h.inputs.data[1]!.rows = 300), message: /different data than/ },
    {
      name: 'reference models the other shard has not',
      edit: (h) =>
        void (h.inputs.references = { models: [{ path: 'ref-00.onnx', sha256: other }], memberships: { path: 'm.csv', sha256: other } }),
      message: /different reference models than/,
    },
    { name: 'another seed', edit: (h) => void (h.seed = 8), message: /different seed than/ },
    {
      name: 'another onnxruntime version',
      edit: (h) => void (h.tool.runtime = { ...h.tool.runtime!, version: '1.0.0' }),
      message: /different onnxruntime than .*1-of-2.*"version":"1\.0\.0"/,
    },
    {
      name: 'a header that names no onnxruntime',
      edit: (h) => void delete h.tool.runtime,
      message: /"tool\.runtime" must be \{kind: "native" or "wasm", version\}/,
    },
    {
      name: 'a shard of another split',
      edit: (h) => void (h.shard = { index: 2, count: 3 }),
      message: /is shard 2 of 3, but .* is shard 1 of 2; expected every file from one split/,
    },
    {
      name: 'the same shard twice',
      edit: (h) => void (h.shard = { index: 1, count: 2 }),
      message: /is shard 1\/2 again \(also .*1-of-2\.signals\); expected each shard once/,
    },
    { name: 'a shard missing', edit: 'drop', message: /shard 2\/2 missing: 1 of 2 signals files given/, named: 'shard 1' },
    {
      name: 'answers changed after writing',
      edit: (_h, payload) => {
        const changed = Buffer.from(payload);
        changed[changed.length - 1]! ^= 1;
        return changed;
      },
      message: /do not match its SHA-256; the file is truncated or was changed/,
    },
    { name: 'a truncated file', edit: (_h, payload) => payload.subarray(0, payload.length - 8), message: /do not match its SHA-256/ },
    {
      name: 'a header of another format',
      edit: (h) => void ((h as { format: string }).format = 'pickle'),
      message: /not a signals file written by privacy-gate run --shard: "format" is not "privacy-gate-signals"/,
    },
    {
      name: 'answers to other queries',
      edit: (h) => h.entries.forEach((e) => (e.input = other)),
      // Found while replaying (shard 2's part of the 3,200 label-stability queries): the run's own error report, exit 2.
      message: /hold no answer to one of the candidate model's queries \(3200 rows\): the shards ran on other inputs/,
      inRun: true,
    },
    {
      name: 'an answer of the wrong width',
      edit: (h) => h.entries.forEach((e) => (e.length = e.end - e.start)),
      message: /an answer holds \d+ values for \d+ rows; the model gives 10 per row/,
      inRun: true,
    },
    {
      name: 'a malformed entry',
      edit: (h) => void (h.entries[0]!.end = h.entries[0]!.rows + 1),
      message: /an entry of "entries" is malformed/,
    },
  ])('$name: exit 2 naming the file', async ({ edit, message, named = 'shard 2', inRun = false }) => {
    const { dir, file } = folderWith(edit);
    const run = await gate(['merge', dir, '--out', path.join(dir, 'report')], roots);
    expect(run.code).toBe(2);
    // Refused before the run: no report; found during the run: an error report, as any run's input error.
    if (inRun) expect(run.stdout).toMatch(/^verdict: error \(exit 2\); report: .*privacy-report\.json\n$/);
    else expect(run.stdout).toBe('');
    const line = run.stderr.trim();
    expect(line).toMatch(message);
    expect(line.startsWith(`privacy-gate: ${named === 'shard 2' ? file : path.join(dir, 'privacy-gate-signals-1-of-2.signals')}`)).toBe(
      true,
    );
  });

  it('a file that is no signals file at all: exit 2 naming it', async () => {
    const dir = tempDir();
    copyFileSync(shardFile(1), path.join(dir, 'a.signals'));
    writeFileSync(path.join(dir, 'b.signals'), 'x,y\n1,2\n');
    const run = await gate(['merge', dir], roots);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${path.join(dir, 'b.signals')} (signals header): not a signals file written by privacy-gate run --shard: the first line is not JSON`,
    );
  });
});

describe('merge refuses shards that ran on different onnxruntimes', () => {
  it('shard 2 on onnxruntime-web (PRIVACY_GATE_RUNTIME=wasm), shard 1 native: exit 2 naming shard 2', async () => {
    const dir = tempDir();
    copyFileSync(shardFile(1), path.join(dir, 'privacy-gate-signals-1-of-2.signals'));
    const initial = process.env[RUNTIME_ENV];
    process.env[RUNTIME_ENV] = 'wasm';
    try {
      await runShard(policy, { index: 2, count: 2 }, dir, { roots });
    } finally {
      if (initial === undefined) delete process.env[RUNTIME_ENV];
      else process.env[RUNTIME_ENV] = initial;
    }
    expect(parts(shardFile(1)).header.tool.runtime?.kind).toBe('native');
    const file = path.join(dir, 'privacy-gate-signals-2-of-2.signals');
    expect(parts(file).header.tool.runtime?.kind).toBe('wasm');
    const run = await gate(['merge', dir, '--out', path.join(dir, 'report')], roots);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(
      new RegExp(
        `^privacy-gate: ${file.replaceAll('.', '\\.')} \\(onnxruntime\\): was computed with a different onnxruntime than .*1-of-2\\.signals \\(\\{"kind":"wasm"`,
      ),
    );
  }, 120_000);
});

describe('merge refuses a checkout whose files differ from those the shards measured', () => {
  it.each([
    { name: 'a data file changed after the shards ran', change: 'data', message: /the data here differs from what the shards measured/ },
    { name: 'the policy changed after the shards ran', change: 'policy', message: /the policy here differs from what the shards measured/ },
  ])('$name: exit 2 before any probe', async ({ change, message }) => {
    const data = tempDir('privacy-gate-shard-data-');
    for (const f of ['members.csv', 'non-members.csv']) copyFileSync(path.join(DIGITS, 'data', f), path.join(data, f));
    const own = policyIn(sampledPolicy(data));
    const folder = await writeShards(own.file, 2, { roots: [...own.roots, data] });
    if (change === 'data') {
      // One value of the last member row: the sample may not even include it; the file's SHA-256 changes all the same.
      const file = path.join(data, 'members.csv');
      const csv = readFileSync(file, 'utf8').trimEnd();
      const last = csv.lastIndexOf(',');
      writeFileSync(file, `${csv.slice(0, last)},${csv.slice(last + 1) === '0' ? '1' : '0'}\n`);
    } else {
      writeFileSync(own.file, sampledPolicy(data, 8).replaceAll('DIGITS', DIGITS));
    }
    const out = tempDir();
    const run = await gate(['merge', folder, '--out', out], [...own.roots, data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('merge in a checkout of the commit the shards ran on');
  });
});

describe('the CLI around sharding', () => {
  it.each([
    {
      args: ['run', '--policy', 'p.yml', '--shard', '5/4'],
      message: 'command line (--shard): --shard is "5/4"; expected i/n with 1 ≤ i ≤ n ≤ 256',
    },
    { args: ['run', '--policy', 'p.yml', '--shard', 'two'], message: '--shard is "two"; expected i/n' },
    { args: ['run', '--policy', 'p.yml', '--shard', '0/4'], message: '--shard is "0/4"; expected i/n' },
    { args: ['validate', '--policy', 'p.yml', '--shard', '1/2'], message: 'privacy-gate validate: --shard is an option of run' },
    { args: ['merge'], message: 'privacy-gate merge: expected the signals files of privacy-gate run --shard, or the folders holding them' },
    { args: ['merge', '/nonexistent/signals'], message: '/nonexistent/signals does not exist; expected signals files' },
  ])('$args: exit 2', async ({ args, message }) => {
    const run = await gate(args, [ROOT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('a sequence model policy: exit 2 naming the policy and model.task (sequence models are not split yet)', async () => {
    const policy = path.join(ROOT, 'examples/charlm/policy.yml');
    const run = await gate(['run', '--policy', policy, '--shard', '1/2', '--out', tempDir()], [ROOT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `privacy-gate: ${policy} (model.task): sharded runs cover classification and regression models; run a sequence model policy in one job`,
    );
  });

  it('a folder with no signals files: exit 2 naming it', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'empty'));
    const run = await gate(['merge', dir], [ROOT]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no signals files (*.signals) in ${dir}`);
  });

  it('run --shard on each part, then merge: the exit code and every check line of the single run', async () => {
    const single = await gate(['run', '--policy', policy, '--out', tempDir()], roots);
    expect(single.code).toBe(1);
    const folder = tempDir();
    for (const i of [1, 2, 3]) {
      // One artifact folder per shard, as download-artifact writes them without merge-multiple.
      const shard = await gate(['run', '--policy', policy, '--shard', `${i}/3`, '--out', path.join(folder, `signals-${i}`)], roots);
      expect(shard.code).toBe(0);
      // 400 + 400 records, then 8 noisy copies of each: 4 blocks of 1,024 rows per set, shared out.
      expect(shard.stdout).toMatch(
        new RegExp(
          `^privacy-gate: shard ${i}/3: [1-9]\\d* rows answered in \\d+ recorded answers; signals: .*privacy-gate-signals-${i}-of-3\\.signals\\n?$`,
        ),
      );
    }
    const merged = await gate(['merge', folder, '--out', tempDir()], roots);
    expect(merged.code).toBe(single.code);
    const checks = (stdout: string) => stdout.split('\n').filter((l) => !l.startsWith('verdict:'));
    expect(checks(merged.stdout)).toEqual(checks(single.stdout));
    expect(merged.stdout).toMatch(/^verdict: fail \(exit 1\); report: .*privacy-report\.json$/m);
  });
});
