/**
 * The action: inputs → gate run (or an earlier run's report, in publish-only mode) → files, job
 * summary, annotations, PR comment → the one place the step fails, after everything is posted.
 */
import * as core from '@actions/core';
import { describeError, exitCodeOf } from './errors';
import { readRunContext } from './github/context';
import { writeHandoff } from './github/handoff';
import { readInputs } from './github/inputs';
import { publishToGithub, type PublishOptions } from './github/publish';
import { writeReportFiles } from './publish/files';
import { loadReport } from './publish/load';
import { VERDICT_HEADLINE } from './report/format';
import { runGate } from './run/gate';

export async function runAction(options: PublishOptions = {}): Promise<void> {
  let failure: { exitCode: number; message: string } | undefined;
  try {
    const settings = readInputs();
    const context = readRunContext();
    if (settings.report) {
      // Publish-only (the fork-safe workflow_run job): the measuring run already passed or failed its own check.
      const loaded = loadReport(settings.report);
      core.setOutput('verdict', loaded.report.verdict);
      core.setOutput('report', loaded.file);
      const outcome = await publishToGithub({ report: loaded.report, settings, context, publishOnly: { folder: loaded.folder } }, options);
      if ('url' in outcome) core.setOutput('comment-url', outcome.url);
    } else {
      const report = await runGate(settings.policy);
      const files = writeReportFiles(report, settings.out, { root: context.workspace });
      writeHandoff(settings.out, context);
      core.setOutput('verdict', report.verdict);
      for (const [name, file] of [['report', files.report], ['html', files.html], ['sarif', files.sarif]] as const) core.setOutput(name, file);
      const outcome = await publishToGithub({ report, settings, context }, options);
      if ('url' in outcome) core.setOutput('comment-url', outcome.url);
      if (report.exitCode !== 0) failure = { exitCode: report.exitCode, message: report.error?.message ?? `Model Privacy Gate ${VERDICT_HEADLINE[report.verdict]}; see the job summary and ${files.html}` };
    }
  } catch (error) {
    core.setOutput('verdict', 'error');
    failure = { exitCode: exitCodeOf(error), message: describeError(error) };
  }
  // The one place the step fails: after the summary, annotations and comment are out.
  if (failure) core.setFailed(failure.message);
  process.exitCode = failure?.exitCode ?? 0;
}
