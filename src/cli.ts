/**
 * The CLI: `privacy-gate run`, `privacy-gate validate` and, for a run split over several jobs,
 * `privacy-gate run --shard i/n` and `privacy-gate merge`. Exit codes are the contract:
 * 0 pass (warnings allowed), 1 leakage over a fail threshold, 2 invalid policy/model/data,
 * 3 runtime or probe failure.
 *
 * Every line this prints starts with fixed text (`privacy-gate: `, a status) and goes through
 * `consoleLine`: column, class and attack names, paths and messages come from the policy, the
 * data and the model, and the Actions runner executes any line that starts with `::`.
 */
import { parseArgs } from 'node:util';
import { describeError, EXIT, exitCodeOf, InputError } from './errors';
import type { PolicyCheck } from './policy';
import { checkPolicy } from './run/policy';
import { validateWithInputs } from './run/validate';
import { writeReportFiles } from './publish/files';
import { consoleLine } from './report/escape';
import { formatEstimate, statusExplanation } from './report/format';
import type { GateReport } from './result';
import { runGate } from './run/gate';
import { mergeSignals } from './shard/merge';
import { runShard } from './shard/run-shard';
import { parseShard } from './shard/spec';
import { redactingStream, refreshSecrets } from './util/secrets';
import { missingFolder, rootsWithRunnerTemp, type AllowedRoots } from './util/paths';
import { TOOL } from './version';

const HELP = `privacy-gate ${TOOL.version}: fails a model release when the model leaks its training data

Usage:
  privacy-gate run [--policy] FILE [--out DIR] [--root DIR ...]
      Runs every probe in the policy against its ONNX model and writes
      privacy-report.json, summary.md, report.html (plots) and privacy-gate.sarif
      to DIR (default: privacy-gate-report). DIR is created only once the
      policy is valid.
  privacy-gate validate [--policy] FILE [--root DIR ...]
      Checks the policy (schema, presets) and what it names: the model's inputs
      and outputs and the data files' headers (column names, not the rows),
      without running the attacks; prints every problem as file:line:column: message.
  privacy-gate run [--policy] FILE --shard I/N [--out DIR] [--root DIR ...]
      Answers shard I of N of the run's model queries (its blocks of rows of each
      query, every N-th reference model; shard 1 also runs the probes that cannot be
      split) and writes privacy-gate-signals-I-of-N.signals to DIR (default:
      privacy-gate-signals). Measures nothing: run merge on all N files.
  privacy-gate merge FILE|DIR ... [--policy FILE] [--out DIR] [--root DIR ...]
      Pools the N signals files (or the folders holding them) and measures, checks and
      decides exactly as one run would, writing the same report files and exit code.
      Run it in a checkout of the same commit: the policy (default: the one the shards
      ran), model and data must have the SHA-256 the shards recorded.
  privacy-gate --help | --version

Options:
  --root DIR  A folder the policy, what it extends and every file it names may be in
              (after symlinks); repeatable. Default: the current folder. The runner's
              RUNNER_TEMP is allowed too when set. Nothing under /proc, /sys or /dev is
              ever read.

Exit codes:
  0  passed (warnings allowed)
  1  leakage over a fail threshold
  2  invalid policy, model or data (the message names the file, line/column or field)
  3  a probe or runtime failure

Policy reference: policies/policy.schema.json; presets: policies/standard.yaml, policies/strict.yaml.
`;

