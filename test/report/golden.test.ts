/**
 * The rendered Markdown of real gate runs on examples/digits, kept as golden files so reviewers
 * see every change to what the PR comment and job summary say. Timings are zeroed; the numbers
 * are deterministic for the policy's seed. The policy files' digests are masked (zeros): they
 * change with every edit of a comment in the example policy, which says nothing about the
 * rendering; the model and data digests stay. `UPDATE_GOLDEN=1 npx vitest run test/report/golden`
 * rewrites them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderComment, SUMMARY_LIMIT_BYTES } from '../../src/report/comment';
import { renderMarkdown } from '../../src/report/markdown';
import { compareGolden } from './golden-files';
import { digitsReport } from './helpers';

const GOLDEN = path.join(import.meta.dirname, 'golden');
const links = [{ text: 'workflow run', url: 'https://github.com/octo/models/actions/runs/42' }];
const reportFolder = 'privacy-gate-report';
const identity = (policy: string) => ({ workflow: 'Privacy gate', job: 'privacy-gate', policy });

async function example(policy: 'policy.yml' | 'hardened.policy.yml') {
  const report = await digitsReport(policy);
  report.inputs.policy = report.inputs.policy.map((d) => ({ ...d, sha256: '0'.repeat(64) }));
  return report;
}

function golden(name: string, actual: string): void {
  compareGolden(path.join(GOLDEN, name), actual);
}

describe('golden Markdown from the digits example', () => {
  it('leaky model (fails): job summary, PR comment and summary.md', async () => {
    const report = await example('policy.yml');
    expect(report.verdict).toBe('fail');
    golden('summary-fail.md', renderMarkdown(report, { links, reportFolder, limit: { max: SUMMARY_LIMIT_BYTES, unit: 'bytes' } }));
    golden('comment-fail.md', renderComment(report, { identity: identity(report.policy.file), links, reportFolder }));
    golden('summary-md-fail.md', renderMarkdown(report));
  });

  it('hardened model (passes): the comment that replaces the failing one says the gate now passes', async () => {
    const failing = await example('policy.yml');
    const passing = await example('hardened.policy.yml');
    expect(passing.verdict).toBe('pass');
    // The same (workflow, job) and policy path would find the same comment; here the earlier body is the failing run's.
    const previousBody = renderComment(failing, { identity: identity(passing.policy.file), links, reportFolder });
    const comment = renderComment(passing, { identity: identity(passing.policy.file), links, reportFolder, previousBody });
    expect(comment).toContain('The gate now passes');
    golden('comment-pass-after-fail.md', comment);
    golden('summary-pass.md', renderMarkdown(passing, { links, reportFolder, limit: { max: SUMMARY_LIMIT_BYTES, unit: 'bytes' } }));
  });
});

describe('golden files', () => {
  it('UPDATE_GOLDEN=1 is refused when CI=true, and nothing is written', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-'));
    try {
      const file = path.join(dir, 'x.md');
      expect(() => compareGolden(file, 'text', { UPDATE_GOLDEN: '1', CI: 'true' })).toThrow(/refused with CI=true/);
      expect(existsSync(file)).toBe(false);
      compareGolden(file, 'text', { UPDATE_GOLDEN: '1' });
      expect(readFileSync(file, 'utf8')).toBe('text');
      expect(() => compareGolden(file, 'other', {})).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // An independent source for the headline figures: train.py's own evaluation of the same models
  // on the same records (PyTorch, float64 metrics), so a golden rewritten with wrong numbers fails.
  const trained = JSON.parse(readFileSync(path.resolve('examples/digits/metrics.json'), 'utf8'));
  it.each([
    { golden: 'summary-fail.md', model: 'leaky', attack: 'loss', metric: 'AUC', key: 'loss_attack_auc' },
    { golden: 'summary-fail.md', model: 'leaky', attack: 'entropy', metric: 'AUC', key: 'entropy_attack_auc' },
    { golden: 'summary-fail.md', model: 'leaky', attack: 'loss', metric: 'Advantage', key: 'advantage' },
    { golden: 'summary-pass.md', model: 'hardened', attack: 'loss', metric: 'AUC', key: 'loss_attack_auc' },
    { golden: 'summary-pass.md', model: 'hardened', attack: 'entropy', metric: 'AUC', key: 'entropy_attack_auc' },
    { golden: 'summary-pass.md', model: 'hardened', attack: 'loss', metric: 'Advantage', key: 'advantage' },
  ])('$golden: $attack $metric agrees with metrics.json ($key)', ({ golden: name, model, attack, metric, key }) => {
    const text = readFileSync(path.join(GOLDEN, name), 'utf8');
    // The membership details: one row per attack, one column per metric.
    const lines = text.split('\n');
    const header = lines
      .find((line) => line.startsWith('| Attack | AUC |'))!
      .split('|')
      .map((c) => c.trim());
    const row = lines.find((line) => line.startsWith(`| ${attack} | `));
    expect(row, `no ${attack} row in ${name}`).toBeDefined();
    const shown = Number(row!.split('|')[header.indexOf(metric)]!.trim().split(' ')[0]);
    // Three decimals are printed: the golden figure is the reference rounded, within rounding.
    expect(Math.abs(shown - trained[model][key])).toBeLessThanOrEqual(0.0005 + 1e-9);
  });
});
