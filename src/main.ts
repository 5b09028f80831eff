/**
 * The action: inputs → gate run (or an earlier run's report, in publish-only mode) → files, job
 * summary, annotations, PR comment → the one place the step fails, after everything is posted.
 */
import * as core from '@actions/core';
import { resolve } from 'node:path';
import { describeError, EXIT, exitCodeOf, InputError } from './errors';
import { readBasePolicy, type BasePolicy } from './github/base-policy';
import { PULL_REQUEST_EVENTS, readRunContext, type RunContext } from './github/context';
import { writeHandoff } from './github/handoff';
import { readInputs, type ActionSettings } from './github/inputs';
import { publishToGithub, type PublishOptions, type PublishRequest } from './github/publish';
import { writeStepOutputs } from './github/runner-files';
import { writeReportFiles } from './publish/files';
import { setRuntimeNotice } from './model/runtime';
import { loadReport } from './publish/load';
import { VERDICT_HEADLINE } from './report/format';
import { runGate } from './run/gate';
import { mergeSignals } from './shard/merge';
import { runShard } from './shard/run-shard';
import { parseShard } from './shard/spec';
import { knownSecrets, redactDeep, redactSecrets, refreshSecrets, registerSecret } from './util/secrets';
import { missingFolder, rootsWithRunnerTemp, type AllowedRoots } from './util/paths';

interface Step {
  /** What to publish; absent for a shard, which measures nothing (the merge job publishes). */
  request?: PublishRequest;
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
    const step = settings.report
      ? publishEarlierRun(settings, context)
      : settings.shard
        ? await measureShard(settings, context)
        : await measure(settings, context);
    verdict = step.outputs.verdict ?? verdict;
    note(writeStepOutputs(step.outputs));
    if (step.request) {
      const published = await publishToGithub(step.request, options);
      note(published.summaryProblem);
      if ('url' in published.comment) note(writeStepOutputs({ 'comment-url': published.comment.url }));
    }
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
  const roots = actionRoots(settings, context);
  const merging = settings.signals.length > 0;
  const base = settings.policy ? basePolicy(settings, context, roots) : undefined;
  // Merge mode: the shards' answers, pooled, through the same run (src/shard/merge.ts).
  const report = merging
    ? await mergeSignals(
        settings.signals.map((p) => resolve(context.workspace, p)),
        { roots, ...(settings.policy ? { policy: settings.policy } : {}) },
      )
    : await runGate(settings.policy, { roots, policyTexts: base?.texts });
  if (base) report.policyChanges = redactDeep(base.comparison);
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

/** One shard of a split run: its signals file in `out`, nothing published; the merge job decides. */
async function measureShard(settings: ActionSettings, context: RunContext): Promise<Step> {
  const shard = parseShard(settings.shard, { file: 'action inputs', field: 'shard', name: 'input "shard"' });
  const written = await runShard(settings.policy, shard, settings.out, { roots: actionRoots(settings, context) });
  core.info(`shard ${shard.index}/${shard.count}: ${written.rows} rows answered; signals: ${written.file}`);
  return { outputs: { signals: written.file } };
}

/**
 * Pull requests: the base commit's policy, compared with the head's; under policy-from: base, the
 * texts the gate enforces. Other events have no base: the checkout's policy gates them.
 */
function basePolicy(settings: ActionSettings, context: RunContext, roots: AllowedRoots): BasePolicy | undefined {
  if (!PULL_REQUEST_EVENTS.includes(context.eventName)) {
    if (settings.policyFrom === 'base') {
      core.notice(
        `policy-from: base applies to pull requests; this ${context.eventName || 'unknown'} event is gated by the checkout's policy.`,
      );
    }
    return undefined;
  }
  const base = readBasePolicy(settings.policy, context, { roots, policyFrom: settings.policyFrom });
  for (const message of base.messages) {
    if (message.level === 'warning') core.warning(redactSecrets(message.text));
    else core.notice(redactSecrets(message.text));
  }
  return base;
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
