/**
 * Reading back a privacy-report.json's text (publish-only mode, and `baseline.report`): JSON,
 * then the report's JSON Schema, then the non-finite numbers the writer spelled as strings. Pure:
 * text in, data or problems out; the callers read the file and say where the problem is.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import reportSchema from '../../schemas/privacy-report.schema.json';

/** A report file larger than this is refused before it is read. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

let validator: ValidateFunction | undefined;

/** The parsed JSON, or why the text is not JSON. */
export function parseReportJson(text: string): { data: unknown } | { problem: string } {
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `is not valid JSON: ${(error as Error).message}` };
  }
}

/** The first `max` places where `data` breaks schemas/privacy-report.schema.json; empty when it holds. */
export function reportSchemaProblems(data: unknown, max: number): string[] {
  // Compiled once: ajv's compilation is the slow part of reading a report.
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
  if (validator(data)) return [];
  return (validator.errors ?? []).slice(0, max).map((e) => `${e.instancePath || '/'} ${e.message}`);
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
export function reviveNumbers(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => reviveNumbers(v, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveNumbers(v, k)]));
  }
  if (!TEXT_KEYS.has(key) && (value === 'Infinity' || value === '-Infinity')) return value === 'Infinity' ? Infinity : -Infinity;
  return value;
}
