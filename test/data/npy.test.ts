import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { float32ToString, npyTable, parseNpy } from '../../src/data/npy';
import type { RawTable } from '../../src/data/table';
import { expectInputError, FIXTURES, npyBytes } from './helpers';

function matrix(table: RawTable): number[][] {
  return Array.from({ length: table.rows }, (_, r) => table.columns.map((_, c) => table.number(r, c)));
}

const VALUES = [0, 1, 2, 3, 4, 5]; // shape (2, 3), C order: [[0,1,2],[3,4,5]]

describe('parseNpy', () => {
  it.each([
    ['<f4', new Float32Array(VALUES)],
    ['<f8', new Float64Array(VALUES)],
    ['<i1', new Int8Array(VALUES)],
    ['|i1', new Int8Array(VALUES)],
    ['<i2', new Int16Array(VALUES)],
    ['<i4', new Int32Array(VALUES)],
    ['<i8', new BigInt64Array(VALUES.map(BigInt))],
    ['<u1', new Uint8Array(VALUES)],
    ['|u1', new Uint8Array(VALUES)],
    ['<u2', new Uint16Array(VALUES)],
    ['<u4', new Uint32Array(VALUES)],
    ['<u8', new BigUint64Array(VALUES.map(BigInt))],
  ])('dtype %s', (descr, data) => {
    const table = npyTable(parseNpy(npyBytes(descr, [2, 3], data), 'x.npy'));
    expect(table.columns).toEqual(['0', '1', '2']);
    expect(matrix(table)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('dtype |b1', () => {
    const table = npyTable(parseNpy(npyBytes('|b1', [3], new Uint8Array([1, 0, 1])), 'b.npy'));
    expect(matrix(table)).toEqual([[1], [0], [1]]);
  });

  it.each([
    ['<i8', new BigInt64Array([-5n, -(2n ** 40n), 2n ** 52n]), [-5, -(2 ** 40), 2 ** 52]],
    ['<u8', new BigUint64Array([2n ** 33n + 7n]), [2 ** 33 + 7]],
    ['<i1', new Int8Array([-128]), [-128]],
    ['<f8', new Float64Array([NaN, -0.25]), [NaN, -0.25]],
  ])('%s keeps signs and large values', (descr, data, expected) => {
    const array = parseNpy(npyBytes(descr, [expected.length], data), 'v.npy');
    expect(expected.map((_, i) => array.get(i))).toEqual(expected);
  });

  it.each([1, 2, 3] as const)('format version %i.0', (version) => {
    const table = npyTable(parseNpy(npyBytes('<f8', [2, 3], new Float64Array(VALUES), { version }), 'v.npy'));
    expect(matrix(table)[1]).toEqual([3, 4, 5]);
  });

  it('reads an unaligned header (data offset not a multiple of the item size)', () => {
    const bytes = npyBytes('<f8', [2, 3], new Float64Array(VALUES), { align: false });
    const table = npyTable(parseNpy(bytes, 'u.npy'));
    expect(matrix(table)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('reads Fortran order: the same matrix from column-major data', () => {
    // [[0,1,2],[3,4,5]] stored column by column.
    const table = npyTable(parseNpy(npyBytes('<i4', [2, 3], new Int32Array([0, 3, 1, 4, 2, 5]), { fortran: true }), 'f.npy'));
    expect(matrix(table)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('reads the files written by real numpy (Fortran-order float32, int64 labels)', () => {
    const featuresPath = join(FIXTURES, 'features-f4-fortran.npy');
    const labelsPath = join(FIXTURES, 'labels-i8.npy');
    const features = parseNpy(readFileSync(featuresPath), featuresPath);
    expect(features).toMatchObject({ dtype: '<f4', shape: [4, 3], fortranOrder: true });
    const table = npyTable(features, {
      columns: ['a', 'b', 'c'],
      labels: { name: 'y', array: parseNpy(readFileSync(labelsPath), labelsPath) },
    });
    expect(table.columns).toEqual(['a', 'b', 'c', 'y']);
    expect(matrix(table)).toEqual([
      [0, 0.5, 1, 3],
      [1.5, 2, 2.5, 1],
      [3, 3.5, 4, 4],
      [4.5, 5, Math.fround(0.1), 1],
    ]);
    expect(table.describe(3, 2)).toBe('0.1');
  });

  it('renders float labels as short text', () => {
    const table = npyTable(parseNpy(npyBytes('<f4', [3], new Float32Array([3, 0.1, 2.5])), 'l.npy'));
    expect([0, 1, 2].map((r) => table.label(r, 0))).toEqual(['3', '0.1', '2.5']);
    const f8 = npyTable(parseNpy(npyBytes('<f8', [2], new Float64Array([3, NaN])), 'l8.npy'));
    expect([0, 1].map((r) => f8.label(r, 0))).toEqual(['3', undefined]);
    expect(float32ToString(Math.fround(1 / 3))).toBe('0.33333334');
  });

  it.each([
    {
      name: 'big-endian dtype',
      bytes: () => npyBytes('>f8', [2], new Float64Array(2)),
      field: 'dtype',
      parts: ['unsupported dtype ">f8"', '<f4'],
    },
    { name: 'half floats', bytes: () => npyBytes('<f2', [2], new Uint16Array(2)), field: 'dtype', parts: ['"<f2"'] },
    { name: 'strings', bytes: () => npyBytes('<U3', [2], new Uint32Array(6)), field: 'dtype', parts: ['"<U3"'] },
    { name: '3-D', bytes: () => npyBytes('<f4', [2, 2, 2], new Float32Array(8)), field: 'shape', parts: ['shape (2, 2, 2)', '1-D or 2-D'] },
    { name: '0-D', bytes: () => npyBytes('<f4', [], new Float32Array(1)), field: 'shape', parts: ['shape ()'] },
    { name: 'truncated data', bytes: () => npyBytes('<f8', [4], new Float64Array(3)), parts: ['truncated', 'needs 32 bytes, found 24'] },
    { name: 'not npy', bytes: () => Buffer.from('a,b\n1,2\n'), parts: ['not a NumPy .npy file'] },
    {
      name: 'unknown version',
      bytes: () => {
        const b = npyBytes('<f8', [1], new Float64Array(1));
        b[6] = 4;
        return b;
      },
      parts: ['version 4.0'],
    },
    {
      name: 'structured dtype',
      bytes: () => Buffer.from(npyBytes('<f8', [1], new Float64Array(1)).toString('latin1').replace("'<f8'", "[('a','<f4')]"), 'latin1'),
      field: 'dtype',
      parts: ['structured'],
    },
  ])('error: $name', ({ bytes, field, parts }) => {
    expectInputError(() => parseNpy(bytes(), '/d/x.npy'), field ? { file: '/d/x.npy', field } : { file: '/d/x.npy' }, parts);
  });

  it.each([
    {
      name: 'columns count differs',
      run: () => npyTable(parseNpy(npyBytes('<f4', [2, 3], new Float32Array(6)), 'x.npy'), { columns: ['a', 'b'] }),
      location: { file: 'x.npy', field: 'columns' },
      parts: ['2 names', '3 columns'],
    },
    {
      name: 'labels count differs',
      run: () =>
        npyTable(parseNpy(npyBytes('<f4', [2, 3], new Float32Array(6)), 'x.npy'), {
          labels: { name: 'y', array: parseNpy(npyBytes('<i8', [3], new BigInt64Array(3)), 'y.npy') },
        }),
      location: { file: 'y.npy' },
      parts: ['3 labels', 'x.npy has 2 rows'],
    },
    {
      name: 'labels not 1-D',
      run: () =>
        npyTable(parseNpy(npyBytes('<f4', [2, 3], new Float32Array(6)), 'x.npy'), {
          labels: { name: 'y', array: parseNpy(npyBytes('<i8', [2, 2], new BigInt64Array(4)), 'y.npy') },
        }),
      location: { file: 'y.npy', field: 'shape' },
      parts: ['1-D array of labels', '(2, 2)'],
    },
    {
      name: 'label name clashes with a column',
      run: () =>
        npyTable(parseNpy(npyBytes('<f4', [2, 1], new Float32Array(2)), 'x.npy'), {
          columns: ['y'],
          labels: { name: 'y', array: parseNpy(npyBytes('<i8', [2], new BigInt64Array(2)), 'y.npy') },
        }),
      location: { file: 'x.npy', field: 'y' },
      parts: ['"y" names both'],
    },
  ])('error: $name', ({ run, location, parts }) => {
    expectInputError(run, location, parts);
  });

  it('accepts labels of shape (n, 1)', () => {
    const table = npyTable(parseNpy(npyBytes('<f4', [2], new Float32Array([1, 2])), 'x.npy'), {
      labels: { name: 'y', array: parseNpy(npyBytes('<i4', [2, 1], new Int32Array([7, 8])), 'y.npy') },
    });
    expect(table.columns).toEqual(['0', 'y']);
    expect([0, 1].map((r) => table.label(r, 1))).toEqual(['7', '8']);
  });
});
