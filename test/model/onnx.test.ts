import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { openOnnxClassifier } from '../../src/model/onnx';
import { logSoftmaxRows } from '../../src/model/scores';
import type { ClassScores } from '../../src/model/types';
import type { ModelSettings } from '../../src/policy/types';

const dir = path.resolve(__dirname, '../fixtures/models');
const settings = (file: string, extra: Partial<ModelSettings> = {}): ModelSettings => ({
  path: path.join(dir, file),
  task: 'classification',
  scores: 'auto',
  ...extra,
});
const expected = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

/** The model's answer as probabilities (a softmax of logits), for comparison with the reference. */
function probabilities(answer: ClassScores, width: number): Float64Array {
  if (answer.kind === 'probabilities') return Float64Array.from(answer.values);
  const rows = answer.values.length / width;
  const lp = new Float64Array(answer.values.length);
  logSoftmaxRows(answer.values, rows, width, lp);
  return lp.map(Math.exp);
}

function expectRowsClose(answer: ClassScores, rows: number[][], digits: number) {
  const width = rows[0]!.length;
  const actual = probabilities(answer, width);
  rows.forEach((row, r) => row.forEach((v, c) => expect(actual[r * width + c]).toBeCloseTo(v, digits)));
}

describe('ONNX adapter', () => {
  it('reads a PyTorch export with logits: detects them and matches torch.softmax', async () => {
    const want = expected('torch-logits.expected.json');
    const model = await openOnnxClassifier(settings('torch-logits.onnx'));
    const probs = await model.predict(Float32Array.from(want.inputs.flat()), want.inputs.length);
    expect(model.info).toMatchObject({ input: 'input', output: 'logits', featureCount: 4, classCount: 3, scoreKind: 'logits' });
    expect(model.info.scoreKindReason).toMatch(/detected on the first batch/);
    expectRowsClose(probs, want.probabilities, 5);
    expect(model.queries).toBe(want.inputs.length);
  });

  it('takes the policy’s word over detection', async () => {
    const model = await openOnnxClassifier(settings('probabilities.onnx', { scores: 'logits' }));
    expect(model.info.scoreKind).toBe('logits');
    expect(model.info.scoreKindReason).toMatch(/policy/);
  });

  it.each([
    { file: 'zipmap.onnx', classes: ['10', '20', '30'] },
    { file: 'zipmap-strings.onnx', classes: ['setosa', 'versicolor', 'virginica'] },
  ])('reads sklearn-onnx ZipMap output ($file) with its class labels', async ({ file, classes }) => {
    const want = expected('zipmap.expected.json')[file];
    const model = await openOnnxClassifier(settings(file));
    expect(model.info.classLabels).toEqual(classes);
    expect(model.info.output).toBe('output_probability');
    const probs = await model.predict(Float32Array.from(want.inputs.flat()), want.inputs.length);
    expectRowsClose(probs, want.probabilities, 5);
    expect(model.queries).toBe(want.inputs.length);
    expect(model.info.scoreKindReason).toMatch(/feeds the ZipMap/);
  });

  it('keeps several float32 scores per row in float32, exactly as the model output them', async () => {
    const want = expected('probabilities.expected.json');
    const model = await openOnnxClassifier(settings('probabilities.onnx'));
    const answer = await model.predict(Float32Array.from(want.inputs.flat()), want.inputs.length);
    expect(answer.values).toBeInstanceOf(Float32Array);
    expectRowsClose(answer, want.probabilities, 6);
  });

  it('a query of no rows asks the model nothing', async () => {
    const model = await openOnnxClassifier(settings('probabilities.onnx'));
    const before = model.queries;
    expect((await model.predict(new Float32Array(0), 0)).values).toHaveLength(0);
    expect(model.queries).toBe(before);
  });

  it('batches: results do not depend on the batch size', async () => {
    const want = expected('torch-logits.expected.json');
    const x = Float32Array.from(want.inputs.flat());
    const whole = await (await openOnnxClassifier(settings('torch-logits.onnx'))).predict(x, want.inputs.length);
    const small = await (await openOnnxClassifier(settings('torch-logits.onnx'), { batchSize: 2 })).predict(x, want.inputs.length);
    expect(small).toEqual(whole);
  });

  it.each([
    {
      name: 'several inputs and none chosen',
      s: settings('two-inputs.onnx'),
      message: /has 2 inputs .*set model\.input/,
      field: 'model.input',
    },
    {
      name: 'an unknown input name',
      s: settings('probabilities.onnx', { input: 'pixels' }),
      message: /no input "pixels"; its inputs are: "x" \(float32 \[N, 4\]\)/,
      field: 'model.input',
    },
    {
      name: 'an unknown output name',
      s: settings('probabilities.onnx', { output: 'nope' }),
      message: /no output "nope"; its outputs are: "probs" \(float32 \[N, 3\]\)/,
      field: 'model.output',
    },
    {
      name: 'an output name in the wrong case, with a did-you-mean',
      s: settings('torch-logits.onnx', { output: 'Logits' }),
      message: /no output "Logits" \(did you mean "logits"\?\); its outputs are: "logits" \(float32 \[batch, 3\]\)/,
      field: 'model.output',
    },
    {
      name: 'a file that is not ONNX',
      s: settings('torch-logits.expected.json'),
      message: /cannot load the ONNX model/,
      field: 'model.path',
    },
  ])('rejects $name with an input error naming the field', async ({ s, message, field }) => {
    const error = await openOnnxClassifier(s).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(message);
    expect((error as InputError).location).toMatchObject({ file: s.path, field });
  });
});
