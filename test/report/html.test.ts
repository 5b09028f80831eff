import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAsset, writeReportFiles } from '../../src/publish/files';
import { renderHtml } from '../../src/report/html';
import type { GateReport } from '../../src/result';
import { digitsReport } from './helpers';
import { hostileReport } from './hostile';

describe('report.html', () => {
  it('is one self-contained file with the plots and the reconstructions of the digits run', async () => {
    const report = await digitsReport('policy.yml');
    const out = mkdtempSync(path.join(tmpdir(), 'gate-html-'));
    const files = writeReportFiles(report, out);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    );
    // Nothing is fetched: no external src/href, no script, no stylesheet link.
    expect(html).not.toMatch(/\s(src|href)="(?!data:)/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    const membership = report.probes.find((p) => p.id === 'membership')!;
    expect(html.match(/<svg class="chart"/g)).toHaveLength(1 + membership.attacks.length);
    expect(html.match(/class="roc-curve"/g)).toHaveLength(membership.attacks.length);
    expect(html).toContain('class="policy-fpr"');
    const written: GateReport = JSON.parse(readFileSync(files.report, 'utf8'));
    const images = written.probes.flatMap((p) => p.attacks.flatMap((a) => a.details?.images ?? []));
    expect(images.length).toBeGreaterThan(0);
    expect(html.match(/<img alt="[^"]*" src="data:image\/png;base64,/g) ?? []).toHaveLength(images.length);
    expect(html).not.toContain('image not available');
  });

  it('escapes every hostile string (the browser test checks the same in Chromium)', () => {
    const html = renderHtml(hostileReport());
    expect(html).not.toMatch(/<img|<script|<\/summary>|<\/details>|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('says when an image is missing or not a PNG instead of embedding it', () => {
    const report = hostileReport();
    report.probes[0]!.attacks[0]!.details!.images = [
      { label: 'a', kind: 'reconstruction', path: 'missing.png', caption: 'c' },
      { label: 'b', kind: 'reconstruction', path: 'fake.png', caption: 'c' },
    ];
    const html = renderHtml(report, {
      readAsset: (p) => (p === 'fake.png' ? new TextEncoder().encode('<svg onload=alert(1)>') : undefined),
    });
    expect(html.match(/image not available/g)).toHaveLength(2);
    expect(html).not.toContain('data:image');
  });
});

describe('readAsset: only files inside the output folder', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'gate-assets-'));
  const outside = mkdtempSync(path.join(tmpdir(), 'gate-outside-'));
  writeFileSync(path.join(outside, 'secret.png'), 'secret');
  mkdirSync(path.join(out, 'inversion'));
  writeFileSync(path.join(out, 'inversion', 'class-0.png'), 'png');
  symlinkSync(path.join(outside, 'secret.png'), path.join(out, 'link.png'));

  it.each([
    { name: 'a file in a subfolder', file: 'inversion/class-0.png', readable: true },
    { name: 'a parent path', file: '../' + path.basename(outside) + '/secret.png', readable: false },
    { name: 'an absolute path', file: path.join(outside, 'secret.png'), readable: false },
    { name: 'a symlink that leaves the folder', file: 'link.png', readable: false },
    { name: 'a missing file', file: 'nope.png', readable: false },
  ])('$name', ({ file, readable }) => {
    expect(readAsset(out, file) !== undefined).toBe(readable);
  });
});
