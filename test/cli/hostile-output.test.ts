/**
 * Hostile names end to end: the wage example (a real ONNX model, real onnxruntime) with column
 * names and file names that carry workflow commands, Markdown, HTML and mentions. Whatever the
 * data holds, no line of the CLI's output starts a workflow command, and summary.md, report.html
 * and the SARIF file show the names as text.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { brokenTableRows, liveMarkup } from '../report/markdown-safety';
import { sink } from '../helpers/sink';

const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'examples/wages');
// Inside the repository (/.tmp/ is git-ignored), so the paths stay inside the workspace.
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function run(...args: string[]) {
  const out = sink();
  const err = sink();
  const code = await cli(args, out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A line the Actions runner would execute (it ignores leading white space). */
const COMMAND = /^\s*(::|##\[)/;
const commandLines = (text: string) => text.split(/\r\n|\r|\n/).filter((line) => COMMAND.test(line));

const SENSITIVE = 'union\n::error::INJECTED\r::stop-commands::tok';
const FEATURE = 'edu|`x`|@user <img src=x>|[y](javascript:alert(1))';
const DATA_NAME = 'members|@user <img src=x> [y](javascript:alert(1))';

/** The wage example with a hostile sensitive column, feature column and data file names. */
function hostileWages(): { dir: string; policy: string } {
  const dir = mkdtempSync(path.join(root, '.tmp', 'hostile-'));
  dirs.push(dir);
  copyFileSync(path.join(example, 'leaky.onnx'), path.join(dir, 'leaky.onnx'));
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  for (const [source, target] of [
    ['members', DATA_NAME],
    ['non-members', `non-${DATA_NAME}`],
  ]) {
    const [header, ...rows] = readFileSync(path.join(example, `data/${source}.csv`), 'utf8').split('\n');
    const columns = header!.split(',').map((c) => (c === 'union' ? quote(SENSITIVE) : c === 'education' ? quote(FEATURE) : c));
    writeFileSync(path.join(dir, `${target}.csv`), [columns.join(','), ...rows].join('\n'));
  }
  const policy = readFileSync(path.join(example, 'policy.yml'), 'utf8')
    .replace('data/members.csv', JSON.stringify(`${DATA_NAME}.csv`))
    .replace('data/non-members.csv', JSON.stringify(`non-${DATA_NAME}.csv`))
    .replace(/attribute: union\b/, `attribute: ${JSON.stringify(SENSITIVE)}`);
  expect(policy).toContain('::error::INJECTED');
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, policy);
  return { dir, policy: file };
}

describe('hostile column and file names through the CLI and the report files', () => {
  it('no output line starts a workflow command; Markdown, HTML and SARIF keep the names as text', async () => {
    const { dir, policy } = hostileWages();
    const out = path.join(dir, 'out');
    const result = await run('run', '--policy', policy, '--out', out);
    expect(result.code, result.stderr).toBe(1);

    // Console: the attack name infer-<column> is shown escaped on the check's own line.
    expect(commandLines(result.stdout + result.stderr)).toEqual([]);
    expect(result.stdout).toContain('fail  attribute-inference/infer-union\\n::error::INJECTED\\r::stop-commands::tok lift = ');

    // Markdown: nothing live, every table row keeps its cells, the hostile names are there as text.
    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(liveMarkup(summary)).toEqual([]);
    expect(brokenTableRows(summary)).toEqual([]);
    expect(summary).toContain(`\`${path.relative(root, path.join(dir, DATA_NAME)).replaceAll('|', '\\|')}.csv\``);
    expect(commandLines(summary)).toEqual([]);

    // HTML: no element from the data.
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<img src=x|<script|<y|javascript:alert\(1\)"/i);
    expect(html).toContain('infer-union ::error::INJECTED ::stop-commands::tok');

    // SARIF: message texts have no embedded link, and one line each; the name is there, escaped.
    const sarif = JSON.parse(readFileSync(path.join(out, 'privacy-gate.sarif'), 'utf8'));
    expect(JSON.stringify(sarif)).toContain('infer-union ::error::INJECTED ::stop-commands::tok');
    const texts: string[] = [];
    JSON.stringify(sarif, (key, value) => (key === 'text' && typeof value === 'string' && texts.push(value), value));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      // An embedded link is [text](target) with unescaped brackets; intervals like [0.1, 0.2] are fine.
      expect(text).not.toMatch(/(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\]\(/);
      expect(text).not.toMatch(/[\r\n]/);
    }
  });

  it('validate: a policy path and a column name with line breaks stay on the problem’s line', async () => {
    const { dir } = hostileWages();
    const nested = path.join(dir, 'x\n::error::INJECTED');
    mkdirSync(nested);
    const file = path.join(nested, 'policy.yml');
    writeFileSync(file, `version: 1\nmodel: { path: "../leaky.onnx\\n::warning::model" }\nprobes: { membership: { treshold: {} } }\n`);
    const result = await run('validate', '--policy', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('x\\n::error::INJECTED');
    expect(commandLines(result.stdout + result.stderr)).toEqual([]);
    for (const line of result.stderr.trimEnd().split('\n')) expect(line).toMatch(/^privacy-gate: /);
  });

  it.each([
    { args: ['x\n::error::INJECTED'], text: 'not "x\\n::error::INJECTED"' },
    { args: ['run', '--x\n::error::INJECTED'], text: "'--x\\n::error::INJECTED'" },
  ])('argument errors quote the argument escaped: $args', async ({ args, text }) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(text);
    expect(commandLines(result.stderr)).toEqual([]);
  });
});
