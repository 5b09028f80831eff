/**
 * The digits example's shipped deep audits through the CLI, end to end (issue 10): real
 * onnxruntime runs of each candidate and its 16 committed reference models. The DP-SGD model
 * (private.onnx) must pass LiRA online and offline, RMIA and their recipe-level estimates at
 * the thresholds of the hardened deep audit, while the leaky model still fails and the hardened
 * one still only warns. A pass holds only against the attacks run, so the outputs must say
 * which ran.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { sink } from '../helpers/sink';

const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'examples/digits');
const outs: string[] = [];
afterAll(() => outs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function runPolicy(file: string) {
  const out = mkdtempSync(path.join(tmpdir(), 'privacy-gate-deep-audit-'));
  outs.push(out);
  const stdout = sink();
  const stderr = sink();
  const code = await cli(
    ['run', '--policy', path.join(example, file), '--out', out, '--root', root, '--root', out],
    stdout.stream,
    stderr.stream,
  );
  const report = JSON.parse(readFileSync(path.join(out, 'privacy-report.json'), 'utf8'));
  const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
  return { code, stdout: stdout.text(), stderr: stderr.text(), report, summary };
}

const REFERENCE_ATTACKS = ['lira', 'lira-offline', 'rmia'];

describe('the DP-SGD digits model under the deep audit', () => {
  const run = runPolicy('deep-audit.private.policy.yml');

  it('passes with exit 0, every reference attack and its recipe-level estimate run and under every threshold', async () => {
    const { code, stdout, stderr, report } = await run;
    expect(code, stderr + stdout).toBe(0);
    expect(report.verdict).toBe('pass');
    const membership = report.probes.find((p: { id: string }) => p.id === 'membership');
    const attacks: string[] = membership.attacks.map((a: { attack: string }) => a.attack);
    for (const attack of REFERENCE_ATTACKS) {
      expect(attacks).toContain(attack);
      expect(attacks).toContain(`${attack}-recipe-level`);
    }
    // Every attack is checked against AUC and TPR at FPR 2%, and all pass (none inconclusive).
    const checks: Array<{ attack: string; metric: string; status: string; value: number }> = membership.checks;
    for (const attack of attacks) {
      expect(checks.filter((c) => c.attack === attack).map((c) => c.metric)).toEqual(['auc', 'tpr-at-fpr']);
    }
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    // The real figures, not a degenerate run: the attacks read near chance, not exactly 0.5.
    const auc = (attack: string) => checks.find((c) => c.attack === attack && c.metric === 'auc')!.value;
    for (const attack of attacks) expect(auc(attack)).toBeGreaterThan(0.5);
    expect(report.inputs.references.models).toHaveLength(16);
  });

  it('says in the summary and on the console which attacks ran, and that a pass holds only against them', async () => {
    const { summary, stdout } = await run;
    const line = summary.split('\n').find((l) => l.startsWith('Attacks run'));
    expect(line).toBeDefined();
    for (const attack of REFERENCE_ATTACKS) expect(line).toMatch(new RegExp(`[ (]${attack}[,)]`));
    expect(line).toMatch(/rmia-recipe-level/);
    expect(line).toMatch(/A pass holds only against these\./);
    expect(stdout).toMatch(/pass {2}membership\/lira-recipe-level auc = 0\.5\d\d/);
  });

  it('keeps the thresholds of the hardened deep audit (both extend deep-audit.policy.yml and neither overrides them)', () => {
    for (const file of ['deep-audit.private.policy.yml', 'deep-audit.hardened.policy.yml']) {
      const policy = parse(readFileSync(path.join(example, file), 'utf8'));
      expect(policy.extends).toBe('./deep-audit.policy.yml');
      expect(policy.probes.membership.thresholds).toBeUndefined();
    }
  });
});

describe("the other digits models' deep audits are unchanged", () => {
  it.each([
    ['deep-audit.policy.yml', 1, 'fail'],
    ['deep-audit.hardened.policy.yml', 0, 'warn'],
  ])('%s: exit %d (%s)', async (file, exit, verdict) => {
    const { code, report } = await runPolicy(file);
    expect(code).toBe(exit);
    expect(report.verdict).toBe(verdict);
  });
});
