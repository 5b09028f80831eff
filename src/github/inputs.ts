/** The action's inputs as one typed settings object; errors name the input and the expected form. */
import * as core from '@actions/core';
import { InputError } from '../errors';

export interface ActionSettings {
  /** Path of the release policy YAML, relative to the workspace. */
  policy: string;
  /** Folder for privacy-report.json and summary.md. */
  out: string;
}

export function readInputs(): ActionSettings {
  const policy = core.getInput('policy');
  if (!policy) {
    throw new InputError('input "policy" is required: the path of the release policy YAML, e.g. policies/release.yml', {
      file: 'action inputs',
      field: 'policy',
    });
  }
  return { policy, out: core.getInput('out') || 'privacy-gate-report' };
}
