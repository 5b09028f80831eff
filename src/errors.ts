/**
 * Two kinds of failure, because they need different exit codes and different advice:
 * a user's input is wrong (exit 2: fix the policy, model or data), or the gate itself
 * could not finish (exit 3: a probe or runtime failure). Neither ever reads as a pass.
 */

import { boundMessage, cutUserText } from './util/user-text';

export const EXIT = { pass: 0, leak: 1, invalidInput: 2, runtimeFailure: 3 } as const;

/** Where in a user's file a mistake sits. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the policy field, or the data column, when there is one. */
  field?: string;
}

/** A mistake in the policy, model or data: the message says what was expected. */
export class InputError extends Error {
  readonly exitCode = EXIT.invalidInput;
  readonly location?: SourceLocation;
  constructor(message: string, location?: SourceLocation) {
    // Messages quote files the user controls: secrets masked and length bounded here, once,
    // whatever the caller quoted (the field may be a column name from a data file).
    super(boundMessage(message));
    if (location) this.location = location.field === undefined ? location : { ...location, field: cutUserText(location.field) };
    this.name = 'InputError';
  }

  /** "file:line:column: message" in the form editors and GitHub annotations understand. */
  describe(): string {
    const loc = this.location;
    if (!loc) return this.message;
    const pos = loc.line ? `:${loc.line}${loc.column ? `:${loc.column}` : ''}` : '';
    const field = loc.field ? ` (${loc.field})` : '';
    return `${loc.file}${pos}${field}: ${this.message}`;
  }
}

/** A policy file mistake; always carries file, line and column. */
export class PolicyError extends InputError {
  constructor(message: string, location: SourceLocation) {
    super(message, location);
    this.name = 'PolicyError';
  }
}

/** The gate could not complete a probe or talk to the runtime. */
export class RuntimeFailure extends Error {
  readonly exitCode = EXIT.runtimeFailure;
  constructor(message: string, options?: { cause?: unknown }) {
    super(boundMessage(message), options);
    this.name = 'RuntimeFailure';
  }
}

/** Exit code for anything thrown: unknown errors are runtime failures, never passes. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError || error instanceof RuntimeFailure) return error.exitCode;
  return EXIT.runtimeFailure;
}

export function describeError(error: unknown): string {
  if (error instanceof InputError) return error.describe();
  if (error instanceof Error) return boundMessage(error.message);
  return boundMessage(String(error));
}
