import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as csvParse } from 'csv-parse/sync';
import { parseCsv } from '../../src/data/csv';
import { Rng } from '../../src/util/random';
import type { RawTable } from '../../src/data/table';
import { expectInputError, FIXTURES } from './helpers';

const parse = (text: string | Uint8Array, file = 'in.csv') => parseCsv(typeof text === 'string' ? Buffer.from(text) : text, file);

function cells(table: RawTable): string[][] {
  return Array.from({ length: table.rows }, (_, r) => table.columns.map((_, c) => table.label(r, c) ?? ''));
}

describe('parseCsv', () => {
  it('reads the BOM, CRLF, quoted fixture: quoting, a field spanning lines, trailing blank lines', () => {
    const file = join(FIXTURES, 'quoted-bom-crlf.csv');
    const table = parseCsv(readFileSync(file), file);
    expect(table.columns).toEqual(['id', 'x1', 'x2', 'species']);
    expect(table.rows).toBe(4);
    expect(cells(table)).toEqual([
      ['1', '0.5', '1e2', 'setosa'],
      ['2', '-3', '4.25', 'versi, color'],
      ['3', '7', '8', 'multi\r\nline "quoted"'],
      ['4', '9', '10', 'plain'],
    ]);
    expect(table.number(0, 2)).toBe(100);
    expect(table.number(2, 1)).toBe(7); // a quoted number is still a number
    expect(table.number(0, 3)).toBeNaN();
    // The record after the two-line field starts on line 6.
    expect([0, 1, 2, 3].map((r) => table.locate(r, 0).line)).toEqual([2, 3, 4, 6]);
  });

  it.each([
    ['LF', 'a,b\n1,2\n3,4\n'],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n'],
    ['no final newline', 'a,b\n1,2\n3,4'],
    ['trailing blank lines', 'a,b\n1,2\n3,4\n\n  \n\r\n'],
    ['BOM', '\ufeffa,b\n1,2\n3,4\n'],
    ['spaces around header names', ' a , b\n1,2\n3,4\n'],
    ['quoted header', '"a","b"\n1,2\n3,4\n'],
  ])('%s', (_, text) => {
    const table = parse(text);
    expect(table.columns).toEqual(['a', 'b']);
    expect(cells(table)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reports the character column of an unquoted cell', () => {
    const table = parse('a,bb,c\n1,22,333\n');
    expect(table.locate(0, 2)).toEqual({ line: 2, column: 6 });
  });

  it('keeps an empty last field', () => {
    const table = parse('a,b\n1,\n');
    expect(table.describe(0, 1)).toContain('empty');
    expect(table.number(0, 1)).toBeNaN();
  });

  it.each([
    { name: 'too few fields', text: 'a,b,c\n1,2,3\n4,5\n', line: 3, parts: ['expected 3 fields (as in the header), found 2'] },
    { name: 'too many fields', text: 'a,b\n1,2\n3,4,5\n', line: 3, parts: ['expected 2 fields', 'found 3'] },
    { name: 'too many fields, quoted row', text: 'a,b\n"1",2,3\n', line: 2, parts: ['expected 2 fields', 'found 3'] },
    { name: 'line numbers count lines inside quotes', text: 'a,b\n"x\ny",2\n1\n', line: 4, parts: ['found 1'] },
    { name: 'blank line in the middle', text: 'a,b\n1,2\n\n3,4\n', line: 3, parts: ['line 3 is blank'] },
    { name: 'empty file', text: '', line: 1, parts: ['empty', 'header'] },
    { name: 'blank first line', text: '\na,b\n', line: 1, parts: ['first line is blank'] },
    { name: 'quote inside an unquoted field', text: 'a,b\n1,2\n3,x"y\n', line: 3, parts: ['quote', 'unquoted field'] },
    { name: 'unclosed quote', text: 'a,b\n1,2\n3,"xy\n4,5\n', line: 3, parts: ['never closed'] },
    { name: 'text after a closing quote', text: 'a,b\n1,"x"y\n', line: 2, parts: ['after a closing quote'] },
    { name: 'unnamed index column', text: ',a,b\n0,1,2\n', line: 1, parts: ['column 1 of the header has no name', 'index=False'] },
    { name: 'duplicate column', text: 'a,b,a\n1,2,3\n', line: 1, parts: ['"a" appears twice', 'columns 1 and 3'] },
  ])('error: $name', ({ text, line, parts }) => {
    expectInputError(() => parse(text, '/data/members.csv'), { file: '/data/members.csv', line }, parts);
  });

  it('rejects UTF-16 with advice', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]);
    expectInputError(() => parse(utf16, 'w.csv'), { file: 'w.csv', line: 1 }, ['UTF-16', 'UTF-8']);
  });

  it('handles a quoted record at the very end without a newline, after unquoted ones', () => {
    const table = parse('a,b\n1,2\n3,"4"');
    expect(cells(table)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(table.locate(1, 1)).toEqual({ line: 3, column: 3 });
  });

  it('reads UTF-8 text cells', () => {
    const table = parse('name,label\n1,café\n2,"naïve, ok"\n');
    expect(table.label(0, 1)).toBe('café');
    expect(table.label(1, 1)).toBe('naïve, ok');
  });
  it.each([
    { name: 'a cell after a multi-line field', text: 'a,b,c\n"x\ny",2,3\n', row: 0, col: 2, at: { line: 3, column: 6 } },
    { name: 'a quoted cell points at its quote', text: 'a,b\n1,"2"\n', row: 0, col: 1, at: { line: 2, column: 3 } },
    { name: 'a cell with doubled quotes has only a line', text: 'a,b\n1,"2"""\n', row: 0, col: 1, at: { line: 2 } },
  ])('locates $name', ({ text, row, col, at }) => {
    expect(parse(text).locate(row, col)).toEqual(at);
  });

  it('reads the same cells in any order: by column, backwards, rows with and without quotes mixed', () => {
    const text = 'a,b,c\r\n1,"x, y",3\r\n4,5,6\r\n"7\n8",,"9"""\r\n10,11,12';
    const rowMajor = cellsRaw(parse(text));
    expect(rowMajor).toEqual([
      ['1', 'x, y', '3'],
      ['4', '5', '6'],
      ['7\n8', '', '9"'],
      ['10', '11', '12'],
    ]);
    const table = parse(text);
    const byColumn: string[][] = rowMajor.map((row) => row.map(() => ''));
    for (let c = 2; c >= 0; c--) for (let r = 3; r >= 0; r--) byColumn[r]![c] = cellsRaw(table, [r], [c])[0]![0]!;
    expect(byColumn).toEqual(rowMajor);
    expect([3, 0, 2, 1].map((r) => table.number(r, 0))).toEqual([10, 1, NaN, 4]);
    expect([3, 2, 1, 0].map((r) => table.locate(r, 0))).toEqual([
      { line: 6, column: 1 },
      { line: 4, column: 1 },
      { line: 3, column: 1 },
      { line: 2, column: 1 },
    ]);
    expect(table.locate(2, 2)).toEqual({ line: 4 }); // doubled quotes: the record's line only
    expect(table.locate(3, 2)).toEqual({ line: 6, column: 7 });
    expect(table.locate(1, 2)).toEqual({ line: 3, column: 5 });
  });

  it('refuses a row outside the table', () => {
    const table = parse('a,b\n1,2\n');
    expect(() => table.number(1, 0)).toThrow(RangeError);
    expect(() => table.label(-1, 0)).toThrow(RangeError);
  });

  it('error lines inside a multi-line record point at the faulty line', () => {
    expectInputError(() => parse('a,b\n"x\ny"z,2\n', 'm.csv'), { file: 'm.csv', line: 3 }, ['after a closing quote']);
  });

  it('agrees with csv-parse on random RFC 4180 files', () => {
    const rng = new Rng(2024);
    const pieces = ['1', '-2.5', 'abc', 'a,b', 'say "hi"', '', ' ', 'x\ny', 'x\r\ny', '"', ',', 'é', '1e3'];
    for (let trial = 0; trial < 300; trial++) {
      const width = 1 + rng.int(4);
      const rows = 1 + rng.int(6);
      const eol = rng.next() < 0.5 ? '\n' : '\r\n';
      const records: string[][] = [];
      for (let r = 0; r <= rows; r++) {
        records.push(
          Array.from({ length: width }, (_, c) => {
            if (r === 0) return `c${c}`;
            let v = '';
            for (let k = rng.int(3); k > 0; k--) v += pieces[rng.int(pieces.length)];
            return v;
          }),
        );
      }
      // Quote when needed (an empty or blank one-field record would read as a blank line), and sometimes anyway.
      const encode = (v: string) => (/[",\r\n]/.test(v) || v.trim() === '' || rng.next() < 0.2 ? `"${v.replaceAll('"', '""')}"` : v);
      const lines = records.map((fields) => fields.map(encode).join(','));
      const text = lines.join(eol) + (rng.next() < 0.5 ? eol : '');
      const expected = csvParse(text, { record_delimiter: eol });
      const table = parse(text);
      expect([table.columns, ...cellsRaw(table)], JSON.stringify(text)).toEqual(expected);
      let line = 1;
      for (let r = 0; r < table.rows; r++) {
        line += lines[r]!.split('\n').length;
        expect(table.locate(r, 0).line, JSON.stringify(text)).toBe(line);
      }
    }
  });
});

/** Cells as text, exactly as written (labels are trimmed; this is not); every row and column unless given. */
function cellsRaw(table: RawTable, rows?: number[], columns?: number[]): string[][] {
  return (rows ?? Array.from({ length: table.rows }, (_, r) => r)).map((r) =>
    (columns ?? table.columns.map((_, c) => c)).map((c) => JSON.parse(table.describe(r, c).replace(/ \(an empty value\)$/, '')) as string),
  );
}
