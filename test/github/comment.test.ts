/** The sticky comment against a real HTTP server (Octokit over node's fetch to 127.0.0.1). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, upsertComment, type CommentPlan } from '../../src/github/comment';
import type { RetryOptions } from '../../src/github/retry';
import { FakeGitHub } from './fake-github';

const github = new FakeGitHub();
const MARKER = '<!-- model-privacy-gate: workflow=ci; job=gate; policy=policy.yml -->';
let waits: number[] = [];
const retry: RetryOptions = { attempts: 4, baseDelayMs: 1000, delay: async (ms) => void waits.push(ms) };

function plan(overrides: Partial<CommentPlan> = {}): CommentPlan {
  return { owner: 'octo', repo: 'models', issueNumber: 7, marker: MARKER, render: (prev) => `${MARKER}\nbody (previous: ${prev ? 'yes' : 'no'})`, create: true, ...overrides };
}
const client = () => createClient('secret-token', github.url);
const calls = () => github.requests.map((r) => `${r.method} ${r.path}${r.query.get('page') ? `?page=${r.query.get('page')}` : ''}`);

beforeAll(async () => {
  await github.start();
});
afterAll(async () => {
  await github.stop();
});
beforeEach(() => {
  github.reset();
  waits = [];
});

describe('upsertComment', () => {
  it('creates the comment when there is none, with the token', async () => {
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({ kind: 'created', url: expect.stringContaining('/pull/7#issuecomment-') });
    expect(calls()).toEqual(['GET /repos/octo/models/issues/7/comments', 'POST /repos/octo/models/issues/7/comments']);
    expect(github.requests[0]!.authorization).toBe('token secret-token');
    expect(github.gateComments(7)).toHaveLength(1);
  });

  it('finds its comment on a later page among 150 others and updates it in place, passing the old body', async () => {
    github.seed(7, Array.from({ length: 120 }, (_, i) => `review comment ${i}`));
    github.seed(7, [`${MARKER}\nold body`], 'github-actions[bot]');
    github.seed(7, Array.from({ length: 30 }, (_, i) => `later comment ${i} mentioning ${MARKER} in the middle`));
    const id = github.gateComments(7)[0]!.id;
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({ kind: 'updated', id });
    expect(calls()).toEqual([
      'GET /repos/octo/models/issues/7/comments',
      'GET /repos/octo/models/issues/7/comments?page=2',
      `PATCH /repos/octo/models/issues/comments/${id}`,
    ]);
    expect(github.gateComments(7)).toHaveLength(1);
    expect(github.gateComments(7)[0]!.body).toBe(`${MARKER}\nbody (previous: yes)`);
  });

  it('ignores another gate comment (other workflow, job or policy)', async () => {
    github.seed(7, ['<!-- model-privacy-gate: workflow=ci; job=other; policy=policy.yml -->\nx']);
    expect((await upsertComment(client(), plan(), retry)).kind).toBe('created');
    expect(github.gateComments(7)).toHaveLength(2);
  });

  it('retries 5xx answers with doubling back-off, then succeeds', async () => {
    github.fail({ method: 'POST', status: 502, times: 2 });
    expect((await upsertComment(client(), plan(), retry)).kind).toBe('created');
    expect(waits).toEqual([1000, 2000]);
    expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(3);
    expect(github.gateComments(7)).toHaveLength(1);
  });

  it('retries a dropped connection (a network error)', async () => {
    github.fail({ method: 'GET', status: 0, times: 1, hangUp: true });
    expect((await upsertComment(client(), plan(), retry)).kind).toBe('created');
    expect(waits).toEqual([1000]);
  });

  it('gives up after the last try with a warning that says so; nothing is posted', async () => {
    github.fail({ status: 503, times: Infinity });
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.message).toMatch(/did not answer successfully after 4 tries \(last: 503.*The verdict is unchanged/);
    expect(github.requests).toHaveLength(4);
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('does not retry a 403; the warning names the permission and the fork-safe workflows', async () => {
    github.fail({ method: 'POST', status: 403, times: Infinity, body: { message: 'Resource not accessible by integration' } });
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome.kind).toBe('failed');
    const message = outcome.kind === 'failed' ? outcome.message : '';
    expect(message).toContain('GitHub answered 403 (Resource not accessible by integration');
    expect(message).toContain('`pull-requests: write`');
    expect(message).toContain('examples/workflows/privacy-gate-fork-measure.yml and examples/workflows/privacy-gate-fork-publish.yml');
    expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries a 403 that is a secondary rate limit (retry-after), not a missing permission', async () => {
    github.fail({ method: 'POST', status: 403, times: 1, body: { message: 'secondary rate limit' }, headers: { 'retry-after': '1' } });
    expect((await upsertComment(client(), plan(), retry)).kind).toBe('created');
    expect(waits).toEqual([1000]);
  });

  it('creates nothing when told to only update (comment: on-failure on a passing run)', async () => {
    const outcome = await upsertComment(client(), plan({ create: false }), retry);
    expect(outcome.kind).toBe('skipped');
    expect(calls()).toEqual(['GET /repos/octo/models/issues/7/comments']);
  });

  it('publish-only: comments only when the pull request head is the measured commit', async () => {
    github.pulls.set(7, { head: { sha: 'a'.repeat(40) } });
    const mismatch = await upsertComment(client(), plan({ headSha: 'b'.repeat(40) }), retry);
    expect(mismatch.kind).toBe('failed');
    expect(calls()).toEqual(['GET /repos/octo/models/pulls/7']);
    expect((await upsertComment(client(), plan({ headSha: 'a'.repeat(40) }), retry)).kind).toBe('created');
  });
});
