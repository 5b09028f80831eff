/** The CLI run in-process, with the temporary folder and the repository as allowed roots. */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from '../../src/cli';
import { sink } from './sink';

const root = path.resolve(__dirname, '../..');

export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await cli([...args, '--root', tmpdir(), '--root', root], out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}
