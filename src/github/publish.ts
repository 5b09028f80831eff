/**
 * Puts a report where reviewers look: the job summary first (it works on every event, forks
 * included), then annotations on the policy's threshold lines, then the sticky PR comment.
 * Nothing here throws or decides the verdict: a comment that fails is a warning; a job summary the
 * runner gave no writable file for is returned as a problem for the caller (exit 3), after the
 * comment is posted, so the verdict still reaches reviewers.
 */
import * as core from '@actions/core';
import { extendsLineOf } from '../policy/extends-line';
import { selectAnnotations, type Annotation } from '../report/annotations';
import { commentMarker, renderComment, SUMMARY_LIMIT_BYTES, type CommentIdentity } from '../report/comment';
import { renderMarkdown, type MarkdownLink } from '../report/markdown';
import { policyChangeAnnotations } from '../report/policy-changes';
import type { GateReport } from '../result';
import { createClient, DEFAULT_TIME_LIMITS, FORK_SAFE_WORKFLOWS, upsertComment, type CommentOutcome, type CommentPlan } from './comment';
import { PULL_REQUEST_EVENTS, type RunContext } from './context';
import { readHandoff } from './handoff';
import type { ActionSettings } from './inputs';
import { DEFAULT_RETRY, type RetryOptions } from './retry';
import { appendJobSummary } from './runner-files';

export interface PublishRequest {
  report: GateReport;
  settings: ActionSettings;
  context: RunContext;
  /** Publish-only mode: the folder the earlier run's report was read from. */
  publishOnly?: { folder: string };
}

export interface PublishOptions {
  retry?: RetryOptions;
  /** Each GitHub request is abandoned after this long (default 30 s). */
  requestTimeoutMs?: number;
  /** The comment is given up after this long in all, retries included (default 180 s). */
  budgetMs?: number;
  /** The login the token acts as, instead of asking GitHub (tests). */
  commentAuthor?: string;
}

export interface PublishResult {
  comment: CommentOutcome;
  /** Why the job summary could not be written (the runner's file is missing or unwritable). */
  summaryProblem?: string;
}

export async function publishToGithub(request: PublishRequest, options: PublishOptions = {}): Promise<PublishResult> {
  const { report, settings } = request;
  const links = linksFor(request);
  const reportFolder = request.publishOnly ? undefined : settings.out;
  const summaryProblem = appendJobSummary(
    renderMarkdown(report, { links, reportFolder, limit: { max: SUMMARY_LIMIT_BYTES, unit: 'bytes' } }),
  );
  return { comment: await publishComment(request, links, options), summaryProblem };
}

async function publishComment(request: PublishRequest, links: MarkdownLink[], options: PublishOptions): Promise<CommentOutcome> {
  const { report, settings, context } = request;
  const reportFolder = request.publishOnly ? undefined : settings.out;
  // Annotations belong to the run that measured: in publish-only mode they would land on the
  // default branch's commit instead of the pull request's.
  if (!request.publishOnly) {
    const at = { root: context.workspace, cwd: process.cwd(), extendsLine: extendsLineOf };
    emitAnnotations([...policyChangeAnnotations(report, at), ...selectAnnotations(report, at)]);
  }
  const target = commentTarget(request);
  if ('skip' in target) {
    if (target.level === 'warning') core.warning(target.skip);
    else core.info(target.skip);
    return { kind: 'skipped', message: target.skip };
  }
  if (!settings.githubToken) {
    const message = "not commenting: the github-token input is empty (its default is the job's GITHUB_TOKEN). The verdict is unchanged.";
    core.warning(message);
    return { kind: 'failed', message };
  }
  const retry = options.retry ?? {
    ...DEFAULT_RETRY,
    onRetry: (error, attempt, wait) => core.info(`GitHub request failed (${(error as Error).message}); try ${attempt + 1} in ${wait} ms`),
  };
  const plan: CommentPlan = {
    owner: context.owner,
    repo: context.repo,
    issueNumber: target.issueNumber,
    marker: target.marker,
    render: (previous) => renderComment(report, { identity: target.identity, links, reportFolder, previousBody: previous }),
    create: settings.comment === 'always' || report.verdict === 'fail' || report.verdict === 'error',
    headSha: target.headSha,
    author: options.commentAuthor,
  };
  const limits = {
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIME_LIMITS.requestTimeoutMs,
    budgetMs: options.budgetMs ?? DEFAULT_TIME_LIMITS.budgetMs,
  };
  const outcome = await upsertComment(createClient(settings.githubToken, context.apiUrl), plan, retry, limits);
  for (const foreign of outcome.foreign ?? []) {
    core.warning(
      `ignored a comment that starts with this gate's marker but was written by ${foreign.author}, not by ${outcome.author ?? "the token's identity"} ` +
        `(whom the github-token acts as); only the gate's own comment is updated: ${foreign.url}`,
    );
  }
  if (outcome.kind === 'failed') core.warning(outcome.message);
  else if (outcome.kind === 'skipped') core.info(outcome.message);
  else core.info(`Pull request comment ${outcome.kind}: ${outcome.url}`);
  return outcome;
}

