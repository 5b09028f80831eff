/**
 * The policy that gates a pull request, compared with the base commit's: real git repositories
 * made in out/ (git init, commit a policy, branch, loosen, commit), the base read with git, and
 * the action run as the runner runs it (a node process, a pull_request event file, the GitHub API
 * on 127.0.0.1) on the digits model.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBasePolicy } from '../../src/github/base-policy';
import type { RunContext } from '../../src/github/context';
import type { GateReport } from '../../src/result';
import { loadPolicy } from '../../src/run/policy';
import { FakeGitHub } from './fake-github';

const ROOT = process.cwd();
const SCRATCH = path.join(ROOT, 'out', 'policy-changes-test');
const github = new FakeGitHub();
const PR = 11;
const SLOW = { timeout: 240_000 };

const BASE_POLICY = `version: 1
name: digits release
extends: standard
seed: 42
model:
  path: leaky.onnx
  input: x
  output: probabilities
data:
  members: { path: data/members.csv }
  non-members: { path: data/non-members.csv }
  label: digit
  features: "pixel_*"
probes:
  membership:
    attacks: [loss, confidence]
    thresholds:
      tpr-at-fpr: { fpr: 0.02, fail: 0.10 }
`;

/** The pull request's version: every membership line raised out of reach, an attack dropped, doubt counted as a pass. */
const LOOSENED_POLICY = `${BASE_POLICY.replace('[loss, confidence]', '[loss]').replace(
  '      tpr-at-fpr: { fpr: 0.02, fail: 0.10 }\n',
  `      auc: { warn: 0.99, fail: 0.999 }
      advantage: { fail: 0.99 }
      tpr-at-fpr: { fpr: 0.02, fail: 0.99 }
      epsilon-lower-bound: { fail: 50 }
