/**
 * Golden files: compare rendered text with the committed file, or (UPDATE_GOLDEN=1, on a developer's
 * machine) rewrite it. Rewriting skips the comparison, so it is refused on CI: a CI job with the
 * variable set would otherwise pass whatever the rendering became.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export function compareGolden(file: string, actual: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.UPDATE_GOLDEN === '1') {
    if (env.CI === 'true') {
      throw new Error(
        'UPDATE_GOLDEN=1 rewrites golden files instead of comparing them; refused with CI=true (run it locally and commit the files)',
      );
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden`).toBe(true);
  // toBe on strings prints a line diff on failure.
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
