/**
 * Checks the schema cannot express: threshold order, files that must exist, data formats, and
 * combinations of surface and attacks. They run on the merged document even when the schema found
 * problems, so they only look at values of the expected type.
 *
 * Decisions (documented in the schema descriptions too):
 * - `top-k` with a surface other than `top-k`, and `decimals` with `scores: label`, are warnings:
 *   the setting is ignored, and what is measured (the surface as declared) is never less than
 *   what the ignored setting would reveal, so nothing is measured too leniently.
 * - `scores: top-k` without `top-k` is an error: how many scores are revealed changes the result.
 * - Score attacks with `scores: label` are an error: they cannot run on that surface.
 * - For every metric higher = more leakage, so `warn` must not exceed `fail`; for tpr-at-fpr,
 *   `warn`/`fail` must be above `fpr` (a random guess already reaches TPR = FPR).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { PolicyError } from '../errors';
import { MEMBERSHIP_ATTACKS, type DataFileSettings, type PolicyWarning } from './types';
import { isPlainObject, type MergedPolicy, type PlainObject } from './merge';
import { displayName, presetDirectory } from './presets';
import { fieldName, type PolicyPath } from './source';

/** Attacks that need the class scores; the others only need the predicted label. */
export const SCORE_ATTACKS = ['loss', 'confidence', 'entropy', 'modified-entropy'] as const;
export const LABEL_ONLY_ATTACKS = ['gap', 'label-stability'] as const;

/** The data formats, by file extension. */
const FORMAT_BY_EXTENSION: Record<string, DataFileSettings['format']> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.npy': 'npy',
};

export const THRESHOLD_KEYS = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;

