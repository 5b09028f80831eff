/**
 * The CLI: `privacy-gate run` and `privacy-gate validate`. Exit codes are the contract:
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
import { formatInterval, formatNumber, statusExplanation } from './report/format';
import { runGate } from './run/gate';
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
  if (command !== 'run' && command !== 'validate') {
    err.write(`${consoleLine(`privacy-gate: expected a command, run or validate${command ? `, not "${command}"` : ''}`)}\n${HELP}`);
    return EXIT.invalidInput;
  }
  const policy = policyArgument(values.policy, positionals.slice(1));
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
    return command === 'validate' ? await validate(policy.file, roots, out, err) : await run(policy.file, values.out, roots, out, err);
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
  outDir = 'privacy-gate-report',
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
  const report = await runGate(policy, { roots });
  const files = writeReportFiles(report, outDir);
  for (const warning of report.warnings) err.write(consoleLine(`privacy-gate: warning: ${warning}`));
  if (report.error) err.write(consoleLine(`privacy-gate: ${report.error.message}`));
  for (const probe of report.probes) {
    for (const check of probe.checks) {
      const why = statusExplanation(check);
      out.write(
        consoleLine(
          `${check.status.padEnd(5)} ${probe.id}/${check.attack} ${check.metric} = ${formatNumber(check.value)} ${formatInterval(check.ci)}${why ? ` (${why})` : ''}`,
        ),
      );
    }
  }
  out.write(consoleLine(`verdict: ${report.verdict} (exit ${report.exitCode}); report: ${files.report}`));
  return report.exitCode;
}
