/**
 * The escaping functions, one per output channel, against one hostile corpus: whatever a
 * policy, data file or model holds stays text in every channel, and reads as it was written.
 */
import { describe, expect, it } from 'vitest';
import {
  codeSpan,
  consoleLine,
  escapeConsole,
  escapeHtml,
  escapeMarkdown,
  escapeSarifText,
  plainText,
  tableCodeSpan,
} from '../../src/report/escape';
import { HOSTILE } from './hostile';
import { escapesRendered, liveMarkup, tableCells, withoutCode } from './markdown-safety';

const LONG = `${'|@user<script>`'.repeat(20_000)}\n::error::tail`;

/** The brief's corpus, the Markdown corpus of ./hostile, and a very long string. */
const CORPUS = [
  '|',
  'a | b',
  '`code` with ``` and `',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '@user please look',
  '[x](javascript:alert(1))',
  '](javascript:alert(1))',
  '\u001b[31mred\u001b[0m \u001b]0;title\u0007',
  'line one\nline two\r\nline three\rline four',
  '::error::INJECTED',
  'x\n::error::INJECTED',
  '::stop-commands::token',
  '  ::warning file=a::indented',
  '##[error]legacy',
  'nul\u0000byte del\u007f c1\u0085\u009b31m',
  '\u2028separator\u2029paragraph',
  'C:\\data\\a\\|b.csv',
  ...HOSTILE,
  LONG,
];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const withoutZwsp = (text: string) => text.replaceAll('\u200b', '');

describe('console (CLI stdout and stderr)', () => {
  it.each([
    { text: 'x\n::error::INJECTED', out: 'x\\n::error::INJECTED' },
    { text: 'a\r\nb\tc', out: 'a\\r\\nb\\tc' },
    { text: '\u001b[31mred\u001b[0m', out: '\\x1b[31mred\\x1b[0m' },
    { text: 'nul\u0000 del\u007f c1\u009b', out: 'nul\\x00 del\\x7f c1\\x9b' },
    { text: '\u202eevil \u2028next', out: '\\u202eevil \\u2028next' },
    { text: 'C:\\data\\x.csv, "quoted", 10 % of ü', out: 'C:\\data\\x.csv, "quoted", 10 % of ü' },
  ])('escapeConsole($text) shows control characters escaped', ({ text, out }) => {
    expect(escapeConsole(text)).toBe(out);
  });

  it.each([
    { text: '::error::x', out: 'privacy-gate: ::error::x\n' },
    { text: '  ::stop-commands::t', out: 'privacy-gate:   ::stop-commands::t\n' },
    { text: '##[warning]x', out: 'privacy-gate: ##[warning]x\n' },
    { text: 'fail  membership/loss auc = 0.753', out: 'fail  membership/loss auc = 0.753\n' },
  ])('consoleLine never starts with a workflow command: $text', ({ text, out }) => {
    expect(consoleLine(text)).toBe(out);
  });

  it.each(CORPUS.map((text) => [text.slice(0, 60), text]))('consoleLine(%j) is one line the runner cannot execute', (_name, text) => {
    for (const line of [consoleLine(text), consoleLine(`privacy-gate: ${text}`)]) {
      expect(line.endsWith('\n')).toBe(true);
      const body = line.slice(0, -1);
      expect(body).not.toMatch(CONTROL);
      expect(body).not.toMatch(/^\s*(::|##\[)/);
      // Nothing is lost: the escaped text still shows every printable character.
      expect(body.length).toBeGreaterThanOrEqual(text.length);
    }
  });
});

describe('Markdown', () => {
  it.each(CORPUS.map((text) => [text.slice(0, 60), text]))(
    'escapeMarkdown(%j) in a table cell is text, and reads as written',
    (_name, text) => {
      const cell = escapeMarkdown(text, 1000);
      expect(liveMarkup(`| a | b |\n|---|---|\n| ${cell} | x |`)).toEqual([]);
      // What a reader sees: the text itself (line breaks as spaces), no stray backslashes.
      expect(withoutZwsp(escapesRendered(cell))).toBe(plainText(text, 1000));
    },
  );

  it.each(CORPUS.map((text) => [text.slice(0, 60), text]))(
    'tableCodeSpan(%j) keeps the row whole and shows the text unchanged',
    (_name, text) => {
      const row = `| ${tableCodeSpan(text, 1000)} | x |`;
      const table = `| a | b |\n|---|---|\n${row}`;
      expect(liveMarkup(table)).toEqual([]);
      const cells = tableCells(row);
      expect(cells).toHaveLength(2);
      expect(withoutCode(`x ${cells[0]} y`)).toBe('x CODE y');
      // GitHub turns \| back into | before the code span is read: the span is the plain codeSpan.
      expect(cells[0]).toBe(codeSpan(text, 1000));
    },
  );

  it('a pipe in a plain code span splits a table row (why tables need tableCodeSpan)', () => {
    const row = `| ${codeSpan('data|@user <img src=x>|x.csv')} | x |`;
    expect(tableCells(row)).toHaveLength(4);
    expect(liveMarkup(`| a | b |\n|---|---|\n${row}`)).toEqual(expect.arrayContaining(['tag <img src=x>', 'mention: @u']));
  });

  it.each([
    { text: 'snake_case_name and _emphasis_', out: 'snake_case_name and \\_emphasis\\_' },
    { text: 'Song & Mittal &amp; co', out: 'Song & Mittal \\&amp; co' },
    { text: 'gap (training error): 0.5!', out: 'gap (training error): 0.5!' },
    { text: ':+1: :tada:', out: ':\u200b+1: :\u200btada:' },
    { text: 'GH-12 and #3', out: 'GH-\u200b12 and \\#\u200b3' },
  ])('escapeMarkdown leaves ordinary punctuation alone: $text', ({ text, out }) => {
    expect(escapeMarkdown(text)).toBe(out);
  });
});

describe('HTML and SVG', () => {
  it.each(CORPUS.map((text) => [text.slice(0, 60), text]))(
    'escapeHtml(%j) is text in element content and quoted attributes',
    (_name, text) => {
      const html = escapeHtml(text, 200_000);
      expect(html).not.toMatch(/[<>"']/);
      expect(html).not.toMatch(CONTROL);
      expect(html.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
    },
  );
});

describe('SARIF message text', () => {
  it.each(CORPUS.map((text) => [text.slice(0, 60), text]))('escapeSarifText(%j) has no embedded link and one line', (_name, text) => {
    const sarif = escapeSarifText(text, 200_000);
    expect(sarif).not.toMatch(/(?<!\\)[[\]]/);
    expect(sarif).not.toMatch(CONTROL);
  });

  it('escapes brackets the way SARIF viewers unescape them', () => {
    expect(escapeSarifText('[x](https://evil.example) a]b')).toBe('\\[x\\](https://evil.example) a\\]b');
  });
});

describe('very long strings', () => {
  it('are escaped whole in linear time (cutting to length is the caller’s choice)', () => {
    const started = performance.now();
    expect(consoleLine(LONG).length).toBeGreaterThan(LONG.length);
    expect(escapeMarkdown(LONG, LONG.length + 1).length).toBeGreaterThan(LONG.length);
    expect(tableCodeSpan(LONG, LONG.length + 1).length).toBeGreaterThan(LONG.length);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
