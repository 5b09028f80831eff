/**
 * The action's entry point run as the runner runs it: a separate node process with INPUT_*
 * variables, a pull_request event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and
 * GITHUB_API_URL pointing at a GitHub API on 127.0.0.1. The gate runs for real on the digits
 * example (policy.yml fails, hardened.policy.yml passes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github';

const ROOT = process.cwd();
const github = new FakeGitHub();
const HEAD = 'a'.repeat(40);
const PR = 7;
const scratch = path.join(ROOT, 'out', 'action-test');

interface Run {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

interface RunOptions {
  inputs: Record<string, string>;
  event?: string;
  payload?: unknown;
  /** Runner variables to replace (undefined: unset), e.g. a GITHUB_OUTPUT that does not exist. */
  env?: Record<string, string | undefined>;
  /** Time limits for talking to GitHub, through the test entry (the real defaults are 30 s and 180 s). */
  limits?: { requestTimeoutMs: number; budgetMs: number };
}

const prPayload = (headRepo = 'octo/models') => ({
  pull_request: { number: PR, head: { sha: HEAD, repo: { full_name: headRepo } } },
  repository: { full_name: 'octo/models' },
});

/** Spawns src/action-main.ts with a clean environment holding only what the runner provides. */
async function runAction({ inputs, event = 'pull_request', payload = prPayload(), env: overrides = {}, limits }: RunOptions): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gate-action-'));
  const files = { event: path.join(dir, 'event.json'), output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
  writeFileSync(files.event, JSON.stringify(payload));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'octo/models',
    GITHUB_WORKFLOW: 'Privacy gate',
    GITHUB_JOB: 'gate',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: ROOT,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    INPUT_COMMENT: 'always',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const entry = limits ? ['test/github/action-entry.ts', JSON.stringify(limits)] : ['src/action-main.ts'];
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], { cwd: ROOT, env });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, outputs: parseOutputs(readIfFile(files.output)), summary: readIfFile(files.summary) };
}

const readIfFile = (file: string) => (existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : '');

