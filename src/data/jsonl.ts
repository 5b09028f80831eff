/**
 * JSON Lines: one JSON object per line, every line with the same keys (the first line's keys,
 * in its order, are the columns). Blank lines are skipped. Values may be numbers, numeric
 * strings, other strings (labels) or booleans (read as 1/0); anything else is kept and reported
 * only if a loaded feature or label needs it.
 */
import { constants } from 'node:buffer';
import { quoteUserText } from '../util/user-text';
import { InputError } from '../errors';
import { parseNumberText } from './number';
import { quoteValue, type RawTable } from './table';

export function parseJsonl(bytes: Uint8Array, file: string): RawTable {
  // The file is read as one string; past V8's longest string that would be a RangeError with no
  // file named (exit 3), so it is the user's input error, with the file.
  if (bytes.byteLength > constants.MAX_STRING_LENGTH) {
    throw new InputError(
      `the file is ${bytes.byteLength} bytes, more than the ${constants.MAX_STRING_LENGTH} a JSON Lines file may have here; split it, sample it down, or use .npy`,
      { file },
    );
  }
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');

  let columns: string[] | undefined;
  let index = new Map<string, number>();
  let store: ColumnStore[] = [];
  const lineOf: number[] = [];
  let firstLine = 0;

  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!;
    if (source.trim() === '') continue;
    const line = i + 1;
    const value = parseLine(source, file, line);
    if (!columns) {
      columns = Object.keys(value);
      if (columns.length === 0) throw new InputError('expected a JSON object with at least one key, found {}', { file, line });
      index = new Map(columns.map((name, c) => [name, c]));
      store = columns.map(() => new ColumnStore(lines.length));
      firstLine = line;
    } else {
      for (const key in value) {
        if (!index.has(key)) {
          throw new InputError(`unexpected key ${quoteUserText(key)}; expected the same keys on every line as on line ${firstLine}`, {
            file,
            line,
            field: key,
          });
        }
      }
    }
    const row = lineOf.length;
    for (let c = 0; c < columns.length; c++) {
      const key = columns[c]!;
      if (!Object.prototype.hasOwnProperty.call(value, key)) {
        throw new InputError(`missing key ${quoteUserText(key)}; expected the same keys on every line as on line ${firstLine}`, {
          file,
          line,
          field: key,
        });
      }
      store[c]!.set(row, value[key]);
    }
    lineOf.push(line);
  }
  if (!columns) throw new InputError('the file has no JSON objects; expected one JSON object per line', { file });
  return new JsonlTable(file, columns, lineOf.length, store, Uint32Array.from(lineOf));
}

function parseLine(source: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 reports "... at position N" (0-based, in UTF-16 units): turn it into a column.
    const position = /position (\d+)/.exec(message);
    const column = position ? Number(position[1]) + 1 : undefined;
    throw new InputError(`invalid JSON: ${message}; expected one JSON object per line`, { file, line, column });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new InputError(`expected a JSON object on each line, found ${found}`, { file, line });
  }
  return value as Record<string, unknown>;
}

/** Numbers and booleans in a Float64Array; other values (strings, null, objects) in a sparse side array. */
class ColumnStore {
  readonly numbers: Float64Array;
  other: unknown[] | undefined;

  constructor(capacity: number) {
    this.numbers = new Float64Array(capacity);
  }

  set(row: number, value: unknown): void {
    if (typeof value === 'number') this.numbers[row] = value;
    else if (typeof value === 'boolean') this.numbers[row] = value ? 1 : 0;
    else {
      this.numbers[row] = NaN;
      (this.other ??= [])[row] = value;
    }
  }

  /** The value when it is not a number or boolean; undefined otherwise. */
  raw(row: number): unknown {
    return this.other?.[row];
  }
}

class JsonlTable implements RawTable {
  constructor(
    readonly file: string,
    readonly columns: readonly string[],
    readonly rows: number,
    private readonly store: ColumnStore[],
    private readonly lines: Uint32Array,
  ) {}

  number(row: number, col: number): number {
    const column = this.store[col]!;
    const raw = column.raw(row);
    if (raw === undefined) return column.numbers[row]!;
    return typeof raw === 'string' ? parseNumberText(raw) : NaN;
  }

  describe(row: number, col: number): string {
    const column = this.store[col]!;
    const raw = column.raw(row);
    if (raw === undefined) return String(column.numbers[row]);
    if (typeof raw === 'string') return quoteValue(raw);
    const json = JSON.stringify(raw);
    return json.length > 40 ? `${json.slice(0, 37)}...` : json;
  }

  label(row: number, col: number): string | undefined {
    const column = this.store[col]!;
    const raw = column.raw(row);
    if (raw === undefined) return String(column.numbers[row]);
    if (typeof raw === 'string') return raw.trim() === '' ? undefined : raw.trim();
    return undefined;
  }

  locate(row: number): { line?: number } {
    return { line: this.lines[row] };
  }
}
