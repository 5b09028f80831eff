/** privacy-report.json: the audit record, stable key order, validated by schemas/privacy-report.schema.json. */
import type { GateReport } from '../result';

export const REPORT_FILE = 'privacy-report.json';

export function renderJson(report: GateReport): string {
  return JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2) + '\n';
}