export async function cli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  // Nothing the CLI prints may carry a secret, whichever file or message it came from.
  refreshSecrets();
  out = redactingStream(out);
  err = redactingStream(err);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        policy: { type: 'string', short: 'p' },
        out: { type: 'string', short: 'o' },
        root: { type: 'string', multiple: true },
        shard: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    err.write(`${consoleLine(`privacy-gate: ${(error as Error).message}`)}\n${HELP}`);
    return EXIT.invalidInput;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    out.write(`${TOOL.version}\n`);
    return EXIT.pass;
  }
  const command = positionals[0];
  if (values.help || command === 'help') {
    out.write(HELP);
    return EXIT.pass;
  }
  if (command !== 'run' && command !== 'validate' && command !== 'merge') {
    err.write(`${consoleLine(`privacy-gate: expected a command, run, validate or merge${command ? `, not "${command}"` : ''}`)}\n${HELP}`);
    return EXIT.invalidInput;
  }
  if (values.shard !== undefined && command !== 'run') {
    err.write(consoleLine(`privacy-gate ${command}: --shard is an option of run`));
    return EXIT.invalidInput;
  }
  if (command === 'merge' && positionals.length < 2) {
    err.write(consoleLine('privacy-gate merge: expected the signals files of privacy-gate run --shard, or the folders holding them'));
    return EXIT.invalidInput;
  }
  const policy = command === 'merge' ? { file: values.policy } : policyArgument(values.policy, positionals.slice(1));
  if ('problem' in policy) {
    err.write(consoleLine(`privacy-gate ${command}: ${policy.problem}`));
    return EXIT.invalidInput;
  }
  const missing = values.root && missingFolder(values.root);
  if (missing) {
    err.write(
      consoleLine(
        `privacy-gate ${command}: --root ${JSON.stringify(missing)} is not a folder; expected an existing folder the policy and its files are in`,
      ),
    );
    return EXIT.invalidInput;
  }
  const roots = rootsWithRunnerTemp(values.root ?? [process.cwd()]);
  try {
    if (command === 'merge') {
      const report = await mergeSignals(positionals.slice(1), { roots, ...(policy.file ? { policy: policy.file } : {}) });
      return printReport(report, values.out, out, err);
    }
    const file = policy.file!;
    if (values.shard !== undefined)
      return await shard(
        file,
        parseShard(values.shard, { file: 'command line', field: '--shard', name: '--shard' }),
        values.out,
        roots,
        out,
      );
    return command === 'validate' ? await validate(file, roots, out, err) : await run(file, values.out, roots, out, err);
  } catch (error) {
    err.write(consoleLine(`privacy-gate: ${describeError(error)}`));
    return exitCodeOf(error);
  }
}

/** The policy file: `--policy FILE` or one positional `FILE` after the command, not both. */
function policyArgument(option: string | undefined, rest: string[]): { file: string } | { problem: string } {
  if (rest.length > 1) {
    return { problem: `expected one policy file, found ${rest.length} arguments (${rest.map((a) => JSON.stringify(a)).join(', ')})` };
  }
  const positional = rest[0];
  if (option !== undefined && positional !== undefined && option !== positional) {
    return { problem: `two policy files given (--policy ${JSON.stringify(option)} and ${JSON.stringify(positional)}); expected one` };
  }
  const file = option ?? positional;
  return file ? { file } : { problem: 'a policy file is required: privacy-gate COMMAND FILE, or --policy FILE' };
}

/** Prints a policy's warnings and errors; true when it has errors. */
function printPolicyProblems(check: PolicyCheck, err: NodeJS.WritableStream): boolean {
  for (const warning of check.warnings)
    err.write(consoleLine(`privacy-gate: warning: ${new InputError(warning.message, warning.location).describe()}`));
  for (const problem of check.errors) err.write(consoleLine(`privacy-gate: ${problem.describe()}`));
  return check.errors.length > 0;
}

async function validate(policy: string, roots: AllowedRoots, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  if (printPolicyProblems(await validateWithInputs(policy, { roots }), err)) return EXIT.invalidInput;
  out.write(consoleLine(`privacy-gate: ${policy}: valid`));
  return EXIT.pass;
}

async function run(
  policy: string,
  outDir: string | undefined,
  roots: AllowedRoots,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
) {
  // A policy error creates nothing: every problem is printed, as by validate, and no folder appears.
  const check = checkPolicy(policy, { roots });
  if (check.errors.length > 0) {
    printPolicyProblems(check, err);
    return EXIT.invalidInput;
  }
  return printReport(await runGate(policy, { roots }), outDir, out, err);
}

async function shard(
  policy: string,
  spec: ReturnType<typeof parseShard>,
  outDir = 'privacy-gate-signals',
  roots: AllowedRoots,
  out: NodeJS.WritableStream,
) {
  const written = await runShard(policy, spec, outDir, { roots });
  out.write(
    consoleLine(
      `privacy-gate: shard ${spec.index}/${spec.count}: ${written.rows} rows answered in ${written.answers} recorded answers; signals: ${written.file}`,
    ),
  );
  return EXIT.pass;
}

/** Writes the report files and prints every check and the verdict; returns the verdict's exit code. */
function printReport(report: GateReport, outDir = 'privacy-gate-report', out: NodeJS.WritableStream, err: NodeJS.WritableStream) {
  const files = writeReportFiles(report, outDir);
  for (const warning of report.warnings) err.write(consoleLine(`privacy-gate: warning: ${warning}`));
  if (report.error) err.write(consoleLine(`privacy-gate: ${report.error.message}`));
  for (const probe of report.probes) {
    for (const check of probe.checks) {
      const why = statusExplanation(check);
      out.write(
        consoleLine(
          `${check.status.padEnd(5)} ${probe.id}/${check.attack} ${check.metric} = ${formatEstimate(check)}${why ? ` (${why})` : ''}`,
        ),
      );
    }
  }
  out.write(consoleLine(`verdict: ${report.verdict} (exit ${report.exitCode}); report: ${files.report}`));
  return report.exitCode;
}
