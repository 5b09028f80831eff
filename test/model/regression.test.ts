import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, RuntimeFailure } from '../../src/errors';
import { openOnnxRegressor } from '../../src/model/onnx';
import { numericTargets, observeValues } from '../../src/model/regression';
import { ObservedModel } from '../../src/model/surface';
import type { ModelSettings } from '../../src/policy/types';

const dir = path.resolve(__dirname, '../fixtures/models');
const settings = (file: string, extra: Partial<ModelSettings> = {}): ModelSettings =>
  ({ path: path.join(dir, file), task: 'regression', scores: 'auto', ...extra }) as ModelSettings;
const want = JSON.parse(readFileSync(path.join(dir, 'linear-regression.expected.json'), 'utf8')) as {
  inputs: number[][];
  outputs: number[];
};

describe('ONNX regression adapter', () => {
  it('returns one value per row, equal to the weights applied by hand, and counts queries', async () => {
    const model = await openOnnxRegressor(settings('linear-regression.onnx'));
    expect(model.info).toMatchObject({ input: 'x', output: 'y', featureCount: 3 });
    const y = await model.predict(Float32Array.from(want.inputs.flat()), want.inputs.length);
    expect([...y]).toEqual(want.outputs.map((v) => Math.fround(v)));
    expect(model.queries).toBe(want.inputs.length);
  });

  it('batches: results do not depend on the batch size', async () => {
    const x = Float32Array.from(want.inputs.flat());
    const small = await openOnnxRegressor(settings('linear-regression.onnx'), { batchSize: 2 });
    const whole = await openOnnxRegressor(settings('linear-regression.onnx'));
    expect([...(await small.predict(x, 5))]).toEqual([...(await whole.predict(x, 5))]);
    expect(small.queries).toBe(5);
  });

  it('rejects a model with several values per row, naming model.output', async () => {
    const error = await openOnnxRegressor(settings('torch-logits.onnx')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.field).toBe('model.output');
    expect((error as InputError).message).toMatch(/3 values per row.*one predicted value per row/);
  });
});

describe('regression surface', () => {
  it('rounds revealed values to the surface decimals, and only then', () => {
    const v = Float32Array.from([1.2345, -0.0051, 7]);
    expect([...observeValues(v, { scores: 'full', topK: 0, decimals: 2 })]).toEqual([1.23, -0.01, 7].map(Math.fround));
    expect([...observeValues(v, { scores: 'full', topK: 0 })]).toEqual([...v]);
  });

  it('an ObservedModel around a regressor answers values() and refuses query()', async () => {
    const regressor = await openOnnxRegressor(settings('linear-regression.onnx'));
    const observed = new ObservedModel(regressor, { scores: 'full', topK: 0, decimals: 0 });
    expect(observed.task).toBe('regression');
    expect(observed.classCount).toBe(0);
    const values = await observed.values(Float32Array.from([0.3, 0, 0]), 1, { probe: 'test' });
    expect([...values]).toEqual([4]); // 3.6 rounded
    await expect(observed.query(Float32Array.from([0, 0, 0]), 1, { probe: 'test' })).rejects.toBeInstanceOf(RuntimeFailure);
    expect(observed.queries).toBe(1);
  });
});

describe('numericTargets', () => {
  const data = (labels: string[]) => ({
    role: 'members',
    file: '/data/m.csv',
    features: ['a'],
    x: new Float32Array(labels.length),
    labels,
    rows: labels.length,
    rowsInFile: labels.length,
  });

  it('parses the label column', () => {
    expect([...numericTargets(data(['1.5', ' -2 ', '1e3']), 'wage')]).toEqual([1.5, -2, 1000]);
  });

  it.each(['', 'abc', 'NaN', 'Infinity'])('rejects %j with the row and column', (bad) => {
    const error = (() => {
      try {
        numericTargets(data(['1', bad]), 'wage');
      } catch (e) {
        return e;
      }
    })() as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/row 2 of the members used.*not a number/);
    expect(error.location).toEqual({ file: '/data/m.csv', field: 'wage' });
  });
});
