/**
 * Table of bad policies: each is written to a temp folder (with empty dummy model/data files) and
 * must fail with a PolicyError at the given file, line and column, naming the field and saying
 * what was expected. Lines and columns are 1-based, as editors and GitHub annotations count.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors';
import { presetFile } from '../../src/policy';
import { loadPolicy, validatePolicy } from '../../src/run/policy';
import { DUMMY_FILES, policyDir, POLICY_HEAD } from './helpers';

interface Case {
  name: string;
  /** The text of policy.yaml. */
  policy: string;
  /** Other files in the folder (name → text). */
  files?: Record<string, string>;
  /** Dummy files to create instead of the default model.onnx, train.csv, holdout.csv. */
  dummies?: string[];
  expect: {
    /** File holding the mistake: a name in the folder, or "preset:<name>". Default policy.yaml. */
    file?: string;
    line: number;
    column: number;
    field?: string;
    message: string | RegExp;
  };
}

const HEAD = POLICY_HEAD;
// line 8 onwards:
const PROBES = `probes:
  membership:
    thresholds:
      auc: { warn: 0.55, fail: 0.60 }
`;

/** Lines 1-8 of a valid sequence-model policy (the probes start on line 9). */
const SEQ_HEAD = `version: 1
model:
  path: model.onnx
  task: sequence
  tokenizer: { vocab-file: vocab.json }
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
`;
const SEQ_FILES = ['model.onnx', 'members.txt', 'non-members.txt', 'vocab.json'];
// line 9 onwards:
const SEQ_PROBES = `probes:
  extraction:
    canaries:
      - format: "pin {digits:4}"
        inserted: ["1234"]
    thresholds: { max-exposure: { fail: 10 } }
`;

