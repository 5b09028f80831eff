/**
 * The WebAssembly fallback (onnxruntime-web), forced with PRIVACY_GATE_RUNTIME=wasm, against the
 * native build on the same models: same outputs within float32 rounding, same verdicts, same
 * metrics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { openOnnxClassifier, openOnnxRegressor } from '../../src/model/onnx';
import { describeValue, loadRuntime, RUNTIME_ENV, setRuntimeNotice, type RuntimeKind } from '../../src/model/runtime';
import { openOnnxSequenceModel } from '../../src/model/sequence';
import type { ModelSettings } from '../../src/policy/types';
import type { GateReport } from '../../src/result';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/models');
const digits = path.join(root, 'examples/digits');
const settings = (file: string, extra: Partial<ModelSettings> = {}): ModelSettings => ({
  path: path.join(fixtures, file),
  task: 'classification',
  scores: 'auto',
  ...extra,
});

const initial = process.env[RUNTIME_ENV];
afterEach(() => {
  if (initial === undefined) delete process.env[RUNTIME_ENV];
  else process.env[RUNTIME_ENV] = initial;
});

async function on<T>(kind: RuntimeKind, run: () => Promise<T>): Promise<T> {
  process.env[RUNTIME_ENV] = kind;
  try {
    return await run();
  } finally {
    delete process.env[RUNTIME_ENV];
  }
}

/** The largest difference between two runs' outputs, relative to the larger magnitude (or 1). */
function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!)));
  return worst;
}

/** The rows of a fixture's expected.json as one float32 matrix. */
function inputs(file: string, key?: string): { x: Float32Array; rows: number } {
  const json = JSON.parse(readFileSync(path.join(fixtures, file), 'utf8'));
  const rows: number[][] = (key ? json[key] : json).inputs;
  return { x: Float32Array.from(rows.flat()), rows: rows.length };
}

describe('choosing the runtime', () => {
  it('loads onnxruntime-web when forced, and says so once', async () => {
    const notices: string[] = [];
    setRuntimeNotice((message) => notices.push(message));
    const first = await on('wasm', loadRuntime);
    const second = await on('wasm', loadRuntime);
    expect(first.kind).toBe('wasm');
    expect(second).toBe(first);
    expect(notices).toEqual([expect.stringMatching(/^PRIVACY_GATE_RUNTIME=wasm: running the models on onnxruntime-web \(WebAssembly/)]);
    expect((await on('native', loadRuntime)).kind).toBe('native');
  });

  it('refuses an unknown setting, naming the variable and the choices (exit 2)', async () => {
    process.env[RUNTIME_ENV] = 'gpu';
    const error = await loadRuntime().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/PRIVACY_GATE_RUNTIME is "gpu"; expected one of auto, native, wasm/);
  });

  it('reads an unnamed symbolic dimension the same from both runtimes', () => {
    // onnxruntime-web reports it as 4294967295, which read as a fixed batch of 4 billion rows.
    expect(describeValue({ name: 'x', isTensor: true, type: 'float32', shape: [4294967295, 4] }).shape).toEqual(['', 4]);
    expect(describeValue({ name: 'x', isTensor: true, type: 'float32', shape: ['batch', 64] }).shape).toEqual(['batch', 64]);
  });
});

