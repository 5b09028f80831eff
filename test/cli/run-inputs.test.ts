/**
 * `privacy-gate run` on a new user's mistakes: a policy error creates no output folder; labels
 * that are names (data.classes); a regressor read as a classifier (model.task: regression).
 * Real models (examples/, test/fixtures/models) and real data throughout.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/data/hash';
import { runCli as run } from '../helpers/cli';

const root = path.resolve(__dirname, '../..');
const models = path.join(root, 'test/fixtures/models');
const wages = path.join(root, 'examples/wages');

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'privacy-gate-run-'));

describe('run creates nothing on a policy error', () => {
  it.each([
    { name: 'a missing policy file', yaml: undefined, message: /policy file not found/ },
    {
      name: 'a policy with two mistakes (both shown)',
      yaml: 'version: 1\nextends: standart\nmodel: { path: model.onnx }\nprobes: { membership: { treshold: {} } }\n',
      message: /unknown preset "standart"[\s\S]*model file not found[\s\S]*did you mean "thresholds"/,
    },
  ])('$name: exit 2, and neither --out nor ./privacy-gate-report appears', async ({ yaml, message }) => {
    const dir = tempDir();
    const file = path.join(dir, 'policy.yml');
    if (yaml) writeFileSync(file, yaml);
    const out = path.join(dir, 'report');
    const result = await run('run', '--policy', file, '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    // The default folder is relative to the working folder: it must not appear either.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await run('run', '--policy', file)).code).toBe(2);
      expect(existsSync(path.join(dir, 'privacy-gate-report'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([
    { args: ['validate', 'a.yml', 'b.yml'], err: /expected one policy file, found 2 arguments/ },
    { args: ['run', 'a.yml', '--policy', 'b.yml'], err: /two policy files given \(--policy "b\.yml" and "a\.yml"\); expected one/ },
  ])('privacy-gate $args → exit 2', async ({ args, err }) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(err);
  });
});

/** 40 rows of the 4-feature fixtures' data, labelled with `label(i)`. */
function rows(label: (i: number) => string, offset = 0): string {
  const lines = Array.from({ length: 40 }, (_, i) => `${(i % 7) - 3},${(i % 5) + offset},${i % 3},${((i * 7) % 11) - 5},${label(i)}`);
  return ['a,b,c,d,species', ...lines].join('\n') + '\n';
}

/** A folder with the given model, member / non-member CSVs and a policy; `data` is added under data:. */
function fixture(model: string, members: string, nonMembers: string, data: string): { dir: string; policy: string } {
  const dir = tempDir();
  copyFileSync(path.join(models, model), path.join(dir, 'model.onnx'));
  writeFileSync(path.join(dir, 'members.csv'), members);
  writeFileSync(path.join(dir, 'non-members.csv'), nonMembers);
  const policy = path.join(dir, 'policy.yml');
  writeFileSync(
    policy,
    `version: 1\nextends: standard\nmodel: { path: model.onnx }\ndata:\n  members: { path: members.csv }\n  non-members: { path: non-members.csv }\n  label: species\n${data}probes: { membership: {} }\n# 40 rows per set resolve no membership check: these tests are about the labels.\ngate: { insufficient: warn }\n`,
  );
  return { dir, policy };
}

const SPECIES = ['setosa', 'versicolor', 'virginica'];

describe('a model with external data (its weights in a file beside it)', () => {
  it('runs, and the audit record digests the weights file too: new weights, new digest, same .onnx digest', async () => {
    const names = (i: number) => String(i % 3);
    const { dir, policy } = fixture('probabilities-external.onnx', rows(names), rows(names, 1), '');
    const weights = path.join(dir, 'probabilities-external.weights');
    copyFileSync(path.join(models, 'probabilities-external.weights'), weights);
    const audit = async (out: string) => {
      const result = await run('run', policy, '--out', out);
      const report = JSON.parse(readFileSync(path.join(out, 'privacy-report.json'), 'utf8'));
      expect(report.error, result.stderr).toBeUndefined();
      return { model: report.inputs.model, summary: readFileSync(path.join(out, 'summary.md'), 'utf8') };
    };
    const first = await audit(path.join(dir, 'a'));
    expect(first.model.externalData).toEqual([{ path: path.relative(process.cwd(), weights), sha256: sha256(readFileSync(weights)) }]);
    expect(first.summary).toContain(
      `| model weights | \`${path.relative(process.cwd(), weights)}\` | \`${first.model.externalData[0].sha256}\` |`,
    );
    // Other weights (the bias of class 0 raised) in the same file: only the weights digest tells the two models apart.
    const bytes = readFileSync(weights);
    bytes.writeFloatLE(bytes.readFloatLE(bytes.length - 12) + 1, bytes.length - 12);
    writeFileSync(weights, bytes);
    const second = await audit(path.join(dir, 'b'));
    expect(second.model.sha256).toBe(first.model.sha256);
    expect(second.model.externalData[0].sha256).not.toBe(first.model.externalData[0].sha256);
  });
});

