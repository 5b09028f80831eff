import { describe, expect, it } from 'vitest';
import { parseMemberships, sortedModelNames } from '../../src/data/memberships';
import { checkCoverage } from '../../src/data/memberships-coverage';
import { expectInputError, npyBytes } from './helpers';

// Two members rows and one non-members row: three record columns.
const EXPECTED = { models: ['ref-b.onnx', 'ref-a.onnx'], members: 2, nonMembers: 1 };
const csv = (text: string) => Buffer.from(text);

describe('parseMemberships: CSV', () => {
  it('reads 1 / 0 / empty, rows in any order, into sorted model order', () => {
    const m = parseMemberships(csv('model,m1,m2,n1\nref-b.onnx,1,0,\nref-a.onnx, 0 ,,1\n'), 'mem.csv', EXPECTED);
    expect(m.models).toEqual(['ref-a.onnx', 'ref-b.onnx']);
    expect(Array.from(m.matrix.values)).toEqual([0, -1, 1, 1, 0, -1]);
    expect(m.matrix).toMatchObject({ models: 2, records: 3 });
  });

  it('reads quoted names and CRLF line ends', () => {
    const m = parseMemberships(csv('model,a,b,c\r\n"ref-a.onnx",1,1,0\r\n"ref-b.onnx",0,0,1\r\n'), 'mem.csv', EXPECTED);
    expect(Array.from(m.matrix.values)).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it.each([
    {
      name: 'first column not model',
      text: 'name,a,b,c\nref-a.onnx,1,1,0\n',
      at: { line: 1, column: 1 },
      parts: ['the first column is "name"', 'expected "model"'],
    },
    {
      name: 'too few record columns',
      text: 'model,a,b\nref-a.onnx,1,1\n',
      at: { line: 1 },
      parts: ['the header has 2 record columns; expected 3', "members file's 2 rows, then the non-members file's 1", 'before max-rows'],
    },
    {
      name: 'too many record columns',
      text: 'model,a,b,c,d\nref-a.onnx,1,1,0,0\n',
      at: { line: 1 },
      parts: ['the header has 4 record columns; expected 3'],
    },
    {
      name: 'a row of another width',
      text: 'model,a,b,c\nref-a.onnx,1,1\n',
      at: { line: 2 },
      parts: ['expected 4 fields (as in the header), found 3'],
    },
    {
      name: 'an unknown model, with a suggestion',
      text: 'model,a,b,c\nref-c.onnx,1,1,0\n',
      at: { line: 2, column: 1, field: 'model' },
      parts: ['model "ref-c.onnx" is not one of the 2 reference models', 'did you mean'],
    },
    {
      name: 'a model twice',
      text: 'model,a,b,c\nref-a.onnx,1,1,0\nref-b.onnx,1,1,0\nref-a.onnx,0,0,1\n',
      at: { line: 4, column: 1 },
      parts: ['model "ref-a.onnx" has a second row', 'the first is on line 2'],
    },
    { name: 'an empty model name', text: 'model,a,b,c\n,1,1,0\n', at: { line: 2, column: 1 }, parts: ['the model name is empty'] },
    {
      name: 'a missing model',
      text: 'model,a,b,c\nref-a.onnx,1,1,0\n',
      at: { line: undefined },
      parts: ['no row for 1 reference model: "ref-b.onnx"'],
    },
    {
      name: 'a 2',
      text: 'model,a,b,c\nref-a.onnx,1,2,0\nref-b.onnx,0,0,1\n',
      at: { line: 2, column: 14 },
      parts: ['"2" for members row 2; expected 1 (trained on), 0 (not trained on) or an empty cell (neither)'],
    },
    {
      name: 'true',
      text: 'model,a,b,c\nref-a.onnx,1,1,0\nref-b.onnx,0,0,true\n',
      at: { line: 3, column: 16 },
      parts: ['"true" for non-members row 1'],
    },
    {
      name: '1.0 (not exactly 1)',
      text: 'model,a,b,c\nref-a.onnx,1.0,1,0\nref-b.onnx,0,0,1\n',
      at: { line: 2, column: 12 },
      parts: ['"1.0" for members row 1'],
    },
    { name: 'NaN', text: 'model,a,b,c\nref-a.onnx,NaN,1,0\nref-b.onnx,0,0,1\n', at: { line: 2 }, parts: ['"NaN" for members row 1'] },
    {
      name: 'a -1 (NPY only)',
      text: 'model,a,b,c\nref-a.onnx,-1,1,0\nref-b.onnx,0,0,1\n',
      at: { line: 2 },
      parts: ['"-1" for members row 1'],
    },
  ])('$name → InputError at the cell', ({ text, at, parts }) => {
    expectInputError(() => parseMemberships(csv(text), 'mem.csv', EXPECTED), { file: 'mem.csv', ...at }, parts);
  });

  it('escapes hostile model names in messages (quoted, no raw line break)', () => {
    const hostile = '"ref\u2028::error::x\nnext"';
    const error = expectInputError(() => parseMemberships(csv(`model,a,b,c\n${hostile},1,1,0\n`), 'mem.csv', EXPECTED), { line: 2 }, [
      'is not one of',
    ]);
    expect(error.message).not.toMatch(/\n/); // JSON-quoted; each output channel escapes the rest
  });

  it('rejects duplicate model file names and an unknown extension', () => {
    expectInputError(
      () => parseMemberships(csv('model\n'), 'mem.csv', { ...EXPECTED, models: ['a.onnx', 'a.onnx'] }),
      { file: 'mem.csv' },
      ['"a.onnx" appears twice'],
    );
    expectInputError(() => parseMemberships(csv(''), 'mem.txt', EXPECTED), { file: 'mem.txt' }, ['expected a .csv or .npy file']);
  });
});

describe('parseMemberships: NPY', () => {
  it('reads int8 [K, records] in sorted model order, −1 as neither', () => {
    const m = parseMemberships(npyBytes('|i1', [2, 3], Int8Array.from([1, 0, -1, 0, 1, 1])), 'mem.npy', EXPECTED);
    expect(m.models).toEqual(['ref-a.onnx', 'ref-b.onnx']);
    expect(Array.from(m.matrix.values)).toEqual([1, 0, -1, 0, 1, 1]);
  });

  it('reads a Fortran-ordered array', () => {
    // [[1, 0, -1], [0, 1, 1]] stored column by column
    const m = parseMemberships(npyBytes('|i1', [2, 3], Int8Array.from([1, 0, 0, 1, -1, 1]), { fortran: true }), 'mem.npy', EXPECTED);
    expect(Array.from(m.matrix.values)).toEqual([1, 0, -1, 0, 1, 1]);
  });

  it.each([
    { name: 'float32', bytes: () => npyBytes('<f4', [2, 3], new Float32Array(6)), parts: ['dtype "<f4"; expected int8'] },
    {
      name: 'transposed',
      bytes: () => npyBytes('|i1', [3, 2], new Int8Array(6)),
      parts: ['shape (3, 2); expected (2, 3)', 'sorted file-name order'],
    },
    { name: '1-D', bytes: () => npyBytes('|i1', [6], new Int8Array(6)), parts: ['shape (6); expected (2, 3)'] },
    {
      name: 'a 2',
      bytes: () => npyBytes('|i1', [2, 3], Int8Array.from([1, 0, 0, 0, 2, 1])),
      parts: ['value 2 at [1, 1] (model "ref-b.onnx", members row 2)', 'or -1 (neither)'],
    },
    {
      name: 'a −128',
      bytes: () => npyBytes('|i1', [2, 3], Int8Array.from([1, 0, -128, 0, 0, 1])),
      parts: ['value -128 at [0, 2] (model "ref-a.onnx", non-members row 1)'],
    },
    { name: 'not an npy file', bytes: () => csv('model,a\n'), parts: ['not a NumPy .npy file'] },
  ])('$name → InputError', ({ bytes, parts }) => {
    expectInputError(() => parseMemberships(bytes(), 'mem.npy', EXPECTED), { file: 'mem.npy' }, parts);
  });

  it('sorts names by string order, as the models are opened', () => {
    expect(sortedModelNames(['ref-10.onnx', 'ref-2.onnx', 'ref-01.onnx'])).toEqual(['ref-01.onnx', 'ref-10.onnx', 'ref-2.onnx']);
  });
});

describe('checkCoverage', () => {
  // 3 models × 4 records (2 members rows, 2 non-members rows)
  const matrix = (rows: number[][]) => ({ models: rows.length, records: rows[0]!.length, values: Int8Array.from(rows.flat()) });
  const full = matrix([
    [1, 0, 1, 0],
    [0, 1, 0, 1],
    [1, 0, 0, 1],
  ]);
  const pairs = matrix([
    [1, 0, 1, 0],
    [0, 1, 0, 1],
    [1, 0, 1, 0],
    [0, 1, 0, 1],
  ]);

  it('finds nothing when every record is IN and OUT somewhere, also with each model held out', () => {
    expect(checkCoverage(full, ['lira', 'lira-offline', 'rmia'])).toEqual([]);
    expect(checkCoverage(pairs, ['lira', 'lira-offline', 'rmia'], { recipeLevel: true })).toEqual([]);
  });

  it.each([
    {
      name: 'online LiRA: a record never IN',
      m: [
        [1, 0, -1, 0],
        [1, 1, 0, 1],
        [0, 0, 0, 1],
      ],
      attacks: ['lira' as const],
      expected: [{ attack: 'lira', kind: 'no-in', records: [2], count: 1 }],
      message: 'lira needs every audited record IN (trained on it) for at least one reference model; 1 record is not: non-members row 1',
    },
    {
      name: 'offline attacks need OUT only',
      m: [
        [1, 1, 0, 0],
        [1, 1, 0, 0],
      ],
      attacks: ['lira-offline' as const, 'rmia' as const],
      expected: [
        { attack: 'lira-offline', kind: 'no-out', records: [0, 1], count: 2 },
        { attack: 'rmia', kind: 'no-out', records: [0, 1], count: 2 },
      ],
      message:
        'lira-offline needs every audited record OUT (never saw it) for at least one reference model; 2 records are not: members row 1, members row 2',
    },
    {
      name: 'neither counts as neither IN nor OUT',
      m: [
        [-1, 1, 0, 0],
        [-1, 0, 1, 1],
      ],
      attacks: ['lira' as const],
      expected: [
        { attack: 'lira', kind: 'no-in', records: [0], count: 1 },
        { attack: 'lira', kind: 'no-out', records: [0], count: 1 },
      ],
      message: 'lira needs every audited record IN (trained on it) for at least one reference model; 1 record is not: members row 1',
    },
  ])('$name', ({ m, attacks, expected, message }) => {
    const problems = checkCoverage(matrix(m), attacks, { members: 2 });
    expect(problems).toMatchObject(expected);
    expect(problems[0]!.message).toBe(message);
  });

  it('checks only the audited records', () => {
    const m = matrix([
      [1, 0, -1, 0],
      [1, 1, 0, 1],
    ]);
    expect(checkCoverage(m, ['lira'], { audited: [0, 1] })).toMatchObject([{ kind: 'no-out', records: [0] }]);
    expect(checkCoverage(m, ['lira'], { audited: [1, 3] })).toEqual([]);
  });

  it('recipe level: a hold-out that leaves a record uncovered, and too few models', () => {
    const problems = checkCoverage(full, ['lira'], { recipeLevel: true, members: 2 });
    // Without model 1, non-members row 1 is IN nowhere and non-members row 2 OUT nowhere
    expect(checkCoverage(full, ['lira'])).toEqual([]);
    expect(problems).toMatchObject([
      { attack: 'lira', kind: 'no-in', heldOut: 0, records: [2] },
      { attack: 'lira', kind: 'no-out', heldOut: 0, records: [3] },
    ]);
    expect(problems[0]!.message).toContain('when reference model 1 plays the target (recipe level); 1 record is not: non-members row 1');
    expect(checkCoverage(matrix([[0, 0]]), ['rmia'], { recipeLevel: true })).toMatchObject([
      { kind: 'too-few-models', message: 'rmia: a recipe-level estimate needs at least 2 reference models; found 1' },
    ]);
  });

  it('lists at most 20 records but counts them all', () => {
    const m = { models: 1, records: 50, values: new Int8Array(50).fill(1) };
    const [problem] = checkCoverage(m, ['rmia']);
    expect(problem!.count).toBe(50);
    expect(problem!.records).toHaveLength(20);
    expect(problem!.message).toContain('record 1, record 2, record 3, and 47 more');
  });
});
