/**
 * `privacy-gate validate` checks the policy against the model and data files it names: the
 * model's declared inputs and outputs and the data files' headers, never the rows. Each mistake
 * is reported at the policy line and column of the field, with a did-you-mean, all at once.
 * Real models (examples/, test/fixtures/models) and real data files throughout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../helpers/cli';

const root = path.resolve(__dirname, '../..');
const digits = path.join(root, 'examples/digits');
const models = path.join(root, 'test/fixtures/models');
const fixtures = path.join(root, 'test/fixtures/data');

/** A policy in a fresh folder; DIGITS stands for the digits example's folder. */
function policy(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, yaml.replaceAll('DIGITS', digits).replaceAll('MODELS', models).replaceAll('FIXTURES', fixtures));
  return file;
}

/** The digits example's policy, model and data, line by line (line numbers matter below). */
const DIGITS_POLICY = (model: string, data: string) => `version: 1
extends: standard
model:
  path: DIGITS/leaky.onnx
${model}
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
${data}
probes: { membership: {} }
`;

describe('privacy-gate validate opens the model and the data headers', () => {
  it.each([
    {
      name: 'a model input the model does not have',
      yaml: DIGITS_POLICY('  input: X', '  label: digit'),
      at: ':5:10 (model.input): ',
      message: /the model .*leaky\.onnx has no input "X" \(did you mean "x"\?\); its inputs are: "x" \(float32 \[batch, 64\]\)/,
    },
    {
      name: 'a model output the model does not have',
      yaml: DIGITS_POLICY('  output: Probabilities', '  label: digit'),
      at: ':5:11 (model.output): ',
      message:
        /has no output "Probabilities" \(did you mean "probabilities"\?\); its outputs are: "probabilities" \(float32 \[batch, 10\]\)/,
    },
    {
      name: 'a label column in the wrong case',
      yaml: DIGITS_POLICY('  input: x', '  label: Digit'),
      at: ':9:10 (data.label): ',
      message:
        /members\.csv and .*non-members\.csv: label column "Digit" not found \(did you mean "digit"\?\); the file's columns are "pixel_0"/,
    },
    {
      name: 'a feature glob selecting fewer columns than the model takes',
      yaml: DIGITS_POLICY('  input: x', '  label: digit\n  features: "pixel_1*"'),
      at: ':10:13 (data.features): ',
      message:
        /data\.features "pixel_1\*" selects 11 columns of .*members\.csv and .*non-members\.csv \("pixel_1", "pixel_10", .*"pixel_19"\), but the model's input "x" takes 64 features; expected data\.features to select 64 columns.*every column but the label would give 64: leave data\.features out/,
    },
    {
      name: 'a feature list naming a missing column',
      yaml: DIGITS_POLICY('  input: x', '  label: digit\n  features: [pixel_0, pixle_1]'),
      at: ':10:13 (data.features): ',
      message: /feature column "pixle_1" \(did you mean "pixel_1"/,
    },
    {
      name: 'no feature setting: every column but the label is one too many',
      yaml: `version: 1
extends: standard
model: { path: MODELS/probabilities.onnx }
data:
  members: { path: m.csv }
  non-members: { path: m.csv }
  label: y
probes: { membership: {} }
`,
      files: { 'm.csv': 'a,b,c,d,e,y\n1,2,3,4,5,0\n' },
      at: ':4:1 (data.features): ',
      message:
        /every column but the label \(data\.features is not set\) gives 5 columns of m\.csv \("a", "b", "c", "d", "e"\), but the model's input "x" takes 4 features/,
    },
    {
      name: 'data.classes of the wrong length',
      yaml: DIGITS_POLICY('  input: x', '  label: digit\n  classes: [zero, one, two]'),
      at: ':10:12 (data.classes): ',
      message: /data\.classes lists 3 labels \(zero, one, two\), but the model's output "probabilities" scores 10 classes/,
    },
    {
      name: 'data.classes that disagree with a ZipMap',
      yaml: `version: 1
extends: standard
model: { path: MODELS/zipmap-strings.onnx }
data:
  members: { path: m.csv }
  non-members: { path: m.csv }
  label: species
  classes: [setosa, virginica, versicolor]
probes: { membership: {} }
`,
      files: { 'm.csv': 'a,b,c,d,species\n1,2,3,4,setosa\n' },
      at: ':8:12 (data.classes): ',
      message: /names its own 3 classes \(a ZipMap\), in this order: setosa, versicolor, virginica; leave data\.classes out/,
    },
    {
      name: '.npy data whose header gives 3 columns for a 4-input model',
      yaml: `version: 1
extends: standard
model: { path: MODELS/probabilities.onnx }
data:
  members: { path: FIXTURES/features-f4-fortran.npy, labels: FIXTURES/labels-i8.npy }
  non-members: { path: FIXTURES/features-f4-fortran.npy, labels: FIXTURES/labels-i8.npy }
probes: { membership: {} }
`,
      at: ':4:1 (data.features): ',
      message:
        /every column but the label .* gives 3 columns of .*features-f4-fortran\.npy \("0", "1", "2"\), but the model's input "x" takes 4 features/,
    },
  ])('$name', async ({ yaml, files, at, message }) => {
    const file = policy(yaml, files);
    const result = await run('validate', '--policy', file);
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`privacy-gate: ${file}${at}`);
    expect(lines[0]).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('reads the headers only: a broken row further down does not matter to validate', async () => {
    const file = policy(
      `version: 1
extends: standard
model: { path: MODELS/probabilities.onnx }
data:
  members: { path: m.csv }
  non-members: { path: m.csv }
  label: y
probes: { membership: {} }
`,
      { 'm.csv': 'a,b,c,d,y\n1,2,3,4,0\n1,2,3\n' },
    );
    const result = await run('validate', '--policy', file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('shows every problem at once, those after a misspelt extends included', async () => {
    // The issue's case: extends: standart and four more mistakes; before, only the first showed.
    const file = policy(`version: 1
extends: standart
model:
  path: DIGITS/leaky.onnx
  input: X
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
  label: Digit
  features: "pixel_1*"
probes:
  membership:
    thresholds:
      auc: 0.6
`);
    const result = await run('validate', '--policy', file);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.map((l) => /^privacy-gate: [^:]+:(\d+:\d+) \(([^)]+)\)/.exec(l)?.slice(1).join(' '))).toEqual([
      '2:10 extends',
      '5:10 model.input',
      '9:10 data.label',
      '10:13 data.features',
      '14:12 probes.membership.thresholds.auc',
    ]);
    expect(lines[0]).toMatch(
      /did you mean "standard"\? \(the rest of the policy is checked without it: against the schema with no required keys/,
    );
    expect(lines[4]).toMatch(/write auc: \{ fail: 0\.6 \}/);
  });

  it('a broken base policy: the policy and the base are both still checked', async () => {
    const file = policy(
      `version: 1
extends: ./base.yml
model: { path: DIGITS/leaky.onnx, input: X }
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
  label: digit
probes: { membership: {} }
`,
      { 'base.yml': 'extends: stricct\nsurface: { scores: everything }\n' },
    );
    const result = await run('validate', '--policy', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/policy\.yml:3:\d+ \(model\.input\): .*did you mean "x"/);
    expect(result.stderr).toMatch(/base\.yml:1:10 \(extends\): unknown preset "stricct".*did you mean "strict"/);
    expect(result.stderr).toMatch(/base\.yml:2:20 \(surface\.scores\): invalid value "everything"/);
  });
});

describe('privacy-gate validate on the examples', () => {
  const examples = [
    'digits/policy.yml',
    'digits/hardened.policy.yml',
    'digits/deep-audit.policy.yml',
    'wages/policy.yml',
    'charlm/policy.yml',
  ];

  // Speed is the bench's to print (start-up to the first model query), not a timed test's.
  it.each(examples)('%s (positional argument) is valid', async (example) => {
    const result = await run('validate', path.join(root, 'examples', example));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/: valid\n$/);
    expect(result.code).toBe(0);
  });
});
