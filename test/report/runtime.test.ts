/**
 * The human channels name the onnxruntime the numbers came from (`tool.runtime`), escaped like
 * any other string of the report: a report read back in publish-only mode is not trusted.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html';
import { renderMarkdown } from '../../src/report/markdown';
import type { GateReport } from '../../src/result';
import { check, reportWith } from './helpers';
import { liveMarkup } from './markdown-safety';

const withRuntime = (runtime: GateReport['tool']['runtime']) =>
  reportWith([check()], { tool: { name: 'model-privacy-gate', version: '0.1.0', ...(runtime ? { runtime } : {}) } });

describe('the runtime in the "What the model exposed" facts', () => {
  it.each([
    {
      runtime: { kind: 'native' as const, version: '1.30.0' },
      markdown: '- **Ran on:** onnxruntime-node 1.30.0 (native)',
      html: '<dt>Ran on</dt><dd>onnxruntime-node 1.30.0 (native)</dd>',
    },
    {
      runtime: { kind: 'wasm' as const, version: '1.30.0' },
      markdown: '- **Ran on:** onnxruntime-web 1.30.0 (WebAssembly)',
      html: '<dt>Ran on</dt><dd>onnxruntime-web 1.30.0 (WebAssembly)</dd>',
    },
  ])('$runtime.kind: one line in the summary, one row in report.html', ({ runtime, markdown, html }) => {
    const report = withRuntime(runtime);
    expect(renderMarkdown(report)).toContain(markdown);
    expect(renderHtml(report)).toContain(html);
  });

  it('a run that stopped before opening a model names none', () => {
    const report = withRuntime(undefined);
    expect(renderMarkdown(report)).not.toContain('Ran on');
    expect(renderHtml(report)).not.toContain('Ran on');
  });

  it('a hostile version string is escaped in both channels', () => {
    const report = withRuntime({ kind: 'wasm', version: '<img src=x onerror=alert(1)> [x](https://evil.example) @admin' });
    const md = renderMarkdown(report);
    const line = md.split('\n').find((l) => l.startsWith('- **Ran on:**'))!;
    expect(line).toContain('onnxruntime-web \\<img');
    expect(liveMarkup(line)).toEqual([]);
    const page = renderHtml(report);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
