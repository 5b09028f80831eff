import { describe, expect, it } from 'vitest';
import { checksFor, exitCodeFor, statusOf, verdictOf } from '../../src/gate/verdict';
import type { ProbeResult } from '../../src/result';

const source = { file: 'policy.yml', line: 3, column: 5 };

describe('statusOf', () => {
  it.each([
    { value: 0.5, warn: 0.55, fail: 0.6, status: 'pass' },
    { value: 0.55, warn: 0.55, fail: 0.6, status: 'pass' },
    { value: 0.56, warn: 0.55, fail: 0.6, status: 'warn' },
    { value: 0.6, warn: 0.55, fail: 0.6, status: 'warn' },
    { value: 0.61, warn: 0.55, fail: 0.6, status: 'fail' },
    { value: 0.61, warn: undefined, fail: 0.6, status: 'fail' },
    { value: 0.9, warn: 0.55, fail: undefined, status: 'warn' },
    { value: null, warn: 0.55, fail: 0.6, status: 'error' },
  ] as const)('$value vs warn $warn / fail $fail → $status', ({ value, warn, fail, status }) => {
    expect(statusOf(value, { warn, fail })).toBe(status);
  });
});

describe('checksFor and verdictOf', () => {
  const attacks = [
    { attack: 'loss', description: '', metrics: { auc: { value: 0.7, ci: [0.65, 0.75] as [number, number] } } },
    { attack: 'entropy', description: '', metrics: { auc: { value: 0.57, ci: [0.52, 0.62] as [number, number] } } },
  ];
  const checks = checksFor('membership', attacks, { auc: { warn: 0.55, fail: 0.6, source }, advantage: undefined });
  const probe = (c = checks): ProbeResult => ({ id: 'membership', description: '', status: 'ok', attacks, checks: c, notes: [], queries: 0, seconds: 0 });

  it('makes one check per attack and configured metric', () => {
    expect(checks.map((c) => [c.attack, c.metric, c.status])).toEqual([
      ['loss', 'auc', 'fail'],
      ['entropy', 'auc', 'warn'],
    ]);
    expect(checks[0]!.source).toEqual(source);
  });

  it.each([
    { name: 'a failed check', probes: () => [probe()], verdict: 'fail', exit: 1 },
    { name: 'only a warning', probes: () => [probe(checks.slice(1))], verdict: 'warn', exit: 0 },
    { name: 'no checks over', probes: () => [probe([])], verdict: 'pass', exit: 0 },
    { name: 'a probe error', probes: () => [probe(), { ...probe([]), status: 'error' as const }], verdict: 'error', exit: 3 },
  ])('$name → $verdict (exit $exit)', ({ probes, verdict, exit }) => {
    expect(verdictOf(probes())).toBe(verdict);
    expect(exitCodeFor(verdictOf(probes()))).toBe(exit);
  });
});
