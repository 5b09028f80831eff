/**
 * Issue 8's acceptance table: every way a leaky model used to pass (or a careless policy used to
 * leak), run end to end through the CLI on the digits example with a planted token in the
 * environment. Each case names its exit code and the line the user reads first, and no stream
 * or report file may hold the token. (The GitHub-side cases, 10 to 13, need the action and the
 * fake GitHub API: test/github/action.test.ts and comment.test.ts.)
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../src/cli';
import { node, tensor, wrapOutput, ELEM, valueInfo, opsetOf, intsAttribute } from '../helpers/onnx-proto';
import { sink } from '../helpers/sink';

const DIGITS = path.join(process.cwd(), 'examples/digits');
const TOKEN = 'ghs_' + 'Pq7x'.repeat(9);
const LEAKY = readFileSync(path.join(DIGITS, 'leaky.onnx'));

function filesUnder(dir: string): Array<{ file: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, text: readFileSync(file, 'latin1') }];
  });
}

const csvLines = (file: string) =>
  readFileSync(path.join(DIGITS, 'data', file), 'utf8')
    .trimEnd()
    .split('\n');

interface Workspace {
  model?: Uint8Array;
  members?: string;
  nonMembers?: string;
  /** Policy text after `data:`'s files (label, max-rows, surface, probes, gate). */
  rest?: string;
  head?: string;
  extra?: Record<string, string>;
  /** Replaces the whole policy file. */
  policy?: string;
}

// As the digits example does: its 898 non-members resolve TPR at FPR 2%, not the preset's 1%.
const MEMBERSHIP = 'probes:\n  membership:\n    attacks: [loss, confidence]\n    thresholds: { tpr-at-fpr: { fpr: 0.02, fail: 0.1 } }\n';

/** A workspace holding the digits model and data, with a policy the case shapes. */
function workspace(ws: Workspace): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'degenerate-ws-'));
  writeFileSync(path.join(dir, 'model.onnx'), ws.model ?? LEAKY);
  copyFileSync(path.join(DIGITS, 'data/members.csv'), path.join(dir, 'members.csv'));
  copyFileSync(path.join(DIGITS, 'data/non-members.csv'), path.join(dir, 'non-members.csv'));
  for (const [name, text] of Object.entries(ws.extra ?? {})) writeFileSync(path.join(dir, name), text);
  writeFileSync(
    path.join(dir, 'policy.yml'),
    ws.policy ??
      `version: 1
name: degenerate
extends: standard
${ws.head ?? 'seed: 42'}
model: { path: model.onnx }
data:
  members: { path: ${ws.members ?? 'members.csv'} }
  non-members: { path: ${ws.nonMembers ?? 'non-members.csv'} }
  label: digit
${ws.rest ?? `  features: "pixel_*"\n${MEMBERSHIP}`}`,
  );
  return dir;
}

const timesNaN = wrapOutput(LEAKY, 'probabilities', (inner) => ({
  nodes: [node('Mul', [inner, 'c'], ['probabilities'])],
  initializers: [tensor('c', [], Float32Array.of(NaN))],
}));

const unsqueezed = wrapOutput(LEAKY, 'probabilities', (inner) =>
  opsetOf(LEAKY) >= 13
    ? {
        nodes: [node('Unsqueeze', [inner, 'axes'], ['probabilities'])],
        initializers: [tensor('axes', [1], BigInt64Array.of(2n))],
        outputInfo: valueInfo('probabilities', ELEM.float, ['batch', 10, 1]),
      }
    : {
        nodes: [node('Unsqueeze', [inner], ['probabilities'], [intsAttribute('axes', [2])])],
        outputInfo: valueInfo('probabilities', ELEM.float, ['batch', 10, 1]),
      },
);

const oneRow = (file: string) => csvLines(file).slice(0, 2).join('\n') + '\n';
const hostileHeader = () => {
  const [header, ...rows] = csvLines('members.csv');
  return [header!.replace('pixel_0', '"pixel_0\n::error::INJECTED"'), ...rows].join('\n') + '\n';
};

