/**
 * The action's top level: whatever goes wrong, even while loading the modules, the step ends with
 * one `::error::` line (no stack trace) and exit 3, a runtime failure; never a pass, and never
 * Node's exit 1, which reads as "leakage found".
 */
import * as core from '@actions/core';
import { EXIT } from './errors';
import type { PublishOptions } from './github/publish';

/** After the action is done, nothing may keep the job alive (e.g. a connection left open). */
const EXIT_GRACE_MS = 10_000;

export function startAction(options: PublishOptions = {}): void {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // Imported here, not at the top, so a module that fails to load is caught like any failure.
  import('./main').then((main) => main.runAction(options)).then(() => setTimeout(() => process.exit(), EXIT_GRACE_MS).unref(), fail);
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  try {
    // core.error escapes line breaks: one line whatever the message holds.
    core.error(`Model Privacy Gate could not finish (exit 3): ${message}`);
  } catch {
    process.stderr.write(`Model Privacy Gate could not finish (exit 3): ${message.replace(/[\r\n]+/g, ' ')}\n`);
  }
  process.exit(EXIT.runtimeFailure);
}
