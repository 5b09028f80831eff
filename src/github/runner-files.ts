/**
 * The two files the runner hands every step: GITHUB_OUTPUT (step outputs) and GITHUB_STEP_SUMMARY
 * (the job summary). When one is unset, missing or unwritable, the write returns a one-line
 * problem naming the variable and the path instead of throwing, so the caller can still publish
 * everything else and then fail the step with exit 3. (@actions/core would throw "Missing file at
 * path", or with GITHUB_OUTPUT unset fall back to the deprecated ::set-output command.)
 */
import * as core from '@actions/core';
import { appendFileSync, existsSync } from 'node:fs';

type RunnerFile = 'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY';

const PURPOSE: Record<RunnerFile, string> = {
  GITHUB_OUTPUT: 'the step outputs',
  GITHUB_STEP_SUMMARY: 'the job summary',
};

/** Writes every output; the first problem, if any (later outputs are still tried). */
export function writeStepOutputs(outputs: Record<string, string>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const unusable = checkRunnerFile('GITHUB_OUTPUT', env);
  if (unusable) return unusable;
  let problem: string | undefined;
  for (const [name, value] of Object.entries(outputs)) {
    try {
      core.setOutput(name, value);
    } catch (error) {
      problem ??= cannotWrite('GITHUB_OUTPUT', env.GITHUB_OUTPUT!, error);
    }
  }
  return problem;
}

/** Appends to the job summary; the problem, if any. */
export function appendJobSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const unusable = checkRunnerFile('GITHUB_STEP_SUMMARY', env);
  if (unusable) return unusable;
  try {
    appendFileSync(env.GITHUB_STEP_SUMMARY!, markdown);
    return undefined;
  } catch (error) {
    return cannotWrite('GITHUB_STEP_SUMMARY', env.GITHUB_STEP_SUMMARY!, error);
  }
}

/** The runner creates both files before the step starts; one missing means a broken runner. */
function checkRunnerFile(name: RunnerFile, env: NodeJS.ProcessEnv): string | undefined {
  const file = env[name];
  if (!file) return `cannot write ${PURPOSE[name]}: ${name} is not set (the Actions runner sets it for every step)`;
  if (!existsSync(file))
    return `cannot write ${PURPOSE[name]}: ${name} is ${file}, which does not exist (the runner creates it before the step starts)`;
  return undefined;
}

function cannotWrite(name: RunnerFile, file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOSPC'
        ? 'no space left on the device'
        : code === 'EISDIR'
          ? 'it is a folder'
          : ((error as Error)?.message ?? String(error));
  return `cannot write ${PURPOSE[name]}: ${name} is ${file}, which cannot be written (${reason})`;
}
