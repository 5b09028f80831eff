/**
 * Path confinement: the policy, what it extends and every file it names must resolve (after
 * symlinks) inside the allowed roots, and never under /proc, /sys or /dev. A violation is a
 * PolicyError at the value's line and column, naming the field; whether the file exists is not said.
 */
import { copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { PolicyError } from '../../src/errors';
import { loadPolicy, validatePolicy } from '../../src/run/policy';
import { PATH_FIELDS } from '../../src/policy/paths';
import { policySchema } from '../../src/policy/schema-json';
import { isInside, pathProblem } from '../../src/util/paths';
import { policyDir, POLICY_HEAD } from './helpers';

const PROBES = 'probes:\n  membership:\n    thresholds: { auc: { fail: 0.6 } }\n';
const OUTSIDE =
  /is outside the folders the gate may read \(.*\); keep the policy, model and data in the workspace, or allow another folder with --root DIR \(CLI\) or the allowed-roots input \(action\)$/;
const OUTSIDE_START = /policy file .* is outside the folders the gate may read/;
const PROC = /is under \/proc, which the gate never reads/;

/** A file in a second temporary folder, outside the test's root. */
function outsideFile(name: string, text = 'x\n'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'outside-root-')), name);
  writeFileSync(file, text);
  return file;
}

interface Case {
  name: string;
  /** policy.yaml; OUT stands for a file outside the root. */
  policy: (out: string) => string;
  setup?: (dir: string, out: string) => void;
  outside?: string;
  expect: { line: number; column: number; field?: string; message: RegExp };
}

const AI_HEAD = POLICY_HEAD.replace('label: digit', 'label: y');

