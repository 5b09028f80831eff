import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv';
import { parseJsonl } from '../../src/data/jsonl';
import { npyTable, parseNpy } from '../../src/data/npy';
import { readRows, selectColumns, suggest } from '../../src/data/select';
import { expectInputError, npyBytes } from './helpers';

const FILE = '/data/members.csv';
const csv = (text: string) => parseCsv(Buffer.from(text), FILE);
const HEADER = 'id,pixel_0,pixel_1,pixel_2,pixel_3,extra.x,digit';
const table = csv(`${HEADER}\n1,0,1,2,3,9,7\n2,4,5,6,7,9,3\n`);

describe('selectColumns', () => {
  it.each([
    {
      name: 'undefined: every column but the label, in file order',
      features: undefined,
      expected: ['id', 'pixel_0', 'pixel_1', 'pixel_2', 'pixel_3', 'extra.x'],
    },
    { name: 'explicit list, in the given order', features: ['pixel_3', 'id'], expected: ['pixel_3', 'id'] },
    { name: 'glob, in file order', features: 'pixel_*', expected: ['pixel_0', 'pixel_1', 'pixel_2', 'pixel_3'] },
    { name: 'glob with a class', features: 'pixel_[13]', expected: ['pixel_1', 'pixel_3'] },
    { name: 'glob with braces', features: '{id,extra.*}', expected: ['id', 'extra.x'] },
    { name: 'glob "*" never includes the label', features: '*', expected: ['id', 'pixel_0', 'pixel_1', 'pixel_2', 'pixel_3', 'extra.x'] },
  ])('$name', ({ features, expected }) => {
    const choice = selectColumns(table, 'digit', features);
    expect(choice.features).toEqual(expected);
    expect(choice.featureColumns).toEqual(expected.map((name) => table.columns.indexOf(name)));
    expect(choice.labelColumn).toBe(6);
  });

  it.each([
    {
      name: 'label missing, close match',
      label: 'digits',
      features: undefined,
      field: 'digits',
      parts: ['label column "digits" not found', 'did you mean "digit"', '"pixel_0"'],
    },
    { name: 'label missing, case differs', label: 'Digit', features: undefined, field: 'Digit', parts: ['did you mean "digit"'] },
    {
      name: 'feature missing',
      label: 'digit',
      features: ['pixel_0', 'pixle_1'],
      field: 'pixle_1',
      parts: ['feature column "pixle_1" (did you mean "pixel_1"?) not found', 'columns are'],
    },
    {
      name: 'features missing',
      label: 'digit',
      features: ['foo', 'pixel_9'],
      field: 'foo',
      parts: ['feature columns "foo", "pixel_9" (did you mean', 'not found'],
    },
    { name: 'feature listed twice', label: 'digit', features: ['id', 'id'], field: 'id', parts: ['"id" is listed twice'] },
    {
      name: 'label as a feature',
      label: 'digit',
      features: ['id', 'digit'],
      field: 'digit',
      parts: ['label column "digit" is also listed as a feature'],
    },
    { name: 'empty list', label: 'digit', features: [], field: undefined, parts: ['feature list is empty'] },
    {
      name: 'glob matches nothing',
      label: 'digit',
      features: 'pix_*',
      field: 'pix_*',
      parts: ['glob "pix_*" matches no column', '"pixel_0"'],
    },
  ])('error: $name', ({ label, features, field, parts }) => {
    expectInputError(() => selectColumns(table, label, features), { file: FILE, field }, parts);
  });

  it('error: only the label column', () => {
    expectInputError(() => selectColumns(csv('digit\n1\n'), 'digit'), { file: FILE }, ['only the label column "digit"']);
  });

  it('hints at the delimiter when the header is one semicolon-separated name', () => {
    expectInputError(() => selectColumns(csv('a;b;digit\n1;2;3\n'), 'digit'), { file: FILE }, ['semicolon-separated']);
  });

  it('lists at most 20 columns', () => {
    const wide = csv(`${Array.from({ length: 30 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(29)}1\n`);
    const error = expectInputError(() => selectColumns(wide, 'zzz'), { file: FILE }, ['"c19", ... (30 in all)']);
    expect(error.message).not.toContain('"c20"');
  });

  it.each([
    ['Pixel_1', ['pixel_1', 'digit'], ' (did you mean "pixel_1"?)'],
    ['pixel_7', ['pixel_1', 'pixel_17', 'xyz'], ' (did you mean "pixel_1" or "pixel_17"?)'],
    ['pixle_1', ['pixel_1', 'pixel_11', 'xyz'], ' (did you mean "pixel_1"?)'],
    ['label', ['a', 'b'], ''],
  ])('suggest(%j)', (name, candidates, expected) => {
    expect(suggest(name, candidates)).toBe(expected);
  });
});

