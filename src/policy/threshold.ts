/** Reading a threshold out of the merged policy, with where it is written (for annotations). */
import { isPlainObject, valueAt, type MergedPolicy } from './merge';
import type { PolicyPath } from './source';
import type { Threshold, ThresholdSource } from './types';

/** Where the key (or the value) at `path` is written: the policy file or the preset it extends. */
export function sourceOf(merged: MergedPolicy, path: PolicyPath, part: 'key' | 'value' = 'key'): ThresholdSource {
  const where = merged.locate(path, part);
  return { file: where.source.file, line: where.line, column: where.column };
}

/** The `{ warn, fail }` mapping at `path`, located at its key; undefined when the policy has none. */
export function thresholdAt(merged: MergedPolicy, path: PolicyPath): Threshold | undefined {
  const written = valueAt(merged.data, path);
  if (!isPlainObject(written)) return undefined;
  const threshold: Threshold = { source: sourceOf(merged, path) };
  if (typeof written['warn'] === 'number') threshold.warn = written['warn'];
  if (typeof written['fail'] === 'number') threshold.fail = written['fail'];
  return threshold;
}
