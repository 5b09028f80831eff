import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseJsonl } from '../../src/data/jsonl';
import { expectInputError, FIXTURES } from './helpers';

const parse = (text: string, file = 'in.jsonl') => parseJsonl(Buffer.from(text), file);

describe('parseJsonl', () => {
  it('reads the fixture: numbers, numeric strings, booleans, labels, blank and CRLF lines', () => {
    const file = join(FIXTURES, 'small.jsonl');
    const table = parseJsonl(readFileSync(file), file);
    expect(table.columns).toEqual(['a', 'b', 'flag', 'label']);
    expect(table.rows).toBe(3);
    const numbers = Array.from({ length: 3 }, (_, r) => [0, 1, 2].map((c) => table.number(r, c)));
    expect(numbers).toEqual([
      [1, 2.5, 1],
      [-1.5, 3, 0],
      [0, 1000, 1],
    ]);
    expect([0, 1, 2].map((r) => table.label(r, 3))).toEqual(['cat', '7', 'dog']);
    expect([0, 1, 2].map((r) => table.locate(r, 0).line)).toEqual([1, 3, 4]);
  });

  it('strips a BOM', () => {
    expect(parse('\ufeff{"a": 1}\n').columns).toEqual(['a']);
  });

  it.each([
    { value: 'null', number: NaN, label: undefined, describe: 'null' },
    { value: '"abc"', number: NaN, label: 'abc', describe: '"abc"' },
    { value: '""', number: NaN, label: undefined, describe: 'empty' },
    { value: '[1,2]', number: NaN, label: undefined, describe: '[1,2]' },
    { value: '{"x":1}', number: NaN, label: undefined, describe: '{"x":1}' },
    { value: '" 4 "', number: 4, label: '4', describe: '" 4 "' },
    { value: 'true', number: 1, label: '1', describe: '1' },
    { value: '3.0', number: 3, label: '3', describe: '3' },
  ])('value $value', ({ value, number, label, describe }) => {
    const table = parse(`{"a": ${value}}\n`);
    expect(table.number(0, 0)).toEqual(number);
    expect(table.label(0, 0)).toEqual(label);
    expect(table.describe(0, 0)).toContain(describe);
  });

  it.each([
    { name: 'invalid JSON', text: '{"a": 1}\n{"a": 1,}\n', line: 2, parts: ['invalid JSON', 'one JSON object per line'] },
    { name: 'invalid JSON after blank lines', text: '{"a": 1}\n\n\n{a: 1}\n', line: 4, parts: ['invalid JSON'] },
    { name: 'an array', text: '[1, 2]\n', line: 1, parts: ['expected a JSON object', 'found an array'] },
    { name: 'a number', text: '{"a": 1}\n5\n', line: 2, parts: ['found a number'] },
    { name: 'null', text: 'null\n', line: 1, parts: ['found null'] },
    { name: 'empty object', text: '{}\n', line: 1, parts: ['found {}'] },
    { name: 'missing key', text: '{"a": 1, "b": 2}\n{"a": 3}\n', line: 2, field: 'b', parts: ['missing key "b"', 'line 1'] },
    { name: 'extra key', text: '{"a": 1}\n{"a": 3, "c": 4}\n', line: 2, field: 'c', parts: ['unexpected key "c"'] },
  ])('error: $name', ({ text, line, field, parts }) => {
    const location = field ? { file: 'm.jsonl', line, field } : { file: 'm.jsonl', line };
    expectInputError(() => parse(text, 'm.jsonl'), location, parts);
  });

  it('error: no objects at all', () => {
    expectInputError(() => parse('\n \n', 'e.jsonl'), { file: 'e.jsonl' }, ['no JSON objects']);
  });

  it('reports the column of a JSON syntax error when V8 gives its position', () => {
    const error = expectInputError(() => parse('{"a": 1, x}\n', 'p.jsonl'), { file: 'p.jsonl', line: 1 }, ['invalid JSON']);
    if (/position/.test(error.message)) expect(error.location?.column).toBe(10);
  });
});
