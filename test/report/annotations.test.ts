import { describe, expect, it } from 'vitest';
import { selectAnnotations } from '../../src/report/annotations';
import type { Check } from '../../src/result';
import { check, reportWith, SOURCE } from './helpers';

const ctx = { root: '/repo', cwd: '/repo' };

/** Each status's checks on lines of their own. */
const FIRST_LINE: Record<Check['status'], number> = { pass: 100, warn: 200, fail: 300, error: 400, inconclusive: 500, insufficient: 600 };

/** n checks of a status on n threshold lines, each further over its threshold than the previous. */
function many(status: Check['status'], n: number): Check[] {
  return Array.from({ length: n }, (_, i) =>
    check({ attack: `${status}-${i}`, status, value: 0.6 + i / 100, source: { ...SOURCE, line: FIRST_LINE[status] + i } }),
  );
}

/** One check per attack against the same threshold line. */
function sameLine(checks: Array<Partial<Check>>): Check[] {
  return checks.map((c) => check(c));
}

describe('selectAnnotations: which annotations, in which order', () => {
  it.each([
    { name: 'nothing to say when every check passes', checks: many('pass', 5), errors: 0, warnings: 0, notice: undefined },
    { name: 'one failure', checks: many('fail', 1), errors: 1, warnings: 0, notice: undefined },
    {
      name: 'fails and warns under the caps',
      checks: [...many('fail', 3), ...many('warn', 4), ...many('pass', 9)],
      errors: 3,
      warnings: 4,
      notice: undefined,
    },
    {
      name: 'exactly 10 of each: no notice',
      checks: [...many('fail', 10), ...many('warn', 10)],
      errors: 10,
      warnings: 10,
      notice: undefined,
    },
    {
      name: '12 failures: 10 shown, a notice for 2',
      checks: many('fail', 12),
      errors: 10,
      warnings: 0,
      notice: '2 more failed thresholds are listed',
    },
    { name: '1 more warning', checks: [...many('warn', 11)], errors: 0, warnings: 10, notice: '1 more warned threshold is listed' },
    {
      name: 'both over the cap',
      checks: [...many('fail', 15), ...many('warn', 13)],
      errors: 10,
      warnings: 10,
      notice: '5 more failed and 3 more warned thresholds are listed',
    },
    {
      name: 'unmeasured metrics are errors',
      checks: [...many('error', 2), ...many('fail', 9)],
      errors: 10,
      warnings: 0,
      notice: '1 more failed threshold is listed',
    },
  ])('$name', ({ checks, errors, warnings, notice }) => {
    const list = selectAnnotations(reportWith(checks), ctx);
    expect(list.filter((a) => a.level === 'error')).toHaveLength(errors);
    expect(list.filter((a) => a.level === 'warning')).toHaveLength(warnings);
    const notices = list.filter((a) => a.level === 'notice');
    if (notice) {
      expect(notices).toHaveLength(1);
      expect(notices[0]!.message).toContain(notice);
      expect(list.at(-1)!.level).toBe('notice');
    } else expect(notices).toHaveLength(0);
  });

  it('puts the most severe first: errors before failures before warnings, then the furthest over', () => {
    const list = selectAnnotations(
      reportWith([
        check({ attack: 'w', status: 'warn', value: 0.58, source: { ...SOURCE, line: 1 } }),
        check({ attack: 'f1', value: 0.61, source: { ...SOURCE, line: 2 } }),
        check({ attack: 'f2', value: 0.9, source: { ...SOURCE, line: 3 } }),
        check({ attack: 'e', status: 'error', value: null, source: { ...SOURCE, line: 4 } }),
      ]),
      ctx,
    );
    expect(list.map((a) => a.message.split(':')[0])).toEqual(['membership/e', 'membership/f2', 'membership/f1', 'membership/w']);
    expect(list[0]!.title).toBe('Privacy gate: AUC could not be measured');
    expect(list[1]!.message).toBe('membership/f2: AUC = 0.900 [0.650, 0.750]; policy: warn > 0.55, fail > 0.6.');
  });

  it('annotates a threshold line once, naming its strongest attack and counting the others', () => {
    const list = selectAnnotations(
      reportWith(
        sameLine([
          { attack: 'loss', value: 0.7 },
          { attack: 'entropy', value: 0.75 },
          { attack: 'confidence', value: 0.62 },
          { attack: 'gap', status: 'pass', value: 0.5 },
          { attack: 'other-line', value: 0.65, source: { ...SOURCE, line: 20 } },
        ]),
      ),
      ctx,
    );
    expect(list.map((a) => [a.level, a.startLine, a.message.split(':')[0]])).toEqual([
      ['error', 12, 'membership/entropy'],
      ['error', 20, 'membership/other-line'],
    ]);
    expect(list[0]!.message).toContain('The strongest of 4 attacks; 2 more attacks fail, 1 passes.');
    expect(list[1]!.message).not.toContain('strongest');
  });

  it('keeps the ten furthest over the threshold when it must drop some', () => {
    const list = selectAnnotations(reportWith(many('fail', 12)), ctx);
    const shown = list.filter((a) => a.level === 'error').map((a) => a.message.split(':')[0]);
    expect(shown).toEqual(Array.from({ length: 10 }, (_, i) => `membership/fail-${11 - i}`));
  });
});

