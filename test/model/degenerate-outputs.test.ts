/**
 * Issue 8 items 1 and 2: a model whose output holds NaN or ±Infinity, or has a shape the adapter
 * would misread, is refused with exit 2, never scored. Each model variant is built here from the
 * example's leaky model by appending nodes (test/helpers/onnx-proto.ts), so no blob is committed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { InputError } from '../../src/errors';
import { NonFiniteOutput } from '../../src/model/non-finite';
import { openOnnxClassifier } from '../../src/model/onnx';
import { ObservedModel } from '../../src/model/surface';
import {
  ELEM,
  intAttribute,
  intsAttribute,
  node,
  opsetOf,
  tensor,
  valueInfo,
  wrapOutput,
  addConstant,
  type OutputVariant,
} from '../helpers/onnx-proto';
import { sink } from '../helpers/sink';

const root = path.resolve(__dirname, '../..');
const digits = path.join(root, 'examples/digits');
const wages = path.join(root, 'examples/wages');
const leakyDigits = readFileSync(path.join(digits, 'leaky.onnx'));
const leakyWages = readFileSync(path.join(wages, 'leaky.onnx'));

/** Pixel 42 is 0 in about a third of the digits: x₄₂ / x₄₂ is NaN there and 1 elsewhere. */
const PIXEL = 42;

/** output × (x_j / x_j): NaN on exactly the rows whose feature j is 0. */
const nanWhereZero =
  (j: number): OutputVariant =>
  (inner, output) => ({
    nodes: [
      node('Gather', ['x', 'j'], ['xj'], [intAttribute('axis', 1)]),
      node('Div', ['xj', 'xj'], ['ratio']),
      node('Mul', [inner, 'ratio'], [output]),
    ],
    initializers: [tensor('j', [1], BigInt64Array.of(BigInt(j)))],
  });

/** output + sqrt(−frac(x₀)): finite on the integer pixels of the data, NaN on noisy copies. */
const nanOffIntegers: OutputVariant = (inner, output) => ({
  nodes: [
    node('Gather', ['x', 'j'], ['xj'], [intAttribute('axis', 1)]),
    node('Floor', ['xj'], ['fl']),
    node('Sub', ['fl', 'xj'], ['negFrac']),
    node('Sqrt', ['negFrac'], ['nanIfFrac']),
    node('Add', [inner, 'nanIfFrac'], [output]),
  ],
  initializers: [tensor('j', [1], BigInt64Array.of(BigInt(PIXEL)))],
});

const unsqueeze2: OutputVariant = (inner, output) =>
  opsetOf(leakyDigits) >= 13
    ? {
        nodes: [node('Unsqueeze', [inner, 'axes'], [output])],
        initializers: [tensor('axes', [1], BigInt64Array.of(2n))],
        outputInfo: valueInfo(output, ELEM.float, ['batch', 10, 1]),
      }
    : {
        nodes: [node('Unsqueeze', [inner], [output], [intsAttribute('axes', [2])])],
        outputInfo: valueInfo(output, ELEM.float, ['batch', 10, 1]),
      };

function variantFile(dir: string, base: Uint8Array, output: string, variant: OutputVariant): string {
  const file = path.join(dir, 'model.onnx');
  writeFileSync(
    file,
    wrapOutput(base, output, (inner) => variant(inner, output)),
  );
  return file;
}

async function gate(policy: string) {
  const out = sink();
  const err = sink();
  const code = await cli(
    ['run', '--policy', policy, '--out', path.join(path.dirname(policy), 'out'), '--root', path.dirname(policy), '--root', process.cwd()],
    out.stream,
    err.stream,
  );
  return { code, stderr: err.text() };
}

function digitsPolicy(dir: string, variant: OutputVariant, probes = 'membership:\n    attacks: [loss, confidence]'): string {
  variantFile(dir, leakyDigits, 'probabilities', variant);
  const file = path.join(dir, 'policy.yml');
  writeFileSync(
    file,
    `version: 1\nname: variant\nextends: standard\nseed: 42\nmodel: { path: model.onnx, output: probabilities }\ndata:\n  members: { path: ${digits}/data/members.csv }\n  non-members: { path: ${digits}/data/non-members.csv }\n  label: digit\n  features: "pixel_*"\nprobes:\n  ${probes}\n`,
  );
  return file;
}

/** Lines (1-based, header = 1) of members.csv whose pixel j is 0. */
function zeroLines(j: number): number[] {
  const lines = readFileSync(path.join(digits, 'data/members.csv'), 'utf8').trim().split('\n');
  const col = lines[0]!.split(',').indexOf(`pixel_${j}`);
  return lines.flatMap((line, i) => (i > 0 && Number(line.split(',')[col]) === 0 ? [i + 1] : []));
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'privacy-gate-degenerate-'));
const members = readFileSync(path.join(digits, 'data/members.csv'), 'utf8').trim().split('\n').length - 1;

