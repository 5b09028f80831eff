/**
 * The text-membership policy and `model.reference-model`: typed settings with their defaults,
 * and every refusal at its line and column (surfaces that hide scores, rounding under Min-K%++
 * and the reference attack, a reference attack without a reference model, the two FPRs, a
 * reference model outside the roots, missing, or on a classifier).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors';
import { readPolicyDocument } from '../../src/policy';
import { diffPolicies } from '../../src/policy/diff';
import { attackInputsOf, defaultTextAttacks } from '../../src/probes/text-membership/settings';
import { loadPolicy, validatePolicy } from '../../src/run/policy';
import { policyDir } from '../policy/helpers';

const FILES = ['model.onnx', 'base.onnx', 'members.txt', 'non-members.txt', 'vocab.json'];

/** Lines 1-9 of a sequence-model policy; `model` lines are added at line 5, the probe starts on line 10. */
function policy(probe: string, { model = '', surface = '' }: { model?: string; surface?: string } = {}): string {
  return `version: 1
model:
  path: model.onnx
  task: sequence
${model}  tokenizer: { vocab-file: vocab.json }
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
${surface}probes:
  text-membership:
${probe}`;
}

const THRESHOLDS = '    thresholds: { auc: { fail: 0.6 } }\n';

function load(text: string) {
  const dir = policyDir({ 'policy.yaml': text }, FILES);
  return { dir, policy: loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }) };
}

describe('text-membership settings', () => {
  it('defaults: every attack the surface and policy allow, k = 0.2, FPR 0.01', () => {
    const { policy: p } = load(policy(THRESHOLDS));
    expect(p.probes['text-membership']).toMatchObject({
      attacks: ['loss', 'zlib', 'min-k', 'min-k-plus-plus'],
      minK: 0.2,
      fpr: 0.01,
      allowOverlap: false,
      thresholds: { auc: { fail: 0.6, source: { line: 11, column: 19 } } },
    });
  });

  it('with a reference model the reference attack joins the defaults, and the path is absolute', () => {
    const { dir, policy: p } = load(policy(THRESHOLDS, { model: '  reference-model: base.onnx\n' }));
    expect(p.model.referenceModel).toBe(join(dir, 'base.onnx'));
    expect(p.probes['text-membership']!.attacks).toEqual(['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference']);
  });

  it('rounded scores leave out the attacks that need them unrounded', () => {
    const { policy: p } = load(
      policy(THRESHOLDS, { model: '  reference-model: base.onnx\n', surface: 'surface: { scores: full, decimals: 4 }\n' }),
    );
    expect(p.probes['text-membership']!.attacks).toEqual(['loss', 'zlib', 'min-k']);
  });

  it('fpr and min-k as written; the TPR threshold is read at the probe’s FPR, or at its own', () => {
    const { policy: p } = load(
      policy('    fpr: 0.05\n    min-k: 0.1\n    attacks: [min-k]\n    thresholds: { tpr-at-fpr: { fail: 0.2 } }\n'),
    );
    const s = p.probes['text-membership']!;
    expect(s).toMatchObject({ attacks: ['min-k'], minK: 0.1, fpr: 0.05 });
    expect(s.thresholds['tpr-at-fpr']).toMatchObject({ fail: 0.2, fpr: 0.05 });
    const own = load(policy('    thresholds: { tpr-at-fpr: { fpr: 0.001, fail: 0.2 } }\n')).policy.probes['text-membership']!;
    expect(own.fpr).toBe(0.001);
    expect(own.thresholds['tpr-at-fpr']).toMatchObject({ fpr: 0.001 });
  });
});

interface Case {
  name: string;
  text: string;
  files?: string[];
  expect: { line: number; column: number; field: string; message: RegExp };
}

