/**
 * Degenerate inputs that passed on the digits example before the verdict rules (issue 8, items 3,
 * 4 and 6), each a real onnxruntime run through runGate. The temporary policies and data live
 * under the repository's .tmp/ (git-ignored), so every path stays inside the workspace.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { cli } from '../../src/cli';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'verdict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digits = path.join(root, 'examples/digits');
let count = 0;

/** A policy over the digits models; DIGITS stands for the example's folder. */
function policy(yaml: string): string {
  const file = path.join(dir, `policy-${++count}.yml`);
  writeFileSync(file, yaml.replaceAll('DIGITS', digits));
  return file;
}

/** The header and the first `rows` records of one of the example's data files. */
function head(name: string, rows: number): string {
  const file = path.join(dir, `${++count}-${name}`);
  const lines = readFileSync(path.join(digits, 'data', name), 'utf8').split('\n');
  writeFileSync(file, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return file;
}

describe('too few records (item 3)', () => {
  const yaml = (extra = '') => `version: 1
name: one record each
extends: standard
seed: 42
model: { path: DIGITS/leaky.onnx }
data:
  members: { path: ${head('members.csv', 1)} }
  non-members: { path: ${head('non-members.csv', 1)} }
  label: digit
probes:
  membership:
    attacks: [loss]
${extra}`;

  it('one member and one non-member: exit 2, saying how many records each check needs', async () => {
    const report = await runGate(policy(yaml()));
    expect(report.exitCode).toBe(2);
    expect(report.verdict).toBe('error');
    expect(report.error?.message).toMatch(
      /^too few records to measure membership\/loss auc \(and 3 more checks\): it needs at least 65 members \(has 1\) and 65 non-members \(has 1\)/,
    );
    const checks = report.probes.flatMap((p) => p.checks);
    expect(checks.map((c) => [c.metric, c.status])).toEqual([
      ['auc', 'insufficient'],
      ['advantage', 'insufficient'],
      ['tpr-at-fpr', 'insufficient'],
      ['epsilon-lower-bound', 'insufficient'],
    ]);
    expect(checks.find((c) => c.metric === 'tpr-at-fpr')?.needs).toMatchObject({ nonMembers: 1000, have: { members: 1, nonMembers: 1 } });
  });

  it('gate.insufficient: warn lets an exploratory run through, still marked insufficient', async () => {
    const report = await runGate(policy(yaml('gate: { insufficient: warn }\n')));
    expect(report).toMatchObject({ verdict: 'warn', exitCode: 0, gate: { insufficient: 'warn', inconclusive: 'warn' } });
    expect(report.probes[0]!.checks.every((c) => c.status === 'insufficient')).toBe(true);
  });
});

describe('intervals that straddle the fail line (item 4)', () => {
  // The hardened model on 250 + 250 records: advantage ≈ 0.03 with a DKW band reaching ≈ 0.22,
  // over the 0.2 line; the AUC interval ends below 0.6.
  const yaml = (inconclusive: string) => `version: 1
name: straddle
seed: 42
model: { path: DIGITS/hardened.onnx }
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
  label: digit
  max-rows: 250
probes:
  membership:
    attacks: [loss]
    thresholds:
      auc: { warn: 0.55, fail: 0.6 }
      advantage: { fail: 0.2 }
gate: { inconclusive: ${inconclusive} }
`;

  it.each([
    { inconclusive: 'pass', verdict: 'pass', exitCode: 0 },
    { inconclusive: 'warn', verdict: 'warn', exitCode: 0 },
    { inconclusive: 'fail', verdict: 'fail', exitCode: 1 },
  ])('gate.inconclusive: $inconclusive → $verdict (exit $exitCode)', async ({ inconclusive, verdict, exitCode }) => {
    const report = await runGate(policy(yaml(inconclusive)));
    const advantage = report.probes[0]!.checks.find((c) => c.metric === 'advantage')!;
    expect(advantage.value!).toBeLessThan(0.2);
    expect(advantage.ci[1]).toBeGreaterThan(0.2);
    expect(advantage.status).toBe('inconclusive');
    expect(report.probes[0]!.checks.find((c) => c.metric === 'auc')!.status).toBe('pass');
    expect(report).toMatchObject({ verdict, exitCode });
  });
});

describe('the CLI shows both statuses on its check lines', () => {
  const sink = () => {
    let text = '';
    return { stream: new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) }), text: () => text };
  };
  it('inconclusive and insufficient, with what they mean', async () => {
    const out = sink();
    const err = sink();
    const file = policy(`version: 1
name: cli
seed: 42
model: { path: DIGITS/hardened.onnx }
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
  label: digit
  max-rows: 250
probes:
  membership:
    attacks: [loss]
    thresholds:
      advantage: { fail: 0.2 }
      tpr-at-fpr: { fpr: 0.01, fail: 0.05 }
`);
    const code = await cli(['run', '--policy', file, '--out', path.join(dir, `out-${++count}`)], out.stream, err.stream);
    expect(code).toBe(2);
    expect(err.text()).toMatch(
      /^privacy-gate: too few records to measure membership\/loss tpr-at-fpr: it needs at least 1,000 non-members \(has 250\)/m,
    );
    expect(out.text()).toMatch(
      /^inconclusive membership\/loss advantage = 0\.\d{3} \[0\.000, 0\.2\d\d\] \(inconclusive: the interval reaches over the fail threshold 0\.2/m,
    );
    expect(out.text()).toMatch(
      /^insufficient membership\/loss tpr-at-fpr = .* \(insufficient data: needs at least 1,000 non-members \(has 250\)\)$/m,
    );
    expect(out.text()).toContain('verdict: error (exit 2)');
  });
});

describe('swapped member and non-member files (item 6)', () => {
  it('the leaky model with the files swapped: exit 2, members look less like training data', async () => {
    const report = await runGate(
      policy(`version: 1
name: swapped
extends: ${path.join(digits, 'policy.yml')}
data:
  members: { path: DIGITS/data/non-members.csv }
  non-members: { path: DIGITS/data/members.csv }
`),
    );
    expect(report.exitCode).toBe(2);
    expect(report.verdict).toBe('error');
    expect(report.error?.message).toMatch(
      /^members look less like training data than non-members: the whole AUC interval is below 0\.5 \(loss 0\.247 \[0\.22\d, 0\.27\d\]/,
    );
    expect(report.error?.message).toContain('probably swapped');
    // The measurements stay in the audit record.
    expect(report.probes[0]!.attacks[0]!.metrics['auc']!.ci[1]).toBeLessThan(0.5);
  });
});
