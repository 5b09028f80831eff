/**
 * The sticky pull-request comment: find this gate's comment by its hidden marker (every page of
 * comments), update it in place, or create it; never a second one. Every failure becomes an
 * outcome with advice, never an exception: a comment that cannot be posted must not change the
 * verdict.
 */
import { getOctokit } from '@actions/github';
import { plainText } from '../report/escape';
import { statusOf, withRetry, type RetryOptions } from './retry';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The example workflows that comment on pull requests from forks. */
export const FORK_SAFE_WORKFLOWS =
  'examples/workflows/privacy-gate-fork-measure.yml and examples/workflows/privacy-gate-fork-publish.yml';

/** A requests timeout, so a GitHub that does not answer cannot hang the job. */
const REQUEST_TIMEOUT_MS = 30_000;

/** An Octokit for the REST API at `apiUrl` (GITHUB_API_URL: github.com, GHES, or a test server). */
export function createClient(token: string, apiUrl: string): GitHubClient {
  return getOctokit(token, { baseUrl: apiUrl });
}

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
}

export type CommentOutcome =
  | { kind: 'created' | 'updated'; id: number; url: string }
  | { kind: 'skipped'; message: string }
  | { kind: 'failed'; message: string };

export async function upsertComment(client: GitHubClient, plan: CommentPlan, retry: RetryOptions): Promise<CommentOutcome> {
  const { owner, repo, issueNumber } = plan;
  const request = () => ({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  try {
    if (plan.headSha) {
      const pr = await withRetry(() => client.rest.pulls.get({ owner, repo, pull_number: issueNumber, request: request() }), retry);
      if (pr.data.head.sha !== plan.headSha) {
        return {
          kind: 'failed',
          message: `not commenting on pull request #${issueNumber}: its head is ${pr.data.head.sha}, but the report was measured on ${plan.headSha} (a newer push, or a hand-off file that names another pull request)`,
        };
      }
    }
    const existing = await withRetry(() => findComment(client, plan, request), retry);
    if (existing) {
      const body = plan.render(existing.body);
      const res = await withRetry(
        () => client.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body, request: request() }),
        retry,
      );
      return { kind: 'updated', id: res.data.id, url: res.data.html_url };
    }
    if (!plan.create) {
      return { kind: 'skipped', message: `no comment on pull request #${issueNumber}: the gate passed and there is no earlier comment to update (comment: on-failure)` };
    }
    const res = await withRetry(
      () => client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: plan.render(undefined), request: request() }),
      retry,
    );
    return { kind: 'created', id: res.data.id, url: res.data.html_url };
  } catch (error) {
    return { kind: 'failed', message: explain(error, plan, retry.attempts) };
  }
}

/** This gate's comment: the oldest one whose body starts with the marker. */
async function findComment(
  client: GitHubClient,
  plan: CommentPlan,
  request: () => { signal: AbortSignal },
): Promise<{ id: number; body?: string } | undefined> {
  const pages = client.paginate.iterator(client.rest.issues.listComments, {
    owner: plan.owner,
    repo: plan.repo,
    issue_number: plan.issueNumber,
    per_page: 100,
    request: request(),
  });
  for await (const page of pages) {
    const found = page.data.find((c) => c.body?.startsWith(plan.marker));
    if (found) return { id: found.id, body: found.body };
  }
  return undefined;
}

function explain(error: unknown, plan: CommentPlan, attempts: number): string {
  const status = statusOf(error);
  const detail = plainText((error as Error)?.message ?? String(error), 300);
  const where = `pull request #${plan.issueNumber} in ${plan.owner}/${plan.repo}`;
  const after = 'The verdict is unchanged; the job summary has the full result.';
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
