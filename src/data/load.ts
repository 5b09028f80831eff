/**
 * One data file → one Dataset: read the bytes once, hash them, parse by format, pick the
 * columns, draw the seeded `max-rows` sample, and convert only the sampled rows.
 */
import { extname, resolve } from 'node:path';
import { InputError } from '../errors';
import { rngFor } from '../util/random';
import { parseCsv } from './csv';
import { sha256 } from './hash';
import { parseJsonl } from './jsonl';
import { npyTable, parseNpy } from './npy';
import { readDataFile } from './read';
import { readRows, selectColumns } from './select';
import type { RawTable } from './table';
import type { Dataset } from './types';

export type DataFormat = 'csv' | 'jsonl' | 'npy';

export interface DataFileSpec {
  path: string;
  format: DataFormat;
  /** NPY only: a 1-D .npy file with the labels; its column is named by `LoadOptions.label`. */
  labels?: string;
  /** NPY only: names of the array's columns, in order (default "0", "1", ...). */
  columns?: string[];
}

export interface LoadOptions {
  /** "members" or "non-members"; also names the sampling stream. */
  role: string;
  /** The label column's name. */
  label: string;
  /** Column names, one glob, or undefined for every column but the label. */
  features?: string[] | string;
  /** Larger files are sampled down to this many rows (seeded, file order kept). */
  maxRows: number;
  seed: number;
}

export interface LoadedDataset {
  dataset: Dataset;
  /** Hex SHA-256 of the bytes that were parsed: the data file, and the NPY labels file if any. */
  sha256: { data: string; labels?: string };
}

/** The format a path's extension implies: .csv, .jsonl / .ndjson, .npy. */
export function formatFromPath(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.npy') return 'npy';
  throw new InputError(
    `cannot tell the data format from the extension ${JSON.stringify(ext || '(none)')}; expected .csv, .jsonl, .ndjson or .npy, or a format set in the policy`,
    { file: path },
  );
}

export function loadDataset(file: DataFileSpec, options: LoadOptions): Dataset {
  return loadDatasetWithHashes(file, options).dataset;
}

/** `loadDataset` plus the hashes of the bytes it read, so the audit record needs no second read. */
export function loadDatasetWithHashes(file: DataFileSpec, options: LoadOptions): LoadedDataset {
  const path = resolve(file.path);
  if (file.format !== 'npy' && (file.labels !== undefined || file.columns !== undefined)) {
    throw new InputError(
      `${file.labels !== undefined ? 'labels' : 'columns'} applies only to .npy data; a ${file.format} file names its own columns`,
      { file: path, field: file.labels !== undefined ? 'labels' : 'columns' },
    );
  }
  const bytes = readDataFile(path);
  const hashes: LoadedDataset['sha256'] = { data: sha256(bytes) };
  let table: RawTable;
  if (file.format === 'csv') table = parseCsv(bytes, path);
  else if (file.format === 'jsonl') table = parseJsonl(bytes, path);
  else if (file.format === 'npy') {
    let labels;
    if (file.labels !== undefined) {
      const labelsPath = resolve(file.labels);
      const labelBytes = readDataFile(labelsPath);
      hashes.labels = sha256(labelBytes);
      labels = { name: options.label, array: parseNpy(labelBytes, labelsPath) };
    }
    table = npyTable(parseNpy(bytes, path), { columns: file.columns, labels });
  } else {
    throw new InputError(`unknown data format ${JSON.stringify(file.format)}; expected csv, jsonl or npy`, { file: path, field: 'format' });
  }

  const choice = selectColumns(table, options.label, options.features);
  const rowsInFile = table.rows;
  if (rowsInFile === 0) {
    throw new InputError(`the ${options.role} file has no data rows; expected at least one`, { file: path });
  }
  const rows =
    rowsInFile > options.maxRows
      ? rngFor(options.seed, `sample:${options.role}`).sampleIndices(rowsInFile, options.maxRows)
      : everyRow(rowsInFile);
  const { x, labels } = readRows(table, choice, rows);
  const origin = { fileRows: rows, lines: fileLines(table, rows) };
  return {
    dataset: { role: options.role, file: path, features: choice.features, x, labels, rows: rows.length, rowsInFile, origin },
    sha256: hashes,
  };
}

/** 0, 1, …, count − 1 (a plain loop: `Uint32Array.from` with a mapping function took 60 ms for 100,000 rows). */
function everyRow(count: number): Uint32Array {
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows;
}

/** The 1-based line of each sampled row, where the format has lines (CSV, JSONL; not NPY). */
function fileLines(table: RawTable, rows: Uint32Array): Uint32Array | undefined {
  if (table.locate(0, 0).line === undefined) return undefined;
  const lines = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = table.locate(rows[i]!, 0).line ?? 0;
  return lines;
}
