/** Where a policy file pulls in what it extends, for annotations and SARIF (src/report/locate.ts). */
import { existsSync, readFileSync } from 'node:fs';

/** Line of the top-level `extends:` key in a policy file (1-based), or undefined. */
export function extendsLineOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const index = lines.findIndex((line) => /^extends\s*:/.test(line));
  return index >= 0 ? index + 1 : undefined;
}
