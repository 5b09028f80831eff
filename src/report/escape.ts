/**
 * One escaping function per output channel. Every string that comes from the model, the data
 * or the policy (column names, class names, attack names, file paths, messages that quote
 * them) goes through the one for its channel before it reaches a reader:
 *
 * | channel                                         | function              |
 * |-------------------------------------------------|-----------------------|
 * | CLI stdout/stderr (the runner reads commands)   | `consoleLine`, `escapeConsole` |
 * | Markdown text: table cells, list items, headings | `escapeMarkdown`      |
 * | Markdown code outside tables                    | `codeSpan`, `codeBlock` |
 * | Markdown code inside a table cell               | `tableCodeSpan`       |
 * | HTML and SVG: text and quoted attributes        | `escapeHtml`          |
 * | HTML inside GitHub Markdown (`<summary>`)       | `escapeHtmlForGithub` |
 * | SARIF message text                              | `escapeSarifText`     |
 * | annotations, other one-line plain text          | `plainText` (@actions/core then escapes `%`, CR, LF, and `:` `,` in properties) |
 */

/** Bidirectional overrides and control characters (C0, DEL, C1): invisible, and able to disguise text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
const ZWSP = '\u200b';

/** One line of plain text: no line breaks, no invisible characters, at most `max` characters. */
export function plainText(text: unknown, max = 500): string {
  const flat = String(text).replace(INVISIBLE, '').replace(LINE_BREAKS, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Text from the model, data or policy inside Markdown (table cells, list items, headings):
 * every ASCII punctuation that can start markup, a table cell, a link, an autolink, an entity
 * or math is backslash-escaped (CommonMark renders `\x` as `x`). Parentheses, `!` and `:` are
 * left alone: links and images need a `[`, which is escaped; `&` only where it could start an
 * entity (`&amp;`), `_` only where it could open or close emphasis (not inside `snake_case`). A list marker (`-`, `+`, `1.`,
 * `1)`) is escaped only where it opens the text (the text is one line). GitHub finds
 * mentions, issue references and emoji in the rendered text, after backslashes are gone, so a
 * zero-width space breaks those instead: after `@` and `#`, after `GH-`, and after a `:` that
 * could open an emoji code such as `:+1:`.
 */
export function escapeMarkdown(text: unknown, max = 500): string {
  const escaped = breakEmoji(breakAutolinks(plainText(text, max)))
    .replace(/[\\`*{}[\]#|<>~$]|&(?=#?[A-Za-z0-9]+;)|_(?<![\p{L}\p{N}]_(?=[\p{L}\p{N}]))/gu, (c) => `\\${c}`)
    .replace(/^([-+])|^(\d+)([.)])(?=\s|$)/, (_m, bullet?: string, digits?: string, mark?: string) =>
      bullet ? `\\${bullet}` : `${digits}\\${mark}`,
    );
  return breakReferences(escaped);
}

/** A zero-width space inside `://` and `www.`, so no renderer turns a URL in the text into a link. */
function breakAutolinks(text: string): string {
  return text.replace(/:\/\//g, `:${ZWSP}//`).replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/** A zero-width space after a `:` that could open an emoji code, also one the template closes (`**:tada**:`). */
function breakEmoji(text: string): string {
  return text.replace(/:(?=[\w+-]+(:|$))/g, `:${ZWSP}`);
}

/** A zero-width space after `@`, `#` and `GH-`: no mention, no issue reference. */
function breakReferences(text: string): string {
  return text.replace(/([@#])/g, `$1${ZWSP}`).replace(/\b(GH-)(?=\d)/gi, `$1${ZWSP}`);
}

/**
 * Text as a Markdown code span: nothing inside is rendered (no markup, HTML or mentions); the
 * fence is one backtick longer than the longest run inside, so the text cannot close it. Not
 * for table cells: there a `|` ends the cell even inside a code span (use `tableCodeSpan`).
 */
export function codeSpan(text: unknown, max = 500): string {
  const flat = plainText(text, max);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A code span inside a GFM table cell. GitHub splits the row at every `|` not preceded by a
 * backslash before it parses code spans, then turns `\|` back into `|`; so escaping each pipe
 * keeps the cell whole and shows the text unchanged (outside a table the backslash would show).
 */
export function tableCodeSpan(text: unknown, max = 500): string {
  return codeSpan(text, max).replace(/\|/g, '\\|');
}

/**
 * A fenced code block whose fence is longer than any backtick run inside, so the text cannot
 * close it; nothing inside is rendered.
 */
export function codeBlock(text: unknown, max = 4000): string {
  let body = String(text).replace(INVISIBLE, '').replace(/\r\n?/g, '\n');
  if (body.length > max) body = `${body.slice(0, max - 1)}…`;
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${body}\n${fence}`;
}

/** Text inside HTML or SVG (the HTML report, or HTML blocks in Markdown such as `<summary>`). */
export function escapeHtml(text: unknown, max = 2000): string {
  return plainText(text, max).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** HTML-escaped text that GitHub renders: also breaks links, mentions, issue references and emoji. */
export function escapeHtmlForGithub(text: unknown, max = 500): string {
  return escapeHtml(breakReferences(breakEmoji(breakAutolinks(plainText(text, max)))), max + 100);
}

/**
 * SARIF message text (`message.text`, rule descriptions): plain text in which viewers, GitHub
 * code scanning included, turn `[text](target)` into a link (SARIF 2.1.0 §3.11.6, embedded
 * links); literal brackets are escaped with a backslash, as the standard asks.
 */
export function escapeSarifText(text: unknown, max = 500): string {
  return plainText(text, max).replace(/[[\]]/g, (c) => `\\${c}`);
}

/** Characters a terminal or the Actions runner would act on: C0 (line breaks included), DEL, C1, line separators, bidi controls. */
// eslint-disable-next-line no-control-regex
const CONSOLE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED_CONTROLS: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text for a terminal or a CI log, shown rather than obeyed: a line break becomes `\n`, ESC
 * `\x1b`, a bidi override `\u202e`, so quoted text can neither start a line of its own (where
 * the runner would execute `::error::` or `::stop-commands::`) nor recolour or hide output.
 */
export function escapeConsole(text: unknown): string {
  return String(text).replace(CONSOLE_UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED_CONTROLS[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** Prefix of a console line that would otherwise begin with text the runner reads as a command. */
const COMMAND_START = /^\s*(::|##\[)/;

/**
 * One line of console output, newline included. Callers start every line with fixed text (a
 * status, `privacy-gate: `); should a line still begin like a workflow command (the runner
 * ignores leading spaces), it is prefixed, so no quoted text can be run as one.
 */
export function consoleLine(text: string): string {
  const line = escapeConsole(text);
  return `${COMMAND_START.test(line) ? `privacy-gate: ${line}` : line}\n`;
}
