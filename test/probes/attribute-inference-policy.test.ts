/**
 * The attribute-inference section of a policy, from YAML to the typed settings, and the runner's
 * auxiliary-data path end to end on the wages example.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicy, loadPolicy } from '../../src/run/policy';
import { runGate } from '../../src/run/gate';
import { TEST_ROOTS } from '../policy/helpers';

const wages = path.resolve(__dirname, '../../examples/wages');

function write(text: string, dummies: string[] = ['model.onnx', 'train.csv', 'holdout.csv']): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'attribute-policy-'));
  for (const name of dummies) writeFileSync(path.join(dir, name), '');
  writeFileSync(path.join(dir, 'policy.yaml'), text);
  return path.join(dir, 'policy.yaml');
}

const HEAD = `version: 1
model: { path: model.onnx }
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: y
`;

describe('attribute-inference policy settings', () => {
  it('fills the defaults and records where attribute and thresholds are written', () => {
    const file = write(`${HEAD}probes:
  attribute-inference:
    attribute: union
    thresholds:
      lift: { fail: 0.05 }
`);
    const settings = loadPolicy(file, TEST_ROOTS).probes['attribute-inference']!;
    expect(settings).toEqual({
      attribute: 'union',
      samples: 16,
      observed: 'label',
      prior: 'non-members',
      residualSpread: 'non-members',
      sources: { attribute: { file, line: 9, column: 5 } },
      thresholds: { lift: { fail: 0.05, source: { file, line: 11, column: 7 } } },
    });
  });

  it('names one-hot levels by values, keeps null as the reference level, and reads the rest', () => {
    const file = write(
      `version: 1
model: { path: model.onnx, task: regression }
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: wage
probes:
  attribute-inference:
    attribute: race
    encoding:
      one-hot: [null, race_hispanic, race_other]
    values: [white, hispanic, other]
    known: [age, education]
    samples: 4
    observed: model-output
    prior: auxiliary
    auxiliary: { path: attacker.csv }
    residual-spread: training
    thresholds:
      member-accuracy: { warn: 0.9 }
      member-gap: { warn: 0.05, fail: 0.1 }
`,
      ['model.onnx', 'train.csv', 'holdout.csv', 'attacker.csv'],
    );
    const policy = loadPolicy(file, TEST_ROOTS);
    expect(policy.model.task).toBe('regression');
    const s = policy.probes['attribute-inference']!;
    expect(s.oneHot).toEqual([
      { value: 'white', column: null },
      { value: 'hispanic', column: 'race_hispanic' },
      { value: 'other', column: 'race_other' },
    ]);
    expect(s.values).toBeUndefined();
    expect(s).toMatchObject({
      known: ['age', 'education'],
      samples: 4,
      observed: 'model-output',
      prior: 'auxiliary',
      auxiliary: { path: path.join(path.dirname(file), 'attacker.csv'), format: 'csv' },
      residualSpread: 'training',
    });
    expect(Object.keys(s.thresholds)).toEqual(['member-accuracy', 'member-gap']);
    expect(s.sources.encoding).toMatchObject({ line: 10 });
  });

  it('one-hot values default to the column names', () => {
    const file = write(`${HEAD}probes:
  attribute-inference:
    attribute: race
    encoding: { one-hot: [race_white, race_other] }
    thresholds: { lift: { fail: 0.05 } }
`);
    expect(loadPolicy(file, TEST_ROOTS).probes['attribute-inference']!.oneHot).toEqual([
      { value: 'race_white', column: 'race_white' },
      { value: 'race_other', column: 'race_other' },
    ]);
  });

  it.each([
    {
      name: 'samples without known',
      extra: '    samples: 8\n',
      message: /^samples is ignored because known is not set/,
      field: 'probes.attribute-inference.samples',
    },
    {
      name: 'residual-spread on a classifier',
      extra: '    residual-spread: training\n',
      message: /^residual-spread is ignored because model\.task is classification/,
      field: 'probes.attribute-inference.residual-spread',
    },
  ])('warns, without stopping the gate, about $name', ({ extra, message, field }) => {
    const file = write(`${HEAD}probes:
  attribute-inference:
    attribute: union
${extra}    thresholds: { lift: { fail: 0.05 } }
`);
    const check = checkPolicy(file, TEST_ROOTS);
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([
      expect.objectContaining({ message: expect.stringMatching(message), location: expect.objectContaining({ field }) }),
    ]);
  });
});

describe('auxiliary data through the runner', () => {
  const policy = (auxiliary: string) =>
    write(
      `extends: ${JSON.stringify(path.join(wages, 'policy.yml'))}
probes:
  attribute-inference:
    prior: auxiliary
    residual-spread: auxiliary
    auxiliary: { path: ${JSON.stringify(auxiliary)} }
`,
      [],
    );

  it('with the non-members as the auxiliary file, measures what prior and σ from the non-members measure, and hashes the file', async () => {
    const viaAuxiliary = await runGate(policy(path.join(wages, 'data/non-members.csv')), TEST_ROOTS);
    const direct = await runGate(
      write(
        `extends: ${JSON.stringify(path.join(wages, 'policy.yml'))}
probes:
  attribute-inference:
    residual-spread: non-members
`,
        [],
      ),
      TEST_ROOTS,
    );
    expect(viaAuxiliary.error).toBeUndefined();
    expect(viaAuxiliary.probes[0]!.attacks[0]!.metrics).toEqual(direct.probes[0]!.attacks[0]!.metrics);
    const auxiliary = viaAuxiliary.inputs.data.find((d) => d.role === 'auxiliary');
    const nonMembers = viaAuxiliary.inputs.data.find((d) => d.role === 'non-members');
    expect(auxiliary?.sha256).toBe(nonMembers?.sha256);
  });

  it('an auxiliary file with other columns is an input error naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'attribute-aux-'));
    const file = path.join(dir, 'attacker.csv');
    writeFileSync(file, 'union,age,wage\n1,30,10\n0,40,12\n');
    const report = await runGate(policy(file), TEST_ROOTS);
    expect(report.exitCode).toBe(2);
    expect(report.error?.message).toMatch(/feature columns|not found/);
  });
});
