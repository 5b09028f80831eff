/** Reads a data file once (the loader parses and hashes the same bytes), turning fs errors into user errors. */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors';

export function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found; expected a data file at this path'
        : code === 'EISDIR'
          ? 'this is a folder; expected a data file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied reading the data file'
            : `cannot read the data file: ${(error as Error).message}`;
    throw new InputError(reason, { file: path });
  }
}
