/** Shared by the data tests: temp files, hand-built .npy bytes, and InputError assertions. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { InputError, type SourceLocation } from '../../src/errors';

export const FIXTURES = fileURLToPath(new URL('../fixtures/data', import.meta.url));

let dir: string | undefined;

/** Writes `content` to a fresh file in this test run's temp folder and returns its absolute path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'privacy-gate-data-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface NpyOptions {
  fortran?: boolean;
  version?: 1 | 2 | 3;
  /** Pad the header so the data starts on a 64-byte boundary, as numpy does (default true). */
  align?: boolean;
}

/** A .npy file built by hand: magic, version, little-endian header length, dict, raw data. */
export function npyBytes(descr: string, shape: number[], data: ArrayBufferView, options: NpyOptions = {}): Buffer {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  if (options.align ?? true) {
    const total = prefix + dict.length + 1;
    dict += ' '.repeat((64 - (total % 64)) % 64);
  }
  dict += '\n';
  const header = Buffer.from(dict, 'latin1');
  const out = Buffer.alloc(prefix + header.length + data.byteLength);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(out, 0);
  if (version === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  header.copy(out, prefix);
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, prefix + header.length);
  return out;
}

/** Runs `fn`, expects an InputError at `location`, whose message contains every `parts`. */
export function expectInputError(fn: () => unknown, location: Partial<SourceLocation>, parts: string[]): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  for (const [key, value] of Object.entries(location)) {
    expect(error.location?.[key as keyof SourceLocation], `location.${key} of: ${error.message}`).toBe(value);
  }
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}
