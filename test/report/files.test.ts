import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { InputError } from '../../src/errors';
import { loadReport } from '../../src/publish/load';
import { renderJson } from '../../src/report/json';
import type { GateReport } from '../../src/result';
import { runGate } from '../../src/run/gate';

const sink = () => new Writable({ write: (_c, _e, done) => done() });

describe('the output folder', () => {
  it('the CLI writes privacy-report.json, summary.md, report.html and privacy-gate.sarif', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'gate-cli-'));
    const code = await cli(['run', '--policy', 'examples/digits/policy.yml', '--out', out], sink() as never, sink() as never);
    expect(code).toBe(1);
    for (const file of ['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif'])
      expect(existsSync(path.join(out, file))).toBe(true);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(JSON.parse(readFileSync(path.join(out, 'privacy-gate.sarif'), 'utf8')).version).toBe('2.1.0');
    // Publish-only mode reads the folder back (schema-checked), with non-finite numbers restored.
    const { report } = loadReport(out);
    expect(report.verdict).toBe('fail');
    const thresholds = report.probes
      .flatMap((p) => p.attacks.map((a) => a.metrics['tpr-at-fpr']?.threshold))
      .filter((t) => t !== undefined);
    expect(thresholds.every((t) => typeof t === 'number')).toBe(true);
  });

  it.each([
    { name: 'a missing file', content: undefined, message: 'report file not found' },
    { name: 'not JSON', content: '{ nope', message: 'report file is not valid JSON' },
    {
      name: 'JSON of another shape',
      content: JSON.stringify({ version: 1, verdict: 'pass' }),
      message: 'does not match schemas/privacy-report.schema.json',
    },
    {
      name: 'an unknown schema version',
      content: JSON.stringify({ version: 2, verdict: 'pass' }),
      message: /^report file has schema version 2; this gate \(.*\) reads version 1/,
    },
    { name: 'a report without a version', content: JSON.stringify({ verdict: 'pass' }), message: 'report file has schema version null' },
  ])('publish-only mode rejects $name as invalid input (exit 2)', ({ content, message }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gate-load-'));
    const file = path.join(dir, 'privacy-report.json');
    if (content !== undefined) writeFileSync(file, content);
    expect(() => loadReport(file)).toThrow(message);
    expect(() => loadReport(file)).toThrow(InputError);
  });
});

describe('publish-only mode recomputes the verdict from the checks', () => {
  const leaky = runGate('examples/digits/policy.yml');
  const write = (report: unknown) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gate-forged-')), 'privacy-report.json');
    writeFileSync(file, JSON.stringify(report));
    return file;
  };
  const forge = async (edit: (r: GateReport) => void) => {
    const r = structuredClone(await leaky);
    edit(r);
    return write(r);
  };

  it('reads an honest report back', async () => {
    expect(loadReport(write(await leaky)).report.verdict).toBe('fail');
  });

  it.each([
    {
      name: 'verdict pass while checks fail',
      edit: (r: GateReport) => Object.assign(r, { verdict: 'pass', exitCode: 0 }),
      message: 'report disagrees with itself: its checks give the verdict fail (exit 1), but it says pass (exit 0)',
    },
    {
      name: 'every check marked pass',
      edit: (r: GateReport) => r.probes.forEach((p) => p.checks.forEach((c) => (c.status = 'pass'))),
      message: /report disagrees with itself: check membership\/loss auc is marked pass, but its value 0\.75\d+ .* is fail/,
    },
    {
      name: 'a check value lowered under its line',
      edit: (r: GateReport) => Object.assign(r.probes[0]!.checks[0]!, { value: 0.5, ci: [0.45, 0.55], status: 'pass' }),
      message: /check membership\/loss auc says 0\.5 \[0\.45,0\.55\], but the attack measured 0\.75/,
    },
    {
      name: 'an error with a passing verdict',
      edit: (r: GateReport) => Object.assign(r, { verdict: 'pass', exitCode: 0, error: { message: 'x', exitCode: 2 } }),
      message: 'it holds an error (exit 2) but its verdict is pass (exit 0)',
    },
    {
      name: 'an inconclusive rule claimed to pass what the run failed',
      edit: (r: GateReport) => Object.assign(r, { gate: { inconclusive: 'pass', insufficient: 'warn' }, verdict: 'warn', exitCode: 0 }),
      message: 'its checks give the verdict fail (exit 1), but it says warn (exit 0)',
    },
  ])('refuses $name (exit 2)', async ({ edit, message }) => {
    const file = await forge(edit);
    expect(() => loadReport(file)).toThrow(message);
    expect(() => loadReport(file)).toThrow(InputError);
  });
});