type Target =
  { skip: string; level: 'info' | 'warning' } | { issueNumber: number; identity: CommentIdentity; marker: string; headSha?: string };

/** Which pull request to comment on, as whom; or why not. */
function commentTarget(request: PublishRequest): Target {
  const { report, settings, context, publishOnly } = request;
  if (settings.comment === 'never') return { skip: 'PR comment skipped (comment: never).', level: 'info' };
  const payload = context.payload;
  let issueNumber: number | undefined;
  let identity: CommentIdentity;
  let headSha: string | undefined;
  if (publishOnly && context.eventName === 'workflow_run') {
    // The workflow_run payload is trusted (GitHub wrote it); the hand-off beside the report is not.
    const run = payload.workflow_run ?? {};
    const handoff = readHandoff(publishOnly.folder);
    issueNumber = run.pull_requests?.[0]?.number ?? handoff?.pullRequest;
    headSha = typeof run.head_sha === 'string' ? run.head_sha : undefined;
    identity = { workflow: String(run.name ?? context.workflow), job: handoff?.job ?? 'gate', policy: report.policy.file };
    if (issueNumber === undefined) {
      return {
        skip: 'PR comment skipped: the measuring run was not for a pull request (no pull request in the workflow_run event or the hand-off file).',
        level: 'info',
      };
    }
  } else {
    if (!PULL_REQUEST_EVENTS.includes(context.eventName)) {
      return {
        skip: `PR comment skipped: the event is "${context.eventName || 'unknown'}", not pull_request; the job summary has the result.`,
        level: 'info',
      };
    }
    const pr = payload.pull_request;
    issueNumber = typeof pr?.number === 'number' ? pr.number : undefined;
    if (issueNumber === undefined) return { skip: 'PR comment skipped: the event payload names no pull request.', level: 'warning' };
    const head = pr.head?.repo?.full_name;
    const base = payload.repository?.full_name ?? `${context.owner}/${context.repo}`;
    if (context.eventName === 'pull_request' && head !== base) {
      return {
        skip:
          `not commenting on pull request #${issueNumber}: it comes from a fork (${String(head ?? 'a deleted repository')}), and GitHub gives such runs a read-only token ` +
          `without the \`pull-requests: write\` permission. The job summary and annotations have the result; to comment on fork pull requests use ${FORK_SAFE_WORKFLOWS}. The verdict is unchanged.`,
        level: 'warning',
      };
    }
    identity = { workflow: context.workflow, job: context.job, policy: report.policy.file };
  }
  return { issueNumber: issueNumber!, identity, marker: commentMarker(identity), headSha };
}

function linksFor(request: PublishRequest): MarkdownLink[] {
  if (request.publishOnly) {
    const url = request.context.payload.workflow_run?.html_url;
    return typeof url === 'string' ? [{ text: 'measuring run', url }] : [];
  }
  return request.context.runUrl ? [{ text: 'workflow run', url: request.context.runUrl }] : [];
}

function emitAnnotations(annotations: Annotation[]): void {
  for (const a of annotations) {
    const properties = { title: a.title, file: a.file, startLine: a.startLine, startColumn: a.startColumn };
    if (a.level === 'error') core.error(a.message, properties);
    else if (a.level === 'warning') core.warning(a.message, properties);
    else core.notice(a.message, properties);
  }
}
