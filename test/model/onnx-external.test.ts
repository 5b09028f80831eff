/**
 * ONNX external data (src/model/onnx-external.ts): the tensors a model keeps in other files are
 * found at the wire level, the model loads and answers as with its weights inside, and a
 * location that leaves the model's folder, is absolute, is missing or is a link out is refused
 * (exit 2) before onnxruntime reads it.
 */
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { openOnnxClassifier } from '../../src/model/onnx';
import { externalDataFiles, externalTensors } from '../../src/model/onnx-external';

const models = path.resolve('test/fixtures/models');
const LOCATION = 'probabilities-external.weights';
const expected = JSON.parse(readFileSync(path.join(models, 'probabilities.expected.json'), 'utf8')) as {
  inputs: number[][];
  probabilities: number[][];
};

/** The external fixture in a fresh folder, its location rewritten to `location` (same length: the protobuf lengths stay valid). */
function variant(location: string): { dir: string; model: string } {
  expect(location.length).toBe(LOCATION.length);
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-external-'));
  const bytes = readFileSync(path.join(models, 'probabilities-external.onnx')).toString('latin1').replaceAll(LOCATION, location);
  const model = path.join(dir, 'model.onnx');
  writeFileSync(model, Buffer.from(bytes, 'latin1'));
  return { dir, model };
}

describe('external data', () => {
  it('finds each tensor kept outside the model file, and none in a model that holds its weights', () => {
    const tensors = externalTensors(readFileSync(path.join(models, 'probabilities-external.onnx')));
    expect(tensors).toEqual([
      { tensor: 'coef', location: LOCATION },
      { tensor: 'intercept', location: LOCATION },
    ]);
    expect(externalTensors(readFileSync(path.join(models, 'probabilities.onnx')))).toEqual([]);
  });

  it('loads the model with its weights from the external file: the same probabilities as with them inside', async () => {
    const model = await openOnnxClassifier({
      path: path.join(models, 'probabilities-external.onnx'),
      task: 'classification',
      scores: 'auto',
    });
    const rows = expected.inputs.slice(0, 8);
    const { values } = await model.predict(Float32Array.from(rows.flat()), rows.length);
    rows.forEach((_, r) => expected.probabilities[r]!.forEach((p, c) => expect(values[r * 3 + c]).toBeCloseTo(p, 6)));
    expect(externalDataFiles(path.join(models, 'probabilities-external.onnx'))).toEqual([path.join(models, LOCATION)]);
  });

  it.each([
    { name: 'a parent folder', location: '../probabilities-external.weig', why: /leaves the model’s folder/ },
    { name: 'an absolute path', location: '/tmp/probabilities-external.we', why: /is not a relative path/ },
    { name: 'a missing file', location: 'probabilities-external.weightz', why: /is not a file/ },
  ])('refuses $name as a location, naming the tensor, before onnxruntime reads it', async ({ location, why }) => {
    const { dir, model } = variant(location);
    // Whatever the location names exists where it points, so only the gate's own check can refuse it.
    writeFileSync(path.join(dir, '..', path.basename(location)), readFileSync(path.join(models, LOCATION)));
    const open = openOnnxClassifier({ path: model, task: 'classification', scores: 'auto' });
    await expect(open).rejects.toThrow(InputError);
    await expect(openOnnxClassifier({ path: model, task: 'classification', scores: 'auto' })).rejects.toThrow(
      new RegExp(`stores tensor "\\w+" in external data at "${location.replace(/[./]/g, '\\$&')}", which ${why.source}`),
    );
  });

  it('refuses a link that leads out of the model folder', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'privacy-gate-outside-'));
    copyFileSync(path.join(models, LOCATION), path.join(outside, 'secret.bin'));
    const { dir, model } = variant(LOCATION);
    symlinkSync(path.join(outside, 'secret.bin'), path.join(dir, LOCATION));
    expect(() => externalDataFiles(model)).toThrow(/is a link out of the model’s folder/);
  });
});
