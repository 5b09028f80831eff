/**
 * `model.tokenizer` in the policy: the string form (a tokenizer.json path, confined to the allowed
 * roots, must exist) next to the object form (a character vocabulary). Table-driven: valid
 * policies and the typed setting they build; invalid ones and the line, column and field of the error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors';
import { loadPolicy, validatePolicy } from '../../src/run/policy';
import { policyDir } from './helpers';

/** A sequence policy whose line 5 is `  tokenizer: <value>`; the probes start on line 9. */
const seqPolicy = (tokenizer: string) => `version: 1
model:
  path: model.onnx
  task: sequence
  tokenizer: ${tokenizer}
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
probes:
  extraction:
    memorization: { prefix: 4, suffix: 2 }
    thresholds: { extraction-gap: { fail: 0.1 } }
`;
const SEQ_FILES = ['model.onnx', 'members.txt', 'non-members.txt', 'vocab.json', 'lm/tokenizer.json'];

describe('model.tokenizer: valid forms', () => {
  it.each([
    {
      name: 'a tokenizer.json path, relative to the policy',
      value: 'lm/tokenizer.json',
      built: (dir: string) => ({ file: join(dir, 'lm/tokenizer.json') }),
    },
    { name: 'a quoted path', value: '"./lm/tokenizer.json"', built: (dir: string) => ({ file: join(dir, 'lm/tokenizer.json') }) },
    { name: 'the character vocabulary, inline', value: '{ vocab: "abc" }', built: () => ({ vocab: ['a', 'b', 'c'] }) },
    {
      name: 'the character vocabulary, as a file',
      value: '{ vocab-file: vocab.json, pad-id: 0 }',
      built: (dir: string) => ({ vocabFile: join(dir, 'vocab.json'), padId: 0 }),
    },
  ])('$name', ({ value, built }) => {
    const dir = policyDir({ 'policy.yaml': seqPolicy(value) }, SEQ_FILES);
    const policy = loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(policy.model.tokenizer).toEqual({ ...built(dir), source: { file: join(dir, 'policy.yaml'), line: 5, column: 3 } });
  });
});

interface Case {
  name: string;
  policy: string;
  dummies?: string[];
  /** Allowed roots besides the policy's folder. */
  roots?: string[];
  expect: { line: number; column: number; field: string; message: string | RegExp };
}

const outside = mkdtempSync(join(tmpdir(), 'tokenizer-outside-'));
writeFileSync(join(outside, 'tokenizer.json'), '{}');

const cases: Case[] = [
  {
    name: 'a tokenizer.json that does not exist',
    policy: seqPolicy('lm/missing.json'),
    expect: { line: 5, column: 14, field: 'model.tokenizer', message: /^tokenizer file not found: .*lm\/missing\.json$/ },
  },
  {
    name: 'a folder, not a file',
    policy: seqPolicy('lm'),
    expect: { line: 5, column: 14, field: 'model.tokenizer', message: /^tokenizer file is not a file: .*\/lm$/ },
  },
  {
    name: 'an empty path',
    policy: seqPolicy('""'),
    expect: { line: 5, column: 14, field: 'model.tokenizer', message: 'model.tokenizer must not be empty' },
  },
  {
    name: 'a number',
    policy: seqPolicy('7'),
    expect: {
      line: 5,
      column: 14,
      field: 'model.tokenizer',
      message: /^expected a string or a mapping for model\.tokenizer, found a (number \(7\)|list)$/,
    },
  },
  {
    name: 'a list',
    policy: seqPolicy('[a.json]'),
    expect: {
      line: 5,
      column: 14,
      field: 'model.tokenizer',
      message: /^expected a string or a mapping for model\.tokenizer, found a (number \(7\)|list)$/,
    },
  },
  {
    name: 'a path outside the allowed roots',
    policy: seqPolicy(JSON.stringify(join(outside, 'tokenizer.json'))),
    expect: { line: 5, column: 14, field: 'model.tokenizer', message: /tokenizer\.json is outside the folders the gate may read/ },
  },
  {
    name: 'a tokenizer.json on a classification model',
    policy: `version: 1
model:
  path: model.onnx
  tokenizer: lm/tokenizer.json
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: digit
probes:
  membership:
    thresholds: { auc: { fail: 0.6 } }
`,
    dummies: ['model.onnx', 'train.csv', 'holdout.csv', 'lm/tokenizer.json'],
    expect: {
      line: 4,
      column: 3,
      field: 'model.tokenizer',
      message: 'model.tokenizer is only for sequence models (model.task: sequence); model.task is classification',
    },
  },
  {
    name: 'text data without a tokenizer: the message offers the tokenizer.json form',
    policy: seqPolicy('x').replace('  tokenizer: x\n', ''),
    expect: {
      line: 2,
      column: 1,
      field: 'model.tokenizer',
      message: /add model\.tokenizer: the path of the model's tokenizer\.json, or a character vocabulary/,
    },
  },
];

describe('model.tokenizer: invalid forms', () => {
  it.each(cases)('$name', (c) => {
    const dir = policyDir(
      { 'policy.yaml': c.policy },
      c.dummies ?? [...SEQ_FILES.filter((f) => !f.startsWith('lm/')), 'lm/tokenizer.json'],
    );
    const file = join(dir, 'policy.yaml');
    const errors = validatePolicy(file, { roots: [dir, ...(c.roots ?? [])] });
    const error = errors.find((e) => e.location?.field === c.expect.field);
    expect(error, errors.map((e) => e.describe()).join('\n')).toBeInstanceOf(PolicyError);
    expect({ file: error!.location?.file, line: error!.location?.line, column: error!.location?.column, message: error!.message }).toEqual({
      file,
      line: c.expect.line,
      column: c.expect.column,
      message: typeof c.expect.message === 'string' ? expect.stringContaining(c.expect.message) : expect.stringMatching(c.expect.message),
    });
  });
});
