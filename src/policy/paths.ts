/**
 * Every policy field that names a file, and the check that each resolves inside the allowed
 * roots (src/util/paths.ts). A path outside is an error at the value's line and column; the other
 * checks then say nothing about that file (not even whether it exists).
 */
import { PolicyError } from '../errors';
import { pathProblem, type AllowedRoots } from '../util/paths';
import { resolvePathValue } from './fields';
import { valueAt, type MergedPolicy } from './merge';
import { fieldName, type PolicyPath } from './source';

/** The fields holding a file path (relative to the file that declares them); `extends` is followed in presets.ts. */
export const PATH_FIELDS: readonly PolicyPath[] = [
  ['model', 'path'],
  // A tokenizer.json (the string form); the object form's vocabulary file below.
  ['model', 'tokenizer'],
  ['model', 'tokenizer', 'vocab-file'],
  ['model', 'reference-model'],
  ['data', 'members', 'path'],
  ['data', 'members', 'labels'],
  ['data', 'non-members', 'path'],
  ['data', 'non-members', 'labels'],
  ['probes', 'attribute-inference', 'auxiliary', 'path'],
  ['probes', 'attribute-inference', 'auxiliary', 'labels'],
  // A glob or a single path; a list's items are checked by the membership checks.
  ['probes', 'membership', 'reference-models', 'models'],
  ['probes', 'membership', 'reference-models', 'memberships'],
  ['probes', 'membership', 'reference-models', 'population', 'path'],
  ['probes', 'membership', 'reference-models', 'population', 'labels'],
  ['baseline', 'model'],
  ['baseline', 'report'],
];

/** Why the file at `path` may not be opened, or undefined (also when the field is not a path string). */
export function policyPathProblem(merged: MergedPolicy, path: PolicyPath, roots: AllowedRoots): string | undefined {
  if (typeof valueAt(merged.data, path) !== 'string') return undefined;
  return pathProblem(resolvePathValue(merged, path), roots);
}

export function pathChecks(merged: MergedPolicy, roots: AllowedRoots): PolicyError[] {
  const errors: PolicyError[] = [];
  for (const path of PATH_FIELDS) {
    const problem = policyPathProblem(merged, path, roots);
    if (!problem) continue;
    const where = merged.locate(path, 'value');
    errors.push(new PolicyError(problem, { file: where.source.file, line: where.line, column: where.column, field: fieldName(path) }));
  }
  return errors;
}
