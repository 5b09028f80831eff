#!/usr/bin/env node
/** Entry of the bundled CLI (dist/cli.js). */
import { cli } from './cli';
import { consoleLine } from './report/escape';
import { redactSecrets } from './util/secrets';

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The message may quote a column or file name: one escaped line, then the stack frames.
    const message = error instanceof Error ? error.message : String(error);
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)) : [];
    process.stderr.write(
      redactSecrets(
        consoleLine(`privacy-gate: internal error: ${message}`) + frames.map((f) => consoleLine(`privacy-gate: ${f}`)).join(''),
      ),
    );
    process.exitCode = 3;
  },
);
