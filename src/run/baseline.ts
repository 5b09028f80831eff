/**
 * The comparison with the released model around each probe's run (policy `baseline`):
 * - `baseline.report`: an earlier run's privacy-report.json, read and validated against the
 *   report schema once; each membership attack gets its `<metric>-increase` metrics from the two
 *   runs' numbers, unpaired (the intervals combined as independent, src/metrics/paired.ts), and
 *   the report warns when the two runs read different data, at another confidence or FPR.
 *   (With `baseline.model` the probe itself compares, paired, on the same records.)
 * - Either way, `max-increase` becomes checks on those metrics, judged by the gate's one judge.
 * A metric the released run lacks is measured as null: its check is an error, never a pass.
 */
import { readFileSync, statSync } from 'node:fs';
import { sha256File } from '../data';
import { PolicyError } from '../errors';
import { checksFor } from '../gate/verdict';
import { unpairedDifference } from '../metrics/paired';
import { INCREASE_METRICS, type Policy } from '../policy/types';
import { MAX_REPORT_BYTES, parseReportJson, reportSchemaProblems, reviveNumbers } from '../report/parse';
import type { ProbeSettings } from '../probes/types';
import type { GateReport, MetricValue, ProbeResult } from '../result';

const COMPARED_PROBE = 'membership';

/** The released run's report, when the policy names `baseline.report`; an unreadable one is exit 2 at the policy line. */
export function readBaselineReport(policy: Policy, report: GateReport, relative: (p: string) => string): GateReport | undefined {
  const file = policy.baseline?.report;
  if (!file || !policy.baseline) return undefined;
  const refuse = (why: string) =>
    new PolicyError(`baseline report ${relative(file)} ${why}`, { ...policy.baseline!.source, field: 'baseline.report' });
  if (statSync(file).size > MAX_REPORT_BYTES) throw refuse(`is larger than ${MAX_REPORT_BYTES} bytes`);
  const parsed = parseReportJson(readFileSync(file, 'utf8'));
  if ('problem' in parsed) throw refuse(parsed.problem);
  const problems = reportSchemaProblems(parsed.data, 3);
  if (problems.length > 0) {
    throw refuse(`is not a privacy-report.json (schemas/privacy-report.schema.json): ${problems.join('; ')}`);
  }
  report.baseline = { kind: 'report', path: relative(file), sha256: sha256File(file), paired: false };
  // Non-finite numbers come back as numbers, as the comparison computes with them.
  return reviveNumbers(parsed.data) as GateReport;
}

/**
 * After a probe ran: the unpaired comparison with the released report (if any), then the
 * checks of its `max-increase` allowances.
 */
export function compareProbe(result: ProbeResult, settings: ProbeSettings, released: GateReport | undefined, confidence: number): void {
  if (result.status !== 'ok') return;
  if (released && result.id === COMPARED_PROBE) compareWithReport(result, released);
  if (settings.increases) result.checks.push(...checksFor(result.id, result.attacks, settings.increases, confidence));
}

function compareWithReport(result: ProbeResult, released: GateReport): void {
  const old = released.probes.find((p) => p.id === result.id);
  for (const attack of result.attacks) {
    const before = old?.attacks.find((a) => a.attack === attack.attack);
    for (const id of INCREASE_METRICS) {
      const now = attack.metrics[id];
      if (!now) continue;
      attack.metrics[`${id}-increase`] = difference(id, attack.attack, now, before?.metrics[id]);
    }
  }
}

function difference(id: string, attack: string, now: MetricValue, before: MetricValue | undefined): MetricValue {
  const missing = (why: string): MetricValue => ({ value: null, ci: [0, 0], released: null, interval: why });
  if (!before || typeof before.value !== 'number') return missing(`the released run's report has no ${attack} ${id}`);
  if (typeof now.value !== 'number') return missing(`this run measured no ${attack} ${id}`);
  if (id === 'tpr-at-fpr' && before.fpr !== now.fpr) {
    return missing(`the released run read the TPR at FPR ${String(before.fpr)}, this run at ${String(now.fpr)}`);
  }
  const d = unpairedDifference({ value: now.value, ci: now.ci }, { value: before.value, ci: before.ci });
  return { value: d.value, ci: d.ci, released: d.baseline, interval: d.interval, ...(id === 'tpr-at-fpr' ? { fpr: now.fpr } : {}) };
}

/** Two runs on different data (or at another confidence) compare different things: said in the report's warnings. */
export function baselineWarnings(report: GateReport, released: GateReport | undefined): void {
  if (!released || !report.baseline) return;
  const where = `the released run (${report.baseline.path})`;
  for (const now of report.inputs.data) {
    const before = released.inputs.data.find((d) => d.role === now.role);
    if (!before) report.warnings.push(`${where} has no ${now.role} file: the comparison is not on the same records`);
    else if (before.sha256 !== now.sha256 || before.rows !== now.rows) {
      report.warnings.push(
        `the ${now.role} data differ from ${where}'s (sha256 ${now.sha256.slice(0, 12)}, ${now.rows} rows here; ${before.sha256.slice(0, 12)}, ${before.rows} rows there): the two runs measured different records, so the differences mix the models with the data`,
      );
    }
  }
  if (released.seed !== report.seed) report.warnings.push(`${where} used seed ${String(released.seed)}, this run ${String(report.seed)}`);
  if (released.confidence !== report.confidence) {
    report.warnings.push(
      `${where} has ${String(released.confidence)} intervals, this run ${String(report.confidence)}: the combined intervals mix two levels`,
    );
  }
}
