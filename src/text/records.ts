/**
 * Text records of a sequence model's data file, parsed from the file's content (pure):
 * - text: one record per line (empty lines are skipped; a trailing "\r" is dropped);
 * - jsonl: one record per line: a JSON string (text), a list of token ids, or an object whose
 *   `field` holds either.
 * Every record keeps its 1-based line so a tokenisation error can point at it.
 */
import { InputError } from '../errors';

export interface TextRecord {
  line: number;
  text?: string;
  ids?: number[];
}

export function parseTextRecords(content: string, file: string, format: 'text' | 'jsonl', field: string): TextRecord[] {
  const out: TextRecord[] = [];
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (format === 'text') {
      if (line.length > 0) out.push({ line: i + 1, text: line });
      return;
    }
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`line ${i + 1} is not valid JSON: ${(error as Error).message}`, { file, line: i + 1, column: 1 });
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (!(field in value)) {
        throw new InputError(
          `line ${i + 1} has no "${field}" field; expected each object to hold the record's text or token ids in "${field}" (data.text-field)`,
          {
            file,
            line: i + 1,
            column: 1,
            field,
          },
        );
      }
      value = (value as Record<string, unknown>)[field];
    }
    if (typeof value === 'string') out.push({ line: i + 1, text: value });
    else if (Array.isArray(value) && value.every((v) => Number.isInteger(v) && v >= 0)) out.push({ line: i + 1, ids: value as number[] });
    else {
      throw new InputError(
        `line ${i + 1}: expected a text (a JSON string) or token ids (a list of non-negative integers)${typeof value === 'undefined' ? '' : `, found ${describe(value)}`}`,
        {
          file,
          line: i + 1,
          column: 1,
          field,
        },
      );
    }
  });
  return out;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list with a value that is not a non-negative integer';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
