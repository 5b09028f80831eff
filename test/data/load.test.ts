import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFromPath, loadDataset, loadDatasetWithHashes, type LoadOptions } from '../../src/data/load';
import { sha256, sha256File } from '../../src/data/hash';
import { expectInputError, FIXTURES, npyBytes, tempFile } from './helpers';

const options = (over: Partial<LoadOptions> = {}): LoadOptions => ({ role: 'members', label: 'y', maxRows: 1000, seed: 7, ...over });

/** 100 rows: id = row number, f = 10 × id, label y = "L<id>", so sampled rows can be checked for alignment. */
const hundred = tempFile('hundred.csv', `id,f,y\n${Array.from({ length: 100 }, (_, i) => `${i},${i * 10},L${i}`).join('\n')}\n`);

describe('formatFromPath', () => {
  it.each([
    ['a.csv', 'csv'],
    ['/x/B.CSV', 'csv'],
    ['a.jsonl', 'jsonl'],
    ['a.ndjson', 'jsonl'],
    ['dir.v2/a.npy', 'npy'],
  ])('%s → %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it.each([
    ['a.txt', '".txt"'],
    ['a.json', '".json"'],
    ['data', '"(none)"'],
    ['a.csv.gz', '".gz"'],
  ])('error: %s', (path, ext) => {
    expectInputError(() => formatFromPath(path), { file: path }, [`extension ${ext}`, 'expected .csv, .jsonl, .ndjson or .npy']);
  });
});

