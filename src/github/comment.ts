/**
 * The sticky pull-request comment: find this gate's comment by its hidden marker (every page of
 * comments) among those written by the identity the token acts as, update it in place, or create
 * it; never a second one. Every request has a timeout and all of them one budget, so a GitHub
 * that does not answer costs minutes, not the job. Every failure becomes an outcome with advice,
 * never an exception: a comment that cannot be posted must not change the verdict.
 */
import { getOctokit } from '@actions/github';
import { plainText } from '../report/escape';
import { backOff, isTransient, statusOf, withRetry, type RetryOptions } from './retry';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The example workflows that comment on pull requests from forks. */
export const FORK_SAFE_WORKFLOWS = 'examples/workflows/privacy-gate-fork-measure.yml and examples/workflows/privacy-gate-fork-publish.yml';

/** An Octokit for the REST API at `apiUrl` (GITHUB_API_URL: github.com, GHES, or a test server). */
export function createClient(token: string, apiUrl: string): GitHubClient {
  return getOctokit(token, { baseUrl: apiUrl });
}

/**
 * How long GitHub may take. Every request (each page of a listing included) is abandoned after
 * `requestTimeoutMs`; everything together, retries and their waits included, after `budgetMs`.
 * Then the comment is given up with a warning: a hung API must not hang the job.
 */
export interface TimeLimits {
  requestTimeoutMs: number;
  budgetMs: number;
}

export const DEFAULT_TIME_LIMITS: TimeLimits = { requestTimeoutMs: 30_000, budgetMs: 180_000 };

/**
 * The login of the job's GITHUB_TOKEN. That token belongs to the GitHub Actions app, so GET /user
 * answers it 403 ("Resource not accessible by integration") and its comments are signed by this bot.
 */
export const ACTIONS_BOT = 'github-actions[bot]';

export interface CommentPlan {
  owner: string;
  repo: string;
  issueNumber: number;
  /** The hidden first line that identifies this gate's comment. */
  marker: string;
  /** The body, given the body of the comment it replaces (if any). */
  render: (previousBody: string | undefined) => string;
  /** False: update an existing comment but create none (comment: on-failure, passing run). */
  create: boolean;
  /** Publish-only mode: the pull request's head must be this commit, or nothing is posted. */
  headSha?: string;
  /** The login the token acts as, when known; otherwise asked of GitHub (see tokenIdentity). */
  author?: string;
}

/** A comment that carries this gate's marker but was written by someone else: never edited. */
export interface ForeignComment {
  author: string;
  url: string;
}

export type CommentOutcome = (
  { kind: 'created' | 'updated'; id: number; url: string } | { kind: 'skipped'; message: string } | { kind: 'failed'; message: string }
) & {
  /** Comments with the marker by another author, seen while looking for this gate's own. */
  foreign?: ForeignComment[];
  /** The login the token acts as, once it was needed. */
  author?: string;
};

export async function upsertComment(
  client: GitHubClient,
  plan: CommentPlan,
  retry: RetryOptions,
  limits: TimeLimits = DEFAULT_TIME_LIMITS,
): Promise<CommentOutcome> {
  const { owner, repo, issueNumber } = plan;
  const api = new Api(limits, retry);
  const search = new CommentSearch(client, plan, api);
  try {
    if (plan.headSha) {
      const pr = await api.call(`GET pull request #${issueNumber}`, (request) =>
        client.rest.pulls.get({ owner, repo, pull_number: issueNumber, request }),
      );
      if (pr.data.head.sha !== plan.headSha) {
        return {
          kind: 'failed',
          message: `not commenting on pull request #${issueNumber}: its head is ${pr.data.head.sha}, but the report was measured on ${plan.headSha} (a newer push, or a hand-off file that names another pull request)`,
        };
      }
    }
    // A POST that got no answer may still have created the comment: list again before posting
    // again, and a comment found then is the one that POST made.
    let posted = false;
    for (let attempt = 1; ; attempt++) {
      const existing = await search.find();
      if (existing && posted) return { kind: 'created', id: existing.id, url: existing.url, ...search.seen() };
      if (existing) {
        const body = plan.render(existing.body);
        const res = await api.call(`PATCH comment ${existing.id}`, (request) =>
          client.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body, request }),
        );
        return { kind: 'updated', id: res.data.id, url: res.data.html_url, ...search.seen() };
      }
      if (!plan.create) {
        return {
          kind: 'skipped',
          message: `no comment on pull request #${issueNumber}: the gate passed and there is no earlier comment to update (comment: on-failure)`,
          ...search.seen(),
        };
      }
      try {
        const res = await api.once(`POST comment on pull request #${issueNumber}`, (request) =>
          client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: plan.render(undefined), request }),
        );
        return { kind: 'created', id: res.data.id, url: res.data.html_url, ...search.seen() };
      } catch (error) {
        if (attempt >= retry.attempts || !isTransient(error) || api.budget.aborted) throw error;
        posted = true;
        await backOff(error, attempt, retry, api.budget);
        if (api.budget.aborted) throw error;
      }
    }
  } catch (error) {
    return { kind: 'failed', message: explain(error, plan, retry.attempts, api), ...search.seen() };
  }
}

/** Requests under the time limits: each with its own timeout, all under one budget. */
class Api {
  readonly budget: AbortSignal;
  constructor(
    readonly limits: TimeLimits,
    private readonly retry: RetryOptions,
  ) {
    this.budget = AbortSignal.timeout(limits.budgetMs);
  }

