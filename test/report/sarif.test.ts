import AjvModule from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupChecks, othersSummary } from '../../src/report/explain';
import { renderSarif, renderSarifText } from '../../src/report/sarif';
import { check, reportWith } from './helpers';
import { digitsReport } from './helpers';
import { HOSTILE } from './hostile';

type AjvClass = typeof AjvModule;
const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

/** The official SARIF 2.1.0 schema (provenance: test/fixtures/sarif/README.md), with its formats checked too. */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const isUri = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s);
  ajv.addFormat('uri', isUri);
  // A relative reference: no scheme needed, but no spaces, backslashes or raw non-ASCII.
  ajv.addFormat(
    'uri-reference',
    (s: string) => isUri(s) || (/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#[\]]*$/.test(s) && URL.canParse(s, 'file:///repo/')),
  );
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /T/.test(s));
  return ajv.compile(schema);
}

const validate = sarifValidator();
const root = process.cwd();

describe('privacy-gate.sarif', () => {
  it('validates against the SARIF 2.1.0 schema for the leaky digits model, one result per failed or warned threshold line', async () => {
    const report = await digitsReport('policy.yml');
    const log = JSON.parse(renderSarifText(report, { root, cwd: root }));
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);

    const checks = report.probes.flatMap((p) => p.checks);
    const open = groupChecks(checks).filter((g) => g.lead.status === 'fail' || g.lead.status === 'warn');
    const run = log.runs[0];
    // One result per threshold line (as the annotations), not one per attack.
    expect(run.results).toHaveLength(open.length);
    expect(open.some((g) => g.others.length > 0)).toBe(true);
    expect(run.results.length).toBeLessThan(checks.filter((c) => c.status === 'fail' || c.status === 'warn').length);
    // One rule per check kind (probe/metric), including kinds that passed everywhere.
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(
      [...new Set(checks.map((c) => `${c.probe}/${c.metric}`))].sort(),
    );
    for (const result of run.results) {
      const rule = run.tool.driver.rules[result.ruleIndex];
      expect(rule.id).toBe(result.ruleId);
      const loc = result.locations[0].physicalLocation;
      // The threshold's line in the policy (here the standard preset, inside this repository).
      const group = open.find((g) => `${g.lead.probe}/${g.lead.metric}` === result.ruleId)!;
      const check = group.lead;
      // It names the strongest attack and counts the others.
      expect(result.message.text.startsWith(`${check.probe}/${check.attack}: `)).toBe(true);
      expect(result.properties).toMatchObject({ attack: check.attack, attacks: group.others.length + 1 });
      if (group.others.length > 0) {
        expect(result.message.text).toContain(`The strongest of ${group.others.length + 1} attacks; ${othersSummary(group)}.`);
      }
      expect(loc.artifactLocation.uri).toBe(path.relative(root, check.source.file));
      expect(loc.region).toEqual({ startLine: check.source.line, startColumn: check.source.column });
      expect(result.level).toBe(check.status === 'warn' ? 'warning' : 'error');
    }
    expect(run.invocations[0]).toEqual({ executionSuccessful: true, exitCode: 1 });
  });

  it('validates for a passing run (no results) and for hostile names', async () => {
    const passing = renderSarif(await digitsReport('hardened.policy.yml'), { root, cwd: root });
    expect(validate(passing), JSON.stringify(validate.errors)).toBe(true);
    expect(passing.runs[0]!.results).toEqual([]);

    const hostile = reportWith(
      HOSTILE.map((text) =>
        check({ attack: text, metric: text, source: { file: `/repo/pol icies/${text.slice(0, 5)}ü.yml`, line: 3, column: 1 } }),
      ),
    );
    const log = JSON.parse(renderSarifText(hostile, { root: '/repo', cwd: '/repo' }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('pol%20icies/%3Cimg%20%C3%BC.yml');
    // Message texts: viewers turn [text](target) into a link (SARIF 3.11.6); names stay one line.
    const texts: string[] = [];
    JSON.stringify(log, (key, value) => (key === 'text' && typeof value === 'string' && texts.push(value), value));
    for (const text of texts) {
      expect(text).not.toMatch(/(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\]\(/);
      expect(text).not.toMatch(/[\r\n]/);
    }
    expect(texts.join('\n')).toContain('\\[click\\](https://evil.example/login)');
  });

  it('reports a policy error as a tool execution notification at its line', () => {
    const report = reportWith([], {
      verdict: 'error',
      exitCode: 2,
      error: { message: 'unknown key "probs"', exitCode: 2, file: 'policy.yml', line: 4, column: 1 },
    });
    const log = renderSarif(report, { root: '/repo', cwd: '/repo' });
    expect(validate(JSON.parse(JSON.stringify(log)))).toBe(true);
    expect(log.runs[0]!.invocations![0]).toMatchObject({
      executionSuccessful: false,
      exitCode: 2,
      toolExecutionNotifications: [
        {
          level: 'error',
          message: { text: 'unknown key "probs"' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'policy.yml' }, region: { startLine: 4, startColumn: 1 } } }],
        },
      ],
    });
  });

  it('the validator is not a rubber stamp: it rejects a result with a bad level or a zero line', () => {
    const log = renderSarif(reportWith([check()]), { root: '/repo', cwd: '/repo' }) as unknown as {
      runs: Array<{ results: Array<Record<string, any>> }>;
    };
    expect(validate(JSON.parse(JSON.stringify(log)))).toBe(true);
    const bad = JSON.parse(JSON.stringify(log));
    bad.runs[0].results[0].level = 'fatal';
    expect(validate(bad)).toBe(false);
    const zero = JSON.parse(JSON.stringify(log));
    zero.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(zero)).toBe(false);
    const extra = JSON.parse(JSON.stringify(log));
    extra.runs[0].results[0].severity = 'high';
    expect(validate(extra)).toBe(false);
  });
});
