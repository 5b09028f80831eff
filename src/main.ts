/**
 * The action: inputs → gate run (or an earlier run's report, in publish-only mode) → files, job
 * summary, annotations, PR comment → the one place the step fails, after everything is posted.
 */
import * as core from '@actions/core';
import { resolve } from 'node:path';
import { describeError, EXIT, exitCodeOf, InputError } from './errors';
import { readRunContext, type RunContext } from './github/context';
import { writeHandoff } from './github/handoff';
import { readInputs, type ActionSettings } from './github/inputs';
import { publishToGithub, type PublishOptions, type PublishRequest } from './github/publish';
import { writeStepOutputs } from './github/runner-files';
import { writeReportFiles } from './publish/files';
import { setRuntimeNotice } from './model/runtime';
import { loadReport } from './publish/load';
import { VERDICT_HEADLINE } from './report/format';
import { runGate } from './run/gate';
import { knownSecrets, redactDeep, redactSecrets, refreshSecrets, registerSecret } from './util/secrets';
import { missingFolder, rootsWithRunnerTemp, type AllowedRoots } from './util/paths';

interface Step {
  request: PublishRequest;
  outputs: Record<string, string>;
  /** Set when the step must fail: exit 1 leakage, 2 invalid input, 3 runtime failure. */
  failure?: { exitCode: number; message: string };
}

export async function runAction(options: PublishOptions = {}): Promise<void> {
  let failure: Step['failure'];
  registerSecrets();
  // Running on the WebAssembly fallback (no native onnxruntime for this runner) is worth a notice.
  setRuntimeNotice((message) => core.notice(message));
  // The runner's own files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) unusable: exit 3 naming them,
  // but only after everything else, the verdict included, has been published.
  const runnerProblems: string[] = [];
  const note = (problem: string | undefined) => problem && !runnerProblems.includes(problem) && runnerProblems.push(problem);
  let verdict = 'error';
  try {
    const settings = readInputs();
    const context = readRunContext();
    const step = settings.report ? publishEarlierRun(settings, context) : await measure(settings, context);
    verdict = step.outputs.verdict ?? verdict;
    note(writeStepOutputs(step.outputs));
    const published = await publishToGithub(step.request, options);
    note(published.summaryProblem);
    if ('url' in published.comment) note(writeStepOutputs({ 'comment-url': published.comment.url }));
    failure = step.failure;
  } catch (error) {
    note(writeStepOutputs({ verdict: 'error' }));
    failure = { exitCode: exitCodeOf(error), message: describeError(error) };
  }
  if (runnerProblems.length) {
    const gate = `the gate's own verdict: ${verdict}${failure ? ` (exit ${failure.exitCode}): ${failure.message}` : ''}`;
    failure = { exitCode: EXIT.runtimeFailure, message: `${runnerProblems.join('; ')}. The step fails with exit 3; ${gate}` };
  }
  // The one place the step fails: after the summary, annotations and comment are out.
  if (failure) core.setFailed(redactSecrets(failure.message));
  process.exitCode = failure?.exitCode ?? 0;
}

async function measure(settings: ActionSettings, context: RunContext): Promise<Step> {
  const report = await runGate(settings.policy, { roots: actionRoots(settings, context) });
  const files = writeReportFiles(report, settings.out, { root: context.workspace });
  writeHandoff(settings.out, context);
  return {
    request: { report, settings, context },
    outputs: { verdict: report.verdict, report: files.report, html: files.html, sarif: files.sarif },
    failure:
      report.exitCode === 0
        ? undefined
        : {
            exitCode: report.exitCode,
            message:
              report.error?.message ?? `Model Privacy Gate ${VERDICT_HEADLINE[report.verdict]}; see the job summary and ${files.html}`,
          },
  };
}

/**
 * The github-token input and every secret-named environment variable: masked by the runner in the
 * log (core.setSecret) and by the gate in everything it writes (src/util/secrets.ts).
 */
function registerSecrets(): void {
  registerSecret(core.getInput('github-token'));
  refreshSecrets();
  for (const secret of knownSecrets()) core.setSecret(secret);
}

/** The workspace, RUNNER_TEMP and the folders of the allowed-roots input (relative to the workspace). */
function actionRoots(settings: ActionSettings, context: RunContext): AllowedRoots {
  const extra = settings.allowedRoots.map((folder) => resolve(context.workspace, folder));
  const missing = missingFolder(extra);
  if (missing) {
    throw new InputError(
      `input "allowed-roots" names ${JSON.stringify(missing)}, which is not a folder; expected existing folders, one per line or comma-separated`,
      {
        file: 'action inputs',
        field: 'allowed-roots',
      },
    );
  }
  return rootsWithRunnerTemp([context.workspace, ...extra]);
}

/** Publish-only (the fork-safe workflow_run job): the measuring run already passed or failed its own check. */
function publishEarlierRun(settings: ActionSettings, context: RunContext): Step {
  const loaded = loadReport(settings.report);
  // The report comes from another job's artifact: masked like a fresh one before it is published.
  loaded.report = redactDeep(loaded.report);
  return {
    request: { report: loaded.report, settings, context, publishOnly: { folder: loaded.folder } },
    outputs: { verdict: loaded.report.verdict, report: loaded.file },
  };
}
