/** The sticky comment against a real HTTP server (Octokit over node's fetch to 127.0.0.1). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, upsertComment, type CommentPlan, type TimeLimits } from '../../src/github/comment';
import { DEFAULT_RETRY } from '../../src/github/retry';
import type { RetryOptions } from '../../src/github/retry';
import { FakeGitHub } from './fake-github';

const github = new FakeGitHub();
const MARKER = '<!-- model-privacy-gate: workflow=ci; job=gate; policy=policy.yml -->';
let waits: number[] = [];
const retry: RetryOptions = { attempts: 4, baseDelayMs: 1000, delay: async (ms) => void waits.push(ms) };

function plan(overrides: Partial<CommentPlan> = {}): CommentPlan {
  return {
    owner: 'octo',
    repo: 'models',
    issueNumber: 7,
    marker: MARKER,
    render: (prev) => `${MARKER}\nbody (previous: ${prev ? 'yes' : 'no'})`,
    create: true,
    ...overrides,
  };
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
    github.seed(
      7,
      Array.from({ length: 120 }, (_, i) => `review comment ${i}`),
    );
    github.seed(7, [`${MARKER}\nold body`], 'github-actions[bot]');
    github.seed(
      7,
      Array.from({ length: 30 }, (_, i) => `later comment ${i} mentioning ${MARKER} in the middle`),
    );
    const id = github.gateComments(7)[0]!.id;
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({ kind: 'updated', id });
    expect(calls()).toEqual([
      'GET /repos/octo/models/issues/7/comments',
      'GET /repos/octo/models/issues/7/comments?page=2',
      'GET /user',
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
    expect(outcome.kind === 'failed' && outcome.message).toMatch(
      /did not answer successfully after 4 tries \(last: 503.*The verdict is unchanged/,
    );
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

describe('upsertComment against a GitHub that does not answer', () => {
  // The defaults are 30 s per request and 180 s in all; the same rules at a scale a test can wait for.
  const limits: TimeLimits = { requestTimeoutMs: 200, budgetMs: 5_000 };
  const timed = async <T>(work: Promise<T>) => {
    const start = performance.now();
    const value = await work;
    return { value, ms: performance.now() - start };
  };

  it('a listing that never answers times out and is retried', async () => {
    github.fail({ method: 'GET', hang: true, times: 1 });
    const { value, ms } = await timed(upsertComment(client(), plan(), retry, limits));
    expect(value.kind).toBe('created');
    expect(waits).toEqual([1000]);
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(2_000);
  });

  it("the second page of the listing has its own timeout (Octokit's paginate drops it)", async () => {
    github.seed(
      7,
      Array.from({ length: 120 }, (_, i) => `review comment ${i}`),
    );
    github.fail({ method: 'GET', queryIncludes: 'page=2', hang: true, times: Infinity });
    const { value, ms } = await timed(upsertComment(client(), plan(), retry, limits));
    expect(value.kind).toBe('failed');
    expect(value.kind === 'failed' && value.message).toMatch(
      /did not answer successfully after 4 tries \(last: no response, GET comments of pull request #7, page 2: no answer within 0\.2 s\)/,
    );
    // Page 1 once, then page 2 four times (each try of a page retries that page only).
    expect(calls()).toEqual([
      'GET /repos/octo/models/issues/7/comments',
      ...Array(4).fill('GET /repos/octo/models/issues/7/comments?page=2'),
    ]);
    expect(ms).toBeLessThan(3_000);
    expect(github.gateComments(7)).toHaveLength(0);
  });

  it('the whole step stops at its budget, even in the middle of a back-off wait', async () => {
    github.fail({ hang: true, times: Infinity });
    const realWaits = { ...DEFAULT_RETRY, baseDelayMs: 1_000 };
    const { value, ms } = await timed(upsertComment(client(), plan(), realWaits, { requestTimeoutMs: 300, budgetMs: 700 }));
    expect(value.kind).toBe('failed');
    expect(value.kind === 'failed' && value.message).toBe(
      'gave up commenting on pull request #7 in octo/models: GitHub did not finish answering within 0.7 s, the time allowed for publishing ' +
        '(each request may take 0.3 s, retries included). The verdict is unchanged; the job summary has the full result.',
    );
    // One try (300 ms), then the 1 s wait is cut at 700 ms.
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(1_000);
    expect(github.requests).toHaveLength(1);
  });

  it('a POST that created the comment but never answered is not sent again: the listing finds it', async () => {
    github.fail({ method: 'POST', delayMs: 60_000, times: 1 });
    const value = await upsertComment(client(), plan(), retry, limits);
    expect(value).toMatchObject({ kind: 'created', url: expect.stringContaining('/pull/7#issuecomment-') });
    expect(calls()).toEqual([
      'GET /repos/octo/models/issues/7/comments',
      'POST /repos/octo/models/issues/7/comments',
      'GET /repos/octo/models/issues/7/comments',
      'GET /user',
    ]);
    expect(github.gateComments(7)).toHaveLength(1);
    expect(value.kind !== 'failed' && value.kind !== 'skipped' && value.id).toBe(github.gateComments(7)[0]!.id);
  });

  it('a POST that timed out before creating anything is sent again after the listing shows nothing', async () => {
    github.fail({ method: 'POST', hang: true, times: 1 });
    const value = await upsertComment(client(), plan(), retry, limits);
    expect(value.kind).toBe('created');
    expect(calls()).toEqual([
      'GET /repos/octo/models/issues/7/comments',
      'POST /repos/octo/models/issues/7/comments',
      'GET /repos/octo/models/issues/7/comments',
      'POST /repos/octo/models/issues/7/comments',
    ]);
    expect(github.gateComments(7)).toHaveLength(1);
  });
});

describe('upsertComment updates only comments its own identity wrote', () => {
  it('job token: a comment with the marker by someone else is left alone and named; a new one is posted', async () => {
    github.seed(7, [`${MARKER}\n✅ passes (forged)`], 'mallory');
    const [forged] = github.gateComments(7);
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({
      kind: 'created',
      author: 'github-actions[bot]',
      foreign: [{ author: 'mallory', url: `https://github.com/octo/models/pull/7#issuecomment-${forged!.id}` }],
    });
    expect(calls()).toEqual(['GET /repos/octo/models/issues/7/comments', 'GET /user', 'POST /repos/octo/models/issues/7/comments']);
    expect(github.gateComments(7).map((c) => [c.user.login, c.body])).toEqual([
      ['mallory', `${MARKER}\n✅ passes (forged)`],
      ['github-actions[bot]', `${MARKER}\nbody (previous: no)`],
    ]);
  });

  it('job token: its own comment after a forged one is found and updated', async () => {
    github.seed(7, [`${MARKER}\nforged`], 'mallory');
    github.seed(7, [`${MARKER}\nmine`], 'github-actions[bot]');
    const mine = github.gateComments(7)[1]!;
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({ kind: 'updated', id: mine.id, foreign: [{ author: 'mallory' }] });
    expect(github.gateComments(7)[0]!.body).toBe(`${MARKER}\nforged`);
  });

  it("personal token: the comment of the token's user is updated, the bot's is not", async () => {
    github.users.set('secret-token', 'octocat');
    github.seed(7, [`${MARKER}\nfrom the job token`], 'github-actions[bot]');
    github.seed(7, [`${MARKER}\nfrom octocat`], 'octocat');
    const octocats = github.gateComments(7)[1]!;
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome).toMatchObject({ kind: 'updated', id: octocats.id, author: 'octocat', foreign: [{ author: 'github-actions[bot]' }] });
    expect(github.gateComments(7).map((c) => c.body)).toEqual([`${MARKER}\nfrom the job token`, `${MARKER}\nbody (previous: yes)`]);
  });

  it('a known identity is not asked for, and logins compare case-insensitively', async () => {
    github.seed(7, [`${MARKER}\nmine`], 'OctoCat');
    github.users.set('secret-token', 'OctoCat');
    const outcome = await upsertComment(client(), plan({ author: 'octocat' }), retry);
    expect(outcome.kind).toBe('updated');
    expect(calls()).not.toContain('GET /user');
  });

  it('a token GitHub refuses (401 on GET /user) is an error, not taken for the Actions bot', async () => {
    github.seed(7, [`${MARKER}\nmine`], 'github-actions[bot]');
    github.fail({ pathIncludes: '/user', status: 401, times: 1, body: { message: 'Bad credentials' } });
    const outcome = await upsertComment(client(), plan(), retry);
    expect(outcome.kind === 'failed' && outcome.message).toMatch(
      /^cannot comment on pull request #7 in octo\/models: GitHub answered 401 \(Bad credentials/,
    );
    expect(calls().filter((c) => c.startsWith('PATCH') || c.startsWith('POST'))).toEqual([]);
  });
});
