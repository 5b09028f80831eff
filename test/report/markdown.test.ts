import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, commentMarker, previousVerdictOf, renderComment, SUMMARY_LIMIT_BYTES } from '../../src/report/comment';
import { codeBlock, codeSpan, escapeHtml, escapeHtmlForGithub, escapeMarkdown } from '../../src/report/escape';
import { renderMarkdown } from '../../src/report/markdown';
import { check, reportWith, SOURCE } from './helpers';
import { HOSTILE, hostileReport } from './hostile';
import { liveMarkup, withoutCode } from './markdown-safety';

const RUN_URL = 'https://github.com/octo/models/actions/runs/42';
const identity = { workflow: 'privacy', job: 'gate', policy: 'policies/release.yml' };

/** Everything in `markdown` that would render as markup, HTML, a link, a mention or a reference. */
const problems = (markdown: string) => liveMarkup(markdown, RUN_URL);

describe('escaping helpers', () => {
  it.each(HOSTILE)('escapeMarkdown leaves nothing live in %j', (text) => {
    expect(problems(`| a | ${escapeMarkdown(text)} |\n|---|---|\n| b | ${escapeMarkdown(text)} |`)).toEqual([]);
  });

  it.each([
    { text: '- item', out: '\\- item' },
    { text: '1. first', out: '1\\. first' },
    { text: '.hidden', out: '.hidden' },
    { text: '0.1.0', out: '0.1.0' },
    { text: '1) first', out: '1\\) first' },
    { text: '+ item', out: '\\+ item' },
    { text: 'modified-entropy 0.5', out: 'modified-entropy 0.5' },
  ])('escapeMarkdown escapes a list marker only where it opens the text: $text', ({ text, out }) => {
    expect(escapeMarkdown(text)).toBe(out);
  });

  it.each(HOSTILE)('codeSpan cannot be closed early by %j', (text) => {
    const span = codeSpan(text);
    expect(withoutCode(`x ${span} y`)).toBe('x CODE y');
  });

  it.each(['``` inner', '````', 'a\n```\nb', '`'])('codeBlock cannot be closed by %j', (text) => {
    expect(withoutCode(`${codeBlock(text)}\nafter`)).toBe('after');
  });

  it.each([
    { text: '<b>&"\'', html: '&lt;b&gt;&amp;&quot;&#39;' },
    { text: 'a\nb\r\nc', html: 'a b c' },
    { text: '\u202Eab\u0000', html: 'ab' },
  ])('escapeHtml($text)', ({ text, html }) => {
    expect(escapeHtml(text)).toBe(html);
  });

  it('escapeHtmlForGithub breaks mentions without breaking entities', () => {
    expect(escapeHtmlForGithub("@me #2 it's")).toBe('@\u200bme #\u200b2 it&#39;s');
  });
});

