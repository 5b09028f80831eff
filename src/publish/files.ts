/**
 * Writes the output folder: privacy-report.json (the audit record), summary.md, report.html and
 * privacy-gate.sarif. The CLI and the action both use this, so the folder is the same either way.
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HTML_FILE, renderHtml } from '../report/html';
import { REPORT_FILE, renderJson } from '../report/json';
import type { LocateContext } from '../report/locate';
import { renderMarkdown } from '../report/markdown';
import { renderSarifText, SARIF_FILE } from '../report/sarif';
import { extendsLineOf } from '../policy/extends-line';
import type { GateReport } from '../result';
import { withImages, writeImages } from './images';

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

/** Writes the four files (and the probes' images) from the report, which is left unchanged. */
export function writeReportFiles(given: GateReport, outDir: string, options: WriteOptions = {}): WrittenFiles {
  mkdirSync(outDir, { recursive: true });
  const report = withImages(given, writeImages(given, outDir));
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

/** Largest image the HTML report embeds. */
const MAX_ASSET_BYTES = 5 * 1024 * 1024;

/** A file inside the output folder, by a relative path the report names (`details.images`); nothing outside it. */
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
