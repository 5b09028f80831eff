/**
 * Which files the gate may open. A policy comes from a pull request, so its paths are hostile:
 * `data.members.path: /proc/self/environ` would otherwise put the runner's environment (tokens
 * included) into every report. Every path from a policy, and the policy itself, must resolve
 * (after symlinks) inside an allowed root: the workspace, the runner's temporary folder, or a
 * folder the workflow or command line names. /proc, /sys and /dev are refused even inside a root
 * (a root of `/` must not open them): they hold the process environment, kernel state and devices.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** Never read, whatever the roots: the process environment, kernel state and devices live here. */
export const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'] as const;

/** Folders the gate may read from, as absolute real paths (symlinks resolved). */
export type AllowedRoots = readonly string[];

/**
 * The roots when none are given: the working folder (the workspace in a workflow) and the
 * runner's temporary folder when RUNNER_TEMP is set (workflows write generated data there).
 */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AllowedRoots {
  return rootsWithRunnerTemp([cwd], env);
}

/** `folders` plus the runner's temporary folder when RUNNER_TEMP is set. */
export function rootsWithRunnerTemp(folders: readonly string[], env: NodeJS.ProcessEnv = process.env): AllowedRoots {
  return allowedRoots([...folders, ...(env['RUNNER_TEMP'] ? [env['RUNNER_TEMP']] : [])]);
}

/** Real paths of existing folders, duplicates removed; a folder that does not exist is skipped. */
export function allowedRoots(folders: readonly string[]): AllowedRoots {
  const out: string[] = [];
  for (const folder of folders) {
    const real = realPath(resolve(folder));
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

/** The first of `folders` that is not an existing folder, for a clear error at the input. */
export function missingFolder(folders: readonly string[]): string | undefined {
  return folders.find((folder) => !existsSync(folder) || !statSync(folder).isDirectory());
}

/**
 * Why `file` may not be opened, or undefined when it may: the sentence names the resolved path
 * and the allowed roots. A path that does not exist is judged by where it would resolve, so the
 * answer never reveals whether a file outside the roots exists.
 */
export function pathProblem(file: string, roots: AllowedRoots): string | undefined {
  const absolute = resolve(file);
  const real = realPath(absolute);
  for (const candidate of [absolute, real]) {
    const system = SYSTEM_FOLDERS.find((folder) => isInside(candidate, folder));
    if (system)
      return `${describe(absolute, real)} is under ${system}, which the gate never reads (it holds the process environment, kernel state or devices)`;
  }
  if (roots.some((root) => isInside(real, root))) return undefined;
  return `${describe(absolute, real)} is outside the folders the gate may read (${roots.join(', ') || 'none'}); keep the policy, model and data in the workspace, or allow another folder with --root DIR (CLI) or the allowed-roots input (action)`;
}

function describe(absolute: string, real: string): string {
  return real === absolute ? absolute : `${absolute} (a link to ${real})`;
}

/** Is `file` the folder `root` or inside it? Both absolute and normalised. */
export function isInside(file: string, root: string): boolean {
  if (root === sep) return true;
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of a path that may not exist yet: its deepest existing ancestor resolved, the rest appended. */
function realPath(absolute: string): string {
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(realPath(parent), basename(absolute));
  }
}