`,
)}gate:
  inconclusive: pass
  insufficient: warn
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

interface Repo {
  dir: string;
  base: string;
  head: string;
}

/**
 * A repository with the digits model and data, `files` committed on main (the base), then a branch
 * `pr` where `changes` are written and committed (the head), left checked out as the runner's
 * checkout would be.
 */
function makeRepo(name: string, files: Record<string, string>, changes: Record<string, string | null>): Repo {
  const dir = path.join(SCRATCH, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  for (const file of ['leaky.onnx', 'hardened.onnx', 'data/members.csv', 'data/non-members.csv']) {
    copyFileSync(path.join(ROOT, 'examples/digits', file), path.join(dir, file));
  }
  const write = (entries: Record<string, string | null>) => {
    for (const [file, text] of Object.entries(entries)) {
      const target = path.join(dir, file);
      if (text === null) rmSync(target);
      else {
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
    }
  };
  git(dir, 'init', '-q');
  git(dir, 'checkout', '-q', '-b', 'main');
  write(files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'pr');
  write(changes);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'pull request');
  return { dir, base, head: git(dir, 'rev-parse', 'HEAD') };
}

const payload = (repo: Repo, base = repo.base) => ({
  pull_request: { number: PR, head: { sha: repo.head, repo: { full_name: 'octo/models' } }, base: { sha: base } },
  repository: { full_name: 'octo/models' },
});

interface Run {
  code: number | null;
  stdout: string;
  summary: string;
  report?: GateReport;
}

/** The action in its own process, with the repository as the workspace and the working directory. */
async function runAction(
  repo: Repo,
  inputs: Record<string, string>,
  event: unknown = payload(repo),
  eventName = 'pull_request',
): Promise<Run> {
  const files = {
    event: path.join(repo.dir, '..', `${path.basename(repo.dir)}.event.json`),
    summary: path.join(repo.dir, '..', `${path.basename(repo.dir)}.summary.md`),
  };
  writeFileSync(files.event, JSON.stringify(event));
  writeFileSync(files.summary, '');
  const outputs = path.join(repo.dir, '..', `${path.basename(repo.dir)}.outputs`);
  writeFileSync(outputs, '');
  const out = path.join(repo.dir, '..', `${path.basename(repo.dir)}.out`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? repo.dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'octo/models',
    GITHUB_WORKFLOW: 'Privacy gate',
    GITHUB_JOB: 'gate',
    GITHUB_RUN_ID: '11',
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: repo.dir,
    RUNNER_TEMP: path.dirname(repo.dir),
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: outputs,
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    INPUT_COMMENT: 'always',
    INPUT_OUT: out,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  // The runner starts actions in the workspace; tsx is loaded from this checkout.
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const child = spawn(process.execPath, ['--import', existsSync(tsx) ? tsx : 'tsx', path.join(ROOT, 'src/action-main.ts')], {
    cwd: repo.dir,
    env,
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const reportFile = path.join(out, 'privacy-report.json');
  const report =
    existsSync(reportFile) && statSync(reportFile).isFile() ? (JSON.parse(readFileSync(reportFile, 'utf8')) as GateReport) : undefined;
  rmSync(reportFile, { force: true });
  return { code, stdout, summary: readFileSync(files.summary, 'utf8'), report };
}

beforeAll(async () => {
  await github.start();
  mkdirSync(SCRATCH, { recursive: true });
});
afterAll(async () => {
  await github.stop();
});
beforeEach(() => github.reset());

describe('a pull request that loosens the policy gating it', SLOW, () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo('loosened', { 'policy.yml': BASE_POLICY }, { 'policy.yml': LOOSENED_POLICY });
  });

  it('policy-from: head (default): the loosened policy passes the leaky model, and every loosened rule is listed first, annotated and recorded', async () => {
    const run = await runAction(repo, { policy: 'policy.yml' });
    expect(run.stdout).not.toMatch(/^::error/m);
    expect(run.code).toBe(0);
    const changes = run.report!.policyChanges!;
    expect(changes).toMatchObject({ status: 'compared', baseSha: repo.base, enforced: 'head' });
    const loosened = changes.changes.filter((c) => c.kind === 'loosened').map((c) => c.field);
    expect(loosened).toEqual(
      expect.arrayContaining([
        'probes.membership.attacks',
        'probes.membership.thresholds.auc.fail',
        'probes.membership.thresholds.tpr-at-fpr.fail',
        'gate.inconclusive',
        'gate.insufficient',
      ]),
    );
    // Loosened first in the record.
    const kinds = changes.changes.map((c) => c.kind);
    expect(kinds.slice(0, loosened.length).every((k) => k === 'loosened')).toBe(true);
    // Summary and comment: the section right under the verdict, loosened before the checks table.
    const section = run.summary.indexOf('### Policy changes in this PR');
    expect(section).toBeGreaterThan(run.summary.indexOf('**Verdict:'));
    expect(section).toBeLessThan(run.summary.indexOf('| '));
    expect(run.summary).toContain(`**This pull request loosens ${loosened.length} rules**`);
    expect(run.summary).toMatch(/- ⚠️ loosened `probes\.membership\.thresholds\.tpr-at-fpr\.fail`: `0\.1` → `0\.99`: more leakage passes/);
    expect(run.summary).toContain('confidence removed');
    const [comment] = github.gateComments(PR);
    expect(comment!.body).toContain('### Policy changes in this PR');
    expect(comment!.body.endsWith(run.summary)).toBe(true);
    // A warning on the head policy's line that writes the loosened value.
    const lines = LOOSENED_POLICY.split('\n');
    const tprLine = lines.findIndex((l) => l.includes('tpr-at-fpr')) + 1;
    expect(run.stdout).toMatch(
      new RegExp(
        `^::warning title=Policy loosened%3A probes.membership.thresholds.tpr-at-fpr.fail,file=policy.yml,line=${tprLine},col=\\d+::`,
        'm',
      ),
    );
    const inconclusiveLine = lines.findIndex((l) => l.includes('inconclusive: pass')) + 1;
    expect(run.stdout).toMatch(
      new RegExp(`^::warning title=Policy loosened%3A gate.inconclusive,file=policy.yml,line=${inconclusiveLine},col=3::`, 'm'),
    );
  });

  it('policy-from: base: the base commit’s rules gate the pull request’s model, which fails', async () => {
    const run = await runAction(repo, { policy: 'policy.yml', 'policy-from': 'base' });
    expect(run.code).toBe(1);
    expect(run.report!.verdict).toBe('fail');
    expect(run.report!.policyChanges).toMatchObject({ status: 'compared', enforced: 'base' });
    // The record names the bytes enforced: the base commit's policy, not the checkout's.
    const digest = run.report!.inputs.policy.find((d) => d.path === 'policy.yml')!.sha256;
    expect(digest).toBe(createHash('sha256').update(BASE_POLICY).digest('hex'));
    expect(run.summary).toContain('The base commit’s policy gated this run (policy-from: base).');
    // The base's attacks ran: confidence too.
    expect(run.report!.probes[0]!.attacks.map((a) => a.attack)).toEqual(['loss', 'confidence']);
  });

  it('a base commit missing from the clone: "not compared" with the SHA and the fix, never silence; under policy-from: base, exit 2', async () => {
    const missing = 'b'.repeat(40);
    const run = await runAction(repo, { policy: 'policy.yml' }, payload(repo, missing));
    expect(run.code).toBe(0);
    expect(run.report!.policyChanges).toMatchObject({ status: 'not-compared', baseSha: missing, changes: [] });
    expect(run.stdout).toMatch(
      new RegExp(`^::warning::Policy changes not compared: the base commit ${missing} is not in the clone.*fetch-depth: 0`, 'm'),
    );
    expect(run.summary).toContain('**Not compared** with the base commit');

    const strict = await runAction(repo, { policy: 'policy.yml', 'policy-from': 'base' }, payload(repo, missing));
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(
      new RegExp(
        `^::error::action inputs \\(policy-from\\): the base commit ${missing} is not in the clone.*cannot be enforced.*fetch-depth: 0`,
        'm',
      ),
    );
  });
});

describe('policy-from: base with a policy the base commit does not have', SLOW, () => {
  it('falls back to the pull request’s policy with a notice', async () => {
    const repo = makeRepo('new-policy', { 'README.md': 'models\n' }, { 'policy.yml': BASE_POLICY.replace('leaky.onnx', 'hardened.onnx') });
    const run = await runAction(repo, { policy: 'policy.yml', 'policy-from': 'base' });
    expect(run.stdout).toMatch(
      /^::notice::The policy policy\.yml does not exist at the base commit [0-9a-f]{40}: nothing to compare; policy-from: base falls back/m,
    );
    expect(run.report!.policyChanges).toMatchObject({ status: 'new-policy', enforced: 'head' });
    expect(run.summary).toContain('The policy is new in this pull request');
    expect(run.code).toBe(0);

    // A push has no base: the checkout's policy gates it, with a notice, and nothing is compared.
    const push = await runAction(repo, { policy: 'policy.yml', 'policy-from': 'base' }, { ref: 'refs/heads/pr' }, 'push');
    expect(push.stdout).toMatch(
      /^::notice::policy-from: base applies to pull requests; this push event is gated by the checkout's policy\./m,
    );
    expect(push.report!.policyChanges).toBeUndefined();
    expect(push.summary).not.toContain('Policy changes');
    expect(push.code).toBe(0);
  });
});

/** readBasePolicy on its own (no gate run): what it reads from git and how it fails. */
describe('readBasePolicy', () => {
  const context = (repo: Repo, base = repo.base): RunContext => ({
    eventName: 'pull_request',
    payload: payload(repo, base),
    owner: 'octo',
    repo: 'models',
    workflow: 'w',
    job: 'j',
    workspace: repo.dir,
    apiUrl: github.url,
  });

  it('reads what the policy extends from the repository at the base: a loosened shared file is located there', () => {
    const shared = (fail: number) => `probes:\n  membership:\n    thresholds:\n      advantage: { fail: ${fail} }\n`;
    const policy = BASE_POLICY.replace('extends: standard', 'extends: config/shared.yml');
    const repo = makeRepo('extends', { 'policy.yml': policy, 'config/shared.yml': shared(0.2) }, { 'config/shared.yml': shared(0.4) });
    const base = readBasePolicy('policy.yml', context(repo), { roots: [repo.dir], policyFrom: 'head', cwd: repo.dir });
    expect(base.comparison.status).toBe('compared');
    expect(base.comparison.changes).toEqual([
      expect.objectContaining({
        field: 'probes.membership.thresholds.advantage.fail',
        kind: 'loosened',
        base: '0.2',
        head: '0.4',
        location: { file: 'config/shared.yml', line: 4, column: 20 },
      }),
    ]);
  });

  it('a file the base extends that the pull request deleted is still read from git; the model moved is loosened', () => {
    const policy = BASE_POLICY.replace('extends: standard', 'extends: shared.yml');
    const repo = makeRepo(
      'deleted',
      { 'policy.yml': policy, 'shared.yml': 'gate: { inconclusive: fail }\n' },
      { 'shared.yml': null, 'policy.yml': BASE_POLICY.replace('leaky.onnx', 'hardened.onnx') },
    );
    const base = readBasePolicy('policy.yml', context(repo), { roots: [repo.dir], policyFrom: 'head', cwd: repo.dir });
    const loosened = base.comparison.changes.filter((c) => c.kind === 'loosened').map((c) => [c.field, c.base, c.head]);
    expect(loosened.sort()).toEqual([
      ['gate.inconclusive', 'fail', 'warn'],
      ['model.path', 'leaky.onnx', 'hardened.onnx'],
    ]);
  });

  it('an invalid base policy is "not compared" with its error and line; under policy-from: base the texts go to the loader (which stops with exit 2)', () => {
    const repo = makeRepo('invalid-base', { 'policy.yml': BASE_POLICY.replace('seed: 42', 'seed: [') }, { 'policy.yml': BASE_POLICY });
    const head = readBasePolicy('policy.yml', context(repo), { roots: [repo.dir], policyFrom: 'head', cwd: repo.dir });
    expect(head.comparison).toMatchObject({ status: 'not-compared' });
    expect(head.comparison.reason).toMatch(/base commit’s policy is not valid: .*policy\.yml:\d+:\d+: YAML syntax error/);
    const base = readBasePolicy('policy.yml', context(repo), { roots: [repo.dir], policyFrom: 'base', cwd: repo.dir });
    expect(base.texts?.text(path.join(repo.dir, 'policy.yml'))).toContain('seed: [');
    expect(() => loadPolicy(path.join(repo.dir, 'policy.yml'), { roots: [repo.dir], texts: base.texts })).toThrow(
      expect.objectContaining({ exitCode: 2, location: expect.objectContaining({ file: path.join(repo.dir, 'policy.yml') }) }),
    );
  });

  it('a policy outside the repository has no base version: not compared, or exit 2 under policy-from: base', () => {
    const repo = makeRepo('outside', { 'README.md': 'x\n' }, { 'README.md': 'y\n' });
    const outside = path.join(SCRATCH, 'outside.policy.yml');
    writeFileSync(outside, BASE_POLICY);
    const roots = [repo.dir, SCRATCH];
    const head = readBasePolicy(outside, context(repo), { roots, policyFrom: 'head', cwd: repo.dir });
    expect(head.comparison).toMatchObject({ status: 'not-compared', changes: [] });
    expect(head.comparison.reason).toContain('is outside the repository');
    expect(() => readBasePolicy(outside, context(repo), { roots, policyFrom: 'base', cwd: repo.dir })).toThrow(
      /outside the repository.*cannot be enforced/,
    );
  });

  it('a base SHA that is not a SHA is never passed to git: not compared, or exit 2 under policy-from: base', () => {
    const repo = makeRepo('bad-sha', { 'policy.yml': BASE_POLICY }, { 'policy.yml': LOOSENED_POLICY });
    const bad = '--output=/tmp/x';
    const head = readBasePolicy('policy.yml', context(repo, bad), { roots: [repo.dir], policyFrom: 'head', cwd: repo.dir });
    expect(head.comparison).toMatchObject({ status: 'not-compared', changes: [] });
    expect(head.comparison.reason).toContain('names no base commit');
    expect(() => readBasePolicy('policy.yml', context(repo, bad), { roots: [repo.dir], policyFrom: 'base', cwd: repo.dir })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });
});