function get(data: unknown, path: PolicyPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Absolute path of a path value, relative to the file that wrote it. */
export function resolvePathValue(merged: MergedPolicy, path: PolicyPath): string {
  const value = get(merged.data, path) as string;
  return resolve(dirname(merged.origin(path).file), value);
}

/** The format of a data file: `format:` if given, else from the extension. */
export function dataFormat(entry: PlainObject): DataFileSettings['format'] | undefined {
  const format = entry['format'];
  if (format === 'csv' || format === 'jsonl' || format === 'npy') return format;
  const path = entry['path'];
  if (typeof path !== 'string') return undefined;
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

export function semanticChecks(merged: MergedPolicy): {
  errors: PolicyError[];
  warnings: PolicyWarning[];
} {
  const errors: PolicyError[] = [];
  const warnings: PolicyWarning[] = [];
  const policyFile = merged.layers[merged.layers.length - 1]!.file;
  const locationOf = (path: PolicyPath, part: 'key' | 'value', field: PolicyPath) => {
    const where = merged.locate(path, part);
    return { file: where.source.file, line: where.line, column: where.column, field: fieldName(field) };
  };
  const error = (path: PolicyPath, part: 'key' | 'value', message: string, field = path) => {
    errors.push(new PolicyError(message, locationOf(path, part, field)));
  };
  const warning = (path: PolicyPath, part: 'key' | 'value', message: string, field = path) => {
    warnings.push({ message, location: locationOf(path, part, field) });
  };
  const presets = presetDirectory();
  const where = (path: PolicyPath): string => {
    const at = merged.locate(path, 'key');
    const file = at.source.file;
    if (presets && dirname(file) === presets) {
      return `the ${basename(file, '.yaml')} preset, ${file}:${at.line}`;
    }
    return `${displayName(file, policyFile)}:${at.line}`;
  };
  const data = merged.data;

  // Files that must exist.
  const mustExist = (path: PolicyPath, what: string): void => {
    if (typeof get(data, path) !== 'string') return;
    const file = resolvePathValue(merged, path);
    if (!existsSync(file)) error(path, 'value', `${what} not found: ${file}`);
    else if (!statSync(file).isFile()) error(path, 'value', `${what} is not a file: ${file}`);
  };
  mustExist(['model', 'path'], 'model file');

  let allNpyWithLabels = true;
  let anyDataFile = false;
  for (const role of ['members', 'non-members']) {
    const entry = get(data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    anyDataFile = true;
    mustExist(['data', role, 'path'], `${role} data file`);
    const format = dataFormat(entry);
    if (format === undefined && typeof entry['path'] === 'string' && entry['format'] === undefined) {
      error(
        ['data', role, 'path'],
        'value',
        `cannot tell the format of "${entry['path']}" from its extension; expected a .csv, .jsonl, .ndjson or .npy file, or add format: csv | jsonl | npy`,
      );
    }
    if (format !== undefined && format !== 'npy') {
      for (const key of ['labels', 'columns']) {
        if (entry[key] !== undefined) {
          error(
            ['data', role, key],
            'key',
            `${key} is only for .npy data; data.${role} is ${format}, whose ${key === 'labels' ? 'labels are the label column' : 'columns are named in the file'}`,
          );
        }
      }
    }
    if (format === 'npy' && typeof entry['labels'] === 'string') {
      mustExist(['data', role, 'labels'], `${role} labels file`);
    }
    if (!(format === 'npy' && entry['labels'] !== undefined)) allNpyWithLabels = false;
  }
  if (anyDataFile && get(data, ['data', 'label']) === undefined && !allNpyWithLabels) {
    error(
      ['data'],
      'key',
      'missing required key "label" in data (the name of the label column; only .npy files with a separate labels file can leave it out)',
      ['data', 'label'],
    );
  }

  // Surface.
  const surface = get(data, ['surface']);
  const scores = isPlainObject(surface) && typeof surface['scores'] === 'string' ? surface['scores'] : 'full';
  if (isPlainObject(surface)) {
    if (surface['top-k'] !== undefined && scores !== 'top-k') {
      warning(
        ['surface', 'top-k'],
        'key',
        `top-k is ignored because surface.scores is ${scores}, not top-k; set scores: top-k if the deployed model reveals only the top ${surface['top-k']} scores, or remove top-k`,
      );
    }
    if (scores === 'top-k' && surface['top-k'] === undefined) {
      error(
        ['surface', 'scores'],
        'value',
        'surface.scores is top-k but top-k is not set; add e.g. top-k: 3 (how many of the highest scores the deployed model reveals)',
        ['surface', 'top-k'],
      );
    }
    if (surface['decimals'] !== undefined && scores === 'label') {
      warning(
        ['surface', 'decimals'],
        'key',
        'decimals is ignored because surface.scores is label, which reveals no scores; remove decimals, or set scores: full or top-k if the deployed model reveals rounded scores',
      );
    }
  }

  // Membership probe.
  const membership = get(data, ['probes', 'membership']);
  if (isPlainObject(membership)) {
    const attacks = membership['attacks'];
    if (scores === 'label' && Array.isArray(attacks)) {
      const needScores = attacks
        .map((a, i) => ({ a, i }))
        .filter(({ a }) => (SCORE_ATTACKS as readonly unknown[]).includes(a));
      if (needScores.length > 0) {
        const names = needScores.map(({ a }) => a).join(', ');
        error(
          ['probes', 'membership', 'attacks', needScores[0]!.i],
          'value',
          `attack${needScores.length > 1 ? 's' : ''} ${names} need${needScores.length > 1 ? '' : 's'} class scores, but surface.scores is label (set in ${where(['surface', 'scores'])}): the label-only surface reveals no scores; use the label-only attacks ${LABEL_ONLY_ATTACKS.join(' and ')}, or describe the surface as full or top-k if the deployed model reveals scores`,
        );
      }
    }
    const thresholds = membership['thresholds'];
    if (isPlainObject(thresholds)) {
      for (const key of THRESHOLD_KEYS) {
        const t = thresholds[key];
        if (!isPlainObject(t)) continue;
        const base: PolicyPath = ['probes', 'membership', 'thresholds', key];
        const warn = t['warn'];
        const fail = t['fail'];
        if (typeof warn === 'number' && typeof fail === 'number' && warn > fail) {
          const warnLayer = merged.layers.indexOf(merged.origin([...base, 'warn']));
          const failLayer = merged.layers.indexOf(merged.origin([...base, 'fail']));
          const blame = failLayer > warnLayer ? 'fail' : 'warn';
          const other = blame === 'fail' ? 'warn' : 'fail';
          const inherited =
            warnLayer !== failLayer ? ` (${other} is set in ${where([...base, other])})` : '';
          error(
            [...base, blame],
            'key',
            `warn (${warn}) is above fail (${fail}) for ${fieldName(base)}${inherited}; warn must not exceed fail, since a higher ${key} means more leakage`,
          );
        }
        if (key === 'tpr-at-fpr' && typeof t['fpr'] === 'number') {
          for (const level of ['warn', 'fail'] as const) {
            const value = t[level];
            if (typeof value === 'number' && value <= t['fpr']) {
              error(
                [...base, level],
                'key',
                `${level} (${value}) must be above fpr (${t['fpr']}) for ${fieldName(base)}: a random guess already reaches TPR = FPR`,
              );
            }
          }
        }
      }
    }
  }
  inversionChecks(data, error, warning, where, merged);
  return { errors, warnings };
}

/**
 * Class reconstruction: the smoothness prior needs an image shape; `samples` only matters to
 * NES (a warning, as with top-k); thresholds in order. The image shape's size is checked
 * against the model when the probe runs, since only the model knows its feature count.
 */
function inversionChecks(
  data: unknown,
  error: (path: PolicyPath, part: 'key' | 'value', message: string, field?: PolicyPath) => void,
  warning: (path: PolicyPath, part: 'key' | 'value', message: string) => void,
  where: (path: PolicyPath) => string,
  merged: MergedPolicy,
): void {
  const inversion = get(data, ['probes', 'inversion']);
  if (!isPlainObject(inversion)) return;
  const base: PolicyPath = ['probes', 'inversion'];
  const smoothness = inversion['smoothness'];
  if (typeof smoothness === 'number' && smoothness > 0 && inversion['image'] === undefined) {
    error(
      [...base, 'smoothness'],
      'key',
      'smoothness (a total-variation prior over neighbouring pixels) needs the image shape; add e.g. image: { height: 8, width: 8 }, or remove smoothness for tabular inputs',
    );
  }
  if (inversion['samples'] !== undefined && inversion['gradient'] === 'central') {
    warning(
      [...base, 'samples'],
      'key',
      'samples is ignored because gradient is central (central differences query 2 points per feature); set gradient: nes or auto to use random directions, or remove samples',
    );
  }
  const thresholds = inversion['thresholds'];
  if (!isPlainObject(thresholds)) return;
  for (const key of INVERSION_THRESHOLD_KEYS) {
    const t = thresholds[key];
    if (!isPlainObject(t) || typeof t['warn'] !== 'number' || typeof t['fail'] !== 'number' || t['warn'] <= t['fail']) continue;
    const at: PolicyPath = [...base, 'thresholds', key];
    const warnLayer = merged.layers.indexOf(merged.origin([...at, 'warn']));
    const failLayer = merged.layers.indexOf(merged.origin([...at, 'fail']));
    const blame = failLayer > warnLayer ? 'fail' : 'warn';
    const other = blame === 'fail' ? 'warn' : 'fail';
    const inherited = warnLayer !== failLayer ? ` (${other} is set in ${where([...at, other])})` : '';
    error(
      [...at, blame],
      'key',
      `warn (${t['warn']}) is above fail (${t['fail']}) for ${fieldName(at)}${inherited}; warn must not exceed fail, since a higher ${key} means more leakage`,
    );
  }
}

export const INVERSION_THRESHOLD_KEYS = ['identification-rate', 'similarity-gain'] as const;

/** Default attacks when a policy lists none: those the surface allows. */
export function defaultAttacks(scores: string): (typeof MEMBERSHIP_ATTACKS)[number][] {
  return scores === 'label' ? [...LABEL_ONLY_ATTACKS] : [...SCORE_ATTACKS];
}
