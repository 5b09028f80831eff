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
});
