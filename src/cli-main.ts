#!/usr/bin/env node
/** Entry of the bundled CLI (dist/cli.js). */
import { cli } from './cli';
import { redactSecrets } from './util/secrets';

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(redactSecrets(`privacy-gate: internal error: ${error instanceof Error ? error.stack : String(error)}\n`));
    process.exitCode = 3;
  },
);
