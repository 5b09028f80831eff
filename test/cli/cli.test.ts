import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { sink } from '../helpers/sink';

const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'examples/digits');
const schema = JSON.parse(readFileSync(path.join(root, 'schemas/privacy-report.schema.json'), 'utf8'));
const validateReport = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Runs the CLI; these tests write policies under the OS temp folder, so they allow it (and the repo) as roots. */
async function run(...args: string[]) {
  const out = sink();
  const err = sink();
  const roots = args.includes('--root') || args.length < 2 ? [] : ['--root', tmpdir(), '--root', root];
  const code = await cli([...args, ...roots], out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'privacy-gate-cli-'));
const readReport = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'privacy-report.json'), 'utf8'));

/** A copy of the example's policy with one part changed, next to the example's files. */
function variant(dir: string, yaml: string): string {
  for (const f of ['leaky.onnx']) copyFileSync(path.join(example, f), path.join(dir, f));
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, yaml.replaceAll('DATA', path.join(example, 'data')));
  return file;
}

const BASE = `version: 1
name: variant
extends: standard
seed: 42
model: { path: leaky.onnx }
data:
  members: { path: DATA/members.csv }
  non-members: { path: DATA/non-members.csv }
  label: digit
`;

describe('privacy-gate run on the digits example', () => {
  it('fails the leaky model with exit 1 and a schema-valid audit record', async () => {
    const out = tempDir();
    const result = await run('run', '--policy', path.join(example, 'policy.yml'), '--out', out);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/verdict: fail \(exit 1\)/);
    const report = readReport(out);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(report.verdict).toBe('fail');
    expect(report.inputs.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Every path in the audit record is relative, thresholds' sources included.
    const sources = report.probes.flatMap((p: { checks: Array<{ source: { file: string } }> }) => p.checks.map((c) => c.source.file));
    expect(new Set(sources)).toEqual(new Set(['policies/standard.yaml', 'examples/digits/policy.yml']));
    expect(report.inputs.policy.map((p: { path: string }) => path.basename(p.path))).toEqual(['standard.yaml', 'policy.yml']);
    // Membership queries each set once; the total is every probe's queries.
    const membership = report.probes.find((p: { id: string }) => p.id === 'membership');
    expect(membership.queries).toBe(report.inputs.data[0].rows + report.inputs.data[1].rows);
    expect(report.queries).toBe(report.probes.reduce((sum: number, p: { queries: number }) => sum + p.queries, 0));
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/Verdict: ❌ fails/);
  });

  it('passes the hardened model with exit 0', async () => {
    const out = tempDir();
    const result = await run('run', '--policy', path.join(example, 'hardened.policy.yml'), '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(readReport(out).verdict).toMatch(/pass|warn/);
  });

  it('gives identical numbers for the same inputs and seed', async () => {
    const strip = (dir: string) => ({
      ...readReport(dir),
      timings: null,
      probes: readReport(dir).probes.map((p: object) => ({ ...p, seconds: null })),
    });
    const a = tempDir();
    const b = tempDir();
    await run('run', '--policy', path.join(example, 'policy.yml'), '--out', a);
    await run('run', '--policy', path.join(example, 'policy.yml'), '--out', b);
    expect(strip(a)).toEqual(strip(b));
  });

  it('runs label-only attacks on a label-only surface', async () => {
    const dir = tempDir();
    const file = variant(
      dir,
      `${BASE}surface: { scores: label }\nprobes:\n  membership:\n    attacks: [gap, label-stability]\n    stability: { queries: 4, noise: 0.1 }\n# 898 non-members cannot resolve TPR at FPR 1%: this test is about the attacks, not the verdict.\ngate: { insufficient: warn }\n`,
    );
    const result = await run('run', '--policy', file, '--out', dir);
    const report = readReport(dir);
    expect(report.error, result.stderr).toBeUndefined();
    expect(report.probes[0].attacks.map((a: { attack: string }) => a.attack)).toEqual(['gap', 'label-stability']);
    const rows = report.inputs.data[0].rows + report.inputs.data[1].rows;
    expect(report.queries).toBe(rows * (1 + 4));
  });
});

