/**
 * What the runner tells the action about the run, read from the environment when asked (not at
 * import, as @actions/github's `context` does), so one process can be tested with several runs.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface RunContext {
  eventName: string;
  /** The webhook payload of the triggering event ({} when there is none). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- webhook JSON, narrowed where read
  payload: Record<string, any>;
  owner: string;
  repo: string;
  workflow: string;
  job: string;
  /** The repository root on the runner. */
  workspace: string;
  apiUrl: string;
  /** This run's page, for links in the comment and summary. */
  runUrl?: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const runUrl =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload: readPayload(env.GITHUB_EVENT_PATH),
    owner,
    repo,
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runUrl,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- webhook JSON, narrowed where read
function readPayload(file: string | undefined): Record<string, any> {
  if (!file || !existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];
