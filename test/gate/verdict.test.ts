import { describe, expect, it } from 'vitest';
import { bySeverity, checksFor, decide, exitCodeFor, judgeCheck, verdictOf } from '../../src/gate/verdict';
import type { GateRules } from '../../src/policy/types';
import type { AttackMeasurement } from '../../src/result';
import type { Check, MetricValue, ProbeResult } from '../../src/result';

const source = { file: 'policy.yml', line: 3, column: 5 };
type Ci = [number, number];

describe('judgeCheck: the one rule for a check', () => {
  const plenty = { members: 5000, nonMembers: 5000 };
  it.each([
    { name: 'below warn', value: 0.5, ci: [0.49, 0.51], status: 'pass' },
    { name: 'at warn', value: 0.55, ci: [0.54, 0.56], status: 'pass' },
    { name: 'over warn, interval under fail', value: 0.56, ci: [0.55, 0.57], status: 'warn' },
    { name: 'at fail, interval reaching over it', value: 0.6, ci: [0.59, 0.61], status: 'inconclusive' },
    { name: 'under fail, interval reaching over it', value: 0.58, ci: [0.55, 0.62], status: 'inconclusive' },
    { name: 'under warn, interval reaching over fail', value: 0.52, ci: [0.4, 0.64], status: 'inconclusive' },
    { name: 'interval ending exactly at fail (a value at fail passes)', value: 0.58, ci: [0.56, 0.6], status: 'warn' },
    // The point estimate over the line fails even when the interval reaches below it.
    { name: 'over fail, interval reaching below it', value: 0.61, ci: [0.58, 0.64], status: 'fail' },
    { name: 'over fail, whole interval over it', value: 0.7, ci: [0.65, 0.75], status: 'fail' },
    { name: 'null', value: null, ci: [0, 0], status: 'error' },
    { name: 'NaN', value: NaN, ci: [0, 1], status: 'error' },
  ] as const)('$name → $status', ({ value, ci, status }) => {
    const check = { probe: 'membership', metric: 'auc', value, ci: [...ci] as Ci, thresholds: { warn: 0.55, fail: 0.6 } };
    expect(judgeCheck(check, { value, ci: [...ci] as Ci, sample: plenty }, 0.95).status).toBe(status);
  });

  it('a warn-only threshold never makes a check inconclusive', () => {
    const check = { probe: 'membership', metric: 'auc', value: 0.5, ci: [0.3, 0.9] as Ci, thresholds: { warn: 0.55 } };
    expect(judgeCheck(check, { value: 0.5, ci: check.ci, sample: plenty }, 0.95).status).toBe('pass');
  });

  it.each([
    // AUC 0.500 [0.000, 1.000] from one member and one non-member: a pass on today's code.
    { name: 'auc, 1 + 1 records', metric: 'auc', sample: { members: 1, nonMembers: 1 }, value: 0, ci: [0, 1], members: 65, nonMembers: 65 },
    {
      name: 'auc, 64 + 5000',
      metric: 'auc',
      sample: { members: 64, nonMembers: 5000 },
      value: 0.5,
      ci: [0.4, 0.6],
      members: 65,
      nonMembers: 65,
    },
    {
      name: 'advantage, 219 each',
      metric: 'advantage',
      sample: { members: 219, nonMembers: 219 },
      value: 0,
      ci: [0, 0.2],
      members: 220,
      nonMembers: 220,
    },
    {
      name: 'tpr-at-fpr 0.01, 999 non-members',
      metric: 'tpr-at-fpr',
      sample: { members: 5000, nonMembers: 999 },
      value: 0.02,
      ci: [0.01, 0.03],
      members: 72,
      nonMembers: 1000,
      fpr: 0.01,
    },
    {
      name: 'tpr-at-fpr 0.001 on the digits holdout',
      metric: 'tpr-at-fpr',
      sample: { members: 899, nonMembers: 898 },
      value: 0.0,
      ci: [0, 0.004],
      members: 72,
      nonMembers: 10000,
      fpr: 0.001,
    },
  ])('$name → insufficient, needing $members + $nonMembers', ({ metric, sample, value, ci, members, nonMembers, ...rest }) => {
    const fail = metric === 'auc' ? 0.6 : metric === 'advantage' ? 0.2 : 0.05;
    const measured: MetricValue = { value, ci: ci as Ci, sample, ...('fpr' in rest ? { fpr: rest.fpr } : {}) };
    const judged = judgeCheck({ probe: 'membership', metric, value, ci: ci as Ci, thresholds: { fail } }, measured, 0.95);
    expect(judged.status).toBe('insufficient');
    expect(judged.needs).toMatchObject({ members, nonMembers, have: sample });
  });

  it('the minimum is met one record later', () => {
    const measured = (n: number): MetricValue => ({ value: 0, ci: [0, 0.19], sample: { members: n, nonMembers: n } });
    const check = { probe: 'membership', metric: 'advantage', value: 0, ci: [0, 0.19] as Ci, thresholds: { fail: 0.2 } };
    expect(judgeCheck(check, measured(219), 0.95).status).toBe('insufficient');
    expect(judgeCheck(check, measured(220), 0.95).status).toBe('pass');
  });

  it('a check the data resolved over the line fails even below the minimum', () => {
    const check = { probe: 'membership', metric: 'auc', value: 0.95, ci: [0.9, 1] as Ci, thresholds: { fail: 0.6 } };
    expect(judgeCheck(check, { value: 0.95, ci: check.ci, sample: { members: 20, nonMembers: 20 } }, 0.95).status).toBe('fail');
  });

  it('metrics without a minimum (attribute inference) and measurements without a sample are never insufficient', () => {
    const check = { probe: 'attribute-inference', metric: 'lift', value: 0, ci: [-0.5, 0.5] as Ci, thresholds: { fail: 0.05 } };
    expect(judgeCheck(check, { value: 0, ci: check.ci, sample: { members: 1, nonMembers: 1 } }, 0.95).status).toBe('inconclusive');
    expect(judgeCheck({ ...check, probe: 'membership', metric: 'auc' }, { value: 0, ci: check.ci }, 0.95).status).toBe('inconclusive');
  });
});

