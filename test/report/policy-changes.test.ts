/**
 * "Policy changes in this PR": loosened rules first, every policy string escaped for its channel
 * (Markdown for the summary and comment, one plain line for annotations).
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown';
import { MAX_LISTED_CHANGES, policyChangeAnnotations, policyChangesMarkdown } from '../../src/report/policy-changes';
import type { PolicyComparison } from '../../src/result';
import { change, check, reportWith, withChanges } from './helpers';
import { HOSTILE } from './hostile';
import { liveMarkup } from './markdown-safety';

/** Live markup in the section, its own heading aside. */
const live = (markdown: string) => liveMarkup(markdown).filter((problem) => problem !== 'heading ### Policy changes in this PR');

describe('policyChangesMarkdown', () => {
  it('lists loosened rules first, under a warning, then the other changes, right under the verdict', () => {
    const report = withChanges({
      changes: [
        change(),
        change({ field: 'gate.inconclusive', base: 'warn', head: 'pass' }),
        change({ kind: 'changed', field: 'seed', base: undefined, head: '7', reason: '' }),
      ],
    });
    const text = policyChangesMarkdown(report);
    expect(text).toContain(
      '> **This pull request loosens 2 rules** of the policy that gates it (compared with the base commit `0123456789ab`).',
    );
    expect(text.indexOf('**Loosened**')).toBeLessThan(text.indexOf('**Other changes**'));
    expect(text).toContain(
      '- ⚠️ loosened `probes.membership.thresholds.auc.fail`: `0.6` → `0.7`: more leakage passes before the gate fails (`policy.yml:12`)',
    );
    expect(text).toContain('- changed `seed`: _not set_ → `7` (`policy.yml:12`)');
    const full = renderMarkdown(report);
    expect(full.indexOf('### Policy changes in this PR')).toBeGreaterThan(full.indexOf('**Verdict:'));
    expect(full.indexOf('### Policy changes in this PR')).toBeLessThan(full.indexOf('| Status'));
  });

  it.each<[Partial<PolicyComparison>, string]>([
    [
      { status: 'not-compared', reason: 'the base commit x is not in the clone', changes: [] },
      '**Not compared** with the base commit `0123456789ab`: the base commit x is not in the clone.',
    ],
    [{ status: 'new-policy', changes: [] }, 'The policy is new in this pull request'],
    [{ status: 'compared', changes: [] }, 'No changes to the policy since the base commit `0123456789ab`.'],
    [
      { status: 'compared', enforced: 'base', changes: [change({ kind: 'tightened' })] },
      'nothing is loosened. The base commit’s policy gated this run (policy-from: base).',
    ],
  ])('%j says so', (comparison, expected) => {
    expect(policyChangesMarkdown(withChanges(comparison))).toContain(expected);
  });

  it('says nothing outside pull requests', () => {
    expect(policyChangesMarkdown(reportWith([check()]))).toBe('');
  });

  it(`lists at most ${MAX_LISTED_CHANGES} changes, loosened first, and counts the rest`, () => {
    const many = [
      ...Array.from({ length: 50 }, (_, i) => change({ kind: 'changed', field: `other${i}` })),
      change({ field: 'the.loosened.one' }),
    ];
    const text = policyChangesMarkdown(withChanges({ changes: [...many.slice(-1), ...many.slice(0, -1)] }));
    expect(text).toContain('the.loosened.one');
    expect(text).toContain('11 more changes are listed in privacy-report.json.');
  });

  it.each(HOSTILE)('leaves nothing live in the summary for policy text %j', (text) => {
    const report = withChanges({
      changes: [
        change({
          field: text,
          base: text,
          head: text,
          reason: `fewer attacks are run: ${text} removed`,
          location: { file: `${text}.yml`, line: 3, column: 1 },
        }),
        change({ kind: 'changed', field: `x.${text}`, base: text, head: undefined, reason: '' }),
      ],
    });
    expect(live(policyChangesMarkdown(report))).toEqual([]);
    expect(live(policyChangesMarkdown(withChanges({ status: 'not-compared', reason: `the base policy is not valid: ${text}` })))).toEqual(
      [],
    );
  });

  it.each(HOSTILE)('annotations carry %j as one plain line', (text) => {
    const report = withChanges({ changes: [change({ field: text, base: text, head: text, reason: text })] });
    const [annotation] = policyChangeAnnotations(report, { root: '/repo', cwd: '/repo' });
    for (const value of [annotation!.title, annotation!.message]) {
      // eslint-disable-next-line no-control-regex -- the characters an annotation must not carry
      expect(value).not.toMatch(/[\r\n\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
  });
});

describe('policyChangeAnnotations', () => {
  it('one warning per loosened rule, on the line of the head policy that writes it', () => {
    const report = withChanges({ changes: [change(), change({ kind: 'tightened', field: 'gate.confidence' })] });
    expect(policyChangeAnnotations(report, { root: '/repo', cwd: '/repo' })).toEqual([
      {
        level: 'warning',
        title: 'Policy loosened: probes.membership.thresholds.auc.fail',
        message: 'This pull request loosens probes.membership.thresholds.auc.fail: 0.6 → 0.7 (more leakage passes before the gate fails).',
        file: 'policy.yml',
        startLine: 12,
        startColumn: 20,
      },
    ]);
  });

  it('a rule inherited from a preset outside the repository is placed on the extends line that pulls it in', () => {
    const report = withChanges({ changes: [change({ location: { file: '../action/policies/standard.yaml', line: 9, column: 7 } })] });
    report.inputs.policy = [
      { path: '../action/policies/standard.yaml', sha256: 'a'.repeat(64) },
      { path: 'policy.yml', sha256: 'b'.repeat(64) },
    ];
    const [annotation] = policyChangeAnnotations(report, { root: '/repo', cwd: '/repo', extendsLine: () => 2 });
    expect(annotation).toMatchObject({ file: 'policy.yml', startLine: 2 });
  });
});
