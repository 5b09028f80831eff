/**
 * A CSV whose header line is huge: never echoed whole, and above MAX_HEADER_BYTES an input error
 * naming the file (before: a 600 MB header ended in exit 3 "Cannot create a string longer than").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data';
import { MAX_HEADER_BYTES } from '../../src/data/csv';
import { InputError } from '../../src/errors';

const OPTIONS = { role: 'members', label: 'digit', maxRows: 10, seed: 0 };

function load(text: string | Buffer) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'header-')), 'data.csv');
  writeFileSync(file, text);
  try {
    loadDataset({ path: file, format: 'csv' }, OPTIONS);
  } catch (error) {
    return { file, error: error as InputError };
  }
  throw new Error('expected an error');
}

describe('huge CSV header lines', () => {
  it('a header one byte over the limit is exit 2 at line 1 of the file, echoing nothing of it', () => {
    const header = Buffer.alloc(MAX_HEADER_BYTES + 1, 'a');
    const { file, error } = load(Buffer.concat([header, Buffer.from('\n1\n')]));
    expect(error).toBeInstanceOf(InputError);
    expect(error.exitCode).toBe(2);
    expect(error.describe()).toBe(
      `${file}:1: the header line is ${MAX_HEADER_BYTES + 1} bytes long; expected a header row of column names of at most ${MAX_HEADER_BYTES} bytes (is this a CSV file with a header?)`,
    );
  });

  it('a quoted header cell spanning lines counts as one header row', () => {
    const cell = `"${'b\n'.repeat(MAX_HEADER_BYTES / 2)}"`;
    const { error } = load(`${cell},digit\n1,2\n`);
    expect(error.message).toMatch(/^the header row is \d+ bytes long/);
  });

  it('a long column name under the limit is quoted cut to 200 characters', () => {
    const name = 'c'.repeat(5_000);
    const { error } = load(`${name}\n1\n`);
    expect(error.message).toBe(`label column "digit" not found; the file's columns are "${'c'.repeat(200)}… (4800 more characters)"`);
    expect(error.location?.field).toBe('digit');
  });
});
