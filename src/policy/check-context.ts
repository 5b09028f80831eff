/**
 * What every policy check gets: the merged document, how to report an error or a warning at a
 * key or value, where a setting is written (for messages naming an inherited value), and the
 * checks written once (a file that must exist, a data file whose format is unknown).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { PolicyError } from '../errors';
import type { AllowedRoots } from '../util/paths';
import { resolvePathValue, unknownFormatProblem } from './fields';
import { isPlainObject, valueAt, type MergedPolicy, type PlainObject } from './merge';
import { policyPathProblem } from './paths';
import { displayName, presetDirectory } from './presets';
import { fieldName, type PolicyPath } from './source';
import type { PolicyWarning } from './types';

export type Part = 'key' | 'value';

export interface CheckContext {
  merged: MergedPolicy;
  /** The merged document. */
  data: PlainObject;
  roots: AllowedRoots;
  /** `model.task` as written; classification when absent. */
  task: unknown;
  /** `surface.scores` as written; full when absent. */
  scores: unknown;
  /** An error at `path`'s key or value; `field` names the setting when it is another (e.g. a missing key). */
  error: (path: PolicyPath, part: Part, message: string, field?: PolicyPath) => void;
  warning: (path: PolicyPath, part: Part, message: string, field?: PolicyPath) => void;
  /** "policy.yml:12", or "the standard preset, /…/standard.yaml:7": where the key at `path` is written. */
  where: (path: PolicyPath) => string;
  /** An error when the path value at `path` names no file (paths outside the roots are pathChecks' business). */
  mustExist: (path: PolicyPath, what: string) => void;
  /** An error when the data file mapping at `path` has no `format:` and an unknown extension. */
  knownFormat: (path: PolicyPath) => void;
}

export interface Findings {
  errors: PolicyError[];
  warnings: PolicyWarning[];
}

export function checkContext(merged: MergedPolicy, roots: AllowedRoots, findings: Findings): CheckContext {
  const data = merged.data;
  const policyFile = merged.layers[merged.layers.length - 1]!.file;
  const presets = presetDirectory();
  const locationOf = (path: PolicyPath, part: Part, field: PolicyPath) => {
    const where = merged.locate(path, part);
    return { file: where.source.file, line: where.line, column: where.column, field: fieldName(field) };
  };
  const error: CheckContext['error'] = (path, part, message, field = path) => {
    findings.errors.push(new PolicyError(message, locationOf(path, part, field)));
  };
  const surface = valueAt(data, ['surface']);
  return {
    merged,
    data,
    roots,
    task: valueAt(data, ['model', 'task']) ?? 'classification',
    scores: isPlainObject(surface) && typeof surface['scores'] === 'string' ? surface['scores'] : 'full',
    error,
    warning: (path, part, message, field = path) => {
      findings.warnings.push({ message, location: locationOf(path, part, field) });
    },
    where: (path) => {
      const at = merged.locate(path, 'key');
      const file = at.source.file;
      if (presets && dirname(file) === presets) return `the ${basename(file, '.yaml')} preset, ${file}:${at.line}`;
      return `${displayName(file, policyFile)}:${at.line}`;
    },
    mustExist: (path, what) => {
      if (typeof valueAt(data, path) !== 'string') return;
      // A path outside the roots is reported by pathChecks; whether it exists is nobody's business.
      if (policyPathProblem(merged, path, roots)) return;
      const file = resolvePathValue(merged, path);
      if (!existsSync(file)) error(path, 'value', `${what} not found: ${file}`);
      else if (!statSync(file).isFile()) error(path, 'value', `${what} is not a file: ${file}`);
    },
    knownFormat: (path) => {
      const entry = valueAt(data, path);
      const problem = isPlainObject(entry) ? unknownFormatProblem(entry) : undefined;
      if (problem) error([...path, 'path'], 'value', problem);
    },
  };
}
