/**
 * The "Compared with the released model" section (src/report/baseline.ts): the change and its
 * direction, the allowance and status of each increase check, nothing without a baseline, and
 * hostile attack names and paths escaped for Markdown and HTML.
 */
import { describe, expect, it } from 'vitest';
import { baselineHtml, baselineMarkdown, formatChange } from '../../src/report/baseline';
import type { GateReport } from '../../src/result';
import { check, reportWith } from './helpers';
import { HOSTILE } from './hostile';
import { brokenTableRows, liveMarkup } from './markdown-safety';

function compared(attack = 'loss', path = 'released/model.onnx'): GateReport {
  const report = reportWith([
    check({ attack, metric: 'auc-increase', value: 0.236, ci: [0.208, 0.265], thresholds: { fail: 0.02 }, status: 'fail' }),
  ]);
  report.baseline = { kind: 'model', path, sha256: 'a'.repeat(64), paired: true };
  report.probes[0]!.attacks = [
    {
      attack,
      description: 'd',
      metrics: {
        auc: { value: 0.753, ci: [0.728, 0.778] },
        'auc-increase': { value: 0.236, ci: [0.208, 0.265], released: 0.517, interval: 'paired DeLong' },
        'tpr-at-fpr': { value: 0, ci: [0, 0.004], fpr: 0.02 },
        'tpr-at-fpr-increase': { value: -0.026, ci: [-0.038, -0.016], released: 0.026, fpr: 0.02 },
        'epsilon-lower-bound-increase': { value: 4.209, ci: [4.209, 4.209], released: 0, pointOnly: true },
      },
    },
  ];
  return report;
}

describe('formatChange', () => {
  it.each([
    [0.2364, '+0.236 ↑'],
    [-0.0256, '−0.026 ↓'],
    [0, '0.000 ='],
    [0.0001, '0.000 ='],
    [-0.0004, '0.000 ='],
    [null, 'n/a'],
    [Number.NaN, 'n/a'],
  ])('%s → %s', (value, expected) => {
    expect(formatChange(value)).toBe(expected);
  });
});

describe('the comparison section', () => {
  it('one row per compared metric: this model, released, the change with its interval, allowance and status', () => {
    const md = baselineMarkdown(compared(), 95);
    expect(md).toContain('Released model `released/model.onnx` (sha256 `aaaaaaaaaaaa`); paired');
    expect(md).toContain('| loss | AUC | 0.753 | 0.517 | +0.236 ↑ [+0.208, +0.265] | ≤ 0.02 | ❌ fail |');
    // No max-increase for the TPR: shown, not limited, no status.
    expect(md).toContain('| loss | TPR at FPR 0.02 | 0.000 | 0.026 | −0.026 ↓ [−0.038, −0.016] | not limited |  |');
    expect(md).toContain('| loss | ε lower bound | n/a | 0.000 | +4.209 ↑ (point difference, no interval) | not limited |  |');
    const html = baselineHtml(compared(), 95);
    expect(html).toContain(
      '<td class="num" title="paired DeLong">+0.236 ↑ [+0.208, +0.265]</td><td>≤ 0.02</td><td class="status">fail</td>',
    );
  });

  it('nothing without a baseline', () => {
    const report = compared();
    delete report.baseline;
    expect(baselineMarkdown(report, 95)).toBe('');
    expect(baselineHtml(report, 95)).toBe('');
  });

  it.each(HOSTILE.map((text, i) => ({ i, text })))('hostile attack name and path #$i are escaped', ({ text }) => {
    const report = compared(`attack ${text}`, `models/${text}.onnx`);
    const md = baselineMarkdown(report, 95);
    expect(brokenTableRows(md)).toEqual([]);
    expect(liveMarkup(md.replace('### Compared with the released model', ''))).toEqual([]);
    const html = baselineHtml(report, 95);
    expect(html).not.toMatch(/<img|<script|<\/details>/);
  });
});
