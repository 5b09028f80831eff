/**
 * The one place that turns measurements and thresholds into check results and the verdict.
 * A value strictly above `fail` fails, strictly above `warn` warns. A metric that could not
 * be computed is an error, never a pass.
 */
import { EXIT } from '../errors';
import type { Threshold } from '../policy/types';
import type { Check, ProbeResult, Verdict } from '../result';
import type { AttackMeasurement } from '../probes/types';

export function checksFor(
  probe: string,
  attacks: AttackMeasurement[],
  thresholds: Record<string, Threshold | undefined>,
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
      const value = measured?.value ?? null;
      checks.push({
        probe,
        attack: attack.attack,
        metric,
        value,
        ci: measured?.ci ?? [0, 0],
        thresholds: { warn: threshold.warn, fail: threshold.fail },
        status: statusOf(value, threshold),
        source: threshold.source,
      });
    }
  }
  return checks;
}

export function statusOf(value: number | null, threshold: Pick<Threshold, 'warn' | 'fail'>): Check['status'] {
  if (value === null || Number.isNaN(value)) return 'error';
  if (threshold.fail !== undefined && value > threshold.fail) return 'fail';
  if (threshold.warn !== undefined && value > threshold.warn) return 'warn';
  return 'pass';
}

const SEVERITY: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

export function verdictOf(probes: ProbeResult[]): Verdict {
  let verdict: Verdict = 'pass';
  for (const probe of probes) {
    if (probe.status === 'error') return 'error';
    for (const check of probe.checks) if (SEVERITY[check.status] > SEVERITY[verdict]) verdict = check.status;
  }
  return verdict;
}

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

/** Most severe first, then by how far over its threshold; used by every reporter that truncates. */
export function bySeverity(a: Check, b: Check): number {
  return SEVERITY[b.status] - SEVERITY[a.status] || excess(b) - excess(a);
}

function excess(check: Check): number {
  const limit = check.status === 'warn' ? check.thresholds.warn : check.thresholds.fail;
  return check.value === null || limit === undefined ? 0 : check.value - limit;
}