  /** One request with retries (for requests that are safe to repeat: GET, PATCH). */
  call<T>(what: string, send: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    return withRetry(() => this.once(what, send), this.retry, this.budget);
  }

  /** One try; a request that outlives its timeout fails as a network error would (status 0, retried). */
  async once<T>(what: string, send: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    if (this.budget.aborted) throw new BudgetSpent();
    const timeout = AbortSignal.timeout(this.limits.requestTimeoutMs);
    try {
      return await send({ signal: AbortSignal.any([this.budget, timeout]) });
    } catch (error) {
      if (this.budget.aborted) throw new BudgetSpent();
      if (timeout.aborted) throw new RequestTimeout(`${what}: no answer within ${seconds(this.limits.requestTimeoutMs)}`);
      throw error;
    }
  }
}

class RequestTimeout extends Error {
  /** No response, like a network error: retried. */
  readonly status = 0;
}

class BudgetSpent extends Error {}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/**
 * This gate's comment: the oldest one whose body starts with the marker and that the token's own
 * identity wrote. Anyone can post a comment starting with the marker; such comments are never
 * edited (GitHub would refuse, and the gate would post nothing), only reported.
 */
class CommentSearch {
  private foreign: ForeignComment[] = [];
  private author?: string;

  constructor(
    private readonly client: GitHubClient,
    private readonly plan: CommentPlan,
    private readonly api: Api,
  ) {
    this.author = plan.author;
  }

  seen(): { foreign?: ForeignComment[]; author?: string } {
    return { ...(this.foreign.length ? { foreign: [...this.foreign] } : {}), ...(this.author ? { author: this.author } : {}) };
  }

  /** Every page is its own request with its own timeout (Octokit's paginate drops request options). */
  async find(): Promise<{ id: number; body?: string; url: string } | undefined> {
    const { client, plan, api } = this;
    this.foreign = [];
    let page = await api.call(`GET comments of pull request #${plan.issueNumber}`, (request) =>
      client.rest.issues.listComments({ owner: plan.owner, repo: plan.repo, issue_number: plan.issueNumber, per_page: 100, request }),
    );
    for (let number = 1; ; number++) {
      for (const comment of page.data) {
        if (!comment.body?.startsWith(plan.marker)) continue;
        const login = comment.user?.login ?? '(deleted user)';
        if (sameLogin(login, await this.identity())) return { id: comment.id, body: comment.body, url: comment.html_url };
        this.foreign.push({ author: login, url: comment.html_url });
      }
      const next = nextPage(page.headers.link);
      if (!next) return undefined;
      page = (await api.call(`GET comments of pull request #${plan.issueNumber}, page ${number + 1}`, (request) =>
        client.request({ method: 'GET', url: next, request }),
      )) as typeof page;
    }
  }

  /** Who the token acts as, asked once and only when a marked comment needs an author check. */
  private async identity(): Promise<string> {
    this.author ??= await tokenIdentity(this.client, this.api);
    return this.author;
  }
}

/**
 * The login the token acts as. A personal token (classic or fine-grained) may read GET /user; the
 * job's GITHUB_TOKEN may not (403 "Resource not accessible by integration") and comments as
 * github-actions[bot]. A token of another GitHub App also gets 403 and is taken for that bot, so
 * its own earlier comments are not found (a new one is posted, and the old one is named in the log).
 */
async function tokenIdentity(client: GitHubClient, api: Api): Promise<string> {
  try {
    const res = await api.call("GET the token's user", (request) => client.rest.users.getAuthenticated({ request }));
    return res.data.login;
  } catch (error) {
    if (statusOf(error) === 403 && !isTransient(error)) return ACTIONS_BOT;
    throw error;
  }
}

const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function nextPage(link: string | undefined): string | undefined {
  return link?.match(/<([^<>]+)>;\s*rel="next"/)?.[1];
}

function explain(error: unknown, plan: CommentPlan, attempts: number, api: Api): string {
  const status = statusOf(error);
  const detail = plainText((error as Error)?.message ?? String(error), 300);
  const where = `pull request #${plan.issueNumber} in ${plan.owner}/${plan.repo}`;
  const after = 'The verdict is unchanged; the job summary has the full result.';
  if (error instanceof BudgetSpent || (api.budget.aborted && isTransient(error))) {
    return (
      `gave up commenting on ${where}: GitHub did not finish answering within ${seconds(api.limits.budgetMs)}, the time allowed for publishing ` +
      `(each request may take ${seconds(api.limits.requestTimeoutMs)}, retries included). ${after}`
    );
  }
  if (status === 403) {
    return (
      `cannot comment on ${where}: GitHub answered 403 (${detail}). The token lacks the \`pull-requests: write\` permission: ` +
      'give the job `permissions: { contents: read, pull-requests: write }`. Pull requests from forks get a read-only token ' +
      `whatever the workflow asks; to comment on them use the fork-safe pair, ${FORK_SAFE_WORKFLOWS}. ${after}`
    );
  }
  if (status === 401) return `cannot comment on ${where}: GitHub answered 401 (${detail}); check the github-token input. ${after}`;
  if (status === 404) {
    return `cannot comment on ${where}: GitHub answered 404 (${detail}); the pull request does not exist or the token cannot see it (it needs \`pull-requests: write\`). ${after}`;
  }
  if (status === 0 || status >= 500 || status === 429) {
    return `cannot comment on ${where}: GitHub did not answer successfully after ${attempts} tries (last: ${status || 'no response'}, ${detail}). ${after}`;
  }
  return `cannot comment on ${where}: GitHub answered ${status} (${detail}). ${after}`;
}
