/**
 * The policy diff, table-driven: each case edits one field of a base policy and says how the
 * change must be judged. Both versions are read by the loader (presets, merge, schema) from texts
 * served for the same path, as the base commit's policy is read from git.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPolicyDocument } from '../../src/policy';
import { diffPolicies, type PolicyChange } from '../../src/policy/diff';
import type { MergedPolicy } from '../../src/policy/merge';
import { defaultAttacks } from '../../src/probes/membership/settings';
import { lineOf, policyDir, POLICY_HEAD } from './helpers';

const BASE = `${POLICY_HEAD}  max-rows: 2000
extends: standard
probes:
  membership:
    attacks: [loss, confidence]
    thresholds:
      auc: { warn: 0.55, fail: 0.60 }
      tpr-at-fpr: { fpr: 0.01, fail: 0.05 }
  attribute-inference:
    attribute: age
    thresholds:
      lift: { fail: 0.1 }
      member-gap: { warn: 0.05, fail: 0.2 }
gate:
  inconclusive: warn
`;

/** BASE with a released model and one allowed increase. */
function withBaseline(allowance: string): string {
  return (
    edit('    attacks: [loss, confidence]\n', `    attacks: [loss, confidence]\n    max-increase: { ${allowance} }\n`) +
    'baseline:\n  model: released.onnx\n'
  );
}

const dir = policyDir({});
const file = join(dir, 'policy.yaml');

function read(text: string, extra: Record<string, string> = {}): MergedPolicy {
  const texts = { [file]: text, ...Object.fromEntries(Object.entries(extra).map(([name, body]) => [join(dir, name), body])) };
  const doc = readPolicyDocument(file, { roots: [dir], texts: { text: (f) => texts[f] ?? (f.startsWith(dir) ? null : undefined) } });
  if (!doc.merged) throw new Error(doc.errors[0]?.describe());
  return doc.merged;
}

function diff(base: string, head: string, extra: Record<string, string> = {}): PolicyChange[] {
  return diffPolicies(read(base, extra), read(head, extra), {
    root: dir,
    defaultLists: {
      'probes.membership.attacks': (doc) => defaultAttacks(String((doc['surface'] as { scores?: string })?.scores ?? 'full')),
    },
  });
}

const edit = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`not in BASE: ${from}`);
  return BASE.replace(from, to);
};

