/** SHA-256 of data files for the audit record: the report names exactly which bytes were tested. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Hex SHA-256 of bytes the caller already holds (the loader hashes what it parsed). */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hex SHA-256 of a file's contents, read in 8 MB pieces (a model's external data may be tens of GB). */
export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const piece = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, piece); n > 0; n = readSync(fd, piece)) hash.update(piece.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
