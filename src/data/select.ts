/**
 * Which columns the model sees, and turning the chosen rows into its input matrix. Names are
 * checked against the file's header before any row is read, so a typo in the policy is reported
 * with the close matches rather than as a model shape error later.
 */
import { quoteUserText } from '../util/user-text';
import picomatch from 'picomatch';
import { distance } from 'fastest-levenshtein';
import { InputError } from '../errors';
import type { RawTable } from './table';

export interface ColumnChoice {
  /** Feature names in the order they are fed to the model (file order for globs and "all"). */
  features: string[];
  /** The features' column indices in the table. */
  featureColumns: number[];
  labelColumn: number;
}

/**
 * `features`: explicit names (in the given order), one glob matched against the column names
 * (file order; the label never matches), or undefined for every column but the label.
 */
export function selectColumns(table: RawTable, label: string, features?: readonly string[] | string): ColumnChoice {
  const checked = checkColumns(table, label, features);
  if (checked.errors.length > 0) throw checked.errors[0]!;
  return checked.choice!;
}

/** What `checkColumns` finds: every problem, and the choice when there is none. */
export interface ColumnCheck {
  /** The label's problem first, then the features'. */
  errors: InputError[];
  /** The label column is not in the file. */
  labelError?: InputError;
  /** The feature setting selects nothing, or names a missing column, or the label. */
  featureError?: InputError;
  /** The feature names selected, when the feature setting itself is fine (even if the label is not). */
  features?: string[];
  /** Set when there is no error. */
  choice?: ColumnChoice;
}

/** `selectColumns` without throwing, from the column names alone: every problem with the label and the features. */
export function checkColumns(table: Pick<RawTable, 'file' | 'columns'>, label: string, features?: readonly string[] | string): ColumnCheck {
  const { file, columns } = table;
  const index = new Map(columns.map((name, i) => [name, i]));
  const labelColumn = index.get(label);
  const labelError =
    labelColumn === undefined
      ? new InputError(
          `label column ${quoteUserText(label)} not found${suggest(label, columns)}; ${listColumns(columns)}${delimiterHint(columns)}`,
          { file, field: label },
        )
      : undefined;
  const errors = labelError ? [labelError] : [];
  const names = featureNames(table, label, features);
  if (names instanceof InputError) return { errors: [...errors, names], labelError, featureError: names };
  if (labelError) return { errors, labelError, features: names };
  return {
    errors,
    features: names,
    choice: { features: names, featureColumns: names.map((name) => index.get(name)!), labelColumn: labelColumn! },
  };
}

function featureNames(
  table: Pick<RawTable, 'file' | 'columns'>,
  label: string,
  features?: readonly string[] | string,
): string[] | InputError {
  const { file, columns } = table;
  if (features === undefined) {
    const names = columns.filter((name) => name !== label);
    if (names.length === 0) {
      return new InputError(
        `no feature columns: the file has only the label column ${quoteUserText(label)}; expected at least one more column`,
        { file },
      );
    }
    return names;
  }
  if (typeof features === 'string') {
    const matches = picomatch(features, { dot: true });
    const names = columns.filter((name) => name !== label && matches(name));
    if (names.length === 0) {
      return new InputError(
        `the feature glob ${quoteUserText(features)} matches no column (the label is never a feature); ${listColumns(columns)}`,
        { file, field: features },
      );
    }
    return names;
  }
  const names = [...features];
  if (names.length === 0) return new InputError('the feature list is empty; expected at least one column name', { file });
  const present = new Set(columns);
  const missing = names.filter((name) => !present.has(name));
  if (missing.length > 0) {
    const described = missing.map((name) => `${quoteUserText(name)}${suggest(name, columns)}`).join(', ');
    const noun = missing.length === 1 ? 'feature column' : 'feature columns';
    return new InputError(`${noun} ${described} not found; ${listColumns(columns)}`, { file, field: missing[0] });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      return new InputError(`feature ${quoteUserText(name)} is listed twice; expected each column once`, { file, field: name });
    seen.add(name);
  }
  if (seen.has(label)) {
    return new InputError(`the label column ${quoteUserText(label)} is also listed as a feature; expected the label to be left out`, {
      file,
      field: label,
    });
  }
  return names;
}

/** Largest finite float32; values beyond it would silently become Infinity in the model input. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Reads `rows` (table row indices, in the order wanted) into a row-major float32 matrix and
 * the label texts. Only these rows are validated: a bad cell in a row the sample skipped is
 * never read.
 */
