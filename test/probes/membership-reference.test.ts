/**
 * The reference-model attacks from a policy, end to end (issue 10): real onnxruntime runs of
 * the digits example's candidate and its 16 committed reference models through runGate. The
 * temporary policies live under the repository's .tmp/ (git-ignored), inside the workspace.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'reference-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digits = path.join(root, 'examples/digits');
let count = 0;

function write(name: string, text: string): string {
  const file = path.join(dir, `${++count}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** A deep-audit policy over the leaky digits model; `memberships` defaults to the committed file. */
function policy({ attacks, maxRows, memberships }: { attacks: string; maxRows?: number; memberships?: string }): string {
  return write(
    'policy.yml',
    `version: 1
seed: 42
model: { path: ${digits}/leaky.onnx }
data:
  members: { path: ${digits}/data/members.csv }
  non-members: { path: ${digits}/data/non-members.csv }
  label: digit
  features: "pixel_*"
${maxRows ? `  max-rows: ${maxRows}\n` : ''}probes:
  membership:
    attacks: ${attacks}
    reference-models:
      models: ${digits}/refs/leaky/ref-*.onnx
      memberships: ${memberships ?? `${digits}/refs/leaky/memberships.csv`}
    thresholds:
      tpr-at-fpr: { fpr: 0.02, fail: 0.10 }
`,
  );
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const refNames = Array.from({ length: 16 }, (_, k) => `ref-${String(k).padStart(2, '0')}.onnx`);

describe('LiRA on the leaky digits model, from a max-rows sample', () => {
  // 600 of 899 members and 600 of 898 non-members (FPR 2% needs 500): the memberships columns must follow the
  // sampled rows' places in the whole files, or LiRA reads chance.
  const run = runGate(policy({ attacks: '[loss, lira]', maxRows: 600 }), { roots: [root] });

  it('finds far more members at FPR 2% than the loss attack', async () => {
    const report = await run;
    expect(report.error).toBeUndefined();
    const [membership] = report.probes;
    const metric = (attack: string, id: string) => membership!.attacks.find((a) => a.attack === attack)!.metrics[id]!.value!;
    expect(metric('lira', 'auc')).toBeGreaterThan(0.85);
    expect(metric('lira', 'tpr-at-fpr')).toBeGreaterThan(0.3);
    expect(metric('loss', 'tpr-at-fpr')).toBeLessThan(0.1);
    expect(metric('lira', 'tpr-at-fpr')).toBeGreaterThan(4 * metric('loss', 'tpr-at-fpr') + 0.2);
    expect(report.verdict).toBe('fail');
    // Every channel gets the attack's description and its ROC like any other attack.
    const lira = membership!.attacks.find((a) => a.attack === 'lira')!;
    expect(lira.description).toMatch(/LiRA online, Carlini et al\. 2022/);
    expect(lira.details?.roc?.length).toBeGreaterThan(2);
  });

  it("records every reference model's and the memberships file's SHA-256, and counts their queries", async () => {
    const report = await run;
    const refs = report.inputs.references!;
    expect(refs.models.map((m) => path.basename(m.path))).toEqual(refNames);
    expect(refs.models[3]!.sha256).toBe(sha256(path.join(digits, 'refs/leaky/ref-03.onnx')));
    expect(refs.memberships.sha256).toBe(sha256(path.join(digits, 'refs/leaky/memberships.csv')));
    // The candidate answers each sampled record once (shared by loss and LiRA), each reference model once.
    expect(report.queries).toBe(1200 * 17);
  });
});

describe('memberships problems: exit 2 at the policy line of reference-models.memberships', () => {
  const committed = readFileSync(path.join(digits, 'refs/leaky/memberships.csv'), 'utf8').trimEnd().split('\n');

  it('a memberships file of the wrong width names that file and the policy field', async () => {
    const narrow = write('memberships.csv', committed.map((line) => line.split(',').slice(0, -1).join(',')).join('\n'));
    const file = policy({ attacks: '[lira]', memberships: narrow });
    const report = await runGate(file, { roots: [root] });
    expect(report.exitCode).toBe(2);
    expect(report.error).toMatchObject({
      file: path.relative(process.cwd(), file),
      line: 14,
      column: 20,
      field: 'probes.membership.reference-models.memberships',
    });
    expect(report.error?.message).toMatch(
      /memberships file: .*memberships\.csv:1: the header has 1796 record columns; expected 1797: the members file's 899 rows, then the non-members file's 898/,
    );
  });

  it('a record no reference model trained on cannot be scored by online LiRA', async () => {
    // Members row 0 made OUT for every model.
    const noIn = write('memberships.csv', committed.map((line, i) => (i === 0 ? line : line.replace(/^([^,]*),[^,]*/, '$1,0'))).join('\n'));
    const report = await runGate(policy({ attacks: '[lira]', memberships: noIn }), { roots: [root] });
    expect(report.exitCode).toBe(2);
    expect(report.error?.field).toBe('probes.membership.reference-models.memberships');
    expect(report.error?.message).toMatch(/members row 1/);
    expect(report.queries).toBe(0);
  });
});

describe('RMIA with a population file', () => {
  it("queries the population through the candidate and every reference model, and records the file's SHA-256", async () => {
    const population = `${digits}/data/non-members.csv`;
    const file = write(
      'policy.yml',
      readFileSync(policy({ attacks: '[rmia]', maxRows: 600 }), 'utf8').replace(
        '    thresholds:',
        `      population: { path: ${population} }\n    thresholds:`,
      ),
    );
    const report = await runGate(file, { roots: [root] });
    expect(report.error).toBeUndefined();
    const rmia = report.probes[0]!.attacks.find((a) => a.attack === 'rmia')!;
    expect(rmia.metrics['auc']!.value).toBeGreaterThan(0.6);
    expect(report.inputs.data.find((d) => d.role === 'RMIA population')).toMatchObject({ sha256: sha256(population), rows: 600 });
    // The candidate and 16 reference models each answer 600 + 600 audited and 600 population records once.
    expect(report.queries).toBe(1800 * 17);
    expect(report.probes[0]!.notes.join(' ')).toMatch(/RMIA's population is the 600 records of the population file/);
  });
});

describe('recipe level', () => {
  it('pools LiRA over the 16 reference models playing the target in turn, beside the candidate', async () => {
    const file = write(
      'policy.yml',
      readFileSync(policy({ attacks: '[lira]' }), 'utf8').replace('    thresholds:', '    recipe-level: true\n    thresholds:'),
    );
    const report = await runGate(file, { roots: [root] });
    expect(report.error).toBeUndefined();
    const attacks = report.probes[0]!.attacks;
    expect(attacks.map((a) => a.attack)).toEqual(['lira', 'lira-recipe-level']);
    // Every IN cell of the memberships file is a member, every OUT cell a non-member.
    const cells = readFileSync(path.join(digits, 'refs/leaky/memberships.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(',').slice(1));
    const pooled = attacks[1]!.metrics['auc']!;
    expect(pooled.sample).toEqual({ members: cells.filter((c) => c === '1').length, nonMembers: cells.filter((c) => c === '0').length });
    expect(pooled.value).toBeGreaterThan(0.85);
    expect(report.probes[0]!.checks.some((c) => c.attack === 'lira-recipe-level')).toBe(true);
  });
});
