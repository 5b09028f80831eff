/**
 * `probes.membership.reference-models.models`: a glob or a list of paths. A glob may have
 * wildcards (`*`, `?`) in its file name only, so the folder it reads is plain to see and
 * confined like any other policy path; its matches are the folder's files, sorted.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const WILDCARD = /[*?]/;

export function isGlob(pattern: string): boolean {
  return WILDCARD.test(pattern);
}

/** Why the glob cannot be expanded (wildcards in the folder part, no such folder), or undefined. */
export function globProblem(absolutePattern: string): string | undefined {
  const folder = dirname(absolutePattern);
  if (isGlob(folder)) return `wildcards are allowed in the file name only, not in the folder (${folder})`;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return `folder not found: ${folder}`;
  return undefined;
}

/** The files of the pattern's folder whose names match it, sorted; call after globProblem. */
export function expandGlob(absolutePattern: string): string[] {
  const folder = dirname(absolutePattern);
  const name = basename(absolutePattern);
  const regex = new RegExp(
    `^${[...name].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|]/g, '\\$&'))).join('')}$`,
    's',
  );
  return readdirSync(folder)
    .filter((f) => regex.test(f))
    .map((f) => join(folder, f))
    .filter((f) => statSync(f).isFile())
    .sort((a, b) => {
      const x = basename(a);
      const y = basename(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
}
