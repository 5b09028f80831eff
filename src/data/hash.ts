/** SHA-256 of data files for the audit record: the report names exactly which bytes were tested. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Hex SHA-256 of bytes the caller already holds (the loader hashes what it parsed). */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hex SHA-256 of a file's contents. */
export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}