const cases: Case[] = [
  {
    name: 'model.path under /proc',
    policy: () => POLICY_HEAD.replace('path: model.onnx', 'path: /proc/self/environ') + PROBES,
    expect: { line: 3, column: 9, field: 'model.path', message: PROC },
  },
  {
    name: 'data.members.path: /proc/self/environ with format: csv',
    policy: () => POLICY_HEAD.replace('members: { path: train.csv }', 'members: { path: /proc/self/environ, format: csv }') + PROBES,
    expect: {
      line: 5,
      column: 20,
      field: 'data.members.path',
      message: /^\/proc\/self\/environ \(a link to \/proc\/\d+\/environ\) is under \/proc/,
    },
  },
  {
    name: 'a data file outside the root, by a relative path',
    policy: (out) =>
      POLICY_HEAD.replace('non-members: { path: holdout.csv }', `non-members: { path: ${JSON.stringify(join('..', out))} }`) + PROBES,
    outside: 'holdout.csv',
    expect: { line: 6, column: 24, field: 'data.non-members.path', message: OUTSIDE },
  },
  {
    name: 'a symlink inside the root that points outside it',
    policy: () => POLICY_HEAD.replace('members: { path: train.csv }', 'members: { path: link.csv }') + PROBES,
    outside: 'secret.csv',
    setup: (dir, out) => symlinkSync(out, join(dir, 'link.csv')),
    expect: { line: 5, column: 20, field: 'data.members.path', message: /link\.csv \(a link to .*secret\.csv\) is outside the folders/ },
  },
  {
    name: 'a symlink inside the root that points at /proc/self/environ',
    policy: () => POLICY_HEAD.replace('members: { path: train.csv }', 'members: { path: env.csv }') + PROBES,
    setup: (dir) => symlinkSync('/proc/self/environ', join(dir, 'env.csv')),
    expect: { line: 5, column: 20, field: 'data.members.path', message: PROC },
  },
  {
    name: 'a file outside the root that does not exist: outside, not "not found"',
    policy: () => POLICY_HEAD.replace('path: model.onnx', 'path: /nonexistent/model.onnx') + PROBES,
    expect: { line: 3, column: 9, field: 'model.path', message: /^\/nonexistent\/model\.onnx is outside the folders/ },
  },
  {
    name: 'an NPY labels file outside the root',
    policy: (out) =>
      POLICY_HEAD.replace('members: { path: train.csv }', `members: { path: train.npy, labels: ${JSON.stringify(out)} }`) + PROBES,
    outside: 'labels.npy',
    setup: (dir) => writeFileSync(join(dir, 'train.npy'), ''),
    expect: { line: 5, column: 39, field: 'data.members.labels', message: OUTSIDE },
  },
  {
    name: 'the attribute-inference auxiliary file under /sys',
    policy: () =>
      `${AI_HEAD}probes:\n  attribute-inference:\n    attribute: y\n    auxiliary: { path: /sys/kernel/notes, format: csv }\n    thresholds: { lift: { fail: 0.1 } }\n`,
    expect: { line: 11, column: 24, field: 'probes.attribute-inference.auxiliary.path', message: /is under \/sys/ },
  },
  {
    name: 'the attribute-inference auxiliary labels outside the root',
    policy: (out) =>
      `${AI_HEAD}probes:\n  attribute-inference:\n    attribute: y\n    auxiliary: { path: aux.npy, labels: ${JSON.stringify(out)} }\n    thresholds: { lift: { fail: 0.1 } }\n`,
    outside: 'aux-labels.npy',
    setup: (dir) => writeFileSync(join(dir, 'aux.npy'), ''),
    expect: { line: 11, column: 41, field: 'probes.attribute-inference.auxiliary.labels', message: OUTSIDE },
  },
  {
    name: 'a sequence model vocabulary file under /dev',
    policy: () =>
      'version: 1\nmodel:\n  path: model.onnx\n  task: sequence\n  tokenizer: { vocab-file: /dev/stdin }\ndata:\n  members: { path: m.txt }\n  non-members: { path: n.txt }\nprobes:\n  extraction:\n    memorization: {}\n    thresholds: { memorized-fraction: { fail: 0.1 } }\n',
    setup: (dir) => ['m.txt', 'n.txt'].forEach((f) => writeFileSync(join(dir, f), 'abc\n')),
    expect: {
      line: 5,
      column: 28,
      field: 'model.tokenizer.vocab-file',
      message: /^\/dev\/stdin( \(a link to .*\))? is under \/(dev|proc)/,
    },
  },
  {
    name: 'extends: /proc/self/environ',
    policy: () => `extends: /proc/self/environ\n${POLICY_HEAD}${PROBES}`,
    expect: {
      line: 1,
      column: 10,
      field: 'extends',
      message: /^extends "\/proc\/self\/environ": \/proc\/self\/environ \(a link to \/proc\/\d+\/environ\) is under \/proc/,
    },
  },
  {
    name: 'extends a policy outside the root',
    policy: (out) => `extends: ${JSON.stringify(out)}\n${POLICY_HEAD}${PROBES}`,
    outside: 'base.yaml',
    // The rest of the policy is still checked, without what it extends, and the message says so.
    expect: {
      line: 1,
      column: 10,
      field: 'extends',
      message: new RegExp(`${OUTSIDE.source.replace(/\$$/, '')} \\(the rest of the policy is checked without it`),
    },
  },
];

