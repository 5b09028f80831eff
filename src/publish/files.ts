/**
 * Writes the output folder: privacy-report.json (the audit record), summary.md, report.html and
 * privacy-gate.sarif. The CLI and the action both use this, so the folder is the same either way.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HTML_FILE, renderHtml } from '../report/html';
import { REPORT_FILE, renderJson } from '../report/json';
import type { LocateContext } from '../report/locate';
import { renderMarkdown } from '../report/markdown';
import { renderSarifText, SARIF_FILE } from '../report/sarif';
import { Rasters, type ImageReference, type Raster } from '../probes/inversion/images';
import { encodePng } from '../report/png';
import type { GateReport } from '../result';

export const SUMMARY_FILE = 'summary.md';

export interface WrittenFiles {
  report: string;
  summary: string;
  html: string;
  sarif: string;
  markdown: string;
}

export interface WriteOptions {
  /** Repository root for the SARIF file's paths (default: the working directory). */
  root?: string;
}

export function writeReportFiles(report: GateReport, outDir: string, options: WriteOptions = {}): WrittenFiles {
  mkdirSync(outDir, { recursive: true });
  writeImages(report, outDir);
  const cwd = process.cwd();
  const locateContext: LocateContext = { root: options.root ?? cwd, cwd, extendsLine: extendsLineOf };
  const markdown = renderMarkdown(report);
  const files = {
    report: path.join(outDir, REPORT_FILE),
    summary: path.join(outDir, SUMMARY_FILE),
    html: path.join(outDir, HTML_FILE),
    sarif: path.join(outDir, SARIF_FILE),
  };
  writeFileSync(files.report, renderJson(report));
  writeFileSync(files.summary, markdown);
  writeFileSync(files.html, renderHtml(report, { readAsset: (p) => readAsset(outDir, p) }));
  writeFileSync(files.sarif, renderSarifText(report, locateContext));
  return { ...files, markdown };
}

/**
 * Writes the images probes measured (class reconstructions and class means) as PNGs under
 * `<probe id>/`, and replaces their pixels in the report, in place, by references relative to
 * the output folder, `details.images: [{ label, kind, path, caption }]`, which every renderer
 * after this one shows. The pixels never reach privacy-report.json.
 */
export function writeImages(report: GateReport, outDir: string): void {
  for (const probe of report.probes) {
    for (const attack of probe.attacks) {
      const rasters = attack.details?.['rasters'];
      if (!(rasters instanceof Rasters)) continue;
      const taken = new Map<string, number>();
      const images: ImageReference[] = [];
      mkdirSync(path.join(outDir, probe.id), { recursive: true });
      for (const raster of rasters.items) {
        const relative = `${probe.id}/${imageFileName(raster, taken)}`;
        writeFileSync(path.join(outDir, relative), encodePng(raster, raster.range));
        images.push({ label: raster.label, kind: raster.kind, path: relative, caption: raster.caption });
      }
      delete attack.details!['rasters'];
      attack.details!['images'] = images;
    }
  }
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

/** Largest image the HTML report embeds. */
const MAX_ASSET_BYTES = 5 * 1024 * 1024;

/** A file inside the output folder, by a relative path a probe reported; nothing outside it. */
export function readAsset(outDir: string, relativePath: string): Uint8Array | undefined {
  if (path.isAbsolute(relativePath)) return undefined;
  try {
    const root = realpathSync(outDir);
    const file = realpathSync(path.resolve(root, relativePath));
    if (!file.startsWith(root + path.sep)) return undefined;
    const bytes = readFileSync(file);
    return bytes.length <= MAX_ASSET_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Line of the top-level `extends:` key in a policy file (1-based), for annotations and SARIF. */
export function extendsLineOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const index = lines.findIndex((line) => /^extends\s*:/.test(line));
  return index >= 0 ? index + 1 : undefined;
}
