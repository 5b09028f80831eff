/**
 * Publish-only mode renders a report that a fork's code may have written. Before anything is
 * posted, the report must agree with itself: every check's status is recomputed from its value,
 * interval and thresholds, and the verdict and exit code from the checks, with the same rules the
 * run uses (src/gate/verdict.ts). A report whose `verdict` says pass while its checks fail is
 * refused, never commented as passing.
 */
import { decide, judgeCheck, rulesOf } from '../gate/verdict';
import { InputError } from '../errors';
import type { Check, GateReport, ProbeResult } from '../result';

/** Report schema versions this gate reads. */
export const REPORT_VERSIONS: readonly number[] = [1];

/** Throws an InputError (exit 2) naming the first disagreement. */
export function checkReportAgrees(report: GateReport, file: string): void {
  const refuse = (what: string) =>
    new InputError(`report disagrees with itself: ${what}; refusing to publish it (was it edited after the run?)`, {
      file,
      field: 'report',
    });
  const confidence = report.confidence ?? 0.95;
  for (const probe of report.probes) {
    for (const check of probe.checks) {
      const expected = expectedStatus(probe, check, confidence);
      if (expected.problem) throw refuse(`${describe(check)} ${expected.problem}`);
      if (expected.status !== check.status) {
        throw refuse(
          `${describe(check)} is marked ${check.status}, but its value ${check.value} ${JSON.stringify(check.ci)} against ${JSON.stringify(check.thresholds)} is ${expected.status}`,
        );
      }
    }
  }
  if (report.error) {
    // The run stopped on an error (an exception, too little data, swapped sets): nothing else may be claimed.
    if (report.verdict !== 'error' || report.exitCode !== report.error.exitCode) {
      throw refuse(`it holds an error (exit ${report.error.exitCode}) but its verdict is ${report.verdict} (exit ${report.exitCode})`);
    }
    return;
  }
  const decision = decide(report.probes, rulesOf(report));
  if (decision.verdict !== report.verdict || decision.exitCode !== report.exitCode) {
    throw refuse(
      `its checks give the verdict ${decision.verdict} (exit ${decision.exitCode}), but it says ${report.verdict} (exit ${report.exitCode})`,
    );
  }
}

function expectedStatus(probe: ProbeResult, check: Check, confidence: number): { status?: Check['status']; problem?: string } {
  // A thresholded metric that no attack reported is the one check without an attack.
  if (check.attack === 'none') return { status: 'error' };
  const measured = probe.attacks.find((a) => a.attack === check.attack)?.metrics[check.metric];
  if (!measured) return { problem: 'has no measurement in the probe’s attacks' };
  const same = (a: unknown, b: unknown) => Object.is(a, b);
  if (!same(measured.value, check.value) || !same(measured.ci[0], check.ci[0]) || !same(measured.ci[1], check.ci[1])) {
    return {
      problem: `says ${check.value} ${JSON.stringify(check.ci)}, but the attack measured ${measured.value} ${JSON.stringify(measured.ci)}`,
    };
  }
  return { status: judgeCheck(check, measured, confidence).status };
}

function describe(check: Check): string {
  return `check ${check.probe}/${check.attack} ${check.metric}`;
}