describe('non-finite model outputs (issue 8, item 1): exit 2 naming the model, the output, the rows and the first row', () => {
  it.each([
    { name: 'NaN on every row (× NaN)', variant: addConstant(NaN), value: 'NaN', rows: members, line: 2 },
    { name: '+Infinity on every row', variant: addConstant(Infinity), value: 'Infinity', rows: members, line: 2 },
    { name: '−Infinity on every row', variant: addConstant(-Infinity), value: '-Infinity', rows: members, line: 2 },
    {
      name: 'NaN on a third of the rows',
      variant: nanWhereZero(PIXEL),
      value: 'NaN',
      rows: zeroLines(PIXEL).length,
      line: zeroLines(PIXEL)[0]!,
    },
  ])('$name', async ({ variant, value, rows, line }) => {
    const dir = tempDir();
    const result = await gate(digitsPolicy(dir, variant));
    expect(result.code, result.stderr).toBe(2);
    const first = result.stderr.split('\n')[0]!;
    expect(first).toContain(path.join(dir, 'model.onnx'));
    expect(first).toContain(
      `model output "probabilities" holds non-finite values (${value}) in ${rows} of ${members} rows queried, the first at line ${line} of ${path.join(digits, 'data/members.csv')} (members)`,
    );
  });

  it('a third of the rows is really a third, so a partial NaN is not a corner case', () => {
    expect(zeroLines(PIXEL).length / members).toBeGreaterThan(0.3);
    expect(zeroLines(PIXEL).length).toBeLessThan(members);
  });

  it('a probe’s synthetic queries are named instead of a line (label-stability noise)', async () => {
    const dir = tempDir();
    const result = await gate(digitsPolicy(dir, nanOffIntegers, 'membership:\n    attacks: [gap, label-stability]'));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(
      /holds non-finite values \(NaN\) in \d+ of \d+ rows queried, the first in row \d+ of the membership probe's label-stability queries \(noisy copies of the members\) \(synthetic inputs, not from a data file\)/,
    );
  });

  it('the ObservedModel names the inversion search as the source of its queries', async () => {
    const dir = tempDir();
    const file = variantFile(dir, leakyDigits, 'probabilities', addConstant(NaN));
    const model = new ObservedModel(await openOnnxClassifier({ path: file, task: 'classification', scores: 'auto' }), {
      scores: 'full',
      topK: 0,
    });
    const error = await model.query(new Float32Array(3 * 64), 3, { probe: "the inversion probe's search" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteOutput);
    expect((error as NonFiniteOutput).message).toContain("in 3 of 3 rows queried, the first in row 1 of the inversion probe's search");
    expect((error as NonFiniteOutput).location).toEqual({ file, field: 'model.output' });
  });

  it.each([
    { name: 'NaN', value: NaN },
    { name: '+Infinity', value: Infinity },
  ])('a regression model answering $name is refused the same way', async ({ value }) => {
    const dir = tempDir();
    variantFile(dir, leakyWages, 'wage', addConstant(value));
    const policy = readFileSync(path.join(wages, 'policy.yml'), 'utf8')
      .replace(/path: leaky\.onnx/, 'path: model.onnx')
      .replaceAll('data/', `${wages}/data/`);
    writeFileSync(path.join(dir, 'policy.yml'), policy);
    const result = await gate(path.join(dir, 'policy.yml'));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `model output "wage" holds non-finite values \\(${String(value).replace('+', '')}\\) in \\d+ of \\d+ rows queried, the first (at line \\d+ of \\S+ \\((members|non-members)\\)|in row 1 of the attribute-inference probe's candidate queries)`,
      ),
    );
  });
});

describe('wrong output rank (issue 8, item 2): exit 2 with the shape', () => {
  it('the leaky model wrapped in Unsqueeze(axis 2), declared [batch, 10, 1], is refused at load, not read as a 2-class model', async () => {
    const dir = tempDir();
    const result = await gate(digitsPolicy(dir, unsqueeze2));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(
      `${path.join(dir, 'model.onnx')} (model.output): model output "probabilities" is declared with shape [batch, 10, 1]; expected [batch, classes], [batch] or [batch, 1]`,
    );
  });

  it('an output declared without a shape is checked on its first (class-discovery) batch, with its real shape', async () => {
    const dir = tempDir();
    const shapeless: OutputVariant = (inner, output) => ({ ...unsqueeze2(inner, output), outputInfo: valueInfo(output, ELEM.float, []) });
    const file = variantFile(dir, leakyDigits, 'probabilities', shapeless);
    const error = await openOnnxClassifier({ path: file, task: 'classification', scores: 'auto', output: 'probabilities' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^model output "probabilities" (has shape \[1, 10, 1\] on a batch of 1 rows|is declared with shape \[\w+, 10, 1\]);/,
    );
  });

  it.each([
    { name: '[batch, 10]', dims: ['batch', 10] },
    { name: '[batch]', dims: ['batch'] },
  ])('accepts a declared $name output of the right real shape', async ({ dims }) => {
    const dir = tempDir();
    const identity: OutputVariant = (inner, output) => ({
      nodes:
        dims.length === 1
          ? [node('ReduceMax', [inner], [output], [intsAttribute('axes', [1]), intAttribute('keepdims', 0)])]
          : [node('Identity', [inner], [output])],
      outputInfo: valueInfo(output, ELEM.float, dims),
    });
    const file = variantFile(dir, leakyDigits, 'probabilities', identity);
    const model = await openOnnxClassifier({ path: file, task: 'classification', scores: 'auto', output: 'probabilities' });
    const answer = await model.predict(new Float32Array(3 * 64), 3);
    expect(answer.values.length).toBe(3 * model.info.classCount);
  });
});