const cases: Case[] = [
  {
    name: 'a top-k surface hides scores',
    text: policy(THRESHOLDS, { surface: 'surface: { scores: top-k, top-k: 5 }\n' }),
    expect: {
      line: 11,
      column: 3,
      field: 'probes.text-membership',
      message:
        /surface\.scores is top-k \(set in policy\.yaml:9\): a top-k surface hides the probability of every token outside the k most likely/,
    },
  },
  {
    name: 'a label-only surface reveals no score',
    text: policy(THRESHOLDS, { surface: 'surface: { scores: label }\n' }),
    expect: { line: 11, column: 3, field: 'probes.text-membership', message: /a label-only surface reveals no probability/ },
  },
  {
    name: 'Min-K%++ under rounding',
    text: policy(`    attacks: [loss, min-k-plus-plus]\n${THRESHOLDS}`, { surface: 'surface: { scores: full, decimals: 3 }\n' }),
    expect: {
      line: 12,
      column: 21,
      field: 'probes.text-membership.attacks[1]',
      message: /^attack min-k-plus-plus standardises .* needs unrounded scores, but surface\.decimals is 3/,
    },
  },
  {
    name: 'the reference attack under rounding',
    text: policy(`    attacks: [reference]\n${THRESHOLDS}`, {
      model: '  reference-model: base.onnx\n',
      surface: 'surface: { scores: full, decimals: 3 }\n',
    }),
    expect: {
      line: 13,
      column: 15,
      field: 'probes.text-membership.attacks[0]',
      message: /^attack reference subtracts two log-likelihoods/,
    },
  },
  {
    name: 'the reference attack without a reference model',
    text: policy(`    attacks: [loss, reference]\n${THRESHOLDS}`),
    expect: {
      line: 11,
      column: 21,
      field: 'probes.text-membership.attacks[1]',
      message: /the policy names none: add model\.reference-model/,
    },
  },
  {
    name: 'two different FPRs',
    text: policy('    fpr: 0.01\n    thresholds: { tpr-at-fpr: { fpr: 0.001, fail: 0.1 } }\n'),
    expect: {
      line: 12,
      column: 38,
      field: 'probes.text-membership.thresholds.tpr-at-fpr.fpr',
      message: /is 0\.001 but probes\.text-membership\.fpr is 0\.01 \(set in policy\.yaml:11\)/,
    },
  },
  {
    name: 'a TPR line a random guess reaches',
    text: policy('    fpr: 0.05\n    thresholds: { tpr-at-fpr: { fail: 0.05 } }\n'),
    expect: {
      line: 12,
      column: 33,
      field: 'probes.text-membership.thresholds.tpr-at-fpr.fail',
      message: /fail \(0\.05\) must be above the FPR \(0\.05\)/,
    },
  },
  {
    name: 'zlib without a tokenizer',
    text: policy(`    attacks: [zlib]\n${THRESHOLDS}`)
      .replace('  tokenizer: { vocab-file: vocab.json }\n', '')
      .replace('members.txt }', 'members.jsonl }'),
    files: ['model.onnx', 'members.jsonl', 'non-members.jsonl'],
    expect: { line: 2, column: 1, field: 'model.tokenizer', message: /missing model\.tokenizer: .*the zlib attack compresses each text/ },
  },
  {
    name: 'a missing reference model',
    text: policy(THRESHOLDS, { model: '  reference-model: nowhere.onnx\n' }),
    expect: { line: 5, column: 20, field: 'model.reference-model', message: /^reference model not found: / },
  },
  {
    name: 'a reference model outside the allowed roots',
    text: policy(THRESHOLDS, { model: '  reference-model: /etc/hostname\n' }),
    expect: { line: 5, column: 20, field: 'model.reference-model', message: /outside/ },
  },
  {
    name: 'a reference model on a classifier',
    text: `version: 1
model:
  path: model.onnx
  reference-model: base.onnx
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
probes:
  membership:
    thresholds: { auc: { fail: 0.6 } }
`,
    files: ['model.onnx', 'base.onnx', 'train.csv', 'holdout.csv'],
    expect: { line: 4, column: 3, field: 'model.reference-model', message: /only for sequence models/ },
  },
  {
    name: 'text-membership on a classifier',
    text: `version: 1
model:
  path: model.onnx
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
probes:
  text-membership:
    thresholds: { auc: { fail: 0.6 } }
`,
    files: ['model.onnx', 'train.csv', 'holdout.csv'],
    expect: { line: 8, column: 3, field: 'probes.text-membership', message: /^the text-membership probe needs a sequence model/ },
  },
];

describe('invalid text-membership policies', () => {
  it.each(cases)('$name', (c) => {
    const dir = policyDir({ 'policy.yaml': c.text }, c.files ?? FILES);
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    const found = errors.find((e) => e.location?.field === c.expect.field);
    expect(found, errors.map((e) => e.describe()).join('\n')).toBeInstanceOf(PolicyError);
    expect(found!.message).toMatch(c.expect.message);
    expect(found!.location).toMatchObject({ file: join(dir, 'policy.yaml'), line: c.expect.line, column: c.expect.column });
  });
});

describe('policy changes to text-membership', () => {
  const dir = policyDir({}, FILES);
  const file = join(dir, 'policy.yaml');
  const read = (text: string) => {
    const doc = readPolicyDocument(file, { roots: [dir], texts: { text: (f) => (f === file ? text : undefined) } });
    if (!doc.merged) throw new Error(doc.errors[0]?.describe());
    return doc.merged;
  };
  const changes = (base: string, head: string) =>
    diffPolicies(read(base), read(head), {
      root: dir,
      defaultLists: { 'probes.text-membership.attacks': (doc) => defaultTextAttacks(attackInputsOf(doc)) },
    }).map((c) => [c.field, c.kind]);
  const base = policy(`    attacks: [loss, min-k]\n    fpr: 0.01\n${THRESHOLDS}`);

  it.each([
    ['an attack dropped', base.replace('[loss, min-k]', '[loss]'), [['probes.text-membership.attacks', 'loosened']]],
    // No list: the defaults (loss, zlib, min-k, min-k-plus-plus here) are more attacks than before.
    ['the list removed', base.replace('    attacks: [loss, min-k]\n', ''), [['probes.text-membership.attacks', 'tightened']]],
    ['a lower FPR', base.replace('fpr: 0.01', 'fpr: 0.001'), [['probes.text-membership.fpr', 'loosened']]],
    // Removed for its own default: neither looser nor tighter.
    ['the FPR removed (default 0.01)', base.replace('    fpr: 0.01\n', ''), [['probes.text-membership.fpr', 'changed']]],
  ])('%s', (_, head, expected) => {
    expect(changes(base, head)).toEqual(expected);
  });

  it('another reference model is loosened, as another model file is', () => {
    const withRef = (name: string) => policy(THRESHOLDS, { model: `  reference-model: ${name}\n` });
    expect(changes(withRef('base.onnx'), withRef('model.onnx'))).toEqual([['model.reference-model', 'loosened']]);
  });
});
