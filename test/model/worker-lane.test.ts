/**
 * The candidate runs on one single-thread session per core, the others in worker threads
 * (src/model/worker-lane.ts): the same numbers as one session, batches answered by the workers
 * counted, non-finite rows found whichever session answered them, and a process with an idle
 * worker still exits by itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NonFiniteOutput } from '../../src/model/non-finite';
import { openOnnxClassifier, openOnnxRegressor } from '../../src/model/onnx';
import type { ModelSettings } from '../../src/policy/types';
import { Rng } from '../../src/util/random';
import { intAttribute, node, tensor, wrapOutput } from '../helpers/onnx-proto';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/models');
const digits = path.join(root, 'examples/digits/leaky.onnx');
const settings = (file: string, task: ModelSettings['task'] = 'classification'): ModelSettings => ({ path: file, task, scores: 'auto' });
const cores = availableParallelism();

function features(rows: number, width: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * width }, () => rng.int(17));
}

/** Resolves once every worker session has answered or failed to open (a worker starts as the model opens). */
async function settled(model: { workerRows: number }, query: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 50 && model.workerRows === 0; i++) {
    await query();
    if (model.workerRows === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(cores >= 2)('worker sessions beside the main one', () => {
  it.each([
    { name: 'digits MLP (probabilities)', file: digits, width: 64 },
    { name: 'PyTorch logits', file: path.join(fixtures, 'torch-logits.onnx'), width: 4 },
  ])('$name: the same scores as one session, with workers answering part of the batches', async ({ file, width }) => {
    const rows = 4000;
    const x = features(rows, width, 7);
    const single = await openOnnxClassifier(settings(file), { batchSize: 64 });
    const expected = await single.predict(x, rows);
    const parallel = await openOnnxClassifier(settings(file), { batchSize: 64, workers: true });
    await settled(parallel, () => parallel.predict(x.subarray(0, 640 * width), 640));
    const before = parallel.queries;
    const answer = await parallel.predict(x, rows);
    expect(parallel.workerRows).toBeGreaterThan(0);
    expect(parallel.queries - before).toBe(rows);
    expect(answer.kind).toBe(expected.kind);
    expect(answer.values).toEqual(expected.values);
  });

  it('a regression model: the same values', async () => {
    const file = path.join(fixtures, 'linear-regression.onnx');
    const width = JSON.parse(readFileSync(path.join(fixtures, 'linear-regression.expected.json'), 'utf8')).inputs[0].length;
    const x = features(3000, width, 3);
    const expected = await (await openOnnxRegressor(settings(file, 'regression'), { batchSize: 32 })).predict(x, 3000);
    const parallel = await openOnnxRegressor(settings(file, 'regression'), { batchSize: 32, workers: true });
    await settled(parallel, () => parallel.predict(x.subarray(0, 320 * width), 320));
    expect(await parallel.predict(x, 3000)).toEqual(expected);
    expect(parallel.workerRows).toBeGreaterThan(0);
  });

  it('NaN rows are counted over every session, and the first one named is the first in the query', async () => {
    // output × (x₀ / x₀): NaN exactly where feature 0 is 0.
    const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-lanes-'));
    const file = path.join(dir, 'nan.onnx');
    writeFileSync(
      file,
      wrapOutput(readFileSync(digits), 'probabilities', (inner) => ({
        nodes: [
          node('Gather', ['x', 'j'], ['xj'], [intAttribute('axis', 1)]),
          node('Div', ['xj', 'xj'], ['ratio']),
          node('Mul', [inner, 'ratio'], ['probabilities']),
        ],
        initializers: [tensor('j', [1], BigInt64Array.of(0n))],
      })),
    );
    const rows = 3000;
    const x = features(rows, 64, 5).map((v) => v + 1);
    const zeros = [2100, 2101, 777, 2999];
    for (const r of zeros) x[r * 64] = 0;
    const model = await openOnnxClassifier(settings(file, 'classification'), { batchSize: 50, workers: true });
    await settled(model, () => model.predict(x.subarray(0, 500 * 64), 500));
    const error = await model.predict(x, rows).catch((e: unknown) => e);
    expect(model.workerRows).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(NonFiniteOutput);
    expect((error as NonFiniteOutput).found).toMatchObject({ count: zeros.length, first: 777 });
  });

  it('a process whose worker session sits idle exits by itself', () => {
    const script = `
      import { openOnnxClassifier } from ${JSON.stringify(path.join(root, 'src/model/onnx.ts'))};
      const model = await openOnnxClassifier({ path: ${JSON.stringify(digits)}, task: 'classification', scores: 'auto' }, { batchSize: 64, workers: true });
      const answer = await model.predict(new Float32Array(640 * 64), 640);
      console.log(answer.values.length);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('6400');
    expect(child.status).toBe(0);
  });
});