describe('readRows', () => {
  it('reads the chosen rows and columns into a row-major float32 matrix', () => {
    const choice = selectColumns(table, 'digit', ['pixel_3', 'pixel_0']);
    const { x, labels } = readRows(table, choice, [1, 0]);
    expect(Array.from(x)).toEqual([7, 4, 3, 0]);
    expect(labels).toEqual(['3', '7']);
  });

  it.each([
    {
      name: 'text in a CSV feature',
      text: `${HEADER}\n1,0,1,2,3,9,7\n2,4,5,6,abc,9,3\n`,
      location: { file: FILE, line: 3, column: 9, field: 'pixel_3' },
      parts: ['expected a number in column "pixel_3", found "abc"'],
    },
    {
      name: 'an empty CSV cell',
      text: `${HEADER}\n1,0,1,2,,9,7\n`,
      location: { file: FILE, line: 2, field: 'pixel_3' },
      parts: ['expected a number in column "pixel_3", found "" (an empty value)'],
    },
    {
      name: 'a quoted CSV cell after a multi-line record',
      text: `${HEADER}\n1,0,1,2,3,9,"7\n"\n2,4,5,6,"n/a",9,3\n`,
      location: { file: FILE, line: 4, field: 'pixel_3' },
      parts: ['found "n/a"'],
    },
    {
      name: 'a number beyond float32',
      text: `${HEADER}\n1,0,1,2,1e39,9,7\n`,
      location: { file: FILE, line: 2, field: 'pixel_3' },
      parts: ['float32 range', 'found "1e39"'],
    },
    {
      name: 'an empty label',
      text: `${HEADER}\n1,0,1,2,3,9, \n`,
      location: { file: FILE, line: 2, field: 'digit' },
      parts: ['expected a label in column "digit"', 'empty'],
    },
  ])('error: $name', ({ text, location, parts }) => {
    const t = csv(text);
    expectInputError(
      () =>
        readRows(
          t,
          selectColumns(t, 'digit', 'pixel_*'),
          Array.from({ length: t.rows }, (_, i) => i),
        ),
      location,
      parts,
    );
  });

  it.each([
    ['null', 'found null'],
    ['"x"', 'found "x"'],
    ['[1]', 'found [1]'],
  ])('error: JSONL feature %s', (value, found) => {
    const t = parseJsonl(Buffer.from(`{"f": 1, "y": 0}\n\n{"f": ${value}, "y": 1}\n`), 'm.jsonl');
    expectInputError(() => readRows(t, selectColumns(t, 'y'), [0, 1]), { file: 'm.jsonl', line: 3, field: 'f' }, [
      'expected a number in column "f"',
      found,
    ]);
  });

  it('error: JSONL null label', () => {
    const t = parseJsonl(Buffer.from('{"f": 1, "y": null}\n'), 'm.jsonl');
    expectInputError(() => readRows(t, selectColumns(t, 'y'), [0]), { file: 'm.jsonl', line: 1, field: 'y' }, [
      'expected a label',
      'found null',
    ]);
  });

  it('error: NaN in an npy feature names the row index', () => {
    const t = npyTable(parseNpy(npyBytes('<f8', [3, 2], new Float64Array([1, 0, 2, 0, NaN, 1])), 'x.npy'), { columns: ['f', 'y'] });
    const error = expectInputError(() => readRows(t, selectColumns(t, 'y'), [0, 1, 2]), { file: 'x.npy', field: 'f' }, [
      'expected a finite number in column "f", found NaN at row index 2',
    ]);
    expect(error.location?.line).toBeUndefined();
  });

  it('does not read rows outside the sample', () => {
    const t = csv('a,y\n1,0\nbad,1\n3,0\n');
    expect(Array.from(readRows(t, selectColumns(t, 'y'), [0, 2]).x)).toEqual([1, 3]);
  });
});

