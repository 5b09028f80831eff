/** Reports for the reporter tests: real gate runs on the digits example, and small hand-made ones. */
import type { PolicyChange } from '../../src/policy/diff';
import type { Check, GateReport, PolicyComparison, ProbeResult } from '../../src/result';
import { runGate } from '../../src/run/gate';

const cache = new Map<string, Promise<GateReport>>();

/**
 * A real gate run on examples/digits (same seed → same numbers), with the timings zeroed so
 * rendered text is stable. Cached per policy within a test file.
 */
export function digitsReport(policy: 'policy.yml' | 'hardened.policy.yml' | 'vs-released.policy.yml'): Promise<GateReport> {
  if (!cache.has(policy)) {
    cache.set(
      policy,
      runGate(`examples/digits/${policy}`).then((report) => {
        zeroTimings(report);
        return report;
      }),
    );
  }
  // Each caller gets its own copy: renderers must not depend on what another test did.
  return cache.get(policy)!.then((r) => structuredCloneReport(r));
}

export function zeroTimings(report: GateReport): void {
  for (const key of Object.keys(report.timings)) report.timings[key] = 0;
  for (const probe of report.probes) probe.seconds = 0;
}

/** A deep copy that keeps class instances in details (structuredClone would drop their prototype). */
function structuredCloneReport(report: GateReport): GateReport {
  return {
    ...report,
    probes: report.probes.map((p) => ({
      ...p,
      checks: p.checks.map((c) => ({ ...c })),
      attacks: p.attacks.map((a) => ({ ...a, ...(a.details ? { details: { ...a.details } } : {}) })),
    })),
  };
}

export const SOURCE = { file: '/repo/policy.yml', line: 12, column: 7 };

export function check(overrides: Partial<Check> = {}): Check {
  return {
    probe: 'membership',
    attack: 'loss',
    metric: 'auc',
    value: 0.7,
    ci: [0.65, 0.75],
    thresholds: { warn: 0.55, fail: 0.6 },
    status: 'fail',
    source: SOURCE,
    ...overrides,
  };
}

/** A report around the given checks (one probe), with plausible facts. */
export function reportWith(checks: Check[], overrides: Partial<GateReport> = {}): GateReport {
  const probe: ProbeResult = {
    id: 'membership',
    description: 'Membership inference',
    status: 'ok',
    attacks: [],
    checks,
    notes: [],
    queries: 100,
    seconds: 0,
  };
  return {
    version: 1,
    verdict: checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'pass',
    exitCode: checks.some((c) => c.status === 'fail') ? 1 : 0,
    tool: { name: 'model-privacy-gate', version: '0.1.0' },
    policy: { name: 'test policy', file: 'policy.yml' },
    inputs: { policy: [{ path: 'policy.yml', sha256: 'a'.repeat(64) }], data: [] },
    seed: 1,
    surface: { scores: 'full' },
    confidence: 0.95,
    probes: [probe],
    queries: 100,
    timings: {},
    warnings: [],
    ...overrides,
  };
}

/** A base commit SHA for the policy-changes views. */
export const SHA = '0123456789abcdef0123456789abcdef01234567';

/** One policy change (a loosened AUC fail line unless overridden). */
export function change(overrides: Partial<PolicyChange> = {}): PolicyChange {
  return {
    field: 'probes.membership.thresholds.auc.fail',
    kind: 'loosened',
    base: '0.6',
    head: '0.7',
    reason: 'more leakage passes before the gate fails',
    location: { file: 'policy.yml', line: 12, column: 20 },
    ...overrides,
  };
}

/** A passing report whose policy was compared with the base commit's. */
export function withChanges(comparison: Partial<PolicyComparison>): GateReport {
  return reportWith([check({ status: 'pass' })], {
    policyChanges: { status: 'compared', baseSha: SHA, enforced: 'head', changes: [], ...comparison },
  });
}
