/** Writes the report files into the output folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_FILE, renderJson } from '../report/json';
import { renderMarkdown } from '../report/markdown';
import type { GateReport } from '../result';

export const SUMMARY_FILE = 'summary.md';

export interface WrittenFiles {
  report: string;
  summary: string;
  markdown: string;
}

export function writeReportFiles(report: GateReport, outDir: string): WrittenFiles {
  mkdirSync(outDir, { recursive: true });
  const markdown = renderMarkdown(report);
  const files = { report: path.join(outDir, REPORT_FILE), summary: path.join(outDir, SUMMARY_FILE) };
  writeFileSync(files.report, renderJson(report));
  writeFileSync(files.summary, markdown);
  return { ...files, markdown };
}
