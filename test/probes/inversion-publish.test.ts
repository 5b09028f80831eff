/** The publisher writes the probe's images as PNGs and references them from the report files. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { inversionProbe } from '../../src/probes/inversion/family';
import { writeReportFiles } from '../../src/publish/files';
import { imageFileName, withImages, writeImages } from '../../src/publish/images';
import { renderJson } from '../../src/report/json';
import { Rasters, type GateReport, type Raster } from '../../src/result';
import { context, settings, templateModel } from './inversion-helpers';

async function reportWithInversion(): Promise<GateReport> {
  const measured = await inversionProbe.run(context(templateModel()), settings());
  return {
    version: 1,
    verdict: 'pass',
    exitCode: 0,
    tool: { name: 't', version: '0' },
    policy: { name: 'p', file: 'p.yml' },
    inputs: { policy: [], data: [] },
    warnings: [],
    seed: 1,
    surface: { scores: 'full' },
    confidence: 0.95,
    queries: 0,
    timings: {},
    probes: [{ id: 'inversion', description: '', status: 'ok', attacks: measured.attacks, checks: [], notes: [], queries: 0, seconds: 0 }],
  };
}

describe('writeImages', () => {
  it('writes inversion/class-<label>.png and -member-mean.png and references them relative to the output folder', async () => {
    const report = await reportWithInversion();
    const out = mkdtempSync(path.join(tmpdir(), 'inversion-publish-'));
    const published = withImages(report, writeImages(report, out));
    const details = published.probes[0]!.attacks[0]!.details!;
    expect(details).not.toHaveProperty('rasters');
    const images = details.images!;
    expect(images.map((i) => i.path)).toEqual([
      'inversion/class-left.png',
      'inversion/class-left-member-mean.png',
      'inversion/class-top.png',
      'inversion/class-top-member-mean.png',
      'inversion/class-diagonal.png',
      'inversion/class-diagonal-member-mean.png',
    ]);
    expect(images[1]).toMatchObject({ label: 'left', kind: 'member-mean', caption: 'Mean of the 50 member records of class left' });
    for (const image of images) {
      const png = pngjs.PNG.sync.read(readFileSync(path.join(out, image.path)));
      expect([png.width, png.height]).toEqual([128, 128]); // 4×4, enlarged 32×
    }
    // The JSON references the files and holds no pixel arrays.
    const json = renderJson(published);
    expect(json).toContain('"path": "inversion/class-top.png"');
    expect(json.length).toBeLessThan(12_000);
  });

  it('leaves reports without images alone', async () => {
    const report = await reportWithInversion();
    delete report.probes[0]!.attacks[0]!.details!.rasters;
    const out = mkdtempSync(path.join(tmpdir(), 'inversion-publish-'));
    const written = writeImages(report, out);
    expect(existsSync(path.join(out, 'inversion'))).toBe(false);
    expect(withImages(report, written)).toBe(report);
  });

  it('leaves the report it is given as it was: the pixels stay, no references are added', async () => {
    const report = await reportWithInversion();
    const attack = report.probes[0]!.attacks[0]!;
    const before = { keys: Object.keys(attack.details!), json: renderJson(report) };
    const out = mkdtempSync(path.join(tmpdir(), 'inversion-publish-'));
    writeReportFiles(report, out);
    expect(report.probes[0]!.attacks[0]).toBe(attack);
    expect(attack.details!.rasters).toBeInstanceOf(Rasters);
    expect(Object.keys(attack.details!)).toEqual(before.keys);
    expect(renderJson(report)).toBe(before.json);
    // The written audit record has the references, last among the details, where the pixels were.
    const written = JSON.parse(readFileSync(path.join(out, 'privacy-report.json'), 'utf8'));
    expect(Object.keys(written.probes[0].attacks[0].details)).toEqual([...before.keys.filter((k) => k !== 'rasters'), 'images']);
    expect(written.probes[0].attacks[0].details.images).toHaveLength(6);
  });
});

describe('imageFileName', () => {
  const raster = (label: string, classIndex: number, kind: Raster['kind'] = 'reconstruction') => ({ label, classIndex, kind }) as Raster;

  it.each([
    ['7', 'class-7.png'],
    ['cat', 'class-cat.png'],
    ['../etc/passwd', 'class-__etc_passwd.png'],
    ['Jean Dupont', 'class-Jean_Dupont.png'],
    ['..', 'class-_.png'],
    ['', 'class-_.png'],
  ])('label %j → %s', (label, expected) => {
    expect(imageFileName(raster(label, 0), new Map())).toBe(expected);
  });

  it('tells apart two classes whose labels reduce to the same name, keeping each class’s pair together', () => {
    const taken = new Map<string, number>();
    expect(imageFileName(raster('a b', 0), taken)).toBe('class-a_b.png');
    expect(imageFileName(raster('a b', 0, 'member-mean'), taken)).toBe('class-a_b-member-mean.png');
    expect(imageFileName(raster('a/b', 1), taken)).toBe('class-a_b-1.png');
    expect(imageFileName(raster('a/b', 1, 'member-mean'), taken)).toBe('class-a_b-1-member-mean.png');
  });
});
