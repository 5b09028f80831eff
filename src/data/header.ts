/**
 * A data file's column names from its header alone, for `privacy-gate validate`: the CSV header
 * row, the keys of a JSON Lines file's first object, an .npy file's shape (and its labels file's).
 * Only the start of each file is read, so checking a policy against a large file stays instant;
 * the names are those the loader would give (src/data/load.ts), with the same errors.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors';
import { MAX_HEADER_BYTES, parseCsv } from './csv';
import { parseJsonl } from './jsonl';
import type { DataFileSpec } from './load';
import { NPY_MAGIC, NPY_PREFIX_BYTES, npyColumnNames, parseNpyHeader } from './npy';

export interface DataHeader {
  /** Absolute path. */
  file: string;
  /** Column names in file order, the NPY labels file's column (named by the label) last. */
  columns: string[];
}

const CHUNK = 64 * 1024;
const LF = 10;

/** The column names of `spec`; `label` names the labels column of an .npy file with a separate labels file. */
export function readDataHeader(spec: DataFileSpec, label: string): DataHeader {
  const file = resolve(spec.path);
  if (spec.format === 'csv') return { file, columns: [...parseCsv(headOfFile(file, csvHeaderEnd), file).columns] };
  if (spec.format === 'jsonl') return { file, columns: [...parseJsonl(headOfFile(file, firstObjectEnd), file).columns] };
  const array = npyHeaderOf(file);
  const labels = spec.labels === undefined ? undefined : { name: label, array: npyHeaderOf(resolve(spec.labels)) };
  return { file, columns: npyColumnNames(array, { columns: spec.columns, labels }) };
}

function npyHeaderOf(file: string): { file: string; shape: number[] } {
  return { file, shape: parseNpyHeader(headOfFile(file, npyHeaderEnd), file).shape };
}

/** Where an .npy file's data starts, once the bytes hold its header length (anything else: stop, and let the parser say why). */
function npyHeaderEnd(bytes: Buffer): number | undefined {
  if (bytes.length < NPY_PREFIX_BYTES) return undefined;
  if (NPY_MAGIC.some((b, i) => bytes[i] !== b)) return bytes.length;
  const dataOffset = bytes[6] === 1 ? 10 + bytes.readUInt16LE(8) : 12 + bytes.readUInt32LE(8);
  return bytes.length >= dataOffset ? dataOffset : undefined;
}

/**
 * The first bytes of a file, read in chunks until `end` says where the wanted part stops (or the
 * file ends, or MAX_HEADER_BYTES is passed: the parser then reports what is wrong).
 */
function headOfFile(file: string, end: (bytes: Buffer) => number | undefined): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found; expected a data file at this path' : `cannot read the data file (${code})`, {
      file,
    });
  }
  try {
    // The buffer doubles, so a long header is read in a few reads and copies, not one per chunk.
    let bytes = Buffer.alloc(CHUNK);
    let total = 0;
    for (;;) {
      if (total === bytes.length) bytes = Buffer.concat([bytes, Buffer.alloc(bytes.length)]);
      const read = readSync(fd, bytes, total, bytes.length - total, total);
      total += read;
      const head = bytes.subarray(0, total);
      const stop = end(head);
      if (stop !== undefined) return head.subarray(0, stop);
      if (read === 0 || total > MAX_HEADER_BYTES + 1) return head;
    }
  } finally {
    closeSync(fd);
  }
}

/** After the first line break outside a quoted field: the CSV header record. */
function csvHeaderEnd(bytes: Buffer): number | undefined {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 34) quoted = !quoted;
    else if (bytes[i] === LF && !quoted) return i + 1;
  }
  return undefined;
}

/** After the first line that is not blank: a JSON Lines file's first object. */
function firstObjectEnd(bytes: Buffer): number | undefined {
  let start = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, start)) {
    if (bytes.subarray(start, i).toString('utf8').trim() !== '') return i + 1;
    start = i + 1;
  }
  return undefined;
}
