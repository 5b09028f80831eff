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
import { quoteUserText } from '../util/user-text';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { PolicyError } from '../errors';
import type { AllowedRoots } from '../util/paths';
import { sequenceChecks } from './checks-sequence';
import { pathChecks, policyPathProblem } from './paths';
import { MEMBERSHIP_ATTACKS, type DataFileSettings, type PolicyWarning } from './types';
import { isPlainObject, valueAt, type MergedPolicy, type PlainObject } from './merge';
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
  '.txt': 'text',
};

export const THRESHOLD_KEYS = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;

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

export function semanticChecks(merged: MergedPolicy, roots: AllowedRoots): {
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
    if (typeof valueAt(data, path) !== 'string') return;
    // A path outside the roots is reported by pathChecks; whether it exists is nobody's business.
    if (policyPathProblem(merged, path, roots)) return;
    const file = resolvePathValue(merged, path);
    if (!existsSync(file)) error(path, 'value', `${what} not found: ${file}`);
    else if (!statSync(file).isFile()) error(path, 'value', `${what} is not a file: ${file}`);
  };
  mustExist(['model', 'path'], 'model file');

  let allNpyWithLabels = true;
  let anyDataFile = false;
  for (const role of ['members', 'non-members']) {
    const entry = valueAt(data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    anyDataFile = true;
    mustExist(['data', role, 'path'], `${role} data file`);
    const format = dataFormat(entry);
    if (format === undefined && typeof entry['path'] === 'string' && entry['format'] === undefined) {
      error(
        ['data', role, 'path'],
        'value',
        `cannot tell the format of ${quoteUserText(String(entry['path']))} from its extension; expected a .csv, .jsonl, .ndjson or .npy file, or add format: csv | jsonl | npy`,
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
  if (anyDataFile && valueAt(data, ['data', 'label']) === undefined && !allNpyWithLabels && valueAt(data, ['model', 'task']) !== 'sequence') {
    error(
      ['data'],
      'key',
      'missing required key "label" in data (the name of the label column; only .npy files with a separate labels file can leave it out)',
      ['data', 'label'],
    );
  }

  // Surface.
  const surface = valueAt(data, ['surface']);
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
    if (surface['precision'] === 'float32' && scores === 'label') {
      warning(
        ['surface', 'precision'],
        'key',
        'precision is ignored because surface.scores is label, which reveals no scores; remove precision, or set scores: full or top-k if the deployed model reveals float32 scores',
      );
    }
  }

  // Membership probe.
  const membership = valueAt(data, ['probes', 'membership']);
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
  attributeInferenceChecks(data, error, warning, where, merged, mustExist);
  sequenceChecks(merged, error, roots);
  errors.push(...pathChecks(merged, roots));
  thresholdOrderChecks(merged, error, where);
  return { errors, warnings };
}

/**
 * warn above fail, in any probe's thresholds (every metric here grows with leakage). Blamed on
 * the value written in the more derived file, naming where the other one is set.
 */
function thresholdOrderChecks(
  merged: MergedPolicy,
  error: (path: PolicyPath, part: 'key' | 'value', message: string) => void,
  where: (path: PolicyPath) => string,
): void {
  const probes = valueAt(merged.data, ['probes']);
  if (!isPlainObject(probes)) return;
  for (const [id, probe] of Object.entries(probes)) {
    const thresholds = isPlainObject(probe) ? probe['thresholds'] : undefined;
    if (!isPlainObject(thresholds)) continue;
    for (const [key, t] of Object.entries(thresholds)) {
      if (!isPlainObject(t) || typeof t['warn'] !== 'number' || typeof t['fail'] !== 'number' || t['warn'] <= t['fail']) continue;
      const path: PolicyPath = ['probes', id, 'thresholds', key];
      const warnLayer = merged.layers.indexOf(merged.origin([...path, 'warn']));
      const failLayer = merged.layers.indexOf(merged.origin([...path, 'fail']));
      const blame = failLayer > warnLayer ? 'fail' : 'warn';
      const other = blame === 'fail' ? 'warn' : 'fail';
      const inherited = warnLayer !== failLayer ? ` (${other} is set in ${where([...path, other])})` : '';
      error(
        [...path, blame],
        'key',
        `warn (${t['warn']}) is above fail (${t['fail']}) for ${fieldName(path)}${inherited}; warn must not exceed fail, since a higher ${key} means more leakage`,
      );
    }
  }
}


/**
 * Regression models and the attribute-inference probe. A regression model reveals a value, not
 * class scores: the score surfaces and the class-based probes cannot apply (errors). In the
 * probe, settings that cannot be used are errors when they change what is measured (a missing
 * auxiliary file, names that do not match the encoding) and warnings when they are merely ignored (as with
 * top-k). Column names are checked against the data when the probe runs.
 */
function attributeInferenceChecks(
  data: unknown,
  error: (path: PolicyPath, part: 'key' | 'value', message: string, field?: PolicyPath) => void,
  warning: (path: PolicyPath, part: 'key' | 'value', message: string) => void,
  where: (path: PolicyPath) => string,
  merged: MergedPolicy,
  mustExist: (path: PolicyPath, what: string) => void,
): void {
  const regression = valueAt(data, ['model', 'task']) === 'regression';
  if (regression) {
    const scores = valueAt(data, ['surface', 'scores']);
    if (scores === 'top-k' || scores === 'label') {
      error(
        ['surface', 'scores'],
        'value',
        `surface.scores ${scores} describes class scores, but model.task is regression (set in ${where(['model', 'task'])}): a regression model reveals its predicted value; use scores: full, with decimals if the deployed model rounds the value`,
      );
    }
    for (const probe of ['membership', 'inversion']) {
      if (valueAt(data, ['probes', probe]) === undefined) continue;
      error(
        ['probes', probe],
        'key',
        `the ${probe} probe needs a classifier's class scores, but model.task is regression (set in ${where(['model', 'task'])}); on a regression model only the attribute-inference probe runs`,
      );
    }
  }

  const probe = valueAt(data, ['probes', 'attribute-inference']);
  if (!isPlainObject(probe)) return;
  const base: PolicyPath = ['probes', 'attribute-inference'];
  const oneHot = valueAt(probe, ['encoding', 'one-hot']);
  const values = probe['values'];
  if (Array.isArray(oneHot)) {
    if (Array.isArray(values) && values.length !== oneHot.length) {
      error(
        [...base, 'values'],
        'key',
        `values names ${values.length} values but encoding.one-hot lists ${oneHot.length} columns; give one name per column, in the same order`,
      );
    }
    const reference = oneHot.indexOf(null);
    if (reference >= 0 && !Array.isArray(values)) {
      error(
        [...base, 'encoding', 'one-hot', reference],
        'value',
        'a null entry (the reference level, every listed column 0) has no column to name it; add values with a name for each entry, e.g. values: [white, hispanic, other]',
      );
    }
  } else if (Array.isArray(values)) {
    const named = values.findIndex((v) => typeof v !== 'number');
    if (named >= 0) {
      error(
        [...base, 'values', named],
        'value',
        `${quoteUserText(String(values[named]))} is not a number; the values of a plain attribute column are the numbers in the data (e.g. [0, 1]); for named categories spread over several columns, add encoding: { one-hot: [...] }`,
      );
    }
  }
  const known = probe['known'];
  if (Array.isArray(known)) {
    const attributeColumns = Array.isArray(oneHot) ? oneHot : [probe['attribute']];
    known.forEach((column, i) => {
      if (!attributeColumns.includes(column)) return;
      error(
        [...base, 'known', i],
        'value',
        `${quoteUserText(String(column))} holds the sensitive attribute, which is what the attacker wants to learn; remove it from known`,
      );
    });
  } else if (probe['samples'] !== undefined) {
    warning(
      [...base, 'samples'],
      'key',
      'samples is ignored because known is not set, so the attacker knows every feature but the attribute and no feature needs filling in; list the known columns in known, or remove samples',
    );
  }
  const auxiliary = probe['auxiliary'];
  for (const key of ['prior', 'residual-spread']) {
    if (probe[key] === 'auxiliary' && auxiliary === undefined) {
      error(
        [...base, key],
        'value',
        `${key} is auxiliary but no auxiliary file is set; add auxiliary: { path: ... } (the attacker's own records, same columns as the member data), or use ${key === 'prior' ? 'non-members or uniform' : 'non-members or training'}`,
      );
    }
  }
  if (isPlainObject(auxiliary)) {
    mustExist([...base, 'auxiliary', 'path'], 'auxiliary data file');
    if (dataFormat(auxiliary) === undefined && typeof auxiliary['path'] === 'string') {
      error(
        [...base, 'auxiliary', 'path'],
        'value',
        `cannot tell the format of ${quoteUserText(String(auxiliary['path']))} from its extension; expected a .csv, .jsonl, .ndjson or .npy file, or add format: csv | jsonl | npy`,
      );
    }
  }
  if (probe['residual-spread'] !== undefined && !regression) {
    warning(
      [...base, 'residual-spread'],
      'key',
      'residual-spread is ignored because model.task is classification: a classifier\'s likelihood comes from its scores; remove residual-spread, or set model.task: regression for a regression model',
    );
  }
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
  const inversion = valueAt(data, ['probes', 'inversion']);
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
}


/** Default attacks when a policy lists none: those the surface allows. */
export function defaultAttacks(scores: string): (typeof MEMBERSHIP_ATTACKS)[number][] {
  return scores === 'label' ? [...LABEL_ONLY_ATTACKS] : [...SCORE_ATTACKS];
}
