/**
 * Golden Markdown of a run compared with the released model: the leaky digits model as the
 * candidate against the hardened one as the released model (examples/digits/vs-released.policy.yml),
 * a real onnxruntime run. `UPDATE_GOLDEN=1 npx vitest run test/report/golden` rewrites it.
 */
import { Ajv } from 'ajv';
import path from 'node:path';
import reportSchema from '../../schemas/privacy-report.schema.json';
import { renderJson } from '../../src/report/json';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html';
import { renderMarkdown } from '../../src/report/markdown';
import { selectAnnotations } from '../../src/report/annotations';
import { compareGolden } from './golden-files';
import { digitsReport } from './helpers';

const GOLDEN = path.join(import.meta.dirname, 'golden');

describe('golden Markdown with a baseline', () => {
  it('leaky candidate vs the released (hardened) model: the "vs released" table and the increase checks', async () => {
    const report = await digitsReport('vs-released.policy.yml');
    report.inputs.policy = report.inputs.policy.map((d) => ({ ...d, sha256: '0'.repeat(64) }));
    expect(report.verdict).toBe('fail');
    const markdown = renderMarkdown(report, { reportFolder: 'privacy-gate-report' });
    expect(markdown).toContain('### Compared with the released model');
    expect(markdown).toMatch(/\| loss \| AUC \| 0\.753 \| 0\.517 \| \+0\.236 ↑ \[\+0\.208, \+0\.265\] \| ≤ 0\.02 \| ❌ fail \|/);
    compareGolden(path.join(GOLDEN, 'summary-vs-released.md'), markdown);
    // privacy-report.json carries the comparison and still matches its schema.
    const json = JSON.parse(renderJson(report)) as unknown;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json).toMatchObject({ baseline: { kind: 'model', path: 'examples/digits/hardened.onnx', paired: true } });
    const html = renderHtml(report);
    expect(html).toContain('<h2>Compared with the released model</h2>');
    expect(html).toContain('+0.236 ↑ [+0.208, +0.265]');
  });

  it('the ε increase is a point difference: marked in the data, judged as the point, shown without an interval everywhere', async () => {
    const report = await digitsReport('vs-released.policy.yml');
    const checks = report.probes.flatMap((p) => p.checks).filter((c) => c.metric === 'epsilon-lower-bound-increase');
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) {
      expect(c.pointOnly).toBe(true);
      expect(c.status).toBe('fail');
    }
    const attack = report.probes[0]!.attacks.find((a) => a.attack === 'loss')!;
    expect(attack.metrics['epsilon-lower-bound-increase']?.pointOnly).toBe(true);
    // Real paired intervals keep their bounds.
    expect(attack.metrics['auc-increase']?.pointOnly).toBeUndefined();
    const markdown = renderMarkdown(report, { reportFolder: 'privacy-gate-report' });
    expect(markdown).toContain('ε lower bound increase vs released +4.209 (point difference, no interval) is over the fail threshold 0.5');
    expect(markdown).toContain('| ε lower bound increase vs released | +4.209 (point difference, no interval) | fail > 0.5 |');
    expect(markdown).not.toContain('[4.209, 4.209]');
    const html = renderHtml(report);
    expect(html).toContain('<span class="v">+4.209</span> <span class="ci">(point difference, no interval)</span>');
    expect(html).not.toContain('[4.209, 4.209]');
    const notes = selectAnnotations(report, { root: process.cwd(), cwd: process.cwd() })
      .map((a) => a.message)
      .join('\n');
    expect(notes).toContain('+4.209 (point difference, no interval)');
    expect(notes).not.toContain('[4.209, 4.209]');
  });
});
