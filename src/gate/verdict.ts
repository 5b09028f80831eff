/**
 * The one place that turns measurements and thresholds into check results and the verdict.
 *
 * A check is, in this order (the first rule that applies):
 * - `error`: the metric could not be measured (no attack reported it, or it is null / NaN);
 * - `fail`: its whole interval lies above `fail` (the data resolved it, however few records);
 * - `insufficient`: the data is too small to resolve it whatever the model does (./minimums);
 * - `fail`: its value is strictly above `fail`. The point estimate over the line fails even when
 *   the interval reaches below it: the gate's burden of proof is on safety, and reading such a
 *   check as inconclusive would turn today's failures into passes with warnings;
 * - `inconclusive`: its value is at or below `fail` but its interval reaches above it, so the data
 *   cannot rule out a value that fails;
 * - `warn`: its value is strictly above `warn`;
 * - `pass`.
 * The verdict is the worst check, with the policy's `gate.inconclusive` (pass, warn or fail) and
 * `gate.insufficient` (error or warn) saying how those two count. The gate errors with exit 2
 * when the data is insufficient or when a membership attack's whole AUC interval lies below 0.5
 * (the member and non-member files are probably swapped), and with exit 3 when a probe failed or a
 * metric could not be measured. An error never reads as a pass.
 */
import { EXIT } from '../errors';
import type { GateRules, Threshold } from '../policy/types';
import {
  RECIPE_LEVEL_SUFFIX,
  type AttackMeasurement,
  type Check,
  type GateReport,
  type MetricValue,
  type ProbeResult,
  type Verdict,
} from '../result';
import { MEMBERSHIP_METRIC_PROBES, recordsNeeded } from './minimums';

/** How inconclusive and insufficient checks count when a policy does not say (standard preset's choice). */
export const DEFAULT_GATE_RULES: GateRules = { inconclusive: 'warn', insufficient: 'error' };

export function checksFor(
  probe: string,
  attacks: AttackMeasurement[],
  thresholds: Record<string, Threshold | undefined>,
  confidence = 0.95,
): Check[] {
  const checks: Check[] = [];
  for (const [metric, threshold] of Object.entries(thresholds)) {
    if (!threshold) continue;
    // A probe's attacks may measure different metrics (extraction: exposure, memorisation, secret
    // scan): an attack is checked only against the metrics it reports, even as null. A thresholded
    // metric that no attack reports is an error, so a threshold can never pass unmeasured.
    const measuring = attacks.filter((a) => metric in a.metrics);
    if (measuring.length === 0) {
      checks.push({
        probe,
        attack: 'none',
        metric,
        value: null,
        ci: [0, 0],
        thresholds: { warn: threshold.warn, fail: threshold.fail },
        status: 'error',
        source: threshold.source,
      });
    }
    for (const attack of measuring) {
      const measured = attack.metrics[metric];
      const check: Check = {
        probe,
        attack: attack.attack,
        metric,
        value: measured?.value ?? null,
        ci: measured?.ci ?? [0, 0],
        // A point difference's ci is [value, value]: judged as the point, shown without an interval.
        ...(measured?.pointOnly ? { pointOnly: true as const } : {}),
        thresholds: { warn: threshold.warn, fail: threshold.fail },
        status: 'pass',
        source: threshold.source,
      };
      const judged = judgeCheck(check, measured, confidence);
      check.status = judged.status;
      if (judged.needs) check.needs = judged.needs;
      checks.push(check);
    }
  }
  return checks;
}

type Judged = Pick<Check, 'status' | 'needs'>;

/**
 * The status of one check from its value, interval and thresholds, and (for the sample-size
 * minimums) the measurement's `sample` and `fpr`. Used by the run and by publish-only mode, which
 * recomputes every check of an earlier report.
 */
export function judgeCheck(
  check: Pick<Check, 'probe' | 'metric' | 'value' | 'ci' | 'thresholds'>,
  measured: MetricValue | undefined,
  confidence: number,
): Judged {
  const { value, ci, thresholds } = check;
  const { warn, fail } = thresholds;
  if (value === null || Number.isNaN(value)) return { status: 'error' };
  if (fail !== undefined && ci[0] > fail) return { status: 'fail' };
  const needs = shortfall(check, measured, confidence);
  if (needs) return { status: 'insufficient', needs };
  if (fail !== undefined && value > fail) return { status: 'fail' };
  if (fail !== undefined && ci[0] <= fail && ci[1] > fail) return { status: 'inconclusive' };
  if (warn !== undefined && value > warn) return { status: 'warn' };
  return { status: 'pass' };
}

/** What a check lacks to be resolvable, or undefined when its data suffices (or has no minimum). */
function shortfall(
  check: Pick<Check, 'probe' | 'metric' | 'thresholds'>,
  measured: MetricValue | undefined,
  confidence: number,
): Check['needs'] {
  const sample = measured?.sample;
  if (!sample || typeof sample.members !== 'number' || typeof sample.nonMembers !== 'number') return undefined;
  const fpr = typeof measured?.fpr === 'number' ? measured.fpr : undefined;
  const line = check.thresholds.fail ?? check.thresholds.warn;
  const needed = recordsNeeded(check.probe, check.metric, line, confidence, fpr);
  if (!needed) return undefined;
  const short = (needed.members ?? 0) > sample.members || (needed.nonMembers ?? 0) > sample.nonMembers;
  if (!short) return undefined;
  return {
    members: needed.members ?? 0,
    nonMembers: needed.nonMembers ?? 0,
    have: { members: sample.members, nonMembers: sample.nonMembers },
    reason: needed.reason,
  };
}

export interface Decision {
  verdict: Verdict;
  exitCode: number;
  /** Why the gate could not decide on leakage, when the reason is the input (exit 2). */
  error?: { message: string; exitCode: number };
}

