/**
 * Reading a privacy-report.json's text back, shared by publish-only mode and baseline.report:
 * JSON errors and schema problems are said, and the strings "Infinity"/"-Infinity" the writer
 * uses for non-finite numbers become numbers again, except where a key holds text.
 */
import { describe, expect, it } from 'vitest';
import { parseReportJson, reportSchemaProblems, reviveNumbers } from '../../src/report/parse';

describe('parseReportJson', () => {
  it.each([
    { text: '{"a": 1}', ok: true },
    { text: '{"a": ', ok: false },
    { text: '', ok: false },
  ])('$text → parsed: $ok', ({ text, ok }) => {
    const parsed = parseReportJson(text);
    expect('data' in parsed).toBe(ok);
    if (!ok) expect((parsed as { problem: string }).problem).toMatch(/^is not valid JSON: /);
  });
});

describe('reportSchemaProblems', () => {
  it('lists at most max problems, each with its place', () => {
    const problems = reportSchemaProblems({ version: 'x' }, 2);
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p).toMatch(/^\/\S* /);
  });
});

describe('reviveNumbers', () => {
  it.each([
    { value: { value: 'Infinity' }, revived: { value: Infinity } },
    { value: { ci: ['-Infinity', 'Infinity'] }, revived: { ci: [-Infinity, Infinity] } },
    { value: { name: 'Infinity', notes: ['-Infinity'] }, revived: { name: 'Infinity', notes: ['-Infinity'] } },
    { value: { value: 'infinity' }, revived: { value: 'infinity' } },
  ])('$value → $revived', ({ value, revived }) => {
    expect(reviveNumbers(value)).toEqual(revived);
  });
});