describe('checksFor and the verdict', () => {
  const attacks: AttackMeasurement[] = [
    { attack: 'loss', description: '', metrics: { auc: { value: 0.7, ci: [0.65, 0.75] as Ci } } },
    { attack: 'entropy', description: '', metrics: { auc: { value: 0.57, ci: [0.52, 0.59] as Ci } } },
  ];
  const checks = checksFor('membership', attacks, { auc: { warn: 0.55, fail: 0.6, source }, advantage: undefined });
  const probe = (c: Check[] = checks, a = attacks): ProbeResult => ({
    id: 'membership',
    description: '',
    status: 'ok',
    attacks: a,
    checks: c,
    notes: [],
    queries: 0,
    seconds: 0,
  });

  it('makes one check per attack and configured metric', () => {
    expect(checks.map((c) => [c.attack, c.metric, c.status])).toEqual([
      ['loss', 'auc', 'fail'],
      ['entropy', 'auc', 'warn'],
    ]);
    expect(checks[0]!.source).toEqual(source);
  });

  // The "could not be measured" path: a threshold no attack reports is an error, never a pass.
  it('a thresholded metric that no attack reports is an error check, and the verdict is error (exit 3)', () => {
    const unmeasured = checksFor('membership', attacks.slice(1, 2), { 'tpr-at-fpr': { fail: 0.05, source } });
    expect(unmeasured).toEqual([expect.objectContaining({ attack: 'none', metric: 'tpr-at-fpr', value: null, status: 'error' })]);
    expect(decide([probe(unmeasured)])).toEqual({ verdict: 'error', exitCode: 3 });
  });

  it('a NaN or null measurement is an error check, and the verdict is error (exit 3)', () => {
    for (const value of [NaN, null]) {
      const bad: AttackMeasurement[] = [{ attack: 'loss', description: '', metrics: { auc: { value, ci: [0, 1] as Ci } } }];
      const c = checksFor('membership', bad, { auc: { fail: 0.6, source } });
      expect(c.map((x) => x.status)).toEqual(['error']);
      expect(decide([probe(c, bad)])).toEqual({ verdict: 'error', exitCode: 3 });
    }
  });

  it.each([
    { name: 'a failed check', probes: () => [probe()], verdict: 'fail', exit: 1 },
    { name: 'only a warning', probes: () => [probe(checks.slice(1))], verdict: 'warn', exit: 0 },
    { name: 'no checks over', probes: () => [probe([])], verdict: 'pass', exit: 0 },
    { name: 'a probe error', probes: () => [probe(), { ...probe([]), status: 'error' as const }], verdict: 'error', exit: 3 },
  ])('$name → $verdict (exit $exit)', ({ probes, verdict, exit }) => {
    expect(verdictOf(probes())).toBe(verdict);
    expect(exitCodeFor(verdictOf(probes()))).toBe(exit);
    expect(decide(probes())).toMatchObject({ verdict, exitCode: exit });
  });

  const straddling: AttackMeasurement[] = [
    { attack: 'loss', description: '', metrics: { advantage: { value: 0.088, ci: [0, 0.263] as Ci } } },
  ];
  const inconclusive = checksFor('membership', straddling, { advantage: { fail: 0.2, source } });
  const few: AttackMeasurement[] = [
    { attack: 'loss', description: '', metrics: { auc: { value: 0, ci: [0, 1] as Ci, sample: { members: 1, nonMembers: 1 } } } },
  ];
  const insufficient = checksFor('membership', few, { auc: { fail: 0.6, source } });
  it.each([
    { rules: { inconclusive: 'pass', insufficient: 'error' }, checks: inconclusive, verdict: 'pass', exit: 0 },
    { rules: { inconclusive: 'warn', insufficient: 'error' }, checks: inconclusive, verdict: 'warn', exit: 0 },
    { rules: { inconclusive: 'fail', insufficient: 'error' }, checks: inconclusive, verdict: 'fail', exit: 1 },
    { rules: { inconclusive: 'warn', insufficient: 'error' }, checks: insufficient, verdict: 'error', exit: 2 },
    { rules: { inconclusive: 'warn', insufficient: 'warn' }, checks: insufficient, verdict: 'warn', exit: 0 },
  ] as Array<{ rules: GateRules; checks: Check[]; verdict: string; exit: number }>)(
    '$checks.0.status under $rules → $verdict (exit $exit)',
    ({ rules, checks: c, verdict, exit }) => {
      expect(decide([probe(c, [...straddling, ...few])], rules)).toMatchObject({ verdict, exitCode: exit });
    },
  );

  it('an insufficient check stops the gate with a message that says how many records it needs', () => {
    const decision = decide([probe(insufficient, few)]);
    expect(decision.error?.exitCode).toBe(2);
    expect(decision.error?.message).toMatch(
      /^too few records to measure membership\/loss auc: it needs at least 65 members \(has 1\) and 65 non-members \(has 1\)/,
    );
    expect(decision.error?.message).toContain('gate.insufficient: warn');
  });

  it.each([
    { ci: [0.223, 0.273], swapped: true },
    { ci: [0.45, 0.4999], swapped: true },
    { ci: [0.45, 0.5], swapped: false },
    { ci: [0.49, 0.52], swapped: false },
    // Recipe level: its members come from the memberships file, not data.members (no file swap to report).
    { ci: [0.469, 0.482], swapped: false, attack: 'lira-recipe-level' },
  ] as Array<{ ci: Ci; swapped: boolean; attack?: string }>)(
    'a membership AUC interval $ci ($attack) → swapped: $swapped',
    ({ ci, swapped, attack }) => {
      const a: AttackMeasurement[] = [{ attack: attack ?? 'loss', description: '', metrics: { auc: { value: (ci[0] + ci[1]) / 2, ci } } }];
      const decision = decide([probe(checksFor('membership', a, { auc: { fail: 0.6, source } }), a)]);
      if (swapped) {
        expect(decision).toMatchObject({ verdict: 'error', exitCode: 2 });
        expect(decision.error?.message).toMatch(/^members look less like training data than non-members/);
        expect(decision.error?.message).toContain('probably swapped');
        expect(decision.error?.message).toContain('an attacker can use');
      } else {
        expect(decision.exitCode).toBe(0);
      }
    },
  );

  it('orders checks by severity: error, insufficient, fail, inconclusive, warn, pass', () => {
    const c = (status: Check['status']): Check => ({ ...checks[0]!, status });
    const sorted = (['pass', 'warn', 'inconclusive', 'fail', 'insufficient', 'error'] as const).map(c).sort(bySeverity);
    expect(sorted.map((x) => x.status)).toEqual(['error', 'insufficient', 'fail', 'inconclusive', 'warn', 'pass']);
  });
});
