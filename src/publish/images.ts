/**
 * The images probes measured (class reconstructions and class means) as PNG files in the output
 * folder. The report's attacks carry the pixels in memory (`details.rasters`); the files written
 * here are what privacy-report.json and report.html refer to instead (`details.images`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from '../report/png';
import type { AttackMeasurement, GateReport, ImageReference, Raster } from '../result';

/** The PNGs written for each attack that had images, by attack. */
export type WrittenImages = ReadonlyMap<AttackMeasurement, ImageReference[]>;

/**
 * Writes each attack's images as PNGs under `<probe id>/` and returns their references,
 * `{ label, kind, path, caption }` with paths relative to the output folder. The report is not
 * changed: `withImages` makes the report the files show.
 */
export function writeImages(report: GateReport, outDir: string): WrittenImages {
  const written = new Map<AttackMeasurement, ImageReference[]>();
  for (const probe of report.probes) {
    for (const attack of probe.attacks) {
      const rasters = attack.details?.rasters;
      if (!rasters) continue;
      const taken = new Map<string, number>();
      const images: ImageReference[] = [];
      mkdirSync(path.join(outDir, probe.id), { recursive: true });
      for (const raster of rasters.items) {
        const relative = `${probe.id}/${imageFileName(raster, taken)}`;
        writeFileSync(path.join(outDir, relative), encodePng(raster, raster.range));
        images.push({ label: raster.label, kind: raster.kind, path: relative, caption: raster.caption });
      }
      written.set(attack, images);
    }
  }
  return written;
}

/**
 * A copy of the report in which each attack with written images holds their references in
 * place of the pixels (`images` last among its details, where the pixels were); every other
 * attack is shared with the given report, which stays as it was.
 */
export function withImages(report: GateReport, written: WrittenImages): GateReport {
  if (written.size === 0) return report;
  return {
    ...report,
    probes: report.probes.map((probe) => ({
      ...probe,
      attacks: probe.attacks.map((attack) => {
        const images = written.get(attack);
        if (!images || !attack.details) return attack;
        const { rasters: _pixels, ...details } = attack.details;
        return { ...attack, details: { ...details, images } };
      }),
    })),
  };
}

/**
 * `class-<label>.png` and `class-<label>-member-mean.png`; a label that is not a safe file name
 * is reduced to one, and two classes that reduce to the same name are told apart by index.
 */
export function imageFileName(raster: Raster, taken: Map<string, number>): string {
  let name = raster.label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_') || '_';
  const owner = taken.get(name);
  if (owner !== undefined && owner !== raster.classIndex) name = `${name}-${raster.classIndex}`;
  taken.set(name, raster.classIndex);
  return `class-${name}${raster.kind === 'member-mean' ? '-member-mean' : ''}.png`;
}
