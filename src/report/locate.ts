/**
 * Where in the repository a threshold or a policy error sits, for annotations and SARIF. Both
 * need paths relative to the repository root; a threshold inherited from a shipped preset lives
 * outside the repository (in the action's own folder), so it is placed on the `extends:` line
 * of the repository file that pulled the preset in.
 */
import path from 'node:path';
import type { GateReport } from '../result';

export interface LocateContext {
  /** The repository root (GITHUB_WORKSPACE in the action, the working directory in the CLI). */
  root: string;
  /** The folder the report's relative paths are relative to (the gate's working directory). */
  cwd: string;
  /** Line of the `extends:` key in a policy file (absolute path), if it has one. */
  extendsLine?: (file: string) => number | undefined;
}

export interface RepoLocation {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  line?: number;
  column?: number;
  /** Set when the threshold was written outside the repository: which file, which line. */
  inheritedFrom?: { file: string; line: number };
}

/** `file` relative to the root, or undefined when it lies outside the root. */
export function repoPath(file: string, ctx: LocateContext): string | undefined {
  const relative = path.relative(ctx.root, path.resolve(ctx.cwd, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/** Locates a file position (a threshold's source, or a policy error) in the repository. */
export function locate(
  position: { file: string; line?: number; column?: number },
  report: GateReport,
  ctx: LocateContext,
): RepoLocation | undefined {
  const inRepo = repoPath(position.file, ctx);
  if (inRepo) return { file: inRepo, line: position.line, column: position.column };
  // Outside the repository: find the policy file that extends it (the next one in the chain,
  // which is listed outermost first) and point at its `extends:` line.
  const chain = report.inputs.policy.map((d) => path.resolve(ctx.cwd, d.path));
  const at = chain.indexOf(path.resolve(ctx.cwd, position.file));
  const inherited = position.line ? { file: path.basename(position.file), line: position.line } : undefined;
  for (let i = at + 1; at >= 0 && i < chain.length; i++) {
    const extender = repoPath(chain[i]!, ctx);
    if (!extender) continue;
    return { file: extender, line: ctx.extendsLine?.(chain[i]!), inheritedFrom: inherited };
  }
  const policy = repoPath(report.policy.file, ctx);
  return policy ? { file: policy, inheritedFrom: inherited } : undefined;
}
