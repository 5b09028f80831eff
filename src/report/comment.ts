/**
 * The PR comment's text: the Markdown report behind a hidden marker that identifies the comment
 * as this gate's for one (workflow, job, policy), so the next run finds and updates it, plus a
 * second marker with the verdict, so a later passing run can say the gate now passes. Pure.
 */
import type { GateReport, Verdict } from '../result';
import { renderMarkdown, type MarkdownLink } from './markdown';

/** GitHub rejects comment bodies longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

/** The job summary's limit per step: 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface CommentIdentity {
  workflow: string;
  job: string;
  policy: string;
}

/**
 * Names go inside an HTML comment and are matched literally: keep a safe alphabet, so nothing
 * can end the comment (`--`, `>`) or blur the `key=value;` structure.
 */
function markerValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9 ._/+()-]/g, '_')
    .replace(/-(?=-)/g, '_')
    .slice(0, 120)
    .trim();
}

export function commentMarker(id: CommentIdentity): string {
  return `<!-- model-privacy-gate: workflow=${markerValue(id.workflow)}; job=${markerValue(id.job)}; policy=${markerValue(id.policy)} -->`;
}

const VERDICT_MARKER = /^<!-- model-privacy-gate-verdict: (pass|warn|fail|error) -->$/m;

/** The verdict an earlier comment body recorded, if it has one. */
export function previousVerdictOf(body: string | undefined): Verdict | undefined {
  return (body?.match(VERDICT_MARKER)?.[1] as Verdict | undefined) ?? undefined;
}

export interface CommentOptions {
  identity: CommentIdentity;
  links?: MarkdownLink[];
  reportFolder?: string;
  /** The body of the comment this one replaces, if any. */
  previousBody?: string;
}

export function renderComment(report: GateReport, options: CommentOptions): string {
  return renderMarkdown(report, {
    preamble: [commentMarker(options.identity), `<!-- model-privacy-gate-verdict: ${report.verdict} -->`],
    links: options.links,
    reportFolder: options.reportFolder,
    previousVerdict: previousVerdictOf(options.previousBody),
    limit: { max: COMMENT_LIMIT, unit: 'characters' },
  });
}