describe('paths outside the allowed roots', () => {
  it.each(cases)('$name', (c) => {
    const out = c.outside ? outsideFile(c.outside) : '';
    const dir = policyDir({ 'policy.yaml': c.policy(out) });
    c.setup?.(dir, out);
    const file = join(dir, 'policy.yaml');
    let thrown: unknown;
    try {
      loadPolicy(file, { roots: [dir] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    const error = thrown as PolicyError;
    expect({ field: undefined, ...error.location, message: error.message }).toEqual({
      file,
      line: c.expect.line,
      column: c.expect.column,
      field: c.expect.field,
      message: expect.stringMatching(c.expect.message),
    });
    // Only the confinement error for that field: nothing says whether the file exists or what it holds.
    const all = validatePolicy(file, { roots: [dir] });
    expect(all.filter((e) => e.location?.field === c.expect.field).map((e) => e.message)).toEqual([error.message]);
  });

  it('a root of / still never opens /proc', () => {
    const dir = policyDir({
      'policy.yaml': POLICY_HEAD.replace('members: { path: train.csv }', 'members: { path: /proc/self/environ, format: csv }') + PROBES,
    });
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: ['/'] });
    expect(errors.map((e) => [e.location?.field, e.message])).toEqual([['data.members.path', expect.stringMatching(PROC)]]);
  });

  it('the policy file itself must be inside a root', () => {
    const dir = policyDir({ 'policy.yaml': POLICY_HEAD + PROBES });
    const other = mkdtempSync(join(tmpdir(), 'other-root-'));
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [other] });
    expect(errors.map((e) => e.describe())).toEqual([
      expect.stringMatching(new RegExp(`^${join(dir, 'policy.yaml')}: policy file ${join(dir, 'policy.yaml')} is outside the folders`)),
    ]);
  });

  it('a second root allows files there, and a preset is always allowed', () => {
    const out = outsideFile('holdout.csv');
    const dir = policyDir({
      'policy.yaml': `extends: standard\n${POLICY_HEAD.replace('path: holdout.csv', `path: ${JSON.stringify(out)}`)}${PROBES}`,
    });
    expect(validatePolicy(join(dir, 'policy.yaml'), { roots: [dir, join(out, '..')] })).toEqual([]);
  });

  it('knows every policy field the schema documents as a path', () => {
    // Every field described as "relative to the policy file" takes a path; each must be confined.
    const found: string[] = [];
    const walk = (node: unknown, name: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, name));
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o['description'] === 'string' && /relative to (this file|the policy file)/.test(o['description'])) found.push(name);
      for (const [k, v] of Object.entries(o)) walk(v, k);
    };
    walk(policySchema, '');
    const names = new Set(PATH_FIELDS.map((p) => String(p[p.length - 1])));
    expect(new Set(found)).toEqual(new Set([...names, 'extends']));
  });
});

describe('pathProblem', () => {
  it.each([
    ['/devices/x', ['/'], undefined],
    ['/dev/null', ['/'], /under \/dev/],
    ['/sys', ['/'], /under \/sys/],
    ['/tmp/ab/c', ['/tmp/a'], /outside/],
    ['/tmp/a/c', ['/tmp/a'], undefined],
    ['/tmp/a', ['/tmp/a'], undefined],
  ])('%s with roots %j', (file, roots, expected) => {
    const problem = pathProblem(file, roots);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('isInside compares whole path segments', () => {
    expect(isInside('/work/abc', '/work/ab')).toBe(false);
    expect(isInside('/work/ab/c', '/work/ab')).toBe(true);
  });
});

describe('privacy-gate --root', () => {
  const run = async (...args: string[]) => {
    let stderr = '';
    const err = new Writable({ write: (chunk, _enc, done) => ((stderr += chunk), done()) });
    const out = new Writable({ write: (_c, _e, done) => done() });
    return { code: await cli(args, out, err), stderr };
  };

  it('without --root only the current folder is allowed', async () => {
    // validate opens the model and the data headers: a real model of 4 features and data to fit it.
    const csv = 'a,b,c,d,digit\n1,2,3,4,0\n';
    const dir = policyDir({ 'policy.yaml': POLICY_HEAD + PROBES, 'train.csv': csv, 'holdout.csv': csv }, []);
    copyFileSync(join(__dirname, '../fixtures/models/probabilities.onnx'), join(dir, 'model.onnx'));
    const denied = await run('validate', '--policy', join(dir, 'policy.yaml'));
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(OUTSIDE_START);
    expect(await run('validate', '--policy', join(dir, 'policy.yaml'), '--root', dir)).toEqual({ code: 0, stderr: '' });
  });

  it('a --root that is not a folder is exit 2', async () => {
    const result = await run('validate', '--policy', 'p.yml', '--root', '/no/such/folder');
    expect(result).toEqual({
      code: 2,
      stderr:
        'privacy-gate validate: --root "/no/such/folder" is not a folder; expected an existing folder the policy and its files are in\n',
    });
  });
});
