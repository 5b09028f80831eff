/**
 * The policy at a pull request's base commit: read from git in the workspace (`git cat-file`
 * run with execFile, no shell), parsed by the same loader as the head's (presets, merge, schema,
 * errors with lines), and compared with the head's (src/policy/diff.ts).
 *
 * The base commit must be in the clone: actions/checkout fetches one commit by default, which is
 * the merge commit, not the base; `fetch-depth: 0` (or `git fetch origin <base sha>`) brings it.
 * When it is missing the comparison says "not compared", never nothing; under policy-from: base
 * the gate cannot know the rules it must enforce, so it stops with exit 2 (fail closed).
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors';
import { readPolicyDocument, type PolicyTexts } from '../policy';
import { diffPolicies, type PolicyChange } from '../policy/diff';
import { defaultAttacks } from '../probes/membership/settings';
import { attackInputsOf, defaultTextAttacks } from '../probes/text-membership/settings';
import type { PolicyComparison } from '../result';
import type { AllowedRoots } from '../util/paths';
import type { RunContext } from './context';
import type { PolicyFrom } from './inputs';

/** The comparison for the report, and the base commit's texts when policy-from: base is to enforce them. */
export interface BasePolicy {
  comparison: PolicyComparison;
  /** Set when the base commit has the policy: the loader reads the policy and what it extends from here. */
  texts?: PolicyTexts;
  /** Messages for the log: a missing base commit is a warning, a policy new in this pull request a notice. */
  messages: { level: 'warning' | 'notice'; text: string }[];
}

/** Largest policy file read from git, as from the disk (src/policy/source.ts). */
const MAX_GIT_BYTES = 2 * 1024 * 1024;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Reads and compares the base commit's policy. `policyFile` is as the gate resolves it (relative
 * to the working directory). Locations in the changes are relative to `cwd`, like every path in
 * the report. Throws InputError (exit 2) only when policy-from is base and the base cannot be read.
 */
export function readBasePolicy(
  policyFile: string,
  context: RunContext,
  options: { roots: AllowedRoots; policyFrom: PolicyFrom; cwd?: string },
): BasePolicy {
  const cwd = options.cwd ?? process.cwd();
  const enforced = options.policyFrom;
  const file = resolve(cwd, policyFile);
  const raw: unknown = context.payload.pull_request?.base?.sha;
  const baseSha = typeof raw === 'string' && SHA.test(raw) ? raw : undefined;
  const notCompared = (reason: string, fix: string): BasePolicy => {
    if (enforced === 'base') {
      // Fail closed: the rules to enforce are unknown, so nothing may pass.
      throw new InputError(`${reason}, so the base branch's policy (policy-from: base) cannot be enforced and nothing is gated; ${fix}`, {
        file: 'action inputs',
        field: 'policy-from',
      });
    }
    return {
      comparison: { status: 'not-compared', ...(baseSha ? { baseSha } : {}), enforced, reason, changes: [] },
      messages: [{ level: 'warning', text: `Policy changes not compared: ${reason}; ${fix}` }],
    };
  };
  if (!baseSha) {
    return notCompared(
      `the ${context.eventName} event names no base commit (pull_request.base.sha)`,
      'run the gate on pull_request or pull_request_target events',
    );
  }
  const root = gitRoot(file, context.workspace);
  if (!root) return notCompared(`${context.workspace} is not a git checkout`, 'check the repository out with actions/checkout');
  const fetchFix = `check out with actions/checkout and fetch-depth: 0, or run \`git fetch --no-tags --depth=1 origin ${baseSha}\` before the gate`;
  if (!git(root, ['cat-file', '-e', `${baseSha}^{commit}`])) {
    return notCompared(`the base commit ${baseSha} is not in the clone at ${root}`, fetchFix);
  }
  const texts = baseTexts(root, baseSha);
  const name = repoRelative(root, file);
  if (name === undefined) {
    // Not versioned (e.g. written to RUNNER_TEMP by an earlier step): there is no base version to enforce.
    return notCompared(`the policy ${file} is outside the repository ${root}`, 'keep the policy in the repository');
  }
  if (texts.text(file) === null) {
    const text =
      `The policy ${name} does not exist at the base commit ${baseSha}: nothing to compare` +
      (enforced === 'base' ? '; policy-from: base falls back to the pull request’s policy.' : '.');
    return {
      comparison: { status: 'new-policy', baseSha, enforced: 'head', changes: [] },
      messages: [{ level: 'notice', text }],
    };
  }
  const base = readPolicyDocument(file, { roots: options.roots, texts });
  const head = readPolicyDocument(file, { roots: options.roots });
  if (!base.merged || !head.merged) {
    // Under policy-from: base the loader reports the base policy's error itself (exit 2), at its line.
    const [which, errors] = !base.merged ? ['base commit’s', base.errors] : ['pull request’s', head.errors];
    const reason = `the ${which} policy is not valid: ${errors[0]?.describe() ?? 'unreadable'}`;
    return {
      comparison: { status: 'not-compared', baseSha, enforced, reason, changes: [] },
      texts: enforced === 'base' ? texts : undefined,
      messages: [{ level: 'warning', text: `Policy changes not compared: ${reason}` }],
    };
  }
  const changes = diffPolicies(base.merged, head.merged, {
    root,
    defaultLists: {
      'probes.membership.attacks': (doc) => defaultAttacks(surfaceScores(doc)),
      'probes.text-membership.attacks': (doc) => defaultTextAttacks(attackInputsOf(doc)),
    },
  }).map((change): PolicyChange => ({ ...change, location: { ...change.location, file: portable(relative(cwd, change.location.file)) } }));
  return {
    comparison: { status: 'compared', baseSha, enforced, changes },
    texts: enforced === 'base' ? texts : undefined,
    messages: [],
  };
}