describe('publish-only mode reads details only in the shapes the reporters draw (src/result.ts)', () => {
  const leaky = runGate('examples/digits/policy.yml');
  const forge = async (edit: (details: Record<string, unknown>) => void) => {
    // As a forged file would hold it: any fields, any values.
    const r: { probes: Array<{ attacks: Array<{ details: Record<string, unknown> }> }> } = JSON.parse(renderJson(await leaky));
    edit(r.probes[0]!.attacks[0]!.details);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gate-forged-')), 'privacy-report.json');
    writeFileSync(file, JSON.stringify(r));
    return file;
  };

  it.each([
    {
      name: 'an ROC curve that is not a list of points',
      edit: (d: Record<string, unknown>) => (d['roc'] = '<svg onload=alert(1)>'),
      at: '/probes/0/attacks/0/details/roc',
    },
    {
      name: 'an ROC point without its rates',
      edit: (d: Record<string, unknown>) => (d['roc'] = [{ threshold: 1, tp: 0, fp: 0 }]),
      at: '/probes/0/attacks/0/details/roc/0',
    },
    {
      name: 'a histogram whose counts are text',
      edit: (d: Record<string, unknown>) => (d['histogram'] = { min: 0, max: 1, bins: 1, members: ['<b>'], nonMembers: [1] }),
      at: '/probes/0/attacks/0/details/histogram/members/0',
    },
    {
      name: 'a per-class row whose member count is text',
      edit: (d: Record<string, unknown>) => ((d['perClass'] as Array<Record<string, unknown>>)[0]!['members'] = '<img src=x>'),
      at: '/probes/0/attacks/0/details/perClass/0/members',
    },
    {
      name: 'a worst class named by text instead of an index',
      edit: (d: Record<string, unknown>) => (d['worstClass'] = { class: 'x', auc: { value: 0.5, ci: [0, 1] } }),
      at: '/probes/0/attacks/0/details/worstClass',
    },
    {
      name: 'an image without a path',
      edit: (d: Record<string, unknown>) => (d['images'] = [{ label: 'a', kind: 'reconstruction', caption: 'c' }]),
      at: '/probes/0/attacks/0/details/images/0',
    },
    {
      name: 'a canary whose exposure is text',
      edit: (d: Record<string, unknown>) =>
        (d['canaries'] = [{ canary: 'c', kind: 'inserted', exposure: 'high', rank: 1, spaceBits: 2, estimated: false }]),
      at: '/probes/0/attacks/0/details/canaries/0/exposure',
    },
  ])('refuses $name (exit 2)', async ({ edit, at }) => {
    const file = await forge(edit);
    expect(() => loadReport(file)).toThrow(`report file does not match schemas/privacy-report.schema.json: ${at}`);
    expect(() => loadReport(file)).toThrow(InputError);
  });

  it('still reads unknown detail fields (shown as generic tables, escaped)', async () => {
    const file = await forge((d) => (d['extra <b>'] = [{ column: '<b>' }]));
    expect(loadReport(file).report.probes[0]!.attacks[0]!.details).toHaveProperty(['extra <b>']);
  });
});
