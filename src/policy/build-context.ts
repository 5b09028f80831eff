/** What a probe family's settings builder gets: its own mapping and readers for positions, paths and thresholds. */
import { dataFileAt, resolvePathValue } from './fields';
import type { MergedPolicy, PlainObject } from './merge';
import type { PolicyPath } from './source';
import { sourceOf, thresholdAt } from './threshold';
import type { DataFileSettings, SurfaceSettings, Threshold, ThresholdSource } from './types';

export interface BuildContext {
  merged: MergedPolicy;
  /** The probe's mapping under `probes:`, as merged. */
  settings: PlainObject;
  /** `['probes', id]`: where the probe's mapping is. */
  base: PolicyPath;
  /** The output surface, defaults filled in. */
  surface: SurfaceSettings;
  /** Where the key (or value) at `path` is written. */
  at(path: PolicyPath, part?: 'key' | 'value'): ThresholdSource;
  /** Absolute path of the path value at `path`. */
  file(path: PolicyPath): string;
  /** The data file mapping at `path` (path, format, npy labels and columns). */
  dataFile(path: PolicyPath): DataFileSettings;
  /** The probe's thresholds that the policy sets, by metric id, in the order of `ids`. */
  thresholds<Id extends string>(ids: readonly Id[]): Partial<Record<Id, Threshold>>;
}

export function buildContext(merged: MergedPolicy, id: string, surface: SurfaceSettings): BuildContext {
  const base: PolicyPath = ['probes', id];
  return {
    merged,
    settings: ((merged.data['probes'] as PlainObject)[id] ?? {}) as PlainObject,
    base,
    surface,
    at: (path, part = 'key') => sourceOf(merged, path, part),
    file: (path) => resolvePathValue(merged, path),
    dataFile: (path) => dataFileAt(merged, path),
    thresholds: (ids) => {
      const out: Partial<Record<(typeof ids)[number], Threshold>> = {};
      for (const metric of ids) {
        const threshold = thresholdAt(merged, [...base, 'thresholds', metric]);
        if (threshold) out[metric] = threshold;
      }
      return out;
    },
  };
}
