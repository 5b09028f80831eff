/**
 * The attribute-inference probe against a real ONNX regression model (onnxruntime):
 * y = 2·x0 + 5·x1 − x2 + 3 (test/fixtures/models/linear-regression.onnx), with x1 the binary
 * sensitive attribute.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOnnxRegressor } from '../../src/model/onnx';
import { ObservedModel } from '../../src/model/surface';
import type { AttributeInferenceSettings, ModelSettings, SurfaceSettings } from '../../src/policy/types';
import { attributeInferenceProbe } from '../../src/probes/attribute-inference/family';
import type { LabelledData, ProbeContext } from '../../src/probes/types';
import { runGate } from '../../src/run/gate';
import { SignalCache } from '../../src/run/signals';
import { Rng } from '../../src/util/random';

const MODEL: ModelSettings = {
  path: path.resolve(__dirname, '../fixtures/models/linear-regression.onnx'),
  task: 'regression',
  scores: 'auto',
};
const HERE = { file: '/policy.yml', line: 1, column: 1 };

/** Records with the fixture's true relation plus Gaussian noise of standard deviation `noise`. */
function records(role: string, rows: number, seed: number, noise: number): LabelledData {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * 3);
  const targets = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = [3 * rng.next(), rng.next() < 0.4 ? 1 : 0, rng.normal()];
    x.set(row, r * 3);
    targets[r] = 2 * Math.fround(row[0]!) + 5 * row[1]! - Math.fround(row[2]!) + 3 + noise * rng.normal();
  }
  return {
    role,
    file: `/${role}.csv`,
    features: ['x0', 'x1', 'x2'],
    x,
    labels: [...targets].map(String),
    rows,
    rowsInFile: rows,
    classes: new Int32Array(rows),
    targets,
  };
}

const settings = (extra: Partial<AttributeInferenceSettings> = {}): AttributeInferenceSettings => ({
  attribute: 'x1',
  samples: 16,
  observed: 'label',
  prior: 'non-members',
  residualSpread: 'non-members',
  sources: { attribute: HERE },
  thresholds: { lift: { fail: 0.05, source: HERE } },
  ...extra,
});

async function run(surface: SurfaceSettings, extra: Partial<AttributeInferenceSettings> = {}) {
  const model = new ObservedModel(await openOnnxRegressor(MODEL), surface);
  const ctx: ProbeContext = {
    model,
    members: records('members', 500, 1, 1.5),
    nonMembers: records('non-members', 500, 2, 1.5),
    signals: new SignalCache(model),
    seed: 3,
    confidence: 0.95,
  };
  const result = await attributeInferenceProbe.run(ctx, settings(extra));
  return { result, queries: model.queries, metrics: result.attacks[0]!.metrics };
}

describe('attribute inference on an ONNX regression model', () => {
  it('observing the true label: σ ≈ the label noise, and a shift of 5 ≈ 3.3σ is found on most records', async () => {
    const { result, metrics, queries } = await run({ scores: 'full', topK: 0 });
    const sigma = result.attacks[0]!.details!.residualSpread!;
    expect(sigma.value).toBeGreaterThan(1.35);
    expect(sigma.value).toBeLessThan(1.65);
    // Bayes accuracy for two Gaussians 5 apart with σ = 1.5 and prior 0.6/0.4 is about 0.95.
    expect(metrics['member-accuracy']!.value!).toBeGreaterThan(0.9);
    expect(metrics['lift']!.ci[0]).toBeGreaterThan(0.2);
    expect(metrics['auc']!.value!).toBeGreaterThan(0.95);
    // The relation holds for anyone, not just the training records: the lift shows on non-members too.
    const nonMemberLift = result.attacks[0]!.details!.nonMemberLift!;
    const nonMemberBaseline = result.attacks[0]!.details!.nonMemberBaselineAccuracy!.value!;
    expect(nonMemberLift.value).toBeCloseTo(metrics['non-member-accuracy']!.value! - nonMemberBaseline, 12);
    expect(nonMemberLift.ci[0]).toBeGreaterThan(0.2);
    // σ from the 500 non-members, then 2 candidates for each of the 1000 records.
    expect(queries).toBe(500 + 2 * 1000);
  });

  it('observing the rounded model output: the true value reproduces it, σ is the rounding floor', async () => {
    const { result, metrics } = await run({ scores: 'full', topK: 0, decimals: 0 }, { observed: 'model-output' });
    const sigma = result.attacks[0]!.details!.residualSpread!;
    expect(sigma.rms).toBe(0);
    expect(sigma.value).toBeCloseTo(1 / Math.sqrt(12), 12);
    expect(metrics['member-accuracy']!.value).toBe(1);
    expect(metrics['non-member-accuracy']!.value).toBe(1);
    expect(result.notes.join('\n')).toMatch(/reproduces it exactly/);
  });
});

describe('the wages example (examples/wages)', () => {
  const dir = path.resolve(__dirname, '../../examples/wages');
  const audit = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as Record<
    string,
    { union_attack: { lift: number; member_gap: number; members_accuracy: number; non_members_accuracy: number } }
  >;

  it.each([
    { model: 'leaky', policy: 'policy.yml', verdict: 'fail', exitCode: 1 },
    { model: 'hardened', policy: 'hardened.policy.yml', verdict: 'pass', exitCode: 0 },
  ])('$model: verdict $verdict, with the numbers train.py measured in PyTorch', async ({ model, policy, verdict, exitCode }) => {
    const report = await runGate(path.join(dir, policy));
    expect(report.error).toBeUndefined();
    expect([report.verdict, report.exitCode]).toEqual([verdict, exitCode]);
    const metrics = report.probes[0]!.attacks[0]!.metrics;
    const want = audit[model]!.union_attack;
    // Accuracies are counts out of 267: agreeing to half a record means the same count.
    const record = 0.5 / 267;
    expect(Math.abs(metrics['lift']!.value! - want.lift)).toBeLessThan(record);
    expect(Math.abs(metrics['member-gap']!.value! - want.member_gap)).toBeLessThan(record);
    expect(Math.abs(metrics['member-accuracy']!.value! - want.members_accuracy)).toBeLessThan(record);
    expect(Math.abs(metrics['non-member-accuracy']!.value! - want.non_members_accuracy)).toBeLessThan(record);
    if (model === 'leaky') {
      // The leaky model reveals union about its training records only: on non-members the attack
      // does worse than always guessing the most common value (63.3% against 80.1%).
      expect(report.probes[0]!.attacks[0]!.details!.nonMemberLift!.ci[1]).toBeLessThan(0);
    }
  });
});
