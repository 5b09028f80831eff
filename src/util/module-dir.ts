import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the running code: `__dirname` in the CJS bundle (dist/), the module's own folder
 * when run from source as ESM (tests, tsx). Files shipped beside the bundle are found from it.
 */
export function moduleDirectory(): string | undefined {
  if (typeof __dirname === 'string' && __dirname) return __dirname;
  try {
    // esbuild's CJS output replaces `import.meta` by an empty object: url is then undefined.
    const url: string | undefined = import.meta.url;
    if (url) return dirname(fileURLToPath(url));
  } catch {
    // not an ES module
  }
  return undefined;
}
