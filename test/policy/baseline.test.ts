/**
 * The policy's `baseline` and `probes.membership.max-increase`: valid forms build typed settings
 * (absolute paths, allowances as the fail line of `<metric>-increase`, located at their keys),
 * and each mistake is a PolicyError at its file, line and column naming the field.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors';
import { loadPolicy } from '../../src/run/policy';
import { policyDir, POLICY_HEAD } from './helpers';

const MEMBERSHIP = `probes:
  membership:
    thresholds:
      auc: { fail: 0.6 }
`;

function load(policy: string, dummies = ['model.onnx', 'train.csv', 'holdout.csv', 'released.onnx', 'released.json']) {
  const dir = policyDir({ 'policy.yaml': policy }, dummies);
  return { dir, policy: () => loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }) };
}

function errorOf(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected a PolicyError');
}

describe('baseline and max-increase: valid', () => {
  it('baseline.model and max-increase build absolute paths and located allowances', () => {
    const { dir, policy } = load(`${POLICY_HEAD}baseline:
  model: released.onnx
${MEMBERSHIP}    max-increase:
      auc: 0.02
      tpr-at-fpr: 0.01
      epsilon-lower-bound: 0.5
`);
    const p = policy();
    expect(p.baseline).toMatchObject({ model: join(dir, 'released.onnx'), source: { line: 8, column: 1 } });
    expect(p.baseline?.report).toBeUndefined();
    expect(p.probes.membership?.increases).toEqual({
      'auc-increase': { fail: 0.02, source: { file: join(dir, 'policy.yaml'), line: 15, column: 7 } },
      'tpr-at-fpr-increase': { fail: 0.01, source: { file: join(dir, 'policy.yaml'), line: 16, column: 7 } },
      'epsilon-lower-bound-increase': { fail: 0.5, source: { file: join(dir, 'policy.yaml'), line: 17, column: 7 } },
    });
  });

  it('a baseline with no membership probe is a warning at baseline: nothing is compared', () => {
    const { dir, policy } = load(`${POLICY_HEAD}baseline: { model: released.onnx }
probes:
  inversion:
    thresholds: { identification-rate: { fail: 0.5 } }
`);
    expect(policy().warnings).toEqual([
      {
        message: 'baseline is set but the membership probe does not run, so nothing is compared with the released model',
        location: { file: join(dir, 'policy.yaml'), line: 8, column: 1, field: 'baseline' },
      },
    ]);
  });

  it('baseline.report alone', () => {
    const { dir, policy } = load(`${POLICY_HEAD}baseline: { report: released.json }\n${MEMBERSHIP}`);
    expect(policy().baseline).toMatchObject({ report: join(dir, 'released.json') });
  });
});

describe('baseline and max-increase: mistakes', () => {
  it.each([
    {
      name: 'max-increase without a baseline',
      policy: `${POLICY_HEAD}${MEMBERSHIP}    max-increase: { auc: 0.02 }\n`,
      at: { line: 12, column: 5, field: 'probes.membership.max-increase' },
      message: /max-increase limits the increase over the released model, but the policy names none: add baseline/,
    },
    {
      name: 'both model and report',
      policy: `${POLICY_HEAD}baseline:\n  model: released.onnx\n  report: released.json\n${MEMBERSHIP}`,
      at: { line: 10, column: 3, field: 'baseline.report' },
      message: /set baseline.model or baseline.report, not both/,
    },
    {
      name: 'neither model nor report',
      policy: `${POLICY_HEAD}baseline: {}\n${MEMBERSHIP}`,
      at: { line: 8, column: 1, field: 'baseline' },
      message: /baseline needs model \(the released ONNX file\) or report/,
    },
    {
      name: 'a baseline model that does not exist',
      policy: `${POLICY_HEAD}baseline: { model: gone.onnx }\n${MEMBERSHIP}`,
      at: { line: 8, column: 20, field: 'baseline.model' },
      message: /baseline model not found: .*gone\.onnx/,
    },
    {
      name: 'a baseline model outside the allowed roots',
      policy: `${POLICY_HEAD}baseline: { model: /etc/hostname }\n${MEMBERSHIP}`,
      at: { line: 8, column: 20, field: 'baseline.model' },
      message: /outside/,
    },
    {
      name: 'an unknown max-increase metric',
      policy: `${POLICY_HEAD}baseline: { model: released.onnx }\n${MEMBERSHIP}    max-increase: { ppv: 0.1 }\n`,
      at: { line: 13, column: 21, field: 'probes.membership.max-increase.ppv' },
      message: /unknown key "ppv"/,
    },
    {
      name: 'a negative allowance',
      policy: `${POLICY_HEAD}baseline: { model: released.onnx }\n${MEMBERSHIP}    max-increase: { auc: -0.01 }\n`,
      at: { line: 13, field: 'probes.membership.max-increase.auc' },
      message: /0/,
    },
  ])('$name', ({ policy, at, message }) => {
    const { dir, policy: build } = load(policy);
    const error = errorOf(build);
    expect(error.location).toMatchObject({ file: join(dir, 'policy.yaml'), ...at });
    expect(error.message).toMatch(message);
  });

  it('a baseline on a sequence model is an error at baseline', () => {
    const { dir, policy } = load(
      `version: 1
model:
  path: model.onnx
  task: sequence
  tokenizer: { vocab: "ab" }
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
baseline: { model: released.onnx }
probes:
  extraction:
    canaries:
      - format: "pin {digits:4}"
        inserted: ["1234"]
    thresholds: { max-exposure: { fail: 10 } }
`,
      ['model.onnx', 'members.txt', 'non-members.txt', 'released.onnx'],
    );
    const error = errorOf(policy);
    expect(error.location).toMatchObject({ file: join(dir, 'policy.yaml'), line: 9, column: 1, field: 'baseline' });
    expect(error.message).toMatch(/baseline compares the membership probe of a classifier .* model.task is sequence/);
  });
});