describe('selectAnnotations: where each annotation sits', () => {
  const chain = [
    { path: 'presets/standard.yaml', sha256: '0'.repeat(64) },
    { path: 'policies/release.yml', sha256: '1'.repeat(64) },
  ];
  const extendsLine = (file: string) => (file === '/repo/policies/release.yml' ? 3 : undefined);

  it.each([
    {
      name: 'a threshold in the policy file: its line and column, relative to the repository',
      source: { file: '/repo/policies/release.yml', line: 14, column: 9 },
      expected: { file: 'policies/release.yml', startLine: 14, startColumn: 9 },
      inherited: false,
    },
    {
      name: 'a threshold from a preset inside the repository: the preset line',
      source: { file: '/repo/presets/standard.yaml', line: 18, column: 7 },
      expected: { file: 'presets/standard.yaml', startLine: 18, startColumn: 7 },
      inherited: false,
    },
    {
      name: 'a threshold from a preset shipped with the action (outside the repository): the extends line',
      source: { file: '/actions/privacy-gate/dist/policies/standard.yaml', line: 18, column: 7 },
      expected: { file: 'policies/release.yml', startLine: 3 },
      inherited: true,
    },
  ])('$name', ({ source, expected, inherited }) => {
    const report = reportWith([check({ source })], { policy: { name: 'p', file: 'policies/release.yml' } });
    report.inputs.policy = source.file.startsWith('/actions') ? [{ ...chain[0]!, path: source.file }, chain[1]!] : chain;
    const [annotation] = selectAnnotations(report, { ...ctx, extendsLine });
    expect({ file: annotation!.file, startLine: annotation!.startLine, startColumn: annotation!.startColumn }).toEqual({
      startColumn: undefined,
      ...expected,
    });
    expect(annotation!.message.includes('threshold set in standard.yaml, line 18')).toBe(inherited);
  });

  it('annotates a policy error (exit 2) at its line, before any check', () => {
    const report = reportWith([], {
      verdict: 'error',
      exitCode: 2,
      error: {
        message: 'probes.membership.thresholds.auc.fail: expected a number',
        exitCode: 2,
        file: 'policies/release.yml',
        line: 9,
        column: 13,
      },
    });
    expect(selectAnnotations(report, ctx)).toEqual([
      {
        level: 'error',
        title: 'Model Privacy Gate: invalid input',
        message: 'probes.membership.thresholds.auc.fail: expected a number',
        file: 'policies/release.yml',
        startLine: 9,
        startColumn: 13,
      },
    ]);
  });

  it('resolves paths against the working directory when it is not the repository root', () => {
    const report = reportWith([], { error: { message: 'bad', exitCode: 2, file: 'release.yml', line: 2 } });
    expect(selectAnnotations(report, { root: '/repo', cwd: '/repo/policies' })[0]).toMatchObject({
      file: 'policies/release.yml',
      startLine: 2,
    });
  });
});
