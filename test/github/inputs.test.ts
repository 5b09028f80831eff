import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readRunContext } from '../../src/github/context';
import { readInputs } from '../../src/github/inputs';
import { InputError } from '../../src/errors';

/** Sets the INPUT_* variables the runner would (names upper-cased, dashes kept). */
function inputs(values: Record<string, string | undefined>): void {
  for (const name of ['POLICY', 'OUT', 'GITHUB-TOKEN', 'COMMENT', 'REPORT', 'ALLOWED-ROOTS', 'SHARD', 'SIGNALS', 'POLICY-FROM'])
    vi.stubEnv(`INPUT_${name}`, '');
  for (const [name, value] of Object.entries(values)) if (value !== undefined) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readInputs', () => {
  it.each([
    {
      name: 'defaults',
      given: { policy: 'policies/release.yml' },
      settings: {
        policy: 'policies/release.yml',
        report: '',
        out: 'privacy-gate-report',
        githubToken: '',
        comment: 'always',
        allowedRoots: [],
        shard: '',
        signals: [],
        policyFrom: 'head',
      },
    },
    {
      name: 'a shard of a matrix',
      given: { policy: 'p.yml', shard: '2/4', out: 'signals' },
      settings: { policy: 'p.yml', shard: '2/4', out: 'signals', signals: [] },
    },
    {
      name: 'merge mode: the policy defaults to the shards',
      given: { signals: 'signals/\n${{ runner.temp }}/more, extra.signals\n' },
      settings: { policy: '', report: '', shard: '', signals: ['signals/', '${{ runner.temp }}/more', 'extra.signals'] },
    },
    {
      name: 'policy-from: base',
      given: { policy: 'p.yml', 'policy-from': 'base' },
      settings: { policy: 'p.yml', policyFrom: 'base' },
    },
    {
      name: 'allowed-roots, one per line or comma-separated, blanks dropped',
      given: { policy: 'p.yml', 'allowed-roots': 'shared/models\n  /mnt/data , ../datasets\n\n' },
      settings: { policy: 'p.yml', allowedRoots: ['shared/models', '/mnt/data', '../datasets'] },
    },
    {
      name: 'every input',
      given: { policy: 'p.yml', out: 'reports', 'github-token': 'ghs_x', comment: 'on-failure' },
      settings: { policy: 'p.yml', report: '', out: 'reports', githubToken: 'ghs_x', comment: 'on-failure' },
    },
    {
      name: 'publish-only',
      given: { report: 'artifact/', comment: 'never' },
      settings: { policy: '', report: 'artifact/', comment: 'never' },
    },
  ])('$name', ({ given, settings }) => {
    inputs(given);
    expect(readInputs()).toMatchObject(settings);
  });

  it.each([
    { name: 'no policy and no report', given: {}, field: 'policy', message: 'input "policy" is required' },
    { name: 'both policy and report', given: { policy: 'p.yml', report: 'r.json' }, field: 'report', message: 'expected one' },
    {
      name: 'an unknown policy-from',
      given: { policy: 'p.yml', 'policy-from': 'main' },
      field: 'policy-from',
      message: 'input "policy-from" is "main"; expected one of head, base',
    },
    {
      name: 'policy-from: base in a shard',
      given: { policy: 'p.yml', shard: '1/2', 'policy-from': 'base' },
      field: 'policy-from',
      message: 'input "policy-from" is "base" in a shard step',
    },
    {
      name: 'policy-from: base in a merge',
      given: { signals: 's/', 'policy-from': 'base' },
      field: 'policy-from',
      message: 'input "policy-from" is "base" in a merge step',
    },
    {
      name: 'an unknown comment mode',
      given: { policy: 'p.yml', comment: 'sometimes' },
      field: 'comment',
      message: 'input "comment" is "sometimes"; expected one of always, on-failure, never',
    },
    { name: 'a shard without a policy', given: { shard: '1/2' }, field: 'policy', message: 'input "shard" needs "policy"' },
    {
      name: 'signals with shard',
      given: { policy: 'p.yml', shard: '1/2', signals: 's/' },
      field: 'signals',
      message: 'input "signals" is set together with "shard"; expected one mode',
    },
    { name: 'signals with report', given: { signals: 's/', report: 'r.json' }, field: 'signals', message: 'together with "report"' },
  ])('rejects $name, naming the input', ({ given, field, message }) => {
    inputs(given);
    let error: unknown;
    try {
      readInputs();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(message);
    expect((error as InputError).location?.field).toBe(field);
  });
});

describe('readRunContext', () => {
  it('reads the runner environment when called, including GITHUB_API_URL', () => {
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 5 } }));
    const ctx = readRunContext({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/models',
      GITHUB_WORKFLOW: 'Privacy gate',
      GITHUB_JOB: 'gate',
      GITHUB_RUN_ID: '99',
      GITHUB_SERVER_URL: 'https://ghe.example/',
      GITHUB_API_URL: 'http://127.0.0.1:1234/',
      GITHUB_WORKSPACE: '/ws',
    });
    expect(ctx).toEqual({
      eventName: 'pull_request',
      payload: { pull_request: { number: 5 } },
      owner: 'octo',
      repo: 'models',
      workflow: 'Privacy gate',
      job: 'gate',
      workspace: '/ws',
      apiUrl: 'http://127.0.0.1:1234',
      runUrl: 'https://ghe.example/octo/models/actions/runs/99',
    });
  });

  it('treats a missing or broken event file as an empty payload', () => {
    const broken = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json');
    writeFileSync(broken, '{ not json');
    expect(readRunContext({ GITHUB_EVENT_PATH: broken }).payload).toEqual({});
    expect(readRunContext({}).apiUrl).toBe('https://api.github.com');
  });
});
