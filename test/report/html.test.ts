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

  it('shows an attribute-inference attack in plain words: no raw JSON, no camelCase field names, every value escaped', () => {
    const report = hostileReport();
    const evil = '<img src=x onerror=alert(1)>';
    report.probes[0]!.attacks = [
      {
        attack: 'infer-union',
        description: 'd',
        metrics: {
          'member-accuracy': { value: 0.918, ci: [0.878, 0.948], correct: 245, records: 267 },
          'non-member-accuracy': { value: 0.633, ci: [0.572, 0.691], correct: 169, records: 267 },
          'baseline-accuracy': { value: 0.839, ci: [0.789, 0.881], correct: 224, records: 267 },
          lift: { value: 0.079, ci: [0.037, 0.123] },
        },
        details: {
          attribute: evil,
          columns: [evil],
          candidates: ['0', evil],
          observed: 'label',
          prior: { source: 'non-members', probabilities: [0.7992565055762082, 0.2007434944237918], mode: evil },
          nonMemberBaselineAccuracy: { value: 0.801, ci: [0.7485370577324209, 0.8476287588134208], k: 214, n: 267 },
          nonMemberLift: { value: -0.1685, ci: [-0.236, -0.099] },
          liftTable: { a: 218, b: 27, c: 6, d: 16 },
          perValue: [
            {
              value: evil,
              prior: 0.2,
              members: { records: 43, accuracy: { value: 0.628, ci: [0.467, 0.77], k: 27, n: 43 }, guessed: 33 },
              nonMembers: { records: 53, accuracy: { value: 0.453, ci: [0.316, 0.596], k: 24, n: 53 }, guessed: 93 },
            },
          ],
        },
      },
    ];
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('<section class="probe"'), html.indexOf('Audit record'));
    expect(section).not.toMatch(/nonMemberBaselineAccuracy|liftTable|perValue|0\.7485370577|\{&quot;|\{"/);
    expect(section).not.toContain('<img');
    expect(section).toContain('Always guessing the most common value (&lt;img');
    expect(section).toContain('80.1% <span class="ci">[74.9%, 84.8%]</span>');
    expect(section).toContain('−16.9 points');
    expect(section).toContain('no lift, so the model reveals the attribute about its training records, not about anyone');
    expect(section).toMatch(/<td class="num">218<\/td><td class="num">27<\/td>/);
  });
  it('shows the extraction attacks in plain words: rounded ranks, zlib ratios to 3 significant digits, no raw JSON, every value escaped', () => {
    const report = hostileReport();
    const evil = '<img src=x onerror=alert(1)>';
    const probe = report.probes[0]!;
    probe.id = 'extraction';
    const canary = {
      format: evil,
      kind: 'control' as const,
      exposure: 0.738,
      ci: [0.6825923585404904, 0.79] as [number, number],
      spaceBits: 19.93,
    };
    probe.attacks = [
      {
        attack: 'canary-exposure',
        description: 'd',
        metrics: {},
        details: {
          canaries: [
            { ...canary, canary: `pin ${evil}`, rank: 599446.345, estimated: true, logPerplexity: 82.1 },
            { ...canary, canary: 'pin 1••••3', kind: 'inserted', exposure: 18.3, rank: 3.064, estimated: true, logPerplexity: 0.4 },
            { ...canary, canary: 'pin 2••••4', kind: 'inserted', exposure: 17.9, rank: 4, estimated: false, logPerplexity: 0.5 },
          ],
          walks: [
            {
              format: evil,
              spaceSize: 1_000_000,
              queries: 2009,
              nodes: 0,
              pruned: 0,
              estimated: true,
              tokens: 'subword',
              scored: 2008,
              prefixTokens: 7,
              continuationTokens: 12048,
            },
          ],
        },
      },
      {
        attack: 'memorization',
        description: 'd',
        metrics: {},
        details: {
          prefix: 32,
          suffix: 16,
          members: { texts: 248, skipped: 85, exact: 40, similarityHistogram: [168, 28, 1, 10, 1, 0, 0, 0, 0, 40] },
          nonMembers: { texts: 207, skipped: 0, exact: 0, similarityHistogram: [197, 10, 0, 0, 0, 0, 0, 0, 0, 0] },
        },
      },
      {
        attack: 'secret-scan',
        description: 'd',
        metrics: {},
        details: { matches: [{ pattern: evil, match: `1${evil}8`, inMembers: true, occurrences: 2 }], listed: 1, distinct: 9 },
      },
      {
        attack: 'generation',
        description: 'd',
        metrics: {},
        details: {
          matchTokens: 16,
          inspect: 100,
          rankings: [{ ranking: evil, inspected: 18, extracted: 2, verbatim: 2 }],
          memberWindows: 13863,
          nonMemberWindows: 13674,
          commonWindows: 0,
          samples: [
            {
              excerpt: `B•••${evil}`,
              extracted: true,
              tokens: 64,
              memberTokens: 41,
              copies: 1,
              perplexity: 2.0874431308008914,
              zlibRatio: 0.0007243503293717241,
              ranks: { [evil]: 4 },
              referenceRatio: 0.1505193934285316,
              memberLine: 14,
            },
          ],
        },
      },
    ];
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('<section class="probe"'), html.indexOf('Audit record'));
    expect(section).not.toContain('<img');
    // No raw detail fields: no JSON, no camelCase keys, no unrounded floats.
    expect(section).not.toMatch(/similarityHistogram|zlibRatio|nonMemberWindows|spaceBits|0\.68259235|\{&quot;|\{"|\[168,/);
    expect(section).toMatch(/<td class="num">≈ 599,446<\/td>/);
    expect(section).toMatch(/<td class="num">≈ 3\.1<\/td>/);
    expect(section).toMatch(/<td class="num">4<\/td><td>exact<\/td>/);
    expect(section).toContain('0.74 [0.68, 0.79]');
    expect(section).toContain('1,000,000 candidates, 2,008 sampled candidates scored; every rank above is ESTIMATED');
    expect(section).toContain('after the shared prefix of 7 tokens');
    expect(section).toContain('40 (16.1%)');
    expect(section).toContain('168 · 28 · 1 · 10 · 1 · 0 · 0 · 0 · 0 · 40');
    expect(section).toContain('1 of 9 distinct matches listed');
    expect(section).toMatch(/<td class="num">0\.000724<\/td>/);
    expect(section).toContain('&lt;img src=x onerror=alert(1)&gt; #4');
    expect(section).toContain('41 of 64');
  });
});