const cases: Case[] = [
  {
    name: 'unknown key, with a suggestion',
    policy: `${HEAD}probes:
  membership:
    treshold:
      auc: { fail: 0.6 }
`,
    expect: {
      line: 10,
      column: 5,
      field: 'probes.membership.treshold',
      message: 'unknown key "treshold" in probes.membership; did you mean "thresholds"?',
    },
  },
  {
    name: 'unknown top-level key, no close match: the allowed keys are listed',
    policy: `${HEAD}${PROBES}colour: blue
`,
    expect: {
      line: 12,
      column: 1,
      field: 'colour',
      message:
        /^unknown key "colour" at the top level; expected one of: version, name, extends, seed, model, data, surface, probes, baseline, gate$/,
    },
  },
  {
    name: 'camelCase key finds its kebab-case name',
    policy: `version: 1
model:
  path: model.onnx
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: digit
  maxRows: 100
${PROBES}`,
    expect: { line: 8, column: 3, field: 'data.maxRows', message: 'did you mean "max-rows"?' },
  },
  {
    name: 'wrong enum value lists the allowed values',
    policy: `${HEAD}${PROBES}surface:
  scores: partial
`,
    expect: {
      line: 13,
      column: 11,
      field: 'surface.scores',
      message: 'invalid value "partial" for surface.scores; expected one of: full, top-k, label',
    },
  },
  {
    name: 'misspelt attack in a flow list',
    policy: `${HEAD}probes:
  membership:
    attacks: [confidence, los]
    thresholds:
      auc: { fail: 0.6 }
`,
    expect: {
      line: 10,
      column: 27,
      field: 'probes.membership.attacks[1]',
      message:
        /expected one of: loss, confidence, entropy, modified-entropy, gap, label-stability, lira, lira-offline, rmia; did you mean "loss"\?/,
    },
  },
  {
    name: 'wrong type: string for a number',
    policy: `${HEAD}${PROBES}gate:
  confidence: high
`,
    expect: {
      line: 13,
      column: 15,
      field: 'gate.confidence',
      message: 'expected a number for gate.confidence, found a string ("high")',
    },
  },
  {
    name: 'wrong type: fraction for an integer',
    policy: `seed: 1.5
${HEAD}${PROBES}`,
    expect: { line: 1, column: 7, field: 'seed', message: 'expected an integer for seed, found a number (1.5)' },
  },
  {
    name: 'an unknown key of 1,000 characters is quoted cut to 200',
    policy: `${HEAD}${PROBES}${'k'.repeat(1_000)}: 1
`,
    expect: {
      line: 12,
      column: 1,
      field: 'k'.repeat(200) + '… (800 more characters)',
      message: `unknown key "${'k'.repeat(200)}… (800 more characters)" at the top level; expected one of:`,
    },
  },
  ...[
    ['2^32', '4294967296'],
    ['2^32 + 1, which the generator would read as seed 1', '4294967297'],
    ['1e20', '1e20'],
    ['negative', '-1'],
  ].map(([what, seed]) => ({
    name: `seed out of range: ${what}`,
    policy: `${HEAD}${PROBES}seed: ${seed}
`,
    expect: {
      line: 12,
      column: 7,
      field: 'seed',
      message: `seed must be at least 0 and at most 4294967295, found ${Number(seed)}`,
    },
  })),
  {
    name: 'wrong type: a scalar where a mapping is expected',
    policy: `${HEAD}${PROBES}surface: full
`,
    expect: {
      line: 12,
      column: 10,
      field: 'surface',
      message: 'expected a mapping for surface, found a string ("full")',
    },
  },
  {
    name: 'wrong type: a union type (features)',
    policy: `${HEAD}${PROBES}`.replace('  label: digit\n', '  label: digit\n  features: 7\n'),
    expect: {
      line: 8,
      column: 13,
      field: 'data.features',
      message: 'expected a string or a list for data.features, found a number (7)',
    },
  },
  {
    name: 'missing required key names the key and its parent',
    policy: `${HEAD}${PROBES}`.replace('  path: model.onnx\n', '  scores: auto\n'),
    expect: {
      line: 2,
      column: 1,
      field: 'model.path',
      message: /^missing required key "path" in model \(Path of the ONNX model file/,
    },
  },
  {
    name: 'missing required top-level key',
    policy: `version: 1
model:
  path: model.onnx
${PROBES}`,
    expect: { line: 1, column: 1, field: 'data', message: 'missing required key "data" at the top level' },
  },
  {
    name: 'version other than 1',
    policy: `${HEAD}${PROBES}`.replace('version: 1', 'version: 2'),
    expect: { line: 1, column: 10, field: 'version', message: 'unsupported value 2 for version; expected 1' },
  },
  {
    name: 'YAML syntax error: unclosed flow mapping',
    policy: `version: 1
model:
  path: model.onnx
data:
  members: { path: train.csv
  non-members: { path: holdout.csv }
`,
    expect: { line: 6, column: 3, message: /^YAML syntax error: Flow map .* must be sufficiently indented and end with a \}$/ },
  },
  {
    name: 'YAML syntax error: duplicate key',
    policy: `${HEAD}${PROBES}seed: 1
seed: 2
`,
    expect: { line: 13, column: 1, message: /^YAML syntax error: Map keys must be unique/ },
  },
  {
    name: 'gate.inconclusive is pass, warn or fail',
    policy: `${HEAD}${PROBES}gate:
  inconclusive: error
`,
    expect: {
      line: 13,
      column: 17,
      field: 'gate.inconclusive',
      message: 'invalid value "error" for gate.inconclusive; expected one of: pass, warn, fail',
    },
  },
  {
    name: 'gate.insufficient is error or warn',
    policy: `${HEAD}${PROBES}gate:
  insufficient: pass
`,
    expect: {
      line: 13,
      column: 17,
      field: 'gate.insufficient',
      message: 'invalid value "pass" for gate.insufficient; expected one of: error, warn',
    },
  },
  {
    name: 'number out of range: confidence is in (0, 1)',
    policy: `${HEAD}${PROBES}gate:
  confidence: 1
`,
    expect: {
      line: 13,
      column: 15,
      field: 'gate.confidence',
      message: 'gate.confidence must be greater than 0 and less than 1, found 1',
    },
  },
  {
    name: 'number out of range: top-k >= 1',
    policy: `${HEAD}${PROBES}surface: { scores: top-k, top-k: 0 }
`,
    expect: { line: 12, column: 34, field: 'surface.top-k', message: 'surface.top-k must be at least 1, found 0' },
  },
  {
    name: 'threshold with neither warn nor fail',
    policy: `${HEAD}probes:
  membership:
    thresholds:
      auc: {}
`,
    expect: {
      line: 11,
      column: 7,
      field: 'probes.membership.thresholds.auc',
      message: 'probes.membership.thresholds.auc must set at least one of: warn, fail',
    },
  },
  {
    name: 'tpr-at-fpr without fpr',
    policy: `${HEAD}probes:
  membership:
    thresholds:
      tpr-at-fpr: { fail: 0.05 }
`,
    expect: {
      line: 11,
      column: 7,
      field: 'probes.membership.thresholds.tpr-at-fpr.fpr',
      message: /^missing required key "fpr" in probes.membership.thresholds.tpr-at-fpr/,
    },
  },
  {
    name: 'the same attack twice',
    policy: `${HEAD}probes:
  membership:
    attacks: [loss, gap, loss]
    thresholds: { auc: { fail: 0.6 } }
`,
    expect: {
      line: 10,
      column: 26,
      field: 'probes.membership.attacks[2]',
      message: 'probes.membership.attacks lists "loss" more than once',
    },
  },
  {
    name: 'warn above fail',
    policy: `${HEAD}probes:
  membership:
    thresholds:
      auc:
        warn: 0.7
        fail: 0.6
`,
    expect: {
      line: 12,
      column: 9,
      field: 'probes.membership.thresholds.auc.warn',
      message: /^warn \(0\.7\) is above fail \(0\.6\) for probes\.membership\.thresholds\.auc; warn must not exceed fail/,
    },
  },
  {
    name: 'warn above an inherited fail: reported in the child, naming the preset',
    policy: `extends: standard
${HEAD}probes:
  membership:
    thresholds:
      auc: { warn: 0.65 }
`,
    expect: {
      line: 12,
      column: 14,
      field: 'probes.membership.thresholds.auc.warn',
      message: /warn \(0\.65\) is above fail \(0\.6\) .*\(fail is set in .*standard\.yaml:\d+\)/,
    },
  },
  {
    name: 'tpr-at-fpr fail not above fpr',
    policy: `${HEAD}probes:
  membership:
    thresholds:
      tpr-at-fpr: { fpr: 0.01, fail: 0.01 }
`,
    expect: {
      line: 11,
      column: 32,
      field: 'probes.membership.thresholds.tpr-at-fpr.fail',
      message: 'fail (0.01) must be above fpr (0.01)',
    },
  },
  {
    name: 'missing model file names the resolved path',
    policy: `${HEAD}${PROBES}`.replace('path: model.onnx', 'path: models/candidate.onnx'),
    expect: {
      line: 3,
      column: 9,
      field: 'model.path',
      message: /^model file not found: .*policy-test-[^/]+\/models\/candidate\.onnx$/,
    },
  },
  {
    name: 'missing data file',
    policy: `${HEAD}${PROBES}`,
    dummies: ['model.onnx', 'train.csv'],
    expect: {
      line: 6,
      column: 24,
      field: 'data.non-members.path',
      message: /^non-members data file not found: .*holdout\.csv$/,
    },
  },
  {
    name: 'data format that cannot be told from the extension',
    policy: `${HEAD}${PROBES}`.replace('path: train.csv', 'path: train.dat'),
    dummies: ['model.onnx', 'train.dat', 'holdout.csv'],
    expect: {
      line: 5,
      column: 20,
      field: 'data.members.path',
      message: /cannot tell the format of "train\.dat".*format: csv \| jsonl \| npy/,
    },
  },
  {
    name: 'labels file with CSV data',
    policy: `${HEAD}${PROBES}`.replace('{ path: train.csv }', '{ path: train.csv, labels: y.npy }'),
    expect: { line: 5, column: 31, field: 'data.members.labels', message: /^labels is only for \.npy data/ },
  },
  {
    name: 'no label column',
    policy: `${HEAD}${PROBES}`.replace('  label: digit\n', ''),
    expect: { line: 4, column: 1, field: 'data.label', message: /^missing required key "label" in data/ },
  },
  {
    name: 'extends an unknown preset',
    policy: `extends: standrd
${HEAD}${PROBES}`,
    expect: {
      line: 1,
      column: 10,
      field: 'extends',
      message:
        /^unknown preset "standrd" for extends; expected a preset name \(standard, strict\).*did you mean "standard"\? \(the rest of the policy is checked without it: against the schema with no required keys/,
    },
  },
  {
    name: 'extends a file that does not exist',
    policy: `extends: ./shared/base.yaml
${HEAD}${PROBES}`,
    expect: { line: 1, column: 10, field: 'extends', message: /^extends "\.\/shared\/base\.yaml": file not found: / },
  },
  {
    name: 'extends that is not a string',
    policy: `extends: [standard]
${HEAD}${PROBES}`,
    expect: { line: 1, column: 10, field: 'extends', message: /^expected a preset name .* for extends, found \["standard"\]/ },
  },
  {
    name: 'extends cycle: reported where the cycle closes',
    policy: `extends: base.yaml
${HEAD}${PROBES}`,
    files: { 'base.yaml': '# shared settings\nextends: ./policy.yaml\nseed: 1\n' },
    expect: {
      file: 'base.yaml',
      line: 2,
      column: 10,
      field: 'extends',
      message: 'extends cycle: policy.yaml -> base.yaml -> policy.yaml',
    },
  },
  {
    name: 'extends itself',
    policy: `extends: policy.yaml
${HEAD}${PROBES}`,
    expect: { line: 1, column: 10, field: 'extends', message: 'extends cycle: policy.yaml -> policy.yaml' },
  },
  {
    name: 'a mistake in an extended base file is reported in that file',
    policy: `extends: base.yaml
${HEAD}${PROBES}`,
    files: { 'base.yaml': 'seed: 3\nsurface:\n  scores: partial\n' },
    expect: {
      file: 'base.yaml',
      line: 3,
      column: 11,
      field: 'surface.scores',
      message: /^invalid value "partial" for surface\.scores/,
    },
  },
  {
    name: 'label-only surface with score attacks',
    policy: `${HEAD}surface:
  scores: label
probes:
  membership:
    attacks: [gap, loss, entropy]
    thresholds: { auc: { fail: 0.6 } }
`,
    expect: {
      line: 12,
      column: 20,
      field: 'probes.membership.attacks[1]',
      message:
        /^attacks loss, entropy need class scores, but surface\.scores is label .*: the label-only surface reveals no scores; use the label-only attacks gap and label-stability/,
    },
  },
  {
    name: 'top-k surface without top-k',
    policy: `${HEAD}${PROBES}surface:
  scores: top-k
`,
    expect: { line: 13, column: 11, field: 'surface.top-k', message: /^surface\.scores is top-k but top-k is not set/ },
  },
  {
    name: 'inversion: smoothness without an image shape',
    policy: `${HEAD}probes:
  inversion:
    smoothness: 0.1
    thresholds: { similarity-gain: { fail: 0.9 } }
`,
    expect: {
      line: 10,
      column: 5,
      field: 'probes.inversion.smoothness',
      message:
        /^smoothness \(a total-variation prior over neighbouring pixels\) needs the image shape; add e\.g\. image: \{ height: 8, width: 8 \}/,
    },
  },
  {
    name: 'inversion: similarity-gain warn above fail',
    policy: `${HEAD}probes:
  inversion:
    thresholds:
      similarity-gain: { warn: 0.9, fail: 0.5 }
`,
    expect: {
      line: 11,
      column: 26,
      field: 'probes.inversion.thresholds.similarity-gain.warn',
      message: 'warn (0.9) is above fail (0.5) for probes.inversion.thresholds.similarity-gain; warn must not exceed fail',
    },
  },
  {
    name: 'inversion: an image with 2 channels',
    policy: `${HEAD}probes:
  inversion:
    image: { height: 8, width: 8, channels: 2 }
    thresholds: { identification-rate: { fail: 0.2 } }
`,
    expect: {
      line: 10,
      column: 45,
      field: 'probes.inversion.image.channels',
      message: 'invalid value 2 for probes.inversion.image.channels; expected one of: 1, 3',
    },
  },
  {
    name: 'inversion: an image without its width',
    policy: `${HEAD}probes:
  inversion:
    image: { height: 8 }
    thresholds: { identification-rate: { fail: 0.2 } }
`,
    expect: {
      line: 10,
      column: 5,
      field: 'probes.inversion.image.width',
      message: 'missing required key "width" in probes.inversion.image',
    },
  },
  {
    name: 'inversion: unknown gradient estimator',
    policy: `${HEAD}probes:
  inversion:
    gradient: spsa
    thresholds: { identification-rate: { fail: 0.2 } }
`,
    expect: {
      line: 10,
      column: 15,
      field: 'probes.inversion.gradient',
      message: 'invalid value "spsa" for probes.inversion.gradient; expected one of: auto, central, nes',
    },
  },
  {
    name: 'inversion: misspelt threshold metric',
    policy: `${HEAD}probes:
  inversion:
    thresholds:
      identification: { fail: 0.2 }
`,
    expect: {
      line: 11,
      column: 7,
      field: 'probes.inversion.thresholds.identification',
      message: 'unknown key "identification" in probes.inversion.thresholds; expected one of: identification-rate, similarity-gain',
    },
  },
  {
    name: 'inversion: identification rate above 1',
    policy: `${HEAD}probes:
  inversion:
    thresholds:
      identification-rate: { fail: 1.5 }
`,
    expect: {
      line: 11,
      column: 36,
      field: 'probes.inversion.thresholds.identification-rate.fail',
      message: 'must be at least 0 and at most 1, found 1.5',
    },
  },
  {
    name: 'attribute-inference: no attribute',
    policy: `${HEAD}probes:
  attribute-inference:
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 9,
      column: 3,
      field: 'probes.attribute-inference.attribute',
      message: 'missing required key "attribute" in probes.attribute-inference',
    },
  },
  {
    name: 'attribute-inference: misspelt observation mode',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    observed: output
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 11,
      column: 15,
      field: 'probes.attribute-inference.observed',
      message: 'invalid value "output" for probes.attribute-inference.observed; expected one of: label, model-output',
    },
  },
  {
    name: 'attribute-inference: fewer names than one-hot columns',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: race
    encoding:
      one-hot: [race_white, race_hispanic, race_other]
    values: [white, other]
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 13,
      column: 5,
      field: 'probes.attribute-inference.values',
      message: 'values names 2 values but encoding.one-hot lists 3 columns; give one name per column, in the same order',
    },
  },
  {
    name: 'attribute-inference: a reference level without names',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: race
    encoding:
      one-hot: [race_hispanic, null, race_other]
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 12,
      column: 32,
      field: 'probes.attribute-inference.encoding.one-hot[1]',
      message: /^a null entry \(the reference level, every listed column 0\) has no column to name it; add values/,
    },
  },
  {
    name: 'attribute-inference: one column listed twice in a one-hot encoding',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: race
    encoding:
      one-hot: [race_white, race_white]
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 12,
      column: 29,
      field: 'probes.attribute-inference.encoding.one-hot[1]',
      message: 'probes.attribute-inference.encoding.one-hot lists "race_white" more than once',
    },
  },
  {
    name: 'attribute-inference: a one-hot encoding with a single column',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    encoding: { one-hot: [union_1] }
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: { line: 11, column: 26, field: 'probes.attribute-inference.encoding.one-hot', message: /at least 2/ },
  },
  {
    name: 'attribute-inference: names as values of a plain column',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    values: [0, member]
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 11,
      column: 17,
      field: 'probes.attribute-inference.values[1]',
      message: /^"member" is not a number; the values of a plain attribute column are the numbers in the data/,
    },
  },
  {
    name: 'attribute-inference: the attribute among the known columns',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    known: [age, union]
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 11,
      column: 18,
      field: 'probes.attribute-inference.known[1]',
      message: '"union" holds the sensitive attribute, which is what the attacker wants to learn; remove it from known',
    },
  },
  {
    name: 'attribute-inference: an auxiliary prior without the auxiliary file',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    prior: auxiliary
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 11,
      column: 12,
      field: 'probes.attribute-inference.prior',
      message: /^prior is auxiliary but no auxiliary file is set; add auxiliary: \{ path: \.\.\. \}/,
    },
  },
  {
    name: 'attribute-inference: a missing auxiliary file',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    auxiliary: { path: attacker.csv }
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 11,
      column: 24,
      field: 'probes.attribute-inference.auxiliary.path',
      message: /^auxiliary data file not found: .*attacker\.csv$/,
    },
  },
  {
    name: 'attribute-inference: lift warn above fail',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    thresholds:
      lift: { warn: 0.1, fail: 0.05 }
`,
    expect: {
      line: 12,
      column: 15,
      field: 'probes.attribute-inference.thresholds.lift.warn',
      message: 'warn (0.1) is above fail (0.05) for probes.attribute-inference.thresholds.lift; warn must not exceed fail',
    },
  },
  {
    name: 'attribute-inference: member gap above 1',
    policy: `${HEAD}probes:
  attribute-inference:
    attribute: union
    thresholds: { member-gap: { fail: 5 } }
`,
    expect: {
      line: 11,
      column: 39,
      field: 'probes.attribute-inference.thresholds.member-gap.fail',
      message: 'must be at least 0 and at most 1, found 5',
    },
  },
  {
    name: 'regression: a label-only surface',
    policy: `version: 1
model:
  path: model.onnx
  task: regression
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: wage
surface: { scores: label }
probes:
  attribute-inference:
    attribute: union
    thresholds: { lift: { fail: 0.05 } }
`,
    expect: {
      line: 9,
      column: 20,
      field: 'surface.scores',
      message:
        /^surface\.scores label describes class scores, but model\.task is regression \(set in policy\.yaml:4\): a regression model reveals its predicted value/,
    },
  },
  {
    name: 'regression: data.classes',
    policy: `version: 1
model: { path: model.onnx, task: regression }
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: wage
  classes: [low, high]
probes:
  attribute-inference:
    attribute: union
    thresholds: { lift: { fail: 0.1 } }
`,
    expect: {
      line: 7,
      column: 3,
      field: 'data.classes',
      message:
        "data.classes names a classifier's classes, but model.task is regression: its labels are the values to predict; remove data.classes",
    },
  },
  {
    name: 'data.classes listing a label twice',
    policy: `${HEAD}  classes: [benign, malignant, benign]
${PROBES}`,
    expect: { line: 8, column: 32, field: 'data.classes[2]', message: 'data.classes lists "benign" more than once' },
  },
  {
    name: 'regression: the membership probe',
    policy: `version: 1
model: { path: model.onnx, task: regression }
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: wage
probes:
  membership:
    thresholds: { auc: { fail: 0.6 } }
`,
    expect: {
      line: 8,
      column: 3,
      field: 'probes.membership',
      message:
        "the membership probe needs a classifier's class scores, but model.task is regression (set in policy.yaml:2); on a regression model only the attribute-inference probe runs",
    },
  },
  {
    name: 'unknown model task',
    policy: `version: 1
model: { path: model.onnx, task: ranking }
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: wage
${PROBES}`,
    expect: {
      line: 2,
      column: 34,
      field: 'model.task',
      message: 'invalid value "ranking" for model.task; expected one of: classification, regression',
    },
  },
  // Sequence models (model.task: sequence) and the extraction probe.
  {
    name: 'extraction probe on a classification model',
    policy: `${HEAD}probes:
  extraction:
    canaries: [{ format: "pin {digits:4}", inserted: ["1234"] }]
    thresholds: { max-exposure: { fail: 10 } }
`,
    expect: {
      line: 9,
      column: 3,
      field: 'probes.extraction',
      message: /^the extraction probe needs a sequence model \(model\.task: sequence/,
    },
  },
  {
    name: 'membership probe on a sequence model',
    policy: `${SEQ_HEAD}${PROBES}`,
    dummies: SEQ_FILES,
    expect: {
      line: 10,
      column: 3,
      field: 'probes.membership',
      message: /^the membership probe needs a classification model, but model\.task is sequence/,
    },
  },
  {
    name: 'label on a sequence model',
    policy: `${SEQ_HEAD}  label: text
${SEQ_PROBES}`,
    dummies: SEQ_FILES,
    expect: { line: 9, column: 3, field: 'data.label', message: /^data\.label is not used by a sequence model/ },
  },
  {
    name: 'CSV data for a sequence model',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('members: { path: members.txt }', 'members: { path: train.csv }'),
    dummies: [...SEQ_FILES, 'train.csv'],
    expect: {
      line: 7,
      column: 20,
      field: 'data.members.path',
      message: /must be a text file \(\.txt, one record per line\) or JSON Lines/,
    },
  },
  {
    name: 'text data for a classification model',
    policy: `${HEAD}${PROBES}`.replace('members: { path: train.csv }', 'members: { path: members.txt }'),
    dummies: [...DUMMY_FILES, 'members.txt'],
    expect: { line: 5, column: 20, field: 'data.members.path', message: /is a text file, which only a sequence model/ },
  },
  {
    name: 'text-field on a classification model',
    policy: `${HEAD}  text-field: body
${PROBES}`,
    expect: { line: 8, column: 3, field: 'data.text-field', message: /only for sequence models/ },
  },
  {
    name: 'canaries without a tokenizer',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('  tokenizer: { vocab-file: vocab.json }\n', ''),
    dummies: SEQ_FILES,
    expect: {
      line: 2,
      column: 1,
      field: 'model.tokenizer',
      message: /^missing model\.tokenizer: .*the data files are text; canaries are text/,
    },
  },
  {
    name: 'tokenizer with both vocab and vocab-file',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('{ vocab-file: vocab.json }', '{ vocab-file: vocab.json, vocab: "abc" }'),
    dummies: SEQ_FILES,
    expect: { line: 5, column: 3, field: 'model.tokenizer.vocab', message: 'model.tokenizer sets both vocab and vocab-file' },
  },
  {
    name: 'missing vocabulary file',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('vocab.json', 'chars.json'),
    dummies: SEQ_FILES,
    expect: { line: 5, column: 28, field: 'model.tokenizer.vocab-file', message: /^vocabulary file not found: .*chars\.json$/ },
  },
  {
    name: 'misspelt slot class in a canary format',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('{digits:4}', '{digit:4}'),
    dummies: SEQ_FILES,
    expect: {
      line: 12,
      column: 17,
      field: 'probes.extraction.canaries[0].format',
      message: 'invalid canary format: invalid slot "{digit:4}" at character 5; expected {digits:n}, {letters:n} or {hex:n}',
    },
  },
  {
    name: 'a secret that does not fit its format, not quoted in the message',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('inserted: ["1234"]', 'inserted: ["1234", "98x6"]'),
    dummies: SEQ_FILES,
    expect: {
      line: 13,
      column: 28,
      field: 'probes.extraction.canaries[0].inserted[1]',
      message:
        /^probes\.extraction\.canaries\[0\]\.inserted\[1\] does not fit the format: it has character 3 outside the digits alphabet .* \(the secret is not shown\)$/,
    },
  },
  {
    name: 'a secret written as a number: the type error does not repeat it',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('inserted: ["1234"]', 'inserted: [281943]'),
    dummies: SEQ_FILES,
    expect: {
      line: 13,
      column: 20,
      field: 'probes.extraction.canaries[0].inserted[0]',
      message: /^expected a string for .*found a number \(2••••3\)$/,
    },
  },
  {
    name: 'a secret both inserted and a control',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('inserted: ["1234"]', 'inserted: ["1234"]\n        controls: ["1234"]'),
    dummies: SEQ_FILES,
    expect: {
      line: 14,
      column: 20,
      field: 'probes.extraction.canaries[0].controls[0]',
      message: /is also listed in inserted: a secret is either inserted or a control/,
    },
  },
  {
    name: 'canaries behind a top-k surface',
    policy: `${SEQ_HEAD}surface: { scores: top-k, top-k: 5 }
${SEQ_PROBES}`,
    dummies: SEQ_FILES,
    expect: {
      line: 12,
      column: 5,
      field: 'probes.extraction.canaries',
      message: /needs every next-token probability, but surface\.scores is top-k/,
    },
  },
  {
    name: 'secret scan behind a label-only surface',
    policy: `${SEQ_HEAD}surface: { scores: label }
probes:
  extraction:
    secret-scan: { prompts: ["my email is "] }
    thresholds: { secret-matches: { fail: 0 } }
`,
    dummies: SEQ_FILES,
    expect: {
      line: 12,
      column: 5,
      field: 'probes.extraction.secret-scan',
      message: /samples generations, which needs next-token scores, but surface\.scores is label/,
    },
  },
  {
    name: 'a user regex that does not compile',
    policy: `${SEQ_HEAD}probes:
  extraction:
    secret-scan:
      regexes: ["EMP-(\\\\d{5}"]
    thresholds: { secret-matches: { fail: 0 } }
`,
    dummies: SEQ_FILES,
    expect: { line: 12, column: 17, field: 'probes.extraction.secret-scan.regexes[0]', message: /^invalid regular expression: / },
  },
  {
    name: 'max-exposure without canaries',
    policy: `${SEQ_HEAD}probes:
  extraction:
    memorization: { prefix: 16, suffix: 16 }
    thresholds: { max-exposure: { fail: 10 } }
`,
    dummies: SEQ_FILES,
    expect: {
      line: 12,
      column: 19,
      field: 'probes.extraction.canaries',
      message: /^max-exposure is the exposure of inserted canaries, but probes\.extraction has no canaries/,
    },
  },
  {
    name: 'max-exposure warn above fail',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('max-exposure: { fail: 10 }', 'max-exposure: { warn: 12, fail: 10 }'),
    dummies: SEQ_FILES,
    expect: { line: 14, column: 35, field: 'probes.extraction.thresholds.max-exposure.warn', message: /^warn \(12\) is above fail \(10\)/ },
  },
  {
    name: 'misspelt extraction key, with a suggestion',
    policy: `${SEQ_HEAD}${SEQ_PROBES}`.replace('    canaries:', '    canaris:'),
    dummies: SEQ_FILES,
    expect: {
      line: 11,
      column: 5,
      field: 'probes.extraction.canaris',
      message: /unknown key "canaris" in probes\.extraction; did you mean "canaries"\?/,
    },
  },
  {
    name: 'extraction-rate above 1',
    policy: `${SEQ_HEAD}probes:
  extraction:
    thresholds: { extraction-rate: { fail: 1.5 } }
`,
    dummies: SEQ_FILES,
    expect: {
      line: 11,
      column: 44,
      field: 'probes.extraction.thresholds.extraction-rate.fail',
      message: 'probes.extraction.thresholds.extraction-rate.fail must be at least 0 and at most 1, found 1.5',
    },
  },
  {
    name: 'no probes',
    policy: `${HEAD}probes: {}
`,
    expect: { line: 8, column: 1, field: 'probes', message: 'probes must set at least one of: membership' },
  },
  {
    name: 'empty policy file',
    policy: '# nothing yet\n',
    expect: { line: 1, column: 1, message: /^the policy file is empty/ },
  },
  {
    name: 'a list at the top level',
    policy: '- version: 1\n',
    expect: { line: 1, column: 1, message: 'expected a mapping of policy keys at the top level, found a list' },
  },
  // Reference-model attacks (issue 10): what the policy can tell before any model runs.
  {
    name: 'a reference attack without reference-models',
    policy: `${HEAD}probes:
  membership:
    attacks: [loss, lira]
    thresholds:
      auc: { fail: 0.6 }
`,
    expect: {
      line: 10,
      column: 21,
      field: 'probes.membership.attacks[1]',
      message: 'attack lira needs reference models: add probes.membership.reference-models',
    },
  },
  {
    name: 'a reference attack on a label-only surface',
    policy: `${HEAD}surface: { scores: label }
probes:
  membership:
    attacks: [lira]
    reference-models: { models: refs/ref-*.onnx, memberships: refs/m.csv }
    thresholds:
      auc: { fail: 0.6 }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 11,
      column: 15,
      field: 'probes.membership.attacks[0]',
      message: 'attack lira needs class scores, but surface.scores is label',
    },
  },
  {
    name: 'a reference-models glob that matches nothing',
    policy: `${HEAD}probes:
  membership:
    attacks: [rmia]
    reference-models:
      models: refs/none-*.onnx
      memberships: refs/m.csv
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 12,
      column: 15,
      field: 'probes.membership.reference-models.models',
      message: /^no file matches the reference models' glob \/.*\/refs\/none-\*\.onnx$/,
    },
  },
  {
    name: 'a reference-models glob with a wildcard in the folder',
    policy: `${HEAD}probes:
  membership:
    attacks: [lira-offline]
    reference-models:
      models: "re*/ref-00.onnx"
      memberships: refs/m.csv
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 12,
      column: 15,
      field: 'probes.membership.reference-models.models',
      message: /^reference models: wildcards are allowed in the file name only, not in the folder/,
    },
  },
  {
    name: 'a listed reference model that does not exist',
    policy: `${HEAD}probes:
  membership:
    attacks: [lira]
    reference-models:
      models: [refs/ref-00.onnx, refs/gone.onnx]
      memberships: refs/m.csv
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 12,
      column: 34,
      field: 'probes.membership.reference-models.models[1]',
      message: /^reference model not found: \/.*\/refs\/gone\.onnx$/,
    },
  },
  {
    name: 'two listed reference models with one file name',
    policy: `${HEAD}probes:
  membership:
    attacks: [lira]
    reference-models:
      models: [a/ref.onnx, b/ref.onnx]
      memberships: refs/m.csv
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'a/ref.onnx', 'b/ref.onnx', 'refs/m.csv'],
    expect: {
      line: 12,
      column: 28,
      field: 'probes.membership.reference-models.models[1]',
      message: /^two reference models share the file name ref\.onnx/,
    },
  },
  {
    name: 'an RMIA population file that does not exist',
    policy: `${HEAD}probes:
  membership:
    attacks: [rmia]
    reference-models:
      models: refs/ref-*.onnx
      memberships: refs/m.csv
      population: { path: refs/population.csv }
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 14,
      column: 27,
      field: 'probes.membership.reference-models.population.path',
      message: /^population data file not found: /,
    },
  },
  {
    name: 'a memberships file that does not exist',
    policy: `${HEAD}probes:
  membership:
    attacks: [lira]
    reference-models:
      models: refs/ref-*.onnx
      memberships: refs/gone.csv
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: [...DUMMY_FILES, 'refs/ref-00.onnx', 'refs/ref-01.onnx', 'refs/m.csv'],
    expect: {
      line: 13,
      column: 20,
      field: 'probes.membership.reference-models.memberships',
      message: /^memberships file not found: /,
    },
  },
];

describe('invalid policies', () => {
  it.each(cases)('$name', (c) => {
    const dir = policyDir({ 'policy.yaml': c.policy, ...c.files }, c.dummies);
    const file = join(dir, 'policy.yaml');
    const expectedFile = c.expect.file?.startsWith('preset:')
      ? presetFile(c.expect.file.slice('preset:'.length))
      : join(dir, c.expect.file ?? 'policy.yaml');

    let thrown: unknown;
    try {
      loadPolicy(file, { roots: [dir] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    const error = thrown as PolicyError;
    expect({ field: undefined, ...error.location, message: error.message }).toEqual({
      file: expectedFile,
      line: c.expect.line,
      column: c.expect.column,
      field: c.expect.field,
      message: typeof c.expect.message === 'string' ? expect.stringContaining(c.expect.message) : expect.stringMatching(c.expect.message),
    });
    // validatePolicy reports the same first error (and maybe more).
    const all = validatePolicy(file, { roots: [dir] });
    expect(all[0]?.describe()).toBe(error.describe());
  });
});

describe('validatePolicy', () => {
  it('returns every error, sorted by position', () => {
    const dir = policyDir({
      'policy.yaml': `version: 1
model:
  path: missing.onnx
  scorse: auto
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: digit
surface: { scores: label }
probes:
  membership:
    attacks: [loss]
    thresholds:
      auc: { warn: 0.7, fail: 0.6 }
gate: { confidence: 2 }
`,
    });
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors.map((e) => [e.location?.line, e.location?.field])).toEqual([
      [3, 'model.path'],
      [4, 'model.scorse'],
      [12, 'probes.membership.attacks[0]'],
      [14, 'probes.membership.thresholds.auc.warn'],
      [15, 'gate.confidence'],
    ]);
    expect(errors.every((e) => e instanceof PolicyError)).toBe(true);
  });

  it('returns nothing for a valid policy', () => {
    const dir = policyDir({ 'policy.yaml': `${HEAD}${PROBES}` });
    expect(validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] })).toEqual([]);
  });

  it('reports a policy file that does not exist', () => {
    const errors = validatePolicy('/nonexistent/policy.yaml', { roots: ['/'] });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('policy file not found: /nonexistent/policy.yaml');
    expect(errors[0]!.location?.file).toBe('/nonexistent/policy.yaml');
  });
});