export function readRows(table: RawTable, choice: ColumnChoice, rows: ArrayLike<number>): { x: Float32Array; labels: string[] } {
  const width = choice.featureColumns.length;
  const columns = choice.featureColumns;
  const x = table.matrix ? fromMatrix(table, table.matrix, columns, rows) : new Float32Array(rows.length * width);
  const labels: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const base = i * width;
    if (!table.matrix) {
      for (let j = 0; j < width; j++) {
        const value = table.number(row, columns[j]!);
        // One comparison also rejects NaN.
        if (!(value <= FLOAT32_MAX && value >= -FLOAT32_MAX)) throw badNumber(table, row, columns[j]!, value);
        x[base + j] = value;
      }
    }
    const label = table.label(row, choice.labelColumn);
    if (label === undefined) {
      throw cellError(table, row, choice.labelColumn, `expected a label in column ${quoteUserText(table.columns[choice.labelColumn]!)}`);
    }
    labels[i] = label;
  }
  return { x, labels };
}

/**
 * The chosen rows and columns of a typed matrix over the file (NPY): read in place, each value
 * checked as in the per-cell path. A float32 file whose every row and column is chosen in order is
 * the model input itself, with no copy: one pass checks that it holds only finite values.
 */
function fromMatrix(
  table: RawTable,
  matrix: NonNullable<RawTable['matrix']>,
  columns: readonly number[],
  rows: ArrayLike<number>,
): Float32Array {
  const { values, width: stride } = matrix;
  const width = columns.length;
  if (values instanceof Float32Array && isEveryIndex(columns, stride) && isEveryIndex(rows, table.rows)) {
    const x = values.subarray(0, rows.length * width);
    for (let i = 0; i < x.length; i++) {
      const value = x[i]!;
      // A float32 is in range unless it is ±Infinity or NaN; both make value - value NaN.
      if (value - value !== 0) throw badNumber(table, Math.floor(i / width), columns[i % width]!, value);
    }
    return x;
  }
  const x = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i]! * stride;
    for (let j = 0; j < width; j++) {
      const value = values[base + columns[j]!]!;
      if (!(value <= FLOAT32_MAX && value >= -FLOAT32_MAX)) throw badNumber(table, rows[i]!, columns[j]!, value);
      x[i * width + j] = value;
    }
  }
  return x;
}

/** Whether `indices` is 0, 1, …, count − 1. */
function isEveryIndex(indices: ArrayLike<number>, count: number): boolean {
  if (indices.length !== count) return false;
  for (let i = 0; i < count; i++) if (indices[i] !== i) return false;
  return true;
}

function badNumber(table: RawTable, row: number, col: number, value: number): InputError {
  const name = quoteUserText(table.columns[col]!);
  if (Number.isNaN(value)) {
    // NaN from a binary file is a value; from text it means "not a number at all".
    const expected = table.describe(row, col) === 'NaN' ? 'a finite number' : 'a number';
    return cellError(table, row, col, `expected ${expected} in column ${name}`);
  }
  if (!Number.isFinite(value)) return cellError(table, row, col, `expected a finite number in column ${name}`);
  return cellError(table, row, col, `expected a number within the float32 range (±3.4e38) in column ${name}`);
}

function cellError(table: RawTable, row: number, col: number, expected: string): InputError {
  const { line, column } = table.locate(row, col);
  // Binary files have no lines: say which row instead (0-based, as numpy indexes it).
  const where = line === undefined ? ` at row index ${row}` : '';
  return new InputError(`${expected}, found ${table.describe(row, col)}${where}`, {
    file: table.file,
    line,
    column,
    field: table.columns[col],
  });
}

/** " (did you mean "a" or "b"?)" for names within a few edits, closest first; "" when none. */
export function suggest(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  const close = candidates
    .map((candidate) => ({ candidate, d: candidate.toLowerCase() === lower ? 0 : distance(name, candidate) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ candidate }) => quoteUserText(candidate));
  if (close.length === 0) return '';
  const last = close.pop()!;
  return ` (did you mean ${close.length ? `${close.join(', ')} or ${last}` : last}?)`;
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 20).map((name) => quoteUserText(name));
  const more = columns.length > 20 ? `, ... (${columns.length} in all)` : '';
  return `the file's columns are ${shown.join(', ')}${more}`;
}

/** A header read as one column that holds ";" or tabs is a file with another delimiter. */
function delimiterHint(columns: readonly string[]): string {
  if (columns.length !== 1) return '';
  const name = columns[0]!;
  if (name.includes(';')) return '; the header looks semicolon-separated: expected commas';
  if (name.includes('\t')) return '; the header looks tab-separated: expected commas';
  return '';
}
