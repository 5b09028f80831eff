/**
 * Reads an earlier run's privacy-report.json for publish-only mode. The file may come from an
 * artifact made by a fork's code, so it is size-capped and validated against the report's JSON
 * Schema before any of it is rendered (the renderers escape every string as well), and must
 * agree with itself: the verdict is recomputed from the checks (./agree).
 */
import { Ajv } from 'ajv';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import reportSchema from '../../schemas/privacy-report.schema.json';
import { InputError } from '../errors';
import { REPORT_FILE } from '../report/json';
import { TOOL } from '../version';
import { checkReportAgrees, REPORT_VERSIONS } from './agree';
import type { GateReport } from '../result';

const MAX_REPORT_BYTES = 64 * 1024 * 1024;

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
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`report file is not valid JSON: ${(error as Error).message}`, where);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof data !== 'object' || data === null || !REPORT_VERSIONS.includes(version as number)) {
    throw new InputError(
      `report file has schema version ${JSON.stringify(version ?? null)}; this gate (${TOOL.version}) reads version ${REPORT_VERSIONS.join(' or ')}: publish with the same gate version that measured`,
      { file, field: 'report.version' },
    );
  }
  const validate = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new InputError(`report file does not match schemas/privacy-report.schema.json: ${problems.join('; ')}`, where);
  }
  const report = reviveNumbers(data) as GateReport;
  checkReportAgrees(report, file);
  return { report, folder: path.dirname(file), file };
}

/** Keys whose values are text even when the text is "Infinity" (names, labels, paths). */
const TEXT_KEYS = new Set([
  'attack',
  'description',
  'probe',
  'metric',
  'id',
  'name',
  'path',
  'file',
  'role',
  'label',
  'caption',
  'message',
  'classes',
  'notes',
  'error',
  'field',
]);

/** privacy-report.json writes non-finite numbers as the strings "Infinity" and "-Infinity". */
function reviveNumbers(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => reviveNumbers(v, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveNumbers(v, k)]));
  }
  if (!TEXT_KEYS.has(key) && (value === 'Infinity' || value === '-Infinity')) return value === 'Infinity' ? Infinity : -Infinity;
  return value;
}
