/**
 * A planted token must not come out anywhere: the CLI runs end to end (real model, real data)
 * with a secret-named environment variable, and the policy steers that value into messages and
 * reports in every way a hostile or careless policy can. No stream and no output file may hold
 * the value; the masked form shows that the value really was on its way out.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../src/cli';
import { MASK } from '../../src/util/secrets';
import { sink } from '../helpers/sink';

const ROOT = process.cwd();
const DIGITS = path.join(ROOT, 'examples/digits');
const TOKEN = 'ghp_' + 'Zq8'.repeat(12);

/** Every file under `dir`, recursively, as text. */
function filesUnder(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, text: readFileSync(file, 'latin1') }];
  });
}

const MEMBERSHIP = `probes:
  membership:
    attacks: [loss]
    thresholds: { auc: { warn: 0.9, fail: 0.95 } }
`;

/** A workspace with the digits model and data, and a policy whose parts the case replaces. */
function workspace(parts: { head?: string; members?: string; extra?: Record<string, string> }): string {
  const ws = mkdtempSync(path.join(tmpdir(), 'secrets-ws-'));
  for (const f of ['hardened.onnx']) copyFileSync(path.join(DIGITS, f), path.join(ws, f));
  for (const f of ['members.csv', 'non-members.csv']) copyFileSync(path.join(DIGITS, 'data', f), path.join(ws, f));
  for (const [name, text] of Object.entries(parts.extra ?? {})) writeFileSync(path.join(ws, name), text);
  writeFileSync(
    path.join(ws, 'policy.yml'),
    `version: 1
${parts.head ?? 'name: secrets'}
model: { path: hardened.onnx }
data:
  members: { ${parts.members ?? 'path: members.csv'} }
  non-members: { path: non-members.csv }
  label: digit
  max-rows: 300
${MEMBERSHIP}`,
  );
  return ws;
}

const digitsWithLabel = (label: string) => {
  const lines = readFileSync(path.join(DIGITS, 'data/members.csv'), 'utf8').split('\n');
  // Every row: the max-rows sample must meet it.
  return lines.map((line, i) => (i === 0 || line === '' ? line : line.replace(/,[^,]*$/, `,${label}`))).join('\n');
};

interface Case {
  name: string;
  ws: () => string;
  code: number;
  /** Where the masked value must show (proof the value was on its way out). */
  masked?: 'stderr' | 'summary';
  /** The policy itself is wrong: run prints the errors and writes no files. */
  policyError?: boolean;
}

const cases: Case[] = [
  {
    name: 'the policy name holds the token: a full run, all four report files',
    ws: () => workspace({ head: `name: release ${TOKEN}` }),
    code: 0,
    masked: 'summary',
  },
  {
    name: 'data.members.path at a workspace file whose header is the token',
    ws: () => workspace({ members: 'path: env.csv', extra: { 'env.csv': `${TOKEN}\n1\n2\n` } }),
    code: 2,
    masked: 'stderr',
  },
  {
    name: 'a label value that is the token',
    ws: () => workspace({ members: 'path: labelled.csv', extra: { 'labelled.csv': digitsWithLabel(TOKEN) } }),
    code: 2,
    masked: 'stderr',
  },
  {
    name: 'extends a workspace file whose key is the token',
    ws: () => workspace({ head: 'name: secrets\nextends: ./env.yml', extra: { 'env.yml': `${TOKEN}: 1\n` } }),
    code: 2,
    // A policy error: run creates no output folder, so only what it prints is checked.
    policyError: true,
    masked: 'stderr',
  },
  {
    name: 'data.members.path: /proc/self/environ with format: csv',
    ws: () => workspace({ members: 'path: /proc/self/environ, format: csv' }),
    code: 2,
    // A policy error: run creates no output folder, so only what it prints is checked.
    policyError: true,
  },
  {
    name: 'extends: /proc/self/environ',
    ws: () => workspace({ head: 'name: secrets\nextends: /proc/self/environ' }),
    code: 2,
    // A policy error: run creates no output folder, so only what it prints is checked.
    policyError: true,
  },
];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a planted token never leaves the gate', { timeout: 60_000 }, () => {
  it.each(cases)('$name', async (c) => {
    vi.stubEnv('DEPLOY_API_TOKEN', TOKEN);
    const ws = c.ws();
    const outDir = path.join(ws, 'report');
    const out = sink();
    const err = sink();
    const code = await cli(['run', '--policy', path.join(ws, 'policy.yml'), '--out', outDir, '--root', ws], out.stream, err.stream);
    expect({ code, stderr: err.text() }).toMatchObject({ code: c.code });
    const files = c.policyError ? [] : filesUnder(outDir);
    if (c.policyError) expect(existsSync(outDir)).toBe(false);
    else {
      expect(files.map((f) => path.basename(f.file))).toEqual(
        expect.arrayContaining(['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif']),
      );
    }
    for (const { file, text } of [...files, { file: 'stdout', text: out.text() }, { file: 'stderr', text: err.text() }]) {
      expect(text.includes(TOKEN), `${file} holds the token`).toBe(false);
    }
    if (c.masked === 'stderr') expect(err.text()).toContain(MASK);
    if (c.masked === 'summary') {
      // The other files render the masked name in their own escaping (e.g. \*\*\* in Markdown).
      expect(JSON.parse(readFileSync(path.join(outDir, 'privacy-report.json'), 'utf8')).policy.name).toBe(`release ${MASK}`);
    }
  });
});
