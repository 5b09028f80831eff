/**
 * Inconclusive and insufficient checks in every channel: Markdown (comment, job summary,
 * summary.md), HTML, SARIF and annotations say what the status means, and SARIF and annotation
 * levels follow how the run's policy counts the status (gate.inconclusive / gate.insufficient).
 */
import { describe, expect, it } from 'vitest';
import { selectAnnotations } from '../../src/report/annotations';
import { renderHtml } from '../../src/report/html';
import { renderMarkdown } from '../../src/report/markdown';
import { renderSarif } from '../../src/report/sarif';
import type { GateReport } from '../../src/result';
import { check, reportWith } from './helpers';

const ctx = { root: '/repo', cwd: '/repo' };
const inconclusive = check({ metric: 'advantage', value: 0.088, ci: [0, 0.263], thresholds: { fail: 0.2 }, status: 'inconclusive' });
const insufficient = check({
  attack: 'entropy',
  metric: 'tpr-at-fpr',
  value: 0,
  ci: [0, 0.004],
  thresholds: { fail: 0.05 },
  status: 'insufficient',
  needs: { members: 72, nonMembers: 1000, have: { members: 899, nonMembers: 898 }, reason: '10 false positives at FPR 0.01' },
});
const passing = check({ attack: 'loss', value: 0.51, ci: [0.49, 0.53], status: 'pass' });

function report(gate: GateReport['gate'], verdict: GateReport['verdict'], exitCode: number): GateReport {
  return reportWith([passing, inconclusive, insufficient], { gate, verdict, exitCode });
}

describe('inconclusive and insufficient checks in every channel', () => {
  const warned = report({ inconclusive: 'warn', insufficient: 'warn' }, 'warn', 0);

  it('Markdown: counted in the headline, marked in the table and explained under it', () => {
    const md = renderMarkdown(warned);
    expect(md).toContain('3 checks: 1 inconclusive (the interval reaches over the fail threshold), 1 with too few records to measure.');
    expect(md).toMatch(/\| membership \| loss \| Advantage \| 0\.088 \[0\.000, 0\.263\] \| fail > 0\.2 \| ❔ inconclusive \|/);
    expect(md).toMatch(/\| membership \| entropy \| TPR at FPR \| 0\.000 \[0\.000, 0\.004\] \| fail > 0\.05 \| 📉 insufficient data \|/);
    // One sentence each at the top, before the table.
    const top = md.slice(0, md.indexOf('| Probe |'));
    expect(top).toContain(
      '- membership/loss Advantage 0.088 \\[0.000, 0.263\\] is inconclusive: the interval reaches over the fail threshold 0.2, so the data cannot rule out a failure.',
    );
    expect(top).toContain(
      '- membership/entropy TPR at FPR: insufficient data: needs at least 1,000 non-members (has 898), 10 false positives at FPR 0.01.',
    );
    // The passing check is folded away; the two unsettled ones are in the main table, most severe first.
    expect(md.indexOf('📉 insufficient data')).toBeLessThan(md.indexOf('❔ inconclusive'));
  });

  it('HTML: its own status text, the explanation, and both in the counts', () => {
    const html = renderHtml(warned);
    expect(html).toContain('1 inconclusive, 1 with too few records, ');
    expect(html).toMatch(
      /<tr class="status-inconclusive">.*<td class="status" data-label="Status" title="inconclusive: the interval reaches over the fail threshold 0\.2[^"]*">inconclusive<br>/,
    );
    expect(html).toMatch(
      /<tr class="status-insufficient">.*insufficient data<br><small>needs at least 1,000 non-members \(has 898\)<\/small>/,
    );
  });

  it.each([
    {
      gate: { inconclusive: 'warn', insufficient: 'warn' },
      inconclusiveLevel: ['warning', 'warning'],
      insufficientLevel: ['warning', 'warning'],
    },
    { gate: { inconclusive: 'fail', insufficient: 'error' }, inconclusiveLevel: ['error', 'error'], insufficientLevel: ['error', 'error'] },
    {
      gate: { inconclusive: 'pass', insufficient: 'warn' },
      inconclusiveLevel: ['note', 'notice'],
      insufficientLevel: ['warning', 'warning'],
    },
  ] as const)('SARIF and annotations under $gate', ({ gate, inconclusiveLevel, insufficientLevel }) => {
    const r = report({ ...gate }, 'warn', 0);
    const results = renderSarif(r, ctx).runs[0]!.results!;
    const sarifOf = (attack: string) => results.find((x) => (x.properties as { attack: string }).attack === attack)!;
    expect(sarifOf('loss').level).toBe(inconclusiveLevel[0]);
    expect(sarifOf('loss').message.text).toContain('inconclusive: the interval reaches over the fail threshold 0.2');
    expect(sarifOf('entropy').level).toBe(insufficientLevel[0]);
    expect(sarifOf('entropy').message.text).toContain('insufficient data: needs at least 1,000 non-members (has 898)');

    const annotations = selectAnnotations(r, ctx);
    const annotationOf = (text: string) => annotations.find((a) => a.message.includes(text))!;
    expect(annotationOf('membership/loss')).toMatchObject({ level: inconclusiveLevel[1], title: expect.stringContaining('inconclusive') });
    expect(annotationOf('membership/entropy')).toMatchObject({
      level: insufficientLevel[1],
      title: expect.stringContaining('too few records'),
    });
  });
});