describe('renderMarkdown', () => {
  it('keeps every hostile string as text in the summary and the comment', () => {
    const report = hostileReport();
    expect(problems(renderMarkdown(report, { links: [{ text: 'workflow run', url: RUN_URL }], reportFolder: 'out `x`' }))).toEqual([]);
    const comment = renderComment(report, {
      identity: { workflow: HOSTILE[13]!, job: HOSTILE[1]!, policy: HOSTILE[0]! },
      links: [{ text: 'run', url: RUN_URL }],
    });
    expect(problems(comment)).toEqual([]);
    // The marker itself stays one well-formed HTML comment on the first line.
    expect(comment.split('\n')[0]).toMatch(/^<!-- model-privacy-gate: workflow=[^<>]*; job=[^<>]*; policy=[^<>]* -->$/);
    expect(comment.split('\n')[0]!.slice(4, -3)).not.toContain('--');
  });

  it('rejects links that are not http(s) URLs', () => {
    const md = renderMarkdown(reportWith([check()]), {
      links: [
        { text: 'x', url: 'javascript:alert(1)' },
        { text: 'y', url: 'https://a.example/b) [z](https://evil' },
      ],
    });
    expect(md).not.toContain('javascript:');
    expect(md).not.toContain('](');
  });

  it('puts the verdict first and the checks that need attention in the main table', () => {
    const report = reportWith([
      check({ status: 'pass', value: 0.5, source: { ...SOURCE, line: 1 } }),
      check({ attack: 'entropy', status: 'fail', value: 0.9, source: { ...SOURCE, line: 2 } }),
      check({ attack: 'gap', status: 'warn', value: 0.58, source: { ...SOURCE, line: 3 } }),
    ]);
    const md = renderMarkdown(report);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Model Privacy Gate: test policy');
    expect(lines[2]).toMatch(/^\*\*Verdict: ❌ fails/);
    const main = md.slice(0, md.indexOf('<details>'));
    expect(main.indexOf('entropy')).toBeLessThan(main.indexOf('gap'));
    expect(main).not.toContain('✅ pass |');
    expect(md).toContain('<summary>1 threshold passes</summary>');
  });

  it('shows one row per threshold line, its strongest attack, and folds every attack into details', () => {
    const report = reportWith([
      check({ attack: 'loss', value: 0.7 }),
      check({ attack: 'entropy', value: 0.75 }),
      check({ attack: 'gap', status: 'pass', value: 0.52 }),
      check({
        attack: 'loss',
        metric: 'advantage',
        value: 0.3,
        ci: [0.25, 0.35],
        thresholds: { fail: 0.2 },
        source: { ...SOURCE, line: 13 },
      }),
    ]);
    const md = renderMarkdown(report);
    const main = md.slice(0, md.indexOf('<details>'));
    const rows = main.split('\n').filter((l) => l.startsWith('| membership |'));
    expect(rows).toEqual([
      '| membership | entropy (strongest of 3) | AUC | 0.750 [0.650, 0.750] | warn > 0.55, fail > 0.6 | ❌ fail; 1 more attack fails, 1 passes |',
      '| membership | loss | Advantage | 0.300 [0.250, 0.350] | fail > 0.2 | ❌ fail |',
    ]);
    // One sentence per line, at the top.
    expect(main.match(/^- membership\//gm)).toHaveLength(2);
    expect(main).toContain(
      '- membership/entropy AUC 0.750 \\[0.650, 0.750\\] is over the fail threshold 0.6 (1 more attack fails, 1 passes).',
    );
    const folded = md.slice(md.indexOf('<summary>Every attack against every threshold (4 checks)</summary>'));
    expect(folded.split('\n').filter((l) => l.startsWith('| membership |'))).toHaveLength(4);
  });

  it('says that the gate now passes only after an earlier failing or erroring comment', () => {
    const passing = reportWith([check({ status: 'pass', value: 0.5 })]);
    const failing = renderComment(reportWith([check()]), { identity });
    expect(previousVerdictOf(failing)).toBe('fail');
    expect(renderComment(passing, { identity, previousBody: failing })).toContain('The gate now passes');
    const passed = renderComment(passing, { identity });
    expect(renderComment(passing, { identity, previousBody: passed })).not.toContain('now passes');
    expect(renderComment(passing, { identity })).not.toContain('now passes');
  });

  it('reads the verdict marker only from its own line, not from text in the body', () => {
    expect(previousVerdictOf('text <!-- model-privacy-gate-verdict: fail --> more')).toBeUndefined();
    expect(previousVerdictOf('x\n<!-- model-privacy-gate-verdict: error -->\ny')).toBe('error');
  });
});

describe('size limits', () => {
  /** Thousands of failing checks with long hostile names: far over both limits. */
  const huge = () => {
    const checks = Array.from({ length: 3000 }, (_, i) =>
      check({
        attack: `attack-${i}-${'x'.repeat(300)}`,
        status: i % 2 ? 'warn' : 'fail',
        value: 0.6 + i / 1e5,
        source: { ...SOURCE, line: i },
      }),
    );
    const report = reportWith(checks);
    report.probes[0]!.attacks = Array.from({ length: 400 }, (_, i) => ({
      attack: `a${i}`.padEnd(400, '_'),
      description: 'd'.repeat(400),
      metrics: { auc: { value: 0.6, ci: [0.5, 0.7] as [number, number] } },
    }));
    return report;
  };

  it('shortens the comment to at most 65,536 characters, details first, and says so', () => {
    const comment = renderComment(huge(), { identity, links: [{ text: 'run', url: RUN_URL }] });
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment.length).toBeGreaterThan(COMMENT_LIMIT * 0.9);
    expect(comment.startsWith(commentMarker(identity))).toBe(true);
    expect(comment).toContain('**Verdict: ❌ fails');
    const has = (text: string | RegExp) => (typeof text === 'string' ? comment.includes(text) : text.test(comment));
    expect(has(/_Shortened to fit GitHub's limit of 65,536 characters: left out the input digests, the membership details, /)).toBe(true);
    expect(has(/…and \d+ more thresholds, left out to fit/)).toBe(true);
    expect(has('<summary>membership: every metric')).toBe(false);
    expect(problems(comment)).toEqual([]);
    // The most severe checks are the ones kept: every failing one before any warning.
    expect(has('attack-2998-')).toBe(true);
    expect(has('⚠️ warn')).toBe(false);
  });

  it('keeps the job summary under 1 MiB in bytes', () => {
    const summary = renderMarkdown(huge(), { limit: { max: SUMMARY_LIMIT_BYTES, unit: 'bytes' } });
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(summary.includes('1,048,576 bytes')).toBe(true);
  });

  it('leaves a text under the limit untouched', () => {
    const report = reportWith([check()]);
    expect(renderMarkdown(report, { limit: { max: COMMENT_LIMIT, unit: 'characters' } })).toBe(renderMarkdown(report));
  });
});
