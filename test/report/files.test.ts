import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { loadReport } from '../../src/publish/load';

const sink = () => new Writable({ write: (_c, _e, done) => done() });

describe('the output folder', () => {
  it('the CLI writes privacy-report.json, summary.md, report.html and privacy-gate.sarif', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'gate-cli-'));
    const code = await cli(['run', '--policy', 'examples/digits/policy.yml', '--out', out], sink() as never, sink() as never);
    expect(code).toBe(1);
    for (const file of ['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif']) expect(existsSync(path.join(out, file))).toBe(true);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(JSON.parse(readFileSync(path.join(out, 'privacy-gate.sarif'), 'utf8')).version).toBe('2.1.0');
    // Publish-only mode reads the folder back (schema-checked), with non-finite numbers restored.
    const { report } = loadReport(out);
    expect(report.verdict).toBe('fail');
    const thresholds = report.probes.flatMap((p) => p.attacks.map((a) => a.metrics['tpr-at-fpr']?.threshold)).filter((t) => t !== undefined);
    expect(thresholds.every((t) => typeof t === 'number')).toBe(true);
  });

  it.each([
    { name: 'a missing file', content: undefined, message: 'report file not found' },
    { name: 'not JSON', content: '{ nope', message: 'report file is not valid JSON' },
    { name: 'JSON of another shape', content: JSON.stringify({ verdict: 'pass' }), message: 'does not match schemas/privacy-report.schema.json' },
  ])('publish-only mode rejects $name as invalid input (exit 2)', ({ content, message }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gate-load-'));
    const file = path.join(dir, 'privacy-report.json');
    if (content !== undefined) writeFileSync(file, content);
    expect(() => loadReport(file)).toThrow(message);
  });
});
