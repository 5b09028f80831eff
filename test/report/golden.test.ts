/**
 * The rendered Markdown of real gate runs on examples/digits, kept as golden files so reviewers
 * see every change to what the PR comment and job summary say. Timings are zeroed; the numbers
 * are deterministic for the policy's seed. The policy files' digests are masked (zeros): they
 * change with every edit of a comment in the example policy, which says nothing about the
 * rendering; the model and data digests stay. `UPDATE_GOLDEN=1 npx vitest run test/report/golden`
 * rewrites them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderComment, SUMMARY_LIMIT_BYTES } from '../../src/report/comment';
import { renderMarkdown } from '../../src/report/markdown';
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
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden`).toBe(true);
  // toBe on strings prints a line diff on failure.
  expect(actual).toBe(readFileSync(file, 'utf8'));
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
