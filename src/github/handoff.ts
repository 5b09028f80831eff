/**
 * The fork-safe pair's hand-off: the `pull_request` job (read-only token) writes which pull
 * request it measured beside the report; the `workflow_run` job, which may comment, reads it.
 * The file comes from fork code's run, so it is untrusted: it is validated here, and the pull
 * request it names is checked against the trusted workflow_run payload before commenting.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from './context';
import { PULL_REQUEST_EVENTS } from './context';

export const HANDOFF_FILE = 'pull-request.json';

export interface Handoff {
  pullRequest: number;
  headSha: string;
  job: string;
}

/** Writes the hand-off when the run is for a pull request; returns its path. */
export function writeHandoff(outDir: string, ctx: RunContext): string | undefined {
  const pr = ctx.payload.pull_request;
  if (!PULL_REQUEST_EVENTS.includes(ctx.eventName) || typeof pr?.number !== 'number') return undefined;
  const file = path.join(outDir, HANDOFF_FILE);
  const handoff: Handoff = { pullRequest: pr.number, headSha: String(pr.head?.sha ?? ''), job: ctx.job };
  writeFileSync(file, JSON.stringify(handoff, null, 2) + '\n');
  return file;
}

/** The hand-off in `folder`, or undefined when it is missing or malformed. */
export function readHandoff(folder: string): Handoff | undefined {
  const file = path.join(folder, HANDOFF_FILE);
  if (!existsSync(file) || statSync(file).size > 4096) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Handoff>;
    if (!Number.isSafeInteger(data.pullRequest) || data.pullRequest! <= 0) return undefined;
    if (typeof data.headSha !== 'string' || !/^[0-9a-f]{40}$/.test(data.headSha)) return undefined;
    const job = typeof data.job === 'string' ? data.job.slice(0, 100) : 'gate';
    return { pullRequest: data.pullRequest!, headSha: data.headSha, job };
  } catch {
    return undefined;
  }
}
