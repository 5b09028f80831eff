/**
 * The reference models' memberships file: which reference model trained on which audited
 * record. Pure (bytes in, matrix out); every mistake is an InputError naming the file, and for
 * CSV the line and column, with what was expected.
 *
 * Records are the members file's rows in file order, then the non-members file's, of the whole
 * files (before any `max-rows` sampling). Values: 1 = trained on (IN), 0 = never seen (OUT),
 * empty (CSV) or −1 (NPY) = neither, e.g. held out for early stopping.
 * - CSV: a header whose first column is `model`, then one column per record (names free); one
 *   row per reference model, its file name in `model`. Rows may come in any order.
 * - NPY: an int8 array [K, members + non-members], rows in the models' sorted file-name order.
 * The matrix returned is always in sorted file-name order (JavaScript's string order, the order
 * of sortedModelNames).
 */
import { InputError } from '../errors';
import { NEITHER, type MembershipMatrix } from '../metrics/reference-signals';
import { parseCsv } from './csv';
import { parseNpy } from './npy';
import { suggest } from './select';
import { quoteValue } from './table';

export interface MembershipsExpectation {
  /** File names (no folder) of the reference models found, in any order. */
  models: readonly string[];
  /** Rows of the whole members file and of the whole non-members file. */
  members: number;
  nonMembers: number;
}

export interface Memberships {
  /** Model file names in sorted order: row k of the matrix is models[k]. */
  models: string[];
  matrix: MembershipMatrix;
}

/** The models' file names in the order the matrix uses. */
export function sortedModelNames(models: readonly string[]): string[] {
  return [...models].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Reads either format, chosen by the file name's extension (.csv or .npy). */
export function parseMemberships(bytes: Uint8Array, file: string, expected: MembershipsExpectation): Memberships {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return parseMembershipsCsv(bytes, file, expected);
  if (lower.endsWith('.npy')) return parseMembershipsNpy(bytes, file, expected);
  throw new InputError('unsupported memberships file type; expected a .csv or .npy file', { file });
}

export function parseMembershipsCsv(bytes: Uint8Array, file: string, expected: MembershipsExpectation): Memberships {
  const models = checkedModels(expected, file);
  const records = expected.members + expected.nonMembers;
  const table = parseCsv(bytes, file);
  if (table.columns[0] !== 'model') {
    throw new InputError(
      `the first column is ${quoteValue(table.columns[0] ?? '')}; expected "model" (the reference model's file name), then one column per record`,
      {
        file,
        line: 1,
        column: 1,
      },
    );
  }
  if (table.columns.length - 1 !== records) {
    throw new InputError(
      `the header has ${table.columns.length - 1} record columns; expected ${records}: the members file's ${expected.members} rows, then the non-members file's ${expected.nonMembers} (whole files, before max-rows sampling)`,
      { file, line: 1 },
    );
  }
  const index = new Map(models.map((name, k) => [name, k]));
  const rowOf = new Map<number, number>(); // model index → table row
  const values = new Int8Array(models.length * records);
  for (let row = 0; row < table.rows; row++) {
    const name = table.label(row, 0);
    const where = { file, ...table.locate(row, 0), field: 'model' };
    if (name === undefined) throw new InputError('the model name is empty; expected a reference model file name', where);
    const k = index.get(name);
    if (k === undefined) {
      throw new InputError(
        `model ${quoteValue(name)} is not one of the ${models.length} reference models${suggest(name, models)}; expected a file name such as ${quoteValue(models[0]!)}`,
        where,
      );
    }
    const earlier = rowOf.get(k);
    if (earlier !== undefined) {
      throw new InputError(
        `model ${quoteValue(name)} has a second row; expected one row per model (the first is on line ${table.locate(earlier, 0).line})`,
        where,
      );
    }
    rowOf.set(k, row);
    for (let r = 0; r < records; r++)
      values[k * records + r] = cellValue(
        table.label(row, r + 1),
        () => ({ ...table.locate(row, r + 1), text: table.describe(row, r + 1) }),
        file,
        r,
        expected.members,
      );
  }
  const missing = models.filter((_, k) => !rowOf.has(k));
  if (missing.length) {
    throw new InputError(
      `no row for ${missing.length} reference model${missing.length === 1 ? '' : 's'}: ${missing
        .slice(0, 5)
        .map((m) => quoteValue(m))
        .join(', ')}${missing.length > 5 ? ', ...' : ''}; expected one row per model`,
      { file },
    );
  }
  return { models, matrix: { models: models.length, records, values } };
}

function cellValue(
  text: string | undefined,
  at: () => { line?: number; column?: number; text: string },
  file: string,
  record: number,
  members: number,
): number {
  if (text === undefined) return NEITHER;
  if (text === '1') return 1;
  if (text === '0') return 0;
  const { line, column, text: shown } = at();
  throw new InputError(
    `${shown} for ${recordName(record, members)}; expected 1 (trained on), 0 (not trained on) or an empty cell (neither)`,
    { file, line, column },
  );
}

/** "members row 3" / "non-members row 2" (1-based data rows) for record index `r`. */
export function recordName(r: number, members: number): string {
  return r < members ? `members row ${r + 1}` : `non-members row ${r - members + 1}`;
}

export function parseMembershipsNpy(bytes: Uint8Array, file: string, expected: MembershipsExpectation): Memberships {
  const models = checkedModels(expected, file);
  const records = expected.members + expected.nonMembers;
  const array = parseNpy(bytes, file);
  if (array.dtype !== '|i1' && array.dtype !== '<i1') {
    throw new InputError(
      `dtype ${JSON.stringify(array.dtype)}; expected int8 ("|i1": 1, 0, or -1 for neither), e.g. array.astype(numpy.int8)`,
      { file, field: 'dtype' },
    );
  }
  const [k, n] = array.shape;
  if (array.shape.length !== 2 || k !== models.length || n !== records) {
    throw new InputError(
      `shape (${array.shape.join(', ')}); expected (${models.length}, ${records}): one row per reference model in sorted file-name order, one column per record (the members file's ${expected.members} rows, then the non-members file's ${expected.nonMembers})`,
      { file, field: 'shape' },
    );
  }
  const values = new Int8Array(k * n);
  for (let i = 0; i < k * n; i++) {
    const row = Math.floor(i / n);
    const col = i % n;
    const v = array.get(array.fortranOrder ? col * k + row : i);
    if (v !== 1 && v !== 0 && v !== -1) {
      throw new InputError(
        `value ${v} at [${row}, ${col}] (model ${quoteValue(models[row]!)}, ${recordName(col, expected.members)}); expected 1 (trained on), 0 (not trained on) or -1 (neither)`,
        { file },
      );
    }
    values[i] = v;
  }
  return { models, matrix: { models: k, records: n, values } };
}

function checkedModels(expected: MembershipsExpectation, file: string): string[] {
  const models = sortedModelNames(expected.models);
  for (let i = 1; i < models.length; i++) {
    if (models[i] === models[i - 1])
      throw new InputError(
        `reference model file name ${quoteValue(models[i]!)} appears twice; the memberships file tells models apart by file name`,
        { file },
      );
  }
  if (models.length === 0) throw new InputError('no reference models to read memberships for', { file });
  return models;
}