describe('privacy-gate run on a PyTorch export with logits', () => {
  it('records in the report that the first batch showed logits', async () => {
    const dir = tempDir();
    copyFileSync(path.join(root, 'test/fixtures/models/torch-logits.onnx'), path.join(dir, 'model.onnx'));
    const rows = (offset: number) =>
      [
        'a,b,c,d,label',
        ...Array.from({ length: 40 }, (_, i) => `${(i % 7) - 3},${(i % 5) + offset},${i % 3},${((i * 7) % 11) - 5},${i % 3}`),
      ].join('\n');
    writeFileSync(path.join(dir, 'members.csv'), rows(0));
    writeFileSync(path.join(dir, 'non-members.csv'), rows(1));
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(
      policy,
      'version: 1\nextends: standard\nmodel: { path: model.onnx }\ndata:\n  members: { path: members.csv }\n  non-members: { path: non-members.csv }\n  label: label\nprobes: { membership: {} }\n# 40 rows per set resolve no membership check: this test is about the score kind.\ngate: { insufficient: warn }\n',
    );
    const result = await run('run', '--policy', policy, '--out', dir);
    const report = readReport(dir);
    expect(report.error, result.stderr).toBeUndefined();
    expect(report.model).toMatchObject({ input: 'input', output: 'logits', classes: ['0', '1', '2'], scoreKind: 'logits' });
    expect(report.model.scoreKindReason).toMatch(/detected on the first batch/);
  });
});

describe('privacy-gate input errors (exit 2, named file and field)', () => {
  it.each([
    {
      name: 'a feature list the model does not take',
      yaml: BASE.replace('label: digit', 'label: digit\n  features: [pixel_0, pixel_1]') + 'probes: { membership: {} }\n',
      message: /2 feature columns selected, but the model's input "x" takes 64/,
      field: 'data.features',
    },
    {
      name: 'a label column that is not the class',
      yaml: BASE.replace('label: digit', 'label: pixel_5\n  features: "pixel_*"') + 'probes: { membership: {} }\n',
      message: /63 feature columns selected/,
      field: 'data.features',
    },
    {
      name: 'a missing feature column',
      yaml: BASE.replace('label: digit', 'label: digit\n  features: [pixel_0, pixle_1]') + 'probes: { membership: {} }\n',
      message: /pixle_1/,
      field: 'pixle_1',
    },
  ])('$name', async ({ yaml, message, field }) => {
    const dir = tempDir();
    const result = await run('run', '--policy', variant(dir, yaml), '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    const report = readReport(dir);
    expect(report.verdict).toBe('error');
    expect(report.error.field).toBe(field);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  });

  it('reports labels outside the model’s classes', async () => {
    const dir = tempDir();
    const csv = readFileSync(path.join(example, 'data/members.csv'), 'utf8').replace(/,(\d)\n/, ',11\n');
    writeFileSync(path.join(dir, 'members.csv'), csv);
    const yaml = BASE.replace('DATA/members.csv', path.join(dir, 'members.csv')) + 'probes: { membership: {} }\n';
    const result = await run('run', '--policy', variant(dir, yaml), '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/label "11" in column "digit" .* is not one of the model's 10 classes \(0, 1, 2/);
  });

  it('validate prints every policy problem as file:line:column', async () => {
    const dir = tempDir();
    const file = variant(dir, `${BASE}surface: { scores: everything }\nprobes:\n  membership:\n    treshold: {}\n`);
    const result = await run('validate', '--policy', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:10:`);
    expect(result.stderr).toMatch(/did you mean "thresholds"/);
    expect(result.stderr).toMatch(/full, top-k, label|full \| top-k \| label|"full"/);
  });

  it.each([
    { args: ['--help'], code: 0, out: /Usage:/ },
    { args: ['--version'], code: 0, out: /^\d+\.\d+\.\d+/ },
    { args: ['explode'], code: 2, err: /expected a command, run, validate or merge, not "explode"/ },
    { args: ['run'], code: 2, err: /a policy file is required: privacy-gate COMMAND FILE, or --policy FILE/ },
    { args: ['run', '--policy', '/nonexistent/policy.yml', '--out', tempDir()], code: 2, err: /nonexistent/ },
  ])('privacy-gate $args → exit $code', async ({ args, code, out, err }) => {
    const result = await run(...args);
    expect(result.code).toBe(code);
    if (out) expect(result.stdout).toMatch(out);
    if (err) expect(result.stderr).toMatch(err);
  });
});
