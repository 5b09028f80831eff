/**
 * Field readers shared by the policy's checks and builders (and by the probe families' own):
 * where a path value points and which format a data file has. They read the merged document,
 * so they only look at values of the expected type.
 */
import { dirname, extname, resolve } from 'node:path';
import { quoteUserText } from '../util/user-text';
import { valueAt, type MergedPolicy, type PlainObject } from './merge';
import type { PolicyPath } from './source';
import type { DataFileSettings } from './types';

/** The data formats, by file extension. */
const FORMAT_BY_EXTENSION: Record<string, DataFileSettings['format']> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.npy': 'npy',
  '.txt': 'text',
};

/** Absolute path of a path value, relative to the file that wrote it. */
export function resolvePathValue(merged: MergedPolicy, path: PolicyPath): string {
  const value = valueAt(merged.data, path) as string;
  return resolve(dirname(merged.origin(path).file), value);
}

/** The format of a data file: `format:` if given, else from the extension. */
export function dataFormat(entry: PlainObject): DataFileSettings['format'] | undefined {
  const format = entry['format'];
  if (format === 'csv' || format === 'jsonl' || format === 'npy' || format === 'text') return format;
  const path = entry['path'];
  if (typeof path !== 'string') return undefined;
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/** Why a data file entry's format is unknown, or undefined when it is known (or `format:` is written). */
export function unknownFormatProblem(entry: PlainObject): string | undefined {
  if (dataFormat(entry) !== undefined || typeof entry['path'] !== 'string' || entry['format'] !== undefined) return undefined;
  return `cannot tell the format of ${quoteUserText(entry['path'])} from its extension; expected a .csv, .jsonl, .ndjson or .npy file, or add format: csv | jsonl | npy`;
}

/** The data file mapping at `path` (path, format, npy labels and columns) as typed settings. */
export function dataFileAt(merged: MergedPolicy, path: PolicyPath): DataFileSettings {
  const entry = valueAt(merged.data, path) as PlainObject;
  const out: DataFileSettings = { path: resolvePathValue(merged, [...path, 'path']), format: dataFormat(entry)! };
  if (entry['labels'] !== undefined) out.labels = resolvePathValue(merged, [...path, 'labels']);
  if (entry['columns'] !== undefined) out.columns = [...(entry['columns'] as string[])];
  return out;
}
