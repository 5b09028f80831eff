import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPolicy, loadPolicy } from '../../src/run/policy';
import { presetDirectory, presetFile, presetNames, type Policy } from '../../src/policy';
import { lineOf, policyDir, POLICY_HEAD, TEST_ROOTS } from './helpers';

const HEAD = POLICY_HEAD;

function load(files: Record<string, string>, dummies?: string[]): { dir: string; policy: Policy } {
  const dir = policyDir(files, dummies);
  return { dir, policy: loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }) };
}

/** Line and column of a threshold key (e.g. "auc:") in a file. */
function keyPosition(file: string, key: string): { line: number; column: number } {
  const text = readFileSync(file, 'utf8');
  const line = lineOf(text, `${key}:`);
  return { line, column: text.split('\n')[line - 1]!.indexOf(`${key}:`) + 1 };
}

describe('loadPolicy: valid policies', () => {
  it('fills every default and makes paths absolute', () => {
    const { dir, policy } = load({
      'policy.yaml': `${HEAD}probes:
  membership:
    thresholds:
      auc: { fail: 0.6 }
`,
    });
    const file = join(dir, 'policy.yaml');
    expect(policy).toEqual({
      file,
      sources: [file],
      version: 1,
      name: 'policy',
      seed: 0,
      model: { path: join(dir, 'model.onnx'), task: 'classification', scores: 'auto' },
      data: {
        members: { path: join(dir, 'train.csv'), format: 'csv' },
        nonMembers: { path: join(dir, 'holdout.csv'), format: 'csv' },
        label: 'digit',
        maxRows: 5000,
        allowOverlap: false,
      },
      surface: { scores: 'full', topK: 0 },
      probes: {
        membership: {
          attacks: ['loss', 'confidence', 'entropy', 'modified-entropy'],
          stability: { queries: 8, noise: 0.05 },
          thresholds: { auc: { fail: 0.6, source: { file, line: 11, column: 7 } } },
        },
      },
      gate: { confidence: 0.95, inconclusive: 'warn', insufficient: 'error' },
      warnings: [],
    });
  });

  it.each([
    ['a glob', 'refs/ref-*.onnx'],
    ['a list, in any order', '[refs/ref-10.onnx, refs/ref-02.onnx, refs/ref-01.onnx]'],
  ])('reads reference models from %s, sorted by file name (the memberships order)', (_, models) => {
    const { dir, policy } = load(
      {
        'policy.yaml': `${HEAD}probes:
  membership:
    attacks: [lira, rmia]
    reference-models:
      models: ${models}
      memberships: refs/memberships.csv
    queries: { augmentations: [shift-1] }
    thresholds:
      auc: { fail: 0.6 }
`,
      },
      [
        'model.onnx',
        'train.csv',
        'holdout.csv',
        'refs/ref-10.onnx',
        'refs/ref-02.onnx',
        'refs/ref-01.onnx',
        'refs/memberships.csv',
        'refs/notes.txt',
      ],
    );
    const file = join(dir, 'policy.yaml');
    const membership = policy.probes.membership!;
    expect(membership.referenceModels).toEqual({
      models: ['ref-01.onnx', 'ref-02.onnx', 'ref-10.onnx'].map((f) => join(dir, 'refs', f)),
      memberships: join(dir, 'refs/memberships.csv'),
      membershipsSource: { file, line: 13, column: 20 },
    });
    expect(membership.augmentations).toEqual(['shift-1']);
    expect(membership.augmentationsSource).toEqual({ file, line: 14, column: 31 });
    expect(policy.warnings).toEqual([]);
  });

  it('warns when reference-models is set but no attack uses it', () => {
    const { policy } = load(
      {
        'policy.yaml': `${HEAD}probes:
  membership:
    attacks: [loss]
    reference-models: { models: refs/ref-*.onnx, memberships: refs/m.csv }
    thresholds:
      auc: { fail: 0.6 }
`,
      },
      ['model.onnx', 'train.csv', 'holdout.csv', 'refs/ref-00.onnx', 'refs/m.csv'],
    );
    expect(policy.warnings?.map((w) => [w.location.line, w.message])).toEqual([
      [11, expect.stringMatching(/^reference-models is set, but no attack uses it; add lira, lira-offline, rmia/)],
    ]);
  });

  it('accepts the largest seed, 2^32 - 1', () => {
    const dir = policyDir({
      'policy.yaml': `${POLICY_HEAD}seed: 4294967295\nprobes:\n  membership:\n    thresholds: { auc: { fail: 0.6 } }\n`,
    });
    expect(loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }).seed).toBe(4294967295);
  });

  it('reads every setting of the documented example', () => {
    const file = resolve('test/policy/fixtures/example/policy.yaml');
    const policy = loadPolicy(file, TEST_ROOTS);
    const dir = resolve('test/policy/fixtures/example');
    expect(policy.name).toBe('digits classifier release');
    expect(policy.seed).toBe(42);
    expect(policy.model).toEqual({
      path: join(dir, 'candidate.onnx'),
      task: 'classification',
      input: 'x',
      output: 'probabilities',
      scores: 'auto',
    });
    expect(policy.data.features).toBe('pixel_*');
    expect(policy.data.members.path).toBe(join(dir, 'data/train.csv'));
    expect(policy.surface).toEqual({ scores: 'full', topK: 0, decimals: 2 });
    expect(policy.probes.membership?.thresholds['tpr-at-fpr']).toMatchObject({ fpr: 0.01, fail: 0.05 });
    expect(policy.sources).toEqual([presetFile('standard'), file]);
    // The example writes top-k with a full surface: ignored, with a warning at top-k.
    expect(policy.warnings).toEqual([
      {
        message: expect.stringContaining('top-k is ignored because surface.scores is full'),
        location: { file, line: lineOf(readFileSync(file, 'utf8'), 'top-k: 3'), column: 3, field: 'surface.top-k' },
      },
    ]);
  });

  it('extends standard: thresholds and gate come from the preset, sources point into it', () => {
    const { dir, policy } = load({ 'policy.yaml': `extends: standard\n${HEAD}` });
    const standard = presetFile('standard')!;
    expect(standard).toBe(resolve('policies/standard.yaml'));
    expect(policy.sources).toEqual([standard, join(dir, 'policy.yaml')]);
    const t = policy.probes.membership!.thresholds;
    expect(t.auc).toEqual({ warn: 0.55, fail: 0.6, source: { file: standard, ...keyPosition(standard, 'auc') } });
    expect(t.advantage).toEqual({ fail: 0.2, source: { file: standard, ...keyPosition(standard, 'advantage') } });
    expect(t['tpr-at-fpr']).toEqual({ fpr: 0.01, fail: 0.05, source: { file: standard, ...keyPosition(standard, 'tpr-at-fpr') } });
    expect(t['epsilon-lower-bound']).toEqual({
      fail: 2,
      source: { file: standard, ...keyPosition(standard, 'epsilon-lower-bound') },
    });
    expect(policy.gate).toEqual({ confidence: 0.95, inconclusive: 'warn', insufficient: 'error' });
  });

  it.each([
    { preset: 'standard', inconclusive: 'warn', insufficient: 'error' },
    { preset: 'strict', inconclusive: 'fail', insufficient: 'error' },
  ])('extends $preset: an inconclusive check counts as $inconclusive', ({ preset, inconclusive, insufficient }) => {
    const { policy } = load({ 'policy.yaml': `extends: ${preset}\n${HEAD}` });
    expect(policy.gate).toMatchObject({ inconclusive, insufficient });
  });

  it('gate.inconclusive and gate.insufficient set in the policy override the preset', () => {
    const { policy } = load({ 'policy.yaml': `extends: strict\n${HEAD}gate: { inconclusive: pass, insufficient: warn }\n` });
    expect(policy.gate).toEqual({ confidence: 0.95, inconclusive: 'pass', insufficient: 'warn' });
  });

  it('a value set in the child overrides the preset and its source points into the child', () => {
    const { dir, policy } = load({
      'policy.yaml': `extends: standard
${HEAD}probes:
  membership:
    thresholds:
      auc:
        fail: 0.58
`,
    });
    const standard = presetFile('standard')!;
    const t = policy.probes.membership!.thresholds;
    // fail from the child, warn still inherited (mappings merge key by key).
    expect(t.auc).toEqual({ warn: 0.55, fail: 0.58, source: { file: join(dir, 'policy.yaml'), line: 12, column: 7 } });
    expect(t.advantage?.source.file).toBe(standard);
  });

  it('extends strict: tighter thresholds than standard', () => {
    const { policy } = load({ 'policy.yaml': `extends: strict\n${HEAD}` });
    const t = policy.probes.membership!.thresholds;
    expect(t.auc).toMatchObject({ warn: 0.52, fail: 0.55 });
    expect(t.advantage).toMatchObject({ fail: 0.1 });
    expect(t['tpr-at-fpr']).toMatchObject({ fpr: 0.001, fail: 0.01 });
    expect(t['epsilon-lower-bound']).toMatchObject({ fail: 1 });
    expect(t.auc?.source.file).toBe(presetFile('strict'));
  });

  it('lists replace inherited lists; paths are relative to the file that declares them', () => {
    const { dir, policy } = load(
      {
        'shared/base.yaml': `extends: standard
model:
  path: ../models/candidate.onnx
probes:
  membership:
    attacks: [loss, gap]
`,
        'policy.yaml': `extends: shared/base.yaml
version: 1
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: digit
probes:
  membership:
    attacks: [entropy]
`,
      },
      ['models/candidate.onnx', 'train.csv', 'holdout.csv'],
    );
    expect(policy.model.path).toBe(join(dir, 'models/candidate.onnx'));
    expect(policy.probes.membership!.attacks).toEqual(['entropy']);
    expect(policy.sources).toEqual([presetFile('standard'), join(dir, 'shared/base.yaml'), join(dir, 'policy.yaml')]);
    expect(policy.probes.membership!.thresholds.auc?.source.file).toBe(presetFile('standard'));
  });

  it('label-only surface: default attacks are the label-only ones', () => {
    const { policy } = load({ 'policy.yaml': `extends: standard\n${HEAD}surface: { scores: label }\n` });
    expect(policy.surface).toEqual({ scores: 'label', topK: 0 });
    expect(policy.probes.membership!.attacks).toEqual(['gap', 'label-stability']);
  });

  it('label-only attacks are allowed with a full surface', () => {
    const { policy } = load({
      'policy.yaml': `extends: standard\n${HEAD}probes:\n  membership:\n    attacks: [gap, label-stability, loss]\n    stability: { queries: 4, noise: 0.1 }\n`,
    });
    expect(policy.probes.membership!.attacks).toEqual(['gap', 'label-stability', 'loss']);
    expect(policy.probes.membership!.stability).toEqual({ queries: 4, noise: 0.1 });
  });

  it('top-k surface with rounding', () => {
    const { policy } = load({
      'policy.yaml': `extends: standard\n${HEAD}surface: { scores: top-k, top-k: 3, decimals: 2 }\n`,
    });
    expect(policy.surface).toEqual({ scores: 'top-k', topK: 3, decimals: 2 });
    expect(policy.warnings).toEqual([]);
  });

  it.each([
    { surface: '{ scores: full, precision: float32 }', want: { scores: 'full', topK: 0, precision: 'float32' } },
    { surface: '{ scores: full, precision: float64 }', want: { scores: 'full', topK: 0 } },
  ])('surface precision $surface', ({ surface, want }) => {
    const { policy } = load({ 'policy.yaml': `extends: standard\n${HEAD}surface: ${surface}\n` });
    expect(policy.surface).toEqual(want);
    expect(policy.warnings).toEqual([]);
  });

  it('npy data with labels files and column names; the label name defaults to "label"', () => {
    const { dir, policy } = load(
      {
        'policy.yaml': `extends: standard
version: 1
model: { path: model.onnx }
data:
  members: { path: x_train.npy, labels: y_train.npy, columns: [a, b] }
  non-members: { path: holdout.bin, format: npy, labels: y_holdout.npy }
  features: [a, b]
  max-rows: 100
`,
      },
      ['model.onnx', 'x_train.npy', 'y_train.npy', 'holdout.bin', 'y_holdout.npy'],
    );
    expect(policy.data).toEqual({
      members: { path: join(dir, 'x_train.npy'), format: 'npy', labels: join(dir, 'y_train.npy'), columns: ['a', 'b'] },
      nonMembers: { path: join(dir, 'holdout.bin'), format: 'npy', labels: join(dir, 'y_holdout.npy') },
      label: 'label',
      features: ['a', 'b'],
      maxRows: 100,
      allowOverlap: false,
    });
  });

  it('jsonl by extension', () => {
    const { policy } = load(
      { 'policy.yaml': `extends: standard\n${HEAD}`.replace('train.csv', 'train.jsonl').replace('holdout.csv', 'holdout.ndjson') },
      ['model.onnx', 'train.jsonl', 'holdout.ndjson'],
    );
    expect(policy.data.members.format).toBe('jsonl');
    expect(policy.data.nonMembers.format).toBe('jsonl');
  });
});