describe('diffPolicies: the direction of each field', () => {
  const cases: { name: string; head: string; field: string; kind: PolicyChange['kind']; base?: string; headValue?: string }[] = [
    {
      name: 'higher fail line',
      head: edit('fail: 0.60', 'fail: 0.70'),
      field: 'probes.membership.thresholds.auc.fail',
      kind: 'loosened',
      base: '0.6',
      headValue: '0.7',
    },
    { name: 'lower fail line', head: edit('fail: 0.60', 'fail: 0.58'), field: 'probes.membership.thresholds.auc.fail', kind: 'tightened' },
    {
      name: 'warn line removed',
      head: edit('{ warn: 0.05, fail: 0.2 }', '{ fail: 0.2 }'),
      field: 'probes.attribute-inference.thresholds.member-gap.warn',
      kind: 'loosened',
      base: '0.05',
      headValue: undefined,
    },
    {
      name: 'warn line added',
      head: edit('lift: { fail: 0.1 }', 'lift: { warn: 0.05, fail: 0.1 }'),
      field: 'probes.attribute-inference.thresholds.lift.warn',
      kind: 'tightened',
    },
    {
      name: 'check removed',
      head: edit('      member-gap: { warn: 0.05, fail: 0.2 }\n', ''),
      field: 'probes.attribute-inference.thresholds.member-gap',
      kind: 'loosened',
    },
    { name: 'lower FPR', head: edit('fpr: 0.01', 'fpr: 0.001'), field: 'probes.membership.thresholds.tpr-at-fpr.fpr', kind: 'loosened' },
    {
      name: 'probe removed',
      head: edit(
        '  attribute-inference:\n    attribute: age\n    thresholds:\n      lift: { fail: 0.1 }\n      member-gap: { warn: 0.05, fail: 0.2 }\n',
        '',
      ),
      field: 'probes.attribute-inference',
      kind: 'loosened',
    },
    {
      name: 'attack removed',
      head: edit('[loss, confidence]', '[loss]'),
      field: 'probes.membership.attacks',
      kind: 'loosened',
      base: 'loss, confidence',
      headValue: 'loss',
    },
    {
      name: 'attack added',
      head: edit('[loss, confidence]', '[loss, confidence, entropy]'),
      field: 'probes.membership.attacks',
      kind: 'tightened',
    },
    {
      name: 'attacks to the default set (a superset)',
      head: edit('    attacks: [loss, confidence]\n', ''),
      field: 'probes.membership.attacks',
      kind: 'tightened',
      headValue: 'loss, confidence, entropy, modified-entropy (default)',
    },
    {
      name: 'recipe-level pooling turned off',
      head: edit('    attacks: [loss, confidence]\n', '    attacks: [loss, confidence]\n    recipe-level: false\n'),
      field: 'probes.membership.recipe-level',
      kind: 'changed',
    },
    { name: 'fewer records', head: edit('max-rows: 2000', 'max-rows: 500'), field: 'data.max-rows', kind: 'loosened' },
    {
      name: 'max-rows back to its default (5000)',
      head: edit('  max-rows: 2000\n', ''),
      field: 'data.max-rows',
      kind: 'tightened',
      headValue: '5000 (default)',
    },
    {
      name: 'inconclusive warn → pass',
      head: edit('inconclusive: warn', 'inconclusive: pass'),
      field: 'gate.inconclusive',
      kind: 'loosened',
    },
    {
      name: 'inconclusive warn → fail',
      head: edit('inconclusive: warn', 'inconclusive: fail'),
      field: 'gate.inconclusive',
      kind: 'tightened',
    },
    {
      name: 'insufficient error → warn',
      head: `${BASE}  insufficient: warn\n`,
      field: 'gate.insufficient',
      kind: 'loosened',
      base: 'error',
      headValue: 'warn',
    },
    { name: 'lower confidence', head: `${BASE}  confidence: 0.9\n`, field: 'gate.confidence', kind: 'loosened', base: '0.95' },
    {
      name: 'overlap allowed',
      head: edit('  max-rows: 2000\n', '  max-rows: 2000\n  allow-overlap: true\n'),
      field: 'data.allow-overlap',
      kind: 'loosened',
      base: 'false (default)',
      headValue: 'true',
    },
    {
      name: 'surface reveals only labels',
      head: `${BASE}surface: { scores: label }\n`,
      field: 'surface.scores',
      kind: 'loosened',
      base: 'full (default)',
      headValue: 'label',
    },
    { name: 'surface rounds scores', head: `${BASE}surface: { decimals: 2 }\n`, field: 'surface.decimals', kind: 'loosened' },
    { name: 'surface float32', head: `${BASE}surface: { precision: float32 }\n`, field: 'surface.precision', kind: 'loosened' },
    {
      name: 'model moved',
      head: edit('path: model.onnx', 'path: other/model.onnx'),
      field: 'model.path',
      kind: 'loosened',
      base: 'model.onnx',
      headValue: 'other/model.onnx',
    },
    { name: 'members moved', head: edit('path: train.csv', 'path: data/train.csv'), field: 'data.members.path', kind: 'loosened' },
    { name: 'seed: a plain change', head: `${BASE}seed: 7\n`, field: 'seed', kind: 'changed', headValue: '7' },
    {
      name: 'label column: a plain change',
      head: edit('label: digit', 'label: y'),
      field: 'data.label',
      kind: 'changed',
      base: 'digit',
      headValue: 'y',
    },
  ];
  it.each(cases)('$name: $field is $kind', ({ head, field, kind, base, headValue }) => {
    const changes = diff(BASE, head);
    const change = changes.find((c) => c.field === field);
    expect(change, JSON.stringify(changes)).toBeDefined();
    expect(change!.kind).toBe(kind);
    if (base !== undefined) expect(change!.base).toBe(base);
    if ('headValue' in { headValue } && headValue !== undefined) expect(change!.head).toBe(headValue);
    if (kind === 'loosened') expect(change!.reason).not.toBe('');
  });

  it('an unchanged policy has no changes, and moving a path value to the same file is none', () => {
    expect(diff(BASE, BASE)).toEqual([]);
    expect(diff(BASE, edit('path: model.onnx', 'path: ./sub/../model.onnx'))).toEqual([]);
  });

  it('a line removed from the policy but still set by its preset changes nothing (the merged policies are compared)', () => {
    expect(diff(BASE, edit('      tpr-at-fpr: { fpr: 0.01, fail: 0.05 }\n', ''))).toEqual([]);
  });

  it('pooling over the reference models turned off loosens; turned on tightens', () => {
    const on = edit('    attacks: [loss, confidence]\n', '    attacks: [loss, confidence]\n    recipe-level: true\n');
    expect(diff(on, BASE).map((c) => [c.field, c.kind, c.base, c.head])).toEqual([
      ['probes.membership.recipe-level', 'loosened', 'true', 'false (default)'],
    ]);
    expect(diff(BASE, on).map((c) => [c.field, c.kind])).toEqual([['probes.membership.recipe-level', 'tightened']]);
  });

  it('extraction: a canary or a secret regex removed loosens', () => {
    const sequence = (canaries: string, regexes: string) => `version: 1
model: { path: model.onnx, task: sequence, tokenizer: { vocab: "abc" } }
data:
  members: { path: train.txt }
  non-members: { path: holdout.txt }
probes:
  extraction:
    canaries:
${canaries}
    secret-scan: { regexes: [${regexes}] }
    thresholds:
      max-exposure: { fail: 20 }
`;
    const pin = '      - { format: "pin {digits:4}", inserted: ["1234"], controls: ["9999"] }';
    const key = '      - { format: "key {digits:6}", inserted: ["123456"], controls: ["999999"] }';
    const base = sequence(`${pin}\n${key}`, '"AKIA[0-9A-Z]{16}", "ghp_[0-9a-zA-Z]{36}"');
    const head = sequence(pin, '"AKIA[0-9A-Z]{16}"');
    expect(diff(base, head).map((c) => [c.field, c.kind])).toEqual([
      ['probes.extraction.canaries', 'loosened'],
      ['probes.extraction.secret-scan.regexes', 'loosened'],
    ]);
    expect(diff(head, base).map((c) => c.kind)).toEqual(['tightened', 'tightened']);
  });

  it('top-k: fewer scores loosen only when both reveal top-k; from full, the surface change says it', () => {
    const k5 = `${BASE}surface: { scores: top-k, top-k: 5 }\n`;
    const k2 = `${BASE}surface: { scores: top-k, top-k: 2 }\n`;
    expect(diff(k5, k2).map((c) => [c.field, c.kind])).toEqual([['surface.top-k', 'loosened']]);
    expect(diff(BASE, k2).map((c) => [c.field, c.kind])).toEqual([
      ['surface.scores', 'loosened'],
      ['surface.top-k', 'changed'],
    ]);
  });

  it('lists loosened first, then tightened, then plain changes, each located on the head line that writes it', () => {
    const head = edit('fail: 0.60', 'fail: 0.58').replace('label: digit', 'label: y').replace('fail: 0.05', 'fail: 0.2');
    const changes = diff(BASE, head);
    expect(changes.map((c) => [c.kind, c.field])).toEqual([
      ['loosened', 'probes.membership.thresholds.tpr-at-fpr.fail'],
      ['tightened', 'probes.membership.thresholds.auc.fail'],
      ['changed', 'data.label'],
    ]);
    expect(changes[0]!.location).toEqual({ file, line: lineOf(head, 'tpr-at-fpr'), column: expect.any(Number) });
    expect(changes[0]!.location.column).toBe(head.split('\n')[lineOf(head, 'tpr-at-fpr') - 1]!.indexOf('fail') + 1);
  });

  it('a value inherited from another file changes when the file it extends changes', () => {
    const shared = (fail: number) => ({ 'shared.yaml': `probes:\n  membership:\n    thresholds:\n      advantage: { fail: ${fail} }\n` });
    const policy = BASE.replace('extends: standard', 'extends: shared.yaml');
    const base = read(policy, shared(0.2));
    const head = read(policy, shared(0.3));
    const changes = diffPolicies(base, head, { root: dir });
    expect(changes.map((c) => [c.kind, c.field, c.location.file])).toEqual([
      ['loosened', 'probes.membership.thresholds.advantage.fail', join(dir, 'shared.yaml')],
    ]);
  });

  it('a changed extends is listed with what it changes', () => {
    const changes = diff(BASE, BASE.replace('extends: standard', 'extends: strict'));
    expect(changes.find((c) => c.field === 'extends')).toMatchObject({ kind: 'changed', base: 'standard', head: 'strict' });
  });
});

describe('diffPolicies: the comparison with the released model', () => {
  const released = withBaseline('auc: 0.02');
  it.each([
    { name: 'a larger allowed increase', head: withBaseline('auc: 0.05'), field: 'probes.membership.max-increase.auc', kind: 'loosened' },
    { name: 'a smaller allowed increase', head: withBaseline('auc: 0.01'), field: 'probes.membership.max-increase.auc', kind: 'tightened' },
    {
      name: 'another released model',
      head: released.replace('released.onnx', 'older.onnx'),
      field: 'baseline.model',
      kind: 'loosened',
    },
    { name: 'the comparison dropped', head: BASE, field: 'probes.membership.max-increase', kind: 'loosened' },
  ] as const)('$name: $field is $kind', ({ head, field, kind }) => {
    const changes = diff(released, head);
    expect(changes.find((c) => c.field === field)?.kind, JSON.stringify(changes)).toBe(kind);
  });
});