function surfaceScores(doc: Record<string, unknown>): string {
  const surface = doc['surface'];
  const scores = surface !== null && typeof surface === 'object' ? (surface as Record<string, unknown>)['scores'] : undefined;
  return typeof scores === 'string' ? scores : 'full';
}

/**
 * Files of the repository at the base commit, by absolute path: null for one the commit does
 * not have; undefined (read from the disk) for files outside the repository, such as the shipped
 * presets, which belong to the gate's version, not to the pull request.
 */
function baseTexts(root: string, sha: string): PolicyTexts {
  const cache = new Map<string, string | null>();
  return {
    text(file) {
      const name = repoRelative(root, file);
      if (name === undefined) return undefined;
      if (!cache.has(name)) {
        const kind = gitText(root, ['cat-file', '-t', `${sha}:${name}`])?.trim();
        cache.set(name, kind === 'blob' ? (gitText(root, ['cat-file', 'blob', `${sha}:${name}`]) ?? null) : null);
      }
      return cache.get(name)!;
    },
  };
}

/**
 * The repository checked out in the workspace, as a real path; when the workspace is not one
 * (actions/checkout with `path:`), the repository holding the policy's folder.
 */
function gitRoot(file: string, workspace: string): string | undefined {
  for (const folder of [workspace, existingFolder(dirname(file))]) {
    if (!folder) continue;
    const top = gitText(folder, ['rev-parse', '--show-toplevel'])?.trim();
    if (top) return realPath(top);
  }
  return undefined;
}

/** `file` relative to the repository root with forward slashes, or undefined when it is outside. */
function repoRelative(root: string, file: string): string | undefined {
  // The folder may be a symlink (or not exist yet at the head): compare real paths where they exist.
  const folder = existingFolder(dirname(file));
  const real = folder ? join(realPath(folder), relative(folder, dirname(file)), basename(file)) : file;
  const name = relative(root, real);
  if (name === '' || name.startsWith('..') || isAbsolute(name)) return undefined;
  return portable(name);
}

function existingFolder(folder: string): string | undefined {
  let current = folder;
  for (;;) {
    try {
      realpathSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function portable(path: string): string {
  return path.split(sep).join('/');
}

/** True when git succeeds. */
function git(cwd: string, args: string[]): boolean {
  return gitText(cwd, args) !== undefined;
}

/** git's output, or undefined when it fails (no git, not a repository, no such object). */
function gitText(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: MAX_GIT_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
  } catch {
    return undefined;
  }
}