const SEVERITY: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The verdict of a run from its probes, under the policy's rules for inconclusive and insufficient checks. */
export function decide(probes: ProbeResult[], rules: GateRules = DEFAULT_GATE_RULES): Decision {
  const swapped = swappedAttacks(probes);
  if (swapped.length > 0) {
    return withError(swappedMessage(swapped));
  }
  const checks = probes.flatMap((p) => p.checks);
  const short = checks.filter((c) => c.status === 'insufficient');
  if (short.length > 0 && rules.insufficient === 'error') return withError(insufficientMessage(short));
  let verdict: Verdict = 'pass';
  for (const probe of probes) if (probe.status === 'error') return { verdict: 'error', exitCode: EXIT.runtimeFailure };
  for (const check of checks) {
    const counts = countsAs(check.status, rules);
    if (SEVERITY[counts] > SEVERITY[verdict]) verdict = counts;
  }
  return { verdict, exitCode: exitCodeFor(verdict) };
}

function withError(message: string): Decision {
  return { verdict: 'error', exitCode: EXIT.invalidInput, error: { message, exitCode: EXIT.invalidInput } };
}

/** What a check's status counts as in the verdict. */
export function countsAs(status: Check['status'], rules: GateRules = DEFAULT_GATE_RULES): Verdict {
  switch (status) {
    case 'inconclusive':
      return rules.inconclusive;
    case 'insufficient':
      return rules.insufficient;
    default:
      return status;
  }
}

/** The verdict alone (rules default to the standard preset's); see {@link decide}. */
export function verdictOf(probes: ProbeResult[], rules: GateRules = DEFAULT_GATE_RULES): Verdict {
  return decide(probes, rules).verdict;
}

/** Exit code of a verdict reached from checks: an unmeasured check or failed probe is a runtime failure. */
export function exitCodeFor(verdict: Verdict): number {
  switch (verdict) {
    case 'pass':
    case 'warn':
      return EXIT.pass;
    case 'fail':
      return EXIT.leak;
    case 'error':
      return EXIT.runtimeFailure;
  }
}

/**
 * Membership attacks whose whole AUC interval lies below 0.5: members look less like training
 * data than non-members. On the leaky digits model with the files swapped the loss attack read
 * 0.247 [0.223, 0.273], which every threshold passes; the gate refuses instead of passing it.
 * Recipe-level estimates are left out: their members come from the memberships file, not from
 * data.members, and the probe notes a below-chance reading there (src/probes/membership/run.ts).
 * So is the language-model `reference` attack: it reads below chance when the reference model
 * fits the members better than the target (it trained on them too, or longer), which says nothing
 * about the files; the probe notes it (src/probes/text-membership/run.ts).
 */
export function swappedAttacks(probes: ProbeResult[]): Array<{ attack: string; auc: MetricValue }> {
  const out = [];
  for (const probe of probes) {
    if (!MEMBERSHIP_METRIC_PROBES.has(probe.id)) continue;
    for (const attack of probe.attacks) {
      if (attack.attack.endsWith(RECIPE_LEVEL_SUFFIX)) continue;
      if (probe.id === 'text-membership' && attack.attack === 'reference') continue;
      const auc = attack.metrics['auc'];
      if (auc && typeof auc.value === 'number' && auc.ci[1] < 0.5) out.push({ attack: attack.attack, auc });
    }
  }
  return out;
}

function swappedMessage(swapped: Array<{ attack: string; auc: MetricValue }>): string {
  const list = swapped.map((s) => `${s.attack} ${formatEstimateShort(s.auc)}`).join(', ');
  return (
    `members look less like training data than non-members: the whole AUC interval is below 0.5 (${list}). ` +
    'The members and non-members files are probably swapped (data.members must be the training records); ' +
    'if they are not, the model still tells the two sets apart, which an attacker can use.'
  );
}

function insufficientMessage(short: Check[]): string {
  const first = short[0]!;
  const needs = first.needs!;
  const lacking = [
    needs.members > needs.have.members ? `${formatCount(needs.members)} members (has ${formatCount(needs.have.members)})` : '',
    needs.nonMembers > needs.have.nonMembers
      ? `${formatCount(needs.nonMembers)} non-members (has ${formatCount(needs.have.nonMembers)})`
      : '',
  ].filter(Boolean);
  const more = short.length > 1 ? ` (and ${short.length - 1} more check${short.length > 2 ? 's' : ''})` : '';
  return (
    `too few records to measure ${first.probe}/${first.attack} ${first.metric}${more}: it needs at least ${lacking.join(' and ')}, ` +
    `${needs.reason}. Add records (or raise data.max-rows), or set gate.insufficient: warn for an exploratory run.`
  );
}

const formatCount = (n: number) => n.toLocaleString('en-US');

function formatEstimateShort(m: MetricValue): string {
  const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
  return `${f(m.value)} [${f(m.ci[0])}, ${f(m.ci[1])}]`;
}

const STATUS_SEVERITY: Record<Check['status'], number> = { pass: 0, warn: 1, inconclusive: 2, fail: 3, insufficient: 4, error: 5 };

/** Most severe first, then by how far over its threshold; used by every reporter that truncates. */
export function bySeverity(a: Check, b: Check): number {
  return STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] || excess(b) - excess(a);
}

function excess(check: Check): number {
  const limit = check.status === 'warn' ? check.thresholds.warn : check.thresholds.fail;
  return check.value === null || limit === undefined ? 0 : check.value - limit;
}

/** Recorded in the report so publish-only mode judges with the run's own rules. */
export function rulesOf(report: Pick<GateReport, 'gate'>): GateRules {
  return { ...DEFAULT_GATE_RULES, ...(report.gate ?? {}) };
}