describe('warnings', () => {
  it('decimals with a label-only surface is ignored, with a warning', () => {
    const dir = policyDir({ 'policy.yaml': `extends: standard\n${HEAD}surface:\n  scores: label\n  decimals: 2\n` });
    const { errors, warnings } = checkPolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      {
        message: expect.stringMatching(/^decimals is ignored because surface\.scores is label/),
        location: { file: join(dir, 'policy.yaml'), line: 11, column: 3, field: 'surface.decimals' },
      },
    ]);
    // The typed policy describes what is measured: no rounding on a label-only surface.
    expect(loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }).surface).toEqual({ scores: 'label', topK: 0 });
  });

  it('precision with a label-only surface is ignored, with a warning', () => {
    const dir = policyDir({ 'policy.yaml': `extends: standard\n${HEAD}surface:\n  scores: label\n  precision: float32\n` });
    const { errors, warnings } = checkPolicy(join(dir, 'policy.yaml'), TEST_ROOTS);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      {
        message: expect.stringMatching(/^precision is ignored because surface\.scores is label/),
        location: { file: join(dir, 'policy.yaml'), line: 11, column: 3, field: 'surface.precision' },
      },
    ]);
    expect(loadPolicy(join(dir, 'policy.yaml'), TEST_ROOTS).surface).toEqual({ scores: 'label', topK: 0 });
  });
});

describe('presetDirectory', () => {
  const saved = process.env['PRIVACY_GATE_POLICIES_DIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['PRIVACY_GATE_POLICIES_DIR'];
    else process.env['PRIVACY_GATE_POLICIES_DIR'] = saved;
  });

  it('finds the shipped presets from the sources', () => {
    expect(presetDirectory()).toBe(resolve('policies'));
    expect(presetNames()).toEqual(['standard', 'strict']);
  });

  it('can be overridden with PRIVACY_GATE_POLICIES_DIR', () => {
    const dir = policyDir({ 'standard.yaml': 'gate: { confidence: 0.9 }\n', 'lenient.yaml': 'seed: 1\n' }, []);
    process.env['PRIVACY_GATE_POLICIES_DIR'] = dir;
    expect(presetDirectory()).toBe(dir);
    expect(presetNames()).toEqual(['lenient', 'standard']);
    expect(presetFile('lenient')).toBe(join(dir, 'lenient.yaml'));
  });
});
