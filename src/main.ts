/** The action: inputs → gate run → files, job summary, outputs → the one place the step fails. */
import * as core from '@actions/core';
import { describeError, exitCodeOf } from './errors';
import { readInputs } from './github/inputs';
import { writeReportFiles } from './publish/files';
import { runGate } from './run/gate';

export async function runAction(): Promise<void> {
  try {
    const settings = readInputs();
    const report = await runGate(settings.policy);
    const files = writeReportFiles(report, settings.out);
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(files.markdown).write();
    if (report.error?.file && report.error.line) {
      core.error(report.error.message, { file: report.error.file, startLine: report.error.line, startColumn: report.error.column });
    }
    core.setOutput('verdict', report.verdict);
    core.setOutput('report', files.report);
    if (report.exitCode !== 0) {
      core.setFailed(report.error?.message ?? `Model Privacy Gate: ${report.verdict}; see ${files.summary}`);
      process.exitCode = report.exitCode;
    }
  } catch (error) {
    core.setOutput('verdict', 'error');
    core.setFailed(describeError(error));
    process.exitCode = exitCodeOf(error);
  }
}