describe('readRows on an NPY matrix (read in place)', () => {
  const labels = { name: 'y', array: parseNpy(npyBytes('<i8', [3], new BigInt64Array([0n, 1n, 0n])), 'y.npy') };
  const table = (descr: string, data: ArrayBufferView, bytes = npyBytes(descr, [3, 2], data)) =>
    npyTable(parseNpy(bytes, 'x.npy'), { columns: ['a', 'b'], labels });

  it('uses a float32 file as the model input without a copy when every row and column is read', () => {
    const bytes = npyBytes('<f4', [3, 2], new Float32Array([1, 2, 3, 4, 5, 6]));
    const t = table('<f4', new Float32Array(), bytes);
    const { x, labels: read } = readRows(t, selectColumns(t, 'y'), [0, 1, 2]);
    expect(x.buffer).toBe(bytes.buffer);
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(read).toEqual(['0', '1', '0']);
  });

  it.each([
    { descr: '<f4', data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    { descr: '<f8', data: new Float64Array([1, 2, 3, 4, 5, 6]) },
    { descr: '<i2', data: new Int16Array([1, 2, 3, 4, 5, 6]) },
    { descr: '<u1', data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
  ])('$descr: a sample of rows and a reordered subset of columns', ({ descr, data }) => {
    const t = table(descr, data);
    expect(Array.from(readRows(t, selectColumns(t, 'y', ['b', 'a']), [0, 2]).x)).toEqual([2, 1, 6, 5]);
    expect(Array.from(readRows(t, selectColumns(t, 'y', ['b']), [0, 1, 2]).x)).toEqual([2, 4, 6]);
  });

  it.each([
    {
      name: 'NaN, whole float32 file',
      descr: '<f4',
      data: new Float32Array([1, 2, 3, NaN, 5, 6]),
      rows: [0, 1, 2],
      found: 'a finite number in column "b", found NaN at row index 1',
    },
    {
      name: 'Infinity, whole float32 file',
      descr: '<f4',
      data: new Float32Array([1, 2, 3, 4, Infinity, 6]),
      rows: [0, 1, 2],
      found: 'a finite number in column "a", found Infinity at row index 2',
    },
    {
      name: '-Infinity, sampled float32 rows',
      descr: '<f4',
      data: new Float32Array([1, 2, 3, 4, 5, -Infinity]),
      rows: [0, 2],
      found: 'a finite number in column "b", found -Infinity at row index 2',
    },
    {
      name: 'a float64 beyond the float32 range',
      descr: '<f8',
      data: new Float64Array([1, 2, 1e39, 4, 5, 6]),
      rows: [0, 1, 2],
      found: 'a number within the float32 range (±3.4e38) in column "a", found 1e+39 at row index 1',
    },
  ])('error: $name, with the column and row index', ({ descr, data, rows, found }) => {
    const t = table(descr, data);
    expectInputError(() => readRows(t, selectColumns(t, 'y'), rows), { file: 'x.npy' }, [`expected ${found}`]);
  });

  it('reads a Fortran-order float32 file into row order (a copy)', () => {
    const fortran = npyTable(parseNpy(npyBytes('<f4', [3, 2], new Float32Array([1, 3, 5, 2, 4, 6]), { fortran: true }), 'x.npy'), {
      columns: ['a', 'b'],
      labels,
    });
    const { x } = readRows(fortran, selectColumns(fortran, 'y'), [0, 1, 2]);
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
