/**
 * Reads an earlier run's privacy-report.json for publish-only mode. The file may come from an
 * artifact made by a fork's code, so it is size-capped and validated against the report's JSON
 * Schema before any of it is rendered (the renderers escape every string as well), and must
 * agree with itself: the verdict is recomputed from the checks (./agree).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { REPORT_FILE } from '../report/json';
import { MAX_REPORT_BYTES, parseReportJson, reportSchemaProblems, reviveNumbers } from '../report/parse';
import { TOOL } from '../version';
import { checkReportAgrees, REPORT_VERSIONS } from './agree';
import type { GateReport } from '../result';

export interface LoadedReport {
  report: GateReport;
  /** The folder that holds the report (and the pull-request hand-off, if any). */
  folder: string;
  file: string;
}

export function loadReport(fileOrFolder: string): LoadedReport {
  const file = existsSync(fileOrFolder) && statSync(fileOrFolder).isDirectory() ? path.join(fileOrFolder, REPORT_FILE) : fileOrFolder;
  const where = { file, field: 'report' };
  if (!existsSync(file))
    throw new InputError(
      `report file not found: ${file}; expected a privacy-report.json written by an earlier run, or the folder holding it`,
      where,
    );
  if (statSync(file).size > MAX_REPORT_BYTES) throw new InputError(`report file is larger than ${MAX_REPORT_BYTES} bytes`, where);
  const parsed = parseReportJson(readFileSync(file, 'utf8'));
  if ('problem' in parsed) throw new InputError(`report file ${parsed.problem}`, where);
  const data = parsed.data;
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof data !== 'object' || data === null || !REPORT_VERSIONS.includes(version as number)) {
    throw new InputError(
      `report file has schema version ${JSON.stringify(version ?? null)}; this gate (${TOOL.version}) reads version ${REPORT_VERSIONS.join(' or ')}: publish with the same gate version that measured`,
      { file, field: 'report.version' },
    );
  }
  const problems = reportSchemaProblems(data, 5);
  if (problems.length > 0) {
    throw new InputError(`report file does not match schemas/privacy-report.schema.json: ${problems.join('; ')}`, where);
  }
  const report = reviveNumbers(data) as GateReport;
  checkReportAgrees(report, file);
  return { report, folder: path.dirname(file), file };
}