describe('the same answers on both runtimes', () => {
  it.each([
    { file: 'torch-logits.onnx', rows: 'torch-logits.expected.json' },
    { file: 'probabilities.onnx', rows: 'probabilities.expected.json' },
    // The adapter edits these in memory (the ZipMap's input becomes an output).
    { file: 'zipmap.onnx', rows: 'zipmap.expected.json', key: 'zipmap.onnx' },
    { file: 'zipmap-strings.onnx', rows: 'zipmap.expected.json', key: 'zipmap-strings.onnx' },
  ])('classifier $file', async ({ file, rows: json, key }) => {
    const { x, rows } = inputs(json, key);
    const answer = async () => {
      const model = await openOnnxClassifier(settings(file));
      return { info: model.info, scores: await model.predict(x, rows) };
    };
    const native = await on('native', answer);
    const wasm = await on('wasm', answer);
    expect(wasm.info).toEqual(native.info);
    expect(wasm.scores.kind).toBe(native.scores.kind);
    expect(largestDifference(wasm.scores.values, native.scores.values)).toBeLessThan(1e-6);
  });

  it('regressor', async () => {
    const { x, rows } = inputs('linear-regression.expected.json');
    const answer = async () => (await openOnnxRegressor(settings('linear-regression.onnx', { task: 'regression' }))).predict(x, rows);
    expect(largestDifference(await on('wasm', answer), await on('native', answer))).toBeLessThan(1e-6);
  });

  it('sequence model (int64 token inputs with a mask)', async () => {
    const answer = async () => {
      const model = await openOnnxSequenceModel({ path: path.join(fixtures, 'seq-bigram-mask.onnx'), scores: 'auto' });
      return model.nextLogProbs([[1, 2, 3], [4], [2, 2, 2, 2, 1]].map((ids) => Int32Array.from(ids)));
    };
    const native = await on('native', answer);
    const wasm = await on('wasm', answer);
    expect(largestDifference(wasm, native)).toBeLessThan(1e-6);
  });
});

describe('the same gate run on both runtimes (digits)', () => {
  /** Every check's value and interval, by attack and metric. */
  const figures = (report: GateReport) =>
    Object.fromEntries(
      report.probes.flatMap((p) =>
        p.checks.map((c) => [`${p.id}/${c.attack} ${c.metric}`, { status: c.status, value: c.value, ci: c.ci }]),
      ),
    );

  /**
   * The inversion probe's search follows estimated gradients for thousands of steps, so output
   * differences in the last float32 bit move its end point a little: its figures agree to 1e-4.
   */
  const inversion = (check: string) => (check.startsWith('inversion/') ? 1e-4 : 1e-6);
  it.each([
    // Hardened: its probabilities stay below 1 in float32, so every membership figure agrees within 1e-6.
    { policy: 'hardened.policy.yml', tolerance: inversion },
    // Leaky: the two runtimes' kernels round the last bit differently (FMA, exp), and p_y saturates
    // at 1 in float32 on many training rows, so which rows tie at exactly 1 differs: AUC (ties
    // count ½) moves by up to 6e-4; thresholds, TPR, advantage and ε come out identical.
    { policy: 'leaky.policy.yml', tolerance: (check: string) => (check.endsWith(' auc') ? 1e-3 : inversion(check)) },
  ])('$policy: verdict, statuses and metrics agree', async ({ policy, tolerance }) => {
    const file = path.join(digits, policy === 'leaky.policy.yml' ? 'policy.yml' : policy);
    const native = await on('native', () => runGate(file, { roots: [root] }));
    const wasm = await on('wasm', () => runGate(file, { roots: [root] }));
    expect(wasm.verdict).toBe(native.verdict);
    expect(wasm.queries).toBe(native.queries);
    // The audit record names the runtime the numbers came from, with the installed package's version.
    const version = (name: string) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(native.tool.runtime).toEqual({ kind: 'native', version: version('onnxruntime-node') });
    expect(wasm.tool.runtime).toEqual({ kind: 'wasm', version: version('onnxruntime-web') });
    const [a, b] = [figures(native), figures(wasm)];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const [check, want] of Object.entries(a)) {
      const got = b[check]!;
      expect(got.status, check).toBe(want.status);
      expect(Math.abs(Number(got.value) - Number(want.value)), check).toBeLessThanOrEqual(tolerance(check));
      want.ci.forEach((bound, i) => expect(Math.abs(Number(got.ci[i]) - Number(bound)), check).toBeLessThanOrEqual(tolerance(check)));
    }
  });
});