describe('labels that are names: data.classes', () => {
  it('maps each name to its class index (order = class index) and runs', async () => {
    const names = (i: number) => SPECIES[i % 3]!;
    const { dir, policy } = fixture('probabilities.onnx', rows(names), rows(names, 1), '  classes: [setosa, versicolor, virginica]\n');
    // The policy file as a positional argument, as `privacy-gate run policy.yml`.
    const result = await run('run', policy, '--out', dir);
    const report = JSON.parse(readFileSync(path.join(dir, 'privacy-report.json'), 'utf8'));
    expect(report.error, result.stderr).toBeUndefined();
    expect(report.probes[0].id).toBe('membership');
  });

  it('gives the same numbers as the class indices themselves', async () => {
    const byName = fixture(
      'probabilities.onnx',
      rows((i) => SPECIES[i % 3]!),
      rows((i) => SPECIES[i % 3]!, 1),
      '  classes: [setosa, versicolor, virginica]\n',
    );
    const byIndex = fixture(
      'probabilities.onnx',
      rows((i) => String(i % 3)),
      rows((i) => String(i % 3), 1),
      '',
    );
    await run('run', '--policy', byName.policy, '--out', byName.dir);
    await run('run', '--policy', byIndex.policy, '--out', byIndex.dir);
    const metrics = (dir: string) =>
      JSON.parse(readFileSync(path.join(dir, 'privacy-report.json'), 'utf8')).probes[0].attacks.map((a: { metrics: unknown }) => a.metrics);
    expect(metrics(byName.dir)).toEqual(metrics(byIndex.dir));
  });

  it.each([
    {
      name: 'a name not in data.classes, with a did-you-mean',
      label: (i: number) => (i === 5 ? 'Setosa' : SPECIES[i % 3]!),
      data: '  classes: [setosa, versicolor, virginica]\n',
      message:
        /label "Setosa" in column "species" \(row 6 of the members used\) is not one of data\.classes \(setosa, versicolor, virginica\) \(did you mean "setosa"\?\)/,
    },
    {
      name: 'names without data.classes: the message says how to name them',
      label: (i: number) => SPECIES[i % 3]!,
      data: '',
      message: /label "setosa" .* is not one of the model's 3 classes \(0, 1, 2\); name the labels in data\.classes, in class-index order/,
    },
  ])('$name', async ({ label, data, message }) => {
    const { dir, policy } = fixture(
      'probabilities.onnx',
      rows(label),
      rows((i) => SPECIES[i % 3]!, 1),
      data,
    );
    const result = await run('run', '--policy', policy, '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a ZipMap names the classes itself: string labels need no data.classes', async () => {
    const names = (i: number) => SPECIES[i % 3]!;
    const { dir, policy } = fixture('zipmap-strings.onnx', rows(names), rows(names, 1), '');
    const result = await run('run', '--policy', policy, '--out', dir);
    const report = JSON.parse(readFileSync(path.join(dir, 'privacy-report.json'), 'utf8'));
    expect(report.error, result.stderr).toBeUndefined();
    expect(report.model.classes).toEqual(SPECIES);
  });
});

describe('a regressor without model.task: regression', () => {
  it('the wages model read as a classifier: the message shows its output and suggests model.task: regression', async () => {
    const dir = tempDir();
    const yaml = readFileSync(path.join(wages, 'policy.yml'), 'utf8')
      .replace(/^ {2}task: regression.*\n/m, '')
      .replaceAll('path: data/', `path: ${wages}/data/`)
      .replace('path: leaky.onnx', `path: ${wages}/leaky.onnx`);
    expect(yaml).not.toMatch(/task: regression/);
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(policy, yaml);
    const result = await run('run', '--policy', policy, '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /label "[\d.]+" in column "wage" .* is not one of the model's 2 classes \(0, 1\); labels must be class indices 0 to 1\. If the model predicts a number rather than a class, set model\.task: regression\. The model's output "wage" has one column, and on the first 64 members it holds values from [\d.]+ to [\d.]+, outside \[0, 1\]: not a class probability but a predicted number, so set model\.task: regression/,
    );
  });
});