interface Case {
  item: number;
  name: string;
  ws: () => string;
  code: number;
  /** The first line of stderr, or of stdout when the gate reached a verdict. */
  first: RegExp;
  stream?: 'stdout' | 'stderr';
  check?: (ctx: { dir: string; stdout: string; stderr: string }) => void;
}

const cases: Case[] = [
  {
    item: 1,
    name: 'a model whose output is multiplied by NaN',
    ws: () => workspace({ model: timesNaN }),
    code: 2,
    first:
      /^privacy-gate: .*model\.onnx \(model\.output\): model output "probabilities" holds non-finite values \(NaN\) in 899 of 899 rows queried, the first at line 2 of .*members\.csv \(members\)/,
  },
  {
    item: 2,
    name: 'a model whose output is wrapped in Unsqueeze(axis 2)',
    ws: () => workspace({ model: unsqueezed }),
    code: 2,
    first:
      /^privacy-gate: .*model\.onnx \(model\.output\): model output "probabilities" is declared with shape \[batch, 10, 1\]; expected \[batch, classes\], \[batch\] or \[batch, 1\]/,
  },
  {
    item: 3,
    name: 'one member and one non-member',
    ws: () =>
      workspace({
        extra: { 'm1.csv': oneRow('members.csv'), 'n1.csv': oneRow('non-members.csv') },
        members: 'm1.csv',
        nonMembers: 'n1.csv',
      }),
    code: 2,
    first:
      /^privacy-gate: too few records to measure membership\/loss auc .*it needs at least 65 members \(has 1\) and 65 non-members \(has 1\)/,
  },
  {
    item: 3,
    name: 'TPR at FPR 0.001 on 898 non-members',
    ws: () =>
      workspace({
        rest: `  features: "pixel_*"\nprobes:\n  membership:\n    attacks: [loss]\n    thresholds: { tpr-at-fpr: { fpr: 0.001, fail: 0.05 } }\n`,
      }),
    code: 2,
    first: /^privacy-gate: too few records to measure membership\/loss tpr-at-fpr.*10,000 non-members \(has 898\)/,
  },
  {
    item: 4,
    name: 'an advantage interval that straddles the fail line, under gate.inconclusive: fail',
    ws: () =>
      workspace({
        model: readFileSync(path.join(DIGITS, 'hardened.onnx')),
        policy: `version: 1
name: straddle
seed: 42
model: { path: model.onnx }
data:
  members: { path: members.csv }
  non-members: { path: non-members.csv }
  label: digit
  max-rows: 250
probes:
  membership:
    attacks: [loss]
    thresholds: { advantage: { fail: 0.2 } }
gate: { inconclusive: fail }
`,
      }),
    code: 1,
    stream: 'stdout',
    first:
      /^inconclusive membership\/loss advantage = 0\.\d+ \[0\.000, 0\.2\d+\] \(inconclusive: the interval reaches over the fail threshold 0\.2/,
  },
  {
    item: 5,
    name: 'members and non-members are the same file',
    ws: () => workspace({ nonMembers: 'members.csv' }),
    code: 2,
    first: /^privacy-gate: .*members\.csv:2 \(data\.non-members\): 899 of the 899 non-member records used are also among the members/,
  },
  {
    item: 6,
    name: 'members and non-members swapped on the leaky model',
    ws: () => workspace({ members: 'non-members.csv', nonMembers: 'members.csv' }),
    code: 2,
    first: /^privacy-gate: members look less like training data than non-members: the whole AUC interval is below 0\.5 \(loss 0\.24\d/,
  },
  {
    item: 7,
    name: 'data.members.path: /proc/self/environ',
    ws: () => workspace({ members: '/proc/self/environ, format: csv' }),
    code: 2,
    first:
      /^privacy-gate: .*policy\.yml:\d+:\d+ \(data\.members\.path\): \/proc\/self\/environ .*is under \/proc, which the gate never reads/,
  },
  {
    item: 7,
    name: 'a header cell holding the token and 500 more characters',
    ws: () => workspace({ members: 'long.csv', extra: { 'long.csv': `${TOKEN}${'x'.repeat(500)},digit\n1,2\n` } }),
    code: 2,
    first: /^privacy-gate: /,
    check: ({ stderr }) => expect(stderr).not.toMatch(/x{201}/),
  },
  {
    item: 8,
    name: 'a header cell that tries to start a workflow command',
    ws: () => workspace({ members: 'hostile.csv', extra: { 'hostile.csv': hostileHeader() }, rest: `${MEMBERSHIP}` }),
    code: 2,
    first: /^privacy-gate: /,
    check: ({ stdout, stderr }) => expect(`${stdout}\n${stderr}`).not.toMatch(/^\s*::/m),
  },
  {
    item: 9,
    name: 'a data path with | and markup keeps the inputs table whole',
    ws: () => {
      const name = 'm|@user <img src=x>|[y](javascript:alert(1)).csv';
      return workspace({ members: `"${name}"`, extra: { [name]: csvLines('members.csv').join('\n') + '\n' } });
    },
    code: 1,
    stream: 'stdout',
    first: /^fail {2}membership\/loss auc = 0\.75\d/,
    check: ({ dir }) => {
      const summary = readFileSync(path.join(dir, 'report', 'summary.md'), 'utf8');
      // The path stays one code span, and no table row gains a cell (GitHub splits table rows on
      // unescaped pipes, even inside code spans).
      expect(summary).toMatch(/^- \*\*members:\*\* `[^`]*m\|@user <img src=x>\|\[y\]\(javascript:alert\(1\)\)\.csv`, 899 rows$/m);
      let cells: number | undefined;
      for (const line of summary.split('\n')) {
        if (!line.startsWith('|')) {
          cells = undefined;
          continue;
        }
        const count = line.match(/(?<!\\)\|/g)!.length;
        cells ??= count;
        expect(count, line).toBe(cells);
      }
      const outsideCode = summary.replace(/`[^`\n]*`/g, '');
      expect(outsideCode).not.toMatch(/<img|@user|\]\(javascript:/);
    },
  },
  {
    item: 14,
    name: 'a policy that is a FIFO',
    ws: () => {
      const dir = workspace({});
      const fifo = path.join(dir, 'fifo.yml');
      execFileSync('mkfifo', [fifo]);
      writeFileSync(path.join(dir, 'policy.yml'), 'version: 1\nextends: ./fifo.yml\n');
      return dir;
    },
    code: 2,
    first: /^privacy-gate: .*policy\.yml:2:10 \(extends\): policy file is a FIFO \(named pipe\), not a regular file: .*fifo\.yml$/,
  },
  {
    item: 14,
    name: 'a policy over 1 MiB',
    ws: () => workspace({ policy: `version: 1\n# ${'x'.repeat(1 << 20)}\n` }),
    code: 2,
    first: /policy file is \d+ bytes; expected at most 1048576 \(1 MiB\)/,
  },
  {
    item: 15,
    name: 'seed above 2^32',
    ws: () => workspace({ head: 'seed: 4294967297' }),
    code: 2,
    first: /^privacy-gate: .*policy\.yml:4:7 \(seed\): seed must be at least 0 and at most 4294967295, found 4294967297/,
  },
];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('issue 8: degenerate and hostile inputs never pass, and never leak the token', { timeout: 120_000 }, () => {
  it.each(cases)('item $item: $name → exit $code', async (c) => {
    vi.stubEnv('DEPLOY_API_TOKEN', TOKEN);
    const dir = c.ws();
    const out = sink();
    const err = sink();
    const code = await cli(
      ['run', '--policy', path.join(dir, 'policy.yml'), '--out', path.join(dir, 'report'), '--root', dir],
      out.stream,
      err.stream,
    );
    const stdout = out.text();
    const stderr = err.text();
    expect({ code, stderr: stderr.slice(0, 2000) }).toEqual({ code: c.code, stderr: expect.any(String) });
    const firstLine =
      (c.stream === 'stdout' ? stdout : stderr).split('\n').find((line) => !line.startsWith('privacy-gate: warning:')) ?? '';
    expect(firstLine).toMatch(c.first);
    c.check?.({ dir, stdout, stderr });
    for (const { file, text } of [
      ...filesUnder(path.join(dir, 'report')),
      { file: 'stdout', text: stdout },
      { file: 'stderr', text: stderr },
    ]) {
      expect(text.includes(TOKEN), `${file} holds the token`).toBe(false);
    }
  });
});
