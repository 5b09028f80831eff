/**
 * The action's inputs as one typed settings object, read and checked once; an error names the
 * input, the value and the expected form. Names and defaults match action.yml.
 */
import * as core from '@actions/core';
import { InputError } from '../errors';

export const COMMENT_MODES = ['always', 'on-failure', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

export const POLICY_FROM = ['head', 'base'] as const;
export type PolicyFrom = (typeof POLICY_FROM)[number];

export interface ActionSettings {
  /** Path of the release policy YAML, relative to the workspace; empty in publish-only mode. */
  policy: string;
  /** Folder the report files are written to (privacy-report.json, summary.md, report.html, privacy-gate.sarif). */
  out: string;
  /** Token for the pull-request comment; the job's GITHUB_TOKEN unless the workflow passes another. */
  githubToken: string;
  /** When to comment on the pull request: always, only when the gate fails (or to update an earlier comment), or never. */
  comment: CommentMode;
  /**
   * Publish-only mode: an existing privacy-report.json (or the folder holding it) to publish as the
   * comment and job summary, measuring nothing; used by the fork-safe workflow_run job. Empty otherwise.
   */
  report: string;
  /**
   * Folders besides the workspace and RUNNER_TEMP that the policy, what it extends and the files
   * it names may be in (after symlinks), as written: one per line or comma-separated, relative to
   * the workspace. Nothing under /proc, /sys or /dev is read whatever this says.
   */
  allowedRoots: string[];
  /** A sharded run: `i/n`, this job answers shard i of n of the policy's model queries and writes its signals file to `out`; empty otherwise. */
  shard: string;
  /**
   * Merge mode: the shards' signals files, or folders holding them, as written (one per line or
   * comma-separated, relative to the workspace); measured and published like a run of the policy. Empty otherwise.
   */
  signals: string[];
  /**
   * Which version of the policy gates a pull request: the head's (the checkout, default) or the
   * base commit's, so a pull request cannot loosen the rules it is gated by (src/github/base-policy.ts).
   */
  policyFrom: PolicyFrom;
}

export function readInputs(): ActionSettings {
  const policy = core.getInput('policy');
  const report = core.getInput('report');
  const shard = core.getInput('shard');
  const signals = listInput('signals');
  if (signals.length > 0 && (report || shard)) {
    throw new InputError(
      `input "signals" is set together with "${report ? 'report' : 'shard'}"; expected one mode: "signals" merges the shards' files, "shard" runs one shard, "report" only publishes`,
      { file: 'action inputs', field: 'signals' },
    );
  }
  if (shard && !policy) {
    throw new InputError('input "shard" needs "policy": the release policy YAML the shards run', {
      file: 'action inputs',
      field: 'policy',
    });
  }
  if (policy && report) {
    throw new InputError(
      `inputs "policy" and "report" are both set; expected one: "policy" runs the gate, "report" only publishes an earlier run's privacy-report.json`,
      { file: 'action inputs', field: 'report' },
    );
  }
  if (!policy && !report && signals.length === 0) {
    throw new InputError('input "policy" is required: the path of the release policy YAML, e.g. policies/release.yml', {
      file: 'action inputs',
      field: 'policy',
    });
  }
  const comment = core.getInput('comment') || 'always';
  if (!(COMMENT_MODES as readonly string[]).includes(comment)) {
    throw new InputError(`input "comment" is "${comment}"; expected one of ${COMMENT_MODES.join(', ')}`, {
      file: 'action inputs',
      field: 'comment',
    });
  }
  const policyFrom = core.getInput('policy-from') || 'head';
  if (!(POLICY_FROM as readonly string[]).includes(policyFrom)) {
    throw new InputError(`input "policy-from" is "${policyFrom}"; expected one of ${POLICY_FROM.join(', ')}`, {
      file: 'action inputs',
      field: 'policy-from',
    });
  }
  if (policyFrom === 'base' && (shard || signals.length > 0)) {
    // The shards would each have to enforce the base commit's policy and the merge to check it; not built yet.
    throw new InputError(
      `input "policy-from" is "base" in a ${shard ? 'shard' : 'merge'} step; a split run is gated by the checkout's policy: use policy-from: head (the comparison with the base is still reported by the merge step)`,
      { file: 'action inputs', field: 'policy-from' },
    );
  }
  return {
    policy,
    report,
    policyFrom: policyFrom as PolicyFrom,
    out: core.getInput('out') || 'privacy-gate-report',
    githubToken: core.getInput('github-token'),
    comment: comment as CommentMode,
    allowedRoots: listInput('allowed-roots'),
    shard,
    signals,
  };
}

/** An input of paths, one per line or comma-separated, blanks dropped. */
function listInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