/** GITHUB_OUTPUT's `name<<delimiter\nvalue\ndelimiter` records. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
  return outputs;
}

const leaky = { policy: 'examples/digits/policy.yml', out: 'out/action-test/leaky' };
const hardened = { policy: 'examples/digits/hardened.policy.yml', out: 'out/action-test/hardened' };
const commentCalls = () => github.requests.filter((r) => r.path.includes('/comments'));

beforeAll(async () => {
  await github.start();
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
});
afterAll(async () => {
  await github.stop();
});

// Each test spawns real gate runs (up to three); generous on a loaded 2-core machine.
const SLOW = { timeout: 180_000 };

describe('the action on a pull request', SLOW, () => {
  // These runs build on each other: one conversation, as on a real pull request.
  beforeAll(() => github.reset());
  beforeEach(() => {
    github.requests.length = 0;
  });

  it('first run (leaky model): files, summary, annotations, a new comment, then the step fails with exit 1', async () => {
    github.seed(
      PR,
      Array.from({ length: 105 }, (_, i) => `review ${i}`),
    );
    const run = await runAction({ inputs: leaky });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs.report).toBe('out/action-test/leaky/privacy-report.json');
    expect(run.outputs.sarif).toBe('out/action-test/leaky/privacy-gate.sarif');
    expect(run.outputs['comment-url']).toMatch(/\/pull\/7#issuecomment-\d+$/);
    for (const file of ['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif', 'pull-request.json']) {
      expect(readFileSync(path.join(ROOT, leaky.out, file)).length).toBeGreaterThan(0);
    }
    // Job summary: the same content as the comment (without the hidden markers).
    const [comment] = github.gateComments(PR);
    expect(
      comment!.body.startsWith('<!-- model-privacy-gate: workflow=Privacy gate; job=gate; policy=examples/digits/policy.yml -->'),
    ).toBe(true);
    expect(comment!.body.endsWith(run.summary)).toBe(true);
    expect(run.summary).toContain('**Verdict: ❌ fails');
    expect(run.summary).toContain('[workflow run](https://github.com/octo/models/actions/runs/4242)');
    // Annotations on the threshold lines of the preset (inside this repository), at most 10 errors.
    const errors = run.stdout.match(/^::error title=Privacy leak[^:]*,file=policies\/standard\.yaml,line=\d+,col=\d+::/gm) ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(10);
    // The step fails once, after the comment was posted.
    const failed = run.stdout.indexOf('::error::Model Privacy Gate');
    expect(failed).toBeGreaterThan(run.stdout.indexOf('Pull request comment created'));
    expect(run.stdout.match(/^::error::/gm)).toHaveLength(1);
    // Two pages of comments listed, then one created.
    expect(commentCalls().map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('second run: updates the same comment, never a second one', async () => {
    const [before] = github.gateComments(PR);
    const run = await runAction({ inputs: leaky });
    expect(run.code).toBe(1);
    expect(commentCalls().map((r) => r.method)).toEqual(['GET', 'GET', 'PATCH']);
    expect(github.gateComments(PR)).toHaveLength(1);
    expect(github.gateComments(PR)[0]!.id).toBe(before!.id);
  });

  it('a passing run (hardened model, same policy path) updates it to say the gate now passes', async () => {
    // The hardened policy is another file; the comment is per policy, so run it under the same path.
    const policy = path.join(scratch, 'policy.yml');
    writeFileSync(
      policy,
      readFileSync(path.join(ROOT, 'examples/digits/hardened.policy.yml'), 'utf8')
        .replace('./policy.yml', '../../examples/digits/policy.yml')
        .replace('hardened.onnx', '../../examples/digits/hardened.onnx'),
    );
    const first = await runAction({ inputs: { policy: 'out/action-test/policy.yml', out: 'out/action-test/first' } });
    expect(first.outputs.verdict).toBe('pass');
    // Now the failing model under that path, then the passing one again.
    writeFileSync(policy, `extends: ../../examples/digits/policy.yml\nmodel:\n  path: ../../examples/digits/leaky.onnx\n`);
    expect((await runAction({ inputs: { policy: 'out/action-test/policy.yml', out: 'out/action-test/second' } })).code).toBe(1);
    writeFileSync(policy, `extends: ../../examples/digits/policy.yml\nmodel:\n  path: ../../examples/digits/hardened.onnx\n`);
    github.requests.length = 0;
    const run = await runAction({ inputs: { policy: 'out/action-test/policy.yml', out: 'out/action-test/third' } });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.stdout).not.toMatch(/^::error/m);
    const mine = github.gateComments(PR).filter((c) => c.body.includes('policy=out/action-test/policy.yml'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('**Verdict: ✅ passes**');
    expect(mine[0]!.body).toContain('The gate now passes');
    expect(commentCalls().map((r) => r.method)).toEqual(['GET', 'GET', 'PATCH']);
  });

  it('a 403 is a warning naming the permission; the verdict and exit code are unchanged', async () => {
    github.fail({ status: 403, times: Infinity, body: { message: 'Resource not accessible by integration' } });
    const run = await runAction({ inputs: leaky });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.stdout).toMatch(
      /^::warning::cannot comment on pull request #7 in octo\/models: GitHub answered 403.*`pull-requests: write`.*privacy-gate-fork-measure\.yml/m,
    );
    expect(run.summary).toContain('**Verdict: ❌ fails');
    expect(commentCalls()).toHaveLength(1);
    github.reset();
  });

  it('a 500 is retried and the comment is still posted (listing again first: the failed POST may have created it)', async () => {
    github.fail({ method: 'POST', status: 500, times: 1 });
    const run = await runAction({ inputs: leaky });
    expect(run.code).toBe(1);
    expect(commentCalls().map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
    expect(run.stdout).toMatch(/GitHub request failed \(.*\); try 2 in 1000 ms/);
    expect(github.gateComments(PR)).toHaveLength(1);
  });

  it('comment: never makes no request at all', async () => {
    github.reset();
    const run = await runAction({ inputs: { ...leaky, comment: 'never' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PR comment skipped (comment: never).');
    expect(github.requests).toHaveLength(0);
    expect(run.summary).toContain('**Verdict: ❌ fails');
  });

  it('comment: on-failure creates no comment for a passing model', async () => {
    github.reset();
    const run = await runAction({ inputs: { ...hardened, comment: 'on-failure' } });
    expect(run.code).toBe(0);
    expect(commentCalls().map((r) => r.method)).toEqual(['GET']);
    expect(github.gateComments(PR)).toHaveLength(0);
  });
});

describe('the action on other events and from forks', SLOW, () => {
  beforeEach(() => github.reset());

  it('a push event: an info line, no request, the verdict as usual', async () => {
    const run = await runAction({ inputs: leaky, event: 'push', payload: { ref: 'refs/heads/main' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PR comment skipped: the event is "push", not pull_request');
    expect(github.requests).toHaveLength(0);
  });

  it('a fork pull request: a warning that points to the fork-safe pair, no request', async () => {
    const run = await runAction({ inputs: { ...leaky, out: 'out/action-test/fork' }, payload: prPayload('forker/models') });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::warning::not commenting on pull request #7: it comes from a fork \(forker\/models\).*`pull-requests: write`.*privacy-gate-fork-publish\.yml/m,
    );
    expect(github.requests).toHaveLength(0);
  });

  it("publish-only (workflow_run): comments with the fork run's report after checking the head commit, and does not fail the step", async () => {
    // The fork run above left its report and the pull-request hand-off in out/action-test/fork.
    github.pulls.set(PR, { head: { sha: HEAD } });
    const payload = {
      workflow_run: {
        name: 'Privacy gate (measure)',
        event: 'pull_request',
        head_sha: HEAD,
        pull_requests: [],
        html_url: 'https://github.com/octo/models/actions/runs/77',
      },
      repository: { full_name: 'octo/models' },
    };
    const run = await runAction({ inputs: { report: 'out/action-test/fork' }, event: 'workflow_run', payload });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.stdout).not.toMatch(/^::error/m);
    const [comment] = github.gateComments(PR);
    expect(
      comment!.body.startsWith('<!-- model-privacy-gate: workflow=Privacy gate (measure); job=gate; policy=examples/digits/policy.yml -->'),
    ).toBe(true);
    expect(comment!.body).toContain('[measuring run](https://github.com/octo/models/actions/runs/77)');
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/octo/models/pulls/7',
      'GET /repos/octo/models/issues/7/comments',
      'POST /repos/octo/models/issues/7/comments',
    ]);

    // A newer push: the measured commit is no longer the head, so nothing is posted.
    github.reset();
    github.pulls.set(PR, { head: { sha: 'c'.repeat(40) } });
    const stale = await runAction({ inputs: { report: 'out/action-test/fork' }, event: 'workflow_run', payload });
    expect(stale.code).toBe(0);
    expect(stale.stdout).toMatch(/^::warning::not commenting on pull request #7: its head is c{40}/m);
    expect(github.gateComments(PR)).toHaveLength(0);
  });

  it('publish-only refuses a forged report whose verdict says pass while its checks fail: exit 2, nothing posted', async () => {
    const forged = path.join(scratch, 'forged');
    mkdirSync(forged, { recursive: true });
    const original = JSON.parse(readFileSync(path.join(scratch, 'fork/privacy-report.json'), 'utf8'));
    writeFileSync(path.join(forged, 'privacy-report.json'), JSON.stringify({ ...original, verdict: 'pass', exitCode: 0 }));
    github.pulls.set(PR, { head: { sha: HEAD } });
    const payload = {
      workflow_run: {
        name: 'Privacy gate (measure)',
        event: 'pull_request',
        head_sha: HEAD,
        pull_requests: [],
        html_url: 'https://github.com/octo/models/actions/runs/78',
      },
      repository: { full_name: 'octo/models' },
    };
    const run = await runAction({ inputs: { report: 'out/action-test/forged' }, event: 'workflow_run', payload });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /^::error::.*report disagrees with itself: its checks give the verdict fail \(exit 1\), but it says pass \(exit 0\)/m,
    );
    expect(github.requests).toHaveLength(0);
  });

  it('an invalid policy: exit 2, an annotation at the line, and the comment says so', async () => {
    const policy = path.join(scratch, 'broken.yml');
    writeFileSync(policy, 'version: 1\nname: broken\nextends: ../../examples/digits/policy.yml\nseed: not-a-number\n');
    const run = await runAction({ inputs: { policy: 'out/action-test/broken.yml', out: 'out/action-test/broken' } });
    expect(run.code).toBe(2);
    expect(run.outputs.verdict).toBe('error');
    expect(run.stdout).toMatch(/^::error title=Model Privacy Gate%3A invalid input,file=out\/action-test\/broken\.yml,line=4,col=\d+::/m);
    expect(github.gateComments(PR)[0]!.body).toContain('🛑 could not decide (error)');
  });
});

describe('the action against a GitHub that does not answer, or a forged comment', SLOW, () => {
  beforeEach(() => github.reset());
  const MARKER = '<!-- model-privacy-gate: workflow=Privacy gate; job=gate; policy=examples/digits/policy.yml -->';

  it("a comment listing that never answers: a warning after the publishing budget, and the verdict's own exit code", async () => {
    github.fail({ method: 'GET', pathIncludes: '/comments', hang: true, times: Infinity });
    const run = await runAction({ inputs: leaky, limits: { requestTimeoutMs: 300, budgetMs: 1500 } });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.stdout).toMatch(
      /^::warning::gave up commenting on pull request #7 in octo\/models: GitHub did not finish answering within 1\.5 s/m,
    );
    expect(run.stdout).toMatch(/GitHub request failed \(GET comments of pull request #7: no answer within 0\.3 s\); try 2 in 1000 ms/);
    expect(run.stdout.match(/^::error::/gm)).toHaveLength(1);
    expect(run.summary).toContain('**Verdict: ❌ fails');
    expect(github.gateComments(PR)).toHaveLength(0);
  });

  it("a comment with the gate's marker written by someone else is named in the log and left alone; the gate posts its own", async () => {
    github.seed(PR, [`${MARKER}\n**Verdict: ✅ passes**`], 'mallory');
    const [forged] = github.gateComments(PR);
    const run = await runAction({ inputs: leaky });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `^::warning::ignored a comment that starts with this gate's marker but was written by mallory, not by github-actions\\[bot\\] .*issuecomment-${forged!.id}$`,
        'm',
      ),
    );
    const comments = github.gateComments(PR);
    expect(comments.map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]']);
    expect(comments[0]!.body).toBe(`${MARKER}\n**Verdict: ✅ passes**`);
    expect(run.outputs['comment-url']).toBe(`https://github.com/octo/models/pull/7#issuecomment-${comments[1]!.id}`);
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});

describe("the action when the runner's files are unusable: exit 3 in one line, the verdict still published", SLOW, () => {
  beforeEach(() => github.reset());
  const missing = path.join(tmpdir(), 'no-such-folder-for-the-gate', 'file');
  const folder = mkdtempSync(path.join(tmpdir(), 'gate-folder-'));

  it.each([
    {
      name: 'GITHUB_OUTPUT in a folder that does not exist',
      env: { GITHUB_OUTPUT: missing },
      says: `cannot write the step outputs: GITHUB_OUTPUT is ${missing}, which does not exist`,
    },
    { name: 'GITHUB_OUTPUT unset', env: { GITHUB_OUTPUT: undefined }, says: 'cannot write the step outputs: GITHUB_OUTPUT is not set' },
    {
      name: 'GITHUB_OUTPUT a folder',
      env: { GITHUB_OUTPUT: folder },
      says: `cannot write the step outputs: GITHUB_OUTPUT is ${folder}, which cannot be written (it is a folder)`,
    },
    {
      name: 'GITHUB_OUTPUT on a full disk',
      env: { GITHUB_OUTPUT: '/dev/full' },
      says: 'cannot write the step outputs: GITHUB_OUTPUT is /dev/full, which cannot be written (no space left on the device)',
    },
    {
      name: 'GITHUB_STEP_SUMMARY missing',
      env: { GITHUB_STEP_SUMMARY: missing },
      says: `cannot write the job summary: GITHUB_STEP_SUMMARY is ${missing}, which does not exist`,
    },
  ])('$name, passing model', async ({ env, says }) => {
    const run = await runAction({ inputs: { ...hardened, comment: 'never' }, env });
    expect(run.code).toBe(3);
    const errors = run.stdout.match(/^::error::.*$/gm) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(says);
    expect(errors[0]).toMatch(/The step fails with exit 3; the gate's own verdict: pass$/);
    expect(run.stdout).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('::set-output');
    if (!('GITHUB_STEP_SUMMARY' in env)) expect(run.summary).toContain('**Verdict: ✅ passes**');
  });

  it('GITHUB_STEP_SUMMARY missing on a leaky model: the outputs and the comment still carry the verdict', async () => {
    const run = await runAction({ inputs: leaky, env: { GITHUB_STEP_SUMMARY: missing } });
    expect(run.code).toBe(3);
    expect(run.outputs.verdict).toBe('fail');
    expect(run.outputs['comment-url']).toMatch(/\/pull\/7#issuecomment-\d+$/);
    expect(github.gateComments(PR)[0]!.body).toContain('**Verdict: ❌ fails');
    const errors = run.stdout.match(/^::error::.*$/gm) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^::error::cannot write the job summary: GITHUB_STEP_SUMMARY is ${missing}, which does not exist .*The step fails with exit 3; the gate's own verdict: fail \\(exit 1\\): Model Privacy Gate ❌ fails`,
      ),
    );
  });
});

describe("the action's top level", () => {
  it('an exception nothing else caught is one line and exit 3, not a stack trace and exit 1', async () => {
    // A failure outside the run's own error handling (an event emitter's error, a module that fails to load).
    const script =
      "import('./src/action-top.ts').then((m) => { m.startAction(); setImmediate(() => { throw new Error('socket hang up\\n  at secret place'); }); });";
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(out.trim().split('\n')).toEqual(['::error::Model Privacy Gate could not finish (exit 3): socket hang up%0A  at secret place']);
  });
});

describe('the action keeps to its roots and its secrets', SLOW, () => {
  beforeEach(() => github.reset());

  it('a policy outside the workspace is exit 2 unless allowed-roots names its folder', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'gate-elsewhere-'));
    writeFileSync(path.join(elsewhere, 'policy.yml'), 'version: 1\nseed: -1\n');
    const denied = await runAction({
      inputs: { policy: path.join(elsewhere, 'policy.yml'), out: 'out/action-test/elsewhere', comment: 'never' },
    });
    expect(denied.code).toBe(2);
    expect(denied.stdout).toContain('is outside the folders the gate may read');
    const allowed = await runAction({
      inputs: {
        policy: path.join(elsewhere, 'policy.yml'),
        out: 'out/action-test/elsewhere',
        comment: 'never',
        'allowed-roots': `examples, ${elsewhere}`,
      },
    });
    expect(allowed.code).toBe(2);
    expect(allowed.stdout).not.toContain('is outside the folders');
    expect(allowed.stdout).toContain('missing required key "model"');
  });

  it('an allowed-roots folder that does not exist is exit 2 naming the input', async () => {
    const run = await runAction({ inputs: { ...hardened, comment: 'never', 'allowed-roots': 'no/such/folder' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/input "allowed-roots" names ".*no\/such\/folder", which is not a folder/);
  });

  it('the github-token value in the policy name reaches no comment, summary, output or file', async () => {
    const policy = path.join(scratch, 'named.yml');
    writeFileSync(
      policy,
      `version: 1\nname: "release ghs_test_token"\nmodel: { path: ../../examples/digits/hardened.onnx }\ndata:\n  members: { path: ../../examples/digits/data/members.csv }\n  non-members: { path: ../../examples/digits/data/non-members.csv }\n  label: digit\n  max-rows: 300\nprobes:\n  membership:\n    attacks: [loss]\n    thresholds: { auc: { fail: 0.99 } }\n`,
    );
    const run = await runAction({ inputs: { policy: 'out/action-test/named.yml', out: 'out/action-test/named' } });
    expect(run.code).toBe(0);
    // The runner masks what follows ::add-mask:: in its log; every other line must be clean.
    expect(run.stdout).toMatch(/^::add-mask::ghs_test_token$/m);
    const log = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    const comments = github
      .gateComments(PR)
      .map((c) => c.body)
      .join('\n');
    expect(comments).toContain('release');
    for (const [name, text] of [
      ['log', log],
      ['summary', run.summary],
      ['comment', comments],
      ['outputs', JSON.stringify(run.outputs)],
      ...['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif'].map((f) => [
        f,
        readFileSync(path.join(scratch, 'named', f), 'utf8'),
      ]),
    ]) {
      expect(text!.includes('ghs_test_token'), `${name} holds the token`).toBe(false);
    }
  });
});

describe('the action split over a matrix: shard jobs, then a merge job', SLOW, () => {
  beforeEach(() => github.reset());

  it('each shard writes its signals file and publishes nothing; the merge publishes and fails like one run', async () => {
    const policy = path.join(scratch, 'sharded.yml');
    writeFileSync(
      policy,
      `version: 1\nname: sharded digits\nseed: 7\nmodel: { path: ../../examples/digits/leaky.onnx }\ndata:\n  members: { path: ../../examples/digits/data/members.csv }\n  non-members: { path: ../../examples/digits/data/non-members.csv }\n  label: digit\n  max-rows: 400\nprobes:\n  membership:\n    attacks: [loss, label-stability]\n    thresholds: { auc: { warn: 0.55, fail: 0.6 } }\n`,
    );
    for (const i of [1, 2]) {
      const run = await runAction({
        inputs: { policy: 'out/action-test/sharded.yml', shard: `${i}/2`, out: `out/action-test/signals-${i}` },
      });
      expect(run.code).toBe(0);
      expect(run.outputs.signals).toBe(`out/action-test/signals-${i}/privacy-gate-signals-${i}-of-2.signals`);
      expect(run.outputs.verdict).toBeUndefined();
      expect(run.summary).toBe('');
      expect(existsSync(path.join(ROOT, run.outputs.signals!))).toBe(true);
    }
    expect(github.requests).toHaveLength(0);

    const merged = await runAction({
      inputs: { signals: 'out/action-test/signals-1\nout/action-test/signals-2', out: 'out/action-test/merged' },
    });
    expect(merged.code).toBe(1);
    expect(merged.outputs.verdict).toBe('fail');
    expect(merged.summary).toContain('sharded digits');
    expect(github.gateComments(PR)).toHaveLength(1);
    expect(merged.stdout.match(/^::error::/gm)).toHaveLength(1);
  });

  it("a merge with a shard missing: exit 2 naming the file (the first test's shard 2 alone)", async () => {
    const run = await runAction({ inputs: { signals: 'out/action-test/signals-2', out: 'out/action-test/merged-missing' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error::.*privacy-gate-signals-2-of-2\.signals \(shard\): shard 1\/2 missing/m);
  });
});
