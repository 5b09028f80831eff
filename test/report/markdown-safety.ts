/**
 * A small model of how GitHub renders the gate's Markdown, enough to check that hostile text
 * stays text: code spans and fenced blocks are literal; a backslash escape is a literal
 * character; mentions, issue references and autolinks are found in the rendered text. Table
 * rows are split into cells before code spans are parsed, as cmark-gfm does: a `|` inside a
 * code span still ends the cell unless a backslash precedes it.
 */
import { LIVE } from './hostile';

/** Removes fenced code blocks and code spans (CommonMark: a span closes at the next run of equal length). */
export function withoutCode(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let fence = 0;
  for (const line of lines) {
    const run = /^(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (fence === 0 && run >= 3) {
      fence = run;
      continue;
    }
    if (fence > 0) {
      if (run >= fence && /^`+\s*$/.test(line)) fence = 0;
      continue;
    }
    // A table row: cells first, then code spans in each; pipes left in a cell are its text.
    out.push(
      line.startsWith('|')
        ? `| ${tableCells(line)
            .map((cell) => withoutSpans(cell).replace(/\|/g, '\\|'))
            .join(' | ')} |`
        : withoutSpans(line),
    );
  }
  if (fence > 0) throw new Error('unclosed code fence: the rest of the comment would render as code');
  return out.join('\n');
}

function withoutSpans(line: string): string {
  let result = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\' && i + 1 < line.length) {
      result += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== '`') {
      result += line[i++];
      continue;
    }
    const open = /^`+/.exec(line.slice(i))![0].length;
    let j = i + open;
    let close = -1;
    while (j < line.length) {
      const m = /^`+/.exec(line.slice(j));
      if (m) {
        if (m[0].length === open) {
          close = j;
          break;
        }
        j += m[0].length;
      } else j++;
    }
    if (close < 0) {
      // No closing run: the backticks are literal text (a hostile backtick reached the text).
      result += line.slice(i, i + open);
      i += open;
      continue;
    }
    result += 'CODE';
    i = close + open;
  }
  return result;
}

/** The Markdown source with every backslash escape replaced by a harmless letter. */
export function escapesNeutralised(markdown: string): string {
  return markdown.replace(/\\[!-/:-@[-`{-~]/g, 'X');
}

/** The text a reader sees for escapes: `\c` → `c`. */
export function escapesRendered(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** The cells of a table row as cmark-gfm reads them: split at pipes without a backslash before them, then `\|` → `|`. */
export function tableCells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.replace(/\\\|/g, '|').trim());
}

/** Table rows (outside fenced code) whose count of cells differs from their table's header. */
export function brokenTableRows(markdown: string): string[] {
  const broken: string[] = [];
  let expected = 0;
  let fence = 0;
  for (const line of markdown.split('\n')) {
    const run = /^(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (fence === 0 && run >= 3) fence = run;
    else if (fence > 0 && run >= fence && /^`+\s*$/.test(line)) fence = 0;
    if (fence > 0 || !line.startsWith('|')) {
      expected = 0;
      continue;
    }
    const cells = tableCells(line).length;
    if (expected === 0) expected = cells;
    else if (cells !== expected) broken.push(line);
  }
  return broken;
}

/** Everything in `markdown` that would render as markup, HTML, a link, a mention or a reference. */
export function liveMarkup(markdown: string, allowedUrl?: string): string[] {
  const text = withoutCode(markdown);
  const source = escapesNeutralised(text);
  const rendered = allowedUrl ? escapesRendered(text).split(allowedUrl).join('RUN') : escapesRendered(text);
  const found: string[] = [];
  for (const live of LIVE) if (source.includes(live)) found.push(`live markup ${JSON.stringify(live)}`);
  for (const tag of source.match(/<[^>]*>?/g) ?? []) {
    if (!/^<\/?(details|summary|sub)>$/.test(tag) && !/^<!-- model-privacy-gate(-verdict)?: [^<>]*-->$/.test(tag)) found.push(`tag ${tag}`);
  }
  for (const [name, pattern] of [
    ['mention', /@[A-Za-z0-9]/],
    ['issue reference', /#\d/],
    ['URL', /https?:\/\//],
    ['www link', /www\./i],
    ['entity', /&[#a-z0-9]+;/i],
    ['emoji', /:[\w+-]+:/],
    ['GH reference', /\bGH-\d/i],
  ] as const) {
    if (pattern.test(rendered.replace(/&(amp|lt|gt|quot|#39);/g, ''))) found.push(`${name}: ${rendered.match(pattern)![0]}`);
  }
  const links = source.match(/\]\(/g) ?? [];
  if (links.length > (allowedUrl ? 1 : 0)) found.push(`${links.length} links (only the run link is expected)`);
  for (const line of source.split('\n')) {
    if (/^#{1,6} /.test(line) && !/^## Model Privacy Gate|^### What the model exposed$/.test(line)) found.push(`heading ${line}`);
  }
  found.push(...brokenTableRows(markdown).map((row) => `broken table row ${row}`));
  return found;
}
