/** Where a loaded row sits in its file, for messages that point a user at one record. */
import type { Dataset } from './types';

/** "line 12" (CSV, JSONL), "data row 11" (NPY: no lines), or "loaded row 3" (rows built in memory). */
export function rowPlace(data: Pick<Dataset, 'origin'>, row: number): string {
  const line = data.origin?.lines?.[row];
  if (line) return `line ${line}`;
  const fileRow = data.origin?.fileRows[row];
  return fileRow === undefined ? `loaded row ${row + 1}` : `data row ${fileRow + 1}`;
}