describe('loadDataset', () => {
  it('fills a Dataset from a small CSV', () => {
    const path = tempFile('small.csv', 'a,b,y\n1,2.5,cat\n-3,4,dog\n');
    const dataset = loadDataset({ path, format: 'csv' }, options());
    expect(dataset).toEqual({
      role: 'members',
      file: path,
      features: ['a', 'b'],
      x: new Float32Array([1, 2.5, -3, 4]),
      labels: ['cat', 'dog'],
      rows: 2,
      rowsInFile: 2,
      origin: { fileRows: Uint32Array.of(0, 1), lines: Uint32Array.of(2, 3) },
    });
  });

  it('reads the quoted BOM/CRLF fixture with a glob', () => {
    const dataset = loadDataset(
      { path: join(FIXTURES, 'quoted-bom-crlf.csv'), format: 'csv' },
      options({ label: 'species', features: 'x*' }),
    );
    expect(dataset.features).toEqual(['x1', 'x2']);
    expect(Array.from(dataset.x)).toEqual([0.5, 100, -3, 4.25, 7, 8, 9, 10]);
    expect(dataset.labels).toEqual(['setosa', 'versi, color', 'multi\r\nline "quoted"', 'plain']);
  });

  it('reads JSONL', () => {
    const dataset = loadDataset({ path: join(FIXTURES, 'small.jsonl'), format: 'jsonl' }, options({ label: 'label' }));
    expect(dataset.features).toEqual(['a', 'b', 'flag']);
    expect(Array.from(dataset.x)).toEqual([1, 2.5, 1, -1.5, 3, 0, 0, 1000, 1]);
    expect(dataset.labels).toEqual(['cat', '7', 'dog']);
  });

  it('reads NPY with named columns and a separate labels file (float labels read "3")', () => {
    const path = tempFile('x.npy', npyBytes('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
    const labels = tempFile('y.npy', npyBytes('<f8', [2], new Float64Array([3, 1])));
    const loaded = loadDatasetWithHashes(
      { path, format: 'npy', columns: ['a', 'b', 'c'], labels },
      options({ label: 'digit', features: ['c', 'a'] }),
    );
    expect(loaded.dataset.features).toEqual(['c', 'a']);
    expect(Array.from(loaded.dataset.x)).toEqual([3, 1, 6, 4]);
    expect(loaded.dataset.labels).toEqual(['3', '1']);
    expect(loaded.sha256).toEqual({ data: sha256File(path), labels: sha256File(labels) });
  });

  it('reads the real-numpy fixtures', () => {
    const dataset = loadDataset(
      { path: join(FIXTURES, 'features-f4-fortran.npy'), format: 'npy', labels: join(FIXTURES, 'labels-i8.npy') },
      options({ label: 'y' }),
    );
    expect(dataset.features).toEqual(['0', '1', '2']);
    expect(Array.from(dataset.x)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, Math.fround(0.1)]);
    expect(dataset.labels).toEqual(['3', '1', '4', '1']);
  });

  it('an NPY label column from the array itself, named by columns', () => {
    const path = tempFile('xy.npy', npyBytes('<i4', [2, 2], new Int32Array([5, 1, 6, 0]), { fortran: false }));
    const dataset = loadDataset({ path, format: 'npy', columns: ['f', 'y'] }, options());
    expect(Array.from(dataset.x)).toEqual([5, 6]);
    expect(dataset.labels).toEqual(['1', '0']);
  });

  describe('seeded sampling', () => {
    const load = (over: Partial<LoadOptions> = {}) =>
      loadDataset({ path: hundred, format: 'csv' }, options({ maxRows: 10, features: ['id', 'f'], ...over }));

    it('takes maxRows rows, in file order, rows kept whole', () => {
      const dataset = load();
      expect(dataset.rows).toBe(10);
      expect(dataset.rowsInFile).toBe(100);
      expect(dataset.x.length).toBe(20);
      const ids = Array.from({ length: 10 }, (_, i) => dataset.x[2 * i]!);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(10);
      ids.forEach((id, i) => {
        expect(dataset.x[2 * i + 1]).toBe(id * 10);
        expect(dataset.labels[i]).toBe(`L${id}`);
      });
    });

    it('is deterministic for a seed and role', () => {
      expect(load()).toEqual(load());
    });

    it('differs for another seed and for another role', () => {
      const ids = (d: { x: Float32Array }) => Array.from(d.x).filter((_, i) => i % 2 === 0);
      expect(ids(load({ seed: 8 }))).not.toEqual(ids(load()));
      expect(ids(load({ role: 'non-members' }))).not.toEqual(ids(load()));
    });

    it('keeps every row when the file has at most maxRows', () => {
      expect(load({ maxRows: 100 }).rows).toBe(100);
      expect(load({ maxRows: 100 }).x[2 * 99]).toBe(99);
    });
  });

  it('hashes the bytes it parsed', () => {
    expect(sha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const loaded = loadDatasetWithHashes({ path: hundred, format: 'csv' }, options());
    expect(loaded.sha256).toEqual({ data: sha256File(hundred) });
  });

  it.each([
    {
      name: 'missing file',
      run: () => loadDataset({ path: '/nonexistent/m.csv', format: 'csv' }, options()),
      location: { file: '/nonexistent/m.csv' },
      parts: ['file not found'],
    },
    {
      name: 'a folder',
      run: () => loadDataset({ path: mkdtempSync(join(tmpdir(), 'pg-dir-')), format: 'csv' }, options()),
      location: {},
      parts: ['folder'],
    },
    {
      name: 'header only',
      run: () => loadDataset({ path: tempFile('header.csv', 'a,y\n'), format: 'csv' }, options()),
      location: { file: tempFile('header.csv', 'a,y\n') },
      parts: ['no data rows'],
    },
    {
      name: 'columns on a CSV',
      run: () => loadDataset({ path: hundred, format: 'csv', columns: ['a'] }, options()),
      location: { file: hundred, field: 'columns' },
      parts: ['only to .npy'],
    },
    {
      name: 'labels file missing',
      run: () =>
        loadDataset(
          { path: tempFile('z.npy', npyBytes('<f4', [1], new Float32Array(1))), format: 'npy', labels: '/nonexistent/y.npy' },
          options(),
        ),
      location: { file: '/nonexistent/y.npy' },
      parts: ['file not found'],
    },
    {
      name: 'a bad value names file, line, column',
      run: () => loadDataset({ path: tempFile('bad.csv', 'a,b,y\n1,2,x\n3,?,y\n'), format: 'csv' }, options()),
      location: { file: tempFile('bad.csv', 'a,b,y\n1,2,x\n3,?,y\n'), line: 3, column: 3, field: 'b' },
      parts: ['expected a number in column "b", found "?"'],
    },
  ])('error: $name', ({ run, location, parts }) => {
    expectInputError(run, location, parts);
  });
});
