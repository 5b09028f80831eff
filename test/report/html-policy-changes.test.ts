/**
 * "Policy changes in this PR" in report.html: near the top, loosened rules first, every policy
 * string escaped for HTML.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/escape';
import { renderHtml } from '../../src/report/html';
import { policyChangesHtml } from '../../src/report/html-policy-changes';
import type { PolicyComparison } from '../../src/result';
import { change, check, reportWith, withChanges } from './helpers';
import { HOSTILE } from './hostile';

/** What is left of the section once the tags it is allowed to write are taken out: no markup may remain. */
const ALLOWED_TAGS = /<\/?(section|h2|h3|p|strong|ul|li|code|em)( class="[a-z -]+")?>/g;

describe('policyChangesHtml', () => {
  it('sits near the top of report.html (before the checks), loosened rules first, then the other changes', () => {
    const report = withChanges({
      changes: [
        change({ kind: 'changed', field: 'seed', base: undefined, head: '7', reason: '' }),
        change(),
        change({ field: 'gate.inconclusive', base: 'warn', head: 'pass' }),
      ],
    });
    const html = renderHtml(report);
    const at = html.indexOf('<h2>Policy changes in this PR</h2>');
    expect(at).toBeGreaterThan(html.indexOf('</header>'));
    expect(at).toBeLessThan(html.indexOf('<h2>Checks</h2>'));
    const section = policyChangesHtml(report);
    expect(section).toContain(
      '<strong>This pull request loosens 2 rules</strong> of the policy that gates it (compared with the base commit <code>0123456789ab</code>).',
    );
    expect(section.indexOf('<h3>Loosened</h3>')).toBeLessThan(section.indexOf('<h3>Other changes</h3>'));
    expect(section.indexOf('gate.inconclusive')).toBeLessThan(section.indexOf('<code>seed</code>'));
    expect(section).toContain(
      '<li class="change-loosened">⚠️ loosened <code>probes.membership.thresholds.auc.fail</code>: <code>0.6</code> → <code>0.7</code>: more leakage passes before the gate fails (<code>policy.yml:12</code>)</li>',
    );
    expect(section).toContain(
      '<li class="change-other">changed <code>seed</code>: <em>not set</em> → <code>7</code> (<code>policy.yml:12</code>)</li>',
    );
  });

  it.each<[string, Partial<PolicyComparison>, string]>([
    ['no pull request', {}, ''],
    [
      'no changes',
      { changes: [] },
      'No changes to the policy since the base commit <code>0123456789ab</code>. The pull request’s own policy gated this run.',
    ],
    ['nothing loosened', { changes: [change({ kind: 'tightened' })] }, 'nothing is loosened.'],
    ['new policy', { status: 'new-policy' }, 'The policy is new in this pull request'],
    [
      'not compared',
      { status: 'not-compared', reason: 'git show failed' },
      '<strong>Not compared</strong> with the base commit <code>0123456789ab</code>: git show failed.',
    ],
    ['base policy enforced', { enforced: 'base', changes: [change()] }, 'The base commit’s policy gated this run (policy-from: base).'],
  ])('%s', (name, comparison, expected) => {
    const report = name === 'no pull request' ? reportWith([check({ status: 'pass' })]) : withChanges(comparison);
    const section = policyChangesHtml(report);
    if (expected === '') expect(section).toBe('');
    else expect(section).toContain(expected);
  });

  it('counts the changes past the listed maximum', () => {
    const changes = Array.from({ length: 45 }, (_, i) => change({ field: `probes.p${i}` }));
    expect(policyChangesHtml(withChanges({ changes }))).toContain('5 more changes are listed in privacy-report.json.');
  });

  it.each(HOSTILE)('escapes hostile policy text: %j', (hostile) => {
    const reports = [
      withChanges({
        baseSha: hostile,
        changes: [
          change({ field: hostile, base: hostile, head: hostile, reason: hostile, location: { file: hostile, line: 3, column: 1 } }),
          change({ kind: 'changed', field: hostile, base: hostile, head: undefined, reason: hostile }),
        ],
      }),
      withChanges({ status: 'not-compared', baseSha: hostile, reason: hostile }),
    ];
    for (const report of reports) {
      const section = policyChangesHtml(report);
      expect(section.replace(ALLOWED_TAGS, '')).not.toMatch(/[<>"']/);
      expect(section).toContain(escapeHtml(hostile, 120).slice(0, 40));
    }
  });
});
