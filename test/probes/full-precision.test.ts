/**
 * Issue 15: scores at full precision. A logits model whose confident rows saturate in float32
 * (test/fixtures/saturating: the logits are the data, fed through an Identity model) must be
 * measured as an attacker with the logits would measure it, in float64; the expected AUCs come
 * from make_saturating.py (numpy), not from this code. The float32 ties come back only when the
 * surface declares `precision: float32`, or from a model that outputs float32 probabilities.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/run/gate';
import { ELEM, intAttribute, model, node, valueInfo } from '../helpers/onnx-proto';

const fixture = path.resolve(__dirname, '../fixtures/saturating');
const expected = JSON.parse(readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as {
  float64: Record<string, number>;
  float32: Record<string, number>;
  saturated: Record<string, number>;
};
const ATTACKS = ['loss', 'confidence', 'entropy', 'modified-entropy'];

/** x [batch, 3] → logits = x, or probabilities = softmax(x) computed by onnxruntime in float32. */
function writeModel(dir: string, kind: 'logits' | 'probabilities'): string {
  const file = path.join(dir, `${kind}.onnx`);
  const op = kind === 'logits' ? node('Identity', ['x'], ['scores']) : node('Softmax', ['x'], ['scores'], [intAttribute('axis', 1)]);
  writeFileSync(
    file,
    model({ nodes: [op], inputs: [valueInfo('x', ELEM.float, ['batch', 3])], outputs: [valueInfo('scores', ELEM.float, ['batch', 3])] }),
  );
  return file;
}

async function aucs(kind: 'logits' | 'probabilities', surface: string): Promise<Record<string, number>> {
  const report = await gateReport(kind, surface);
  const attacks = report.probes[0]!.attacks as Array<{ attack: string; metrics: Record<string, { value: number }> }>;
  return Object.fromEntries(attacks.map((a) => [a.attack, a.metrics['auc']!.value]));
}

async function gateReport(kind: 'logits' | 'probabilities', surface: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-precision-'));
  writeModel(dir, kind);
  const policy = path.join(dir, 'policy.yml');
  writeFileSync(
    policy,
    [
      'version: 1',
      'name: saturating logits',
      'extends: standard',
      `model: { path: ${kind}.onnx, scores: ${kind} }`,
      'data:',
      `  members: { path: ${path.join(fixture, 'members.csv')} }`,
      `  non-members: { path: ${path.join(fixture, 'non-members.csv')} }`,
      '  label: label',
      `surface: ${surface}`,
      'probes:',
      '  membership:',
      `    attacks: [${ATTACKS.join(', ')}]`,
      // 300 non-members cannot resolve the preset's TPR at FPR 1%; this test is about the AUCs.
      'gate: { insufficient: warn }',
      '',
    ].join('\n'),
  );
  const report = await runGate(policy, { roots: [dir, process.cwd()] });
  expect(report.error?.message).toBeUndefined();
  return report;
}

describe('membership scores at full precision (issue 15)', () => {
  it('the fixture saturates: most rows round to p_y = 1 in float32, and that moves the loss AUC', () => {
    expect(expected.saturated['members']).toBeGreaterThan(150);
    expect(expected.saturated['non-members']).toBeGreaterThan(100);
    expect(expected.float64['loss']! - expected.float32['loss']!).toBeGreaterThan(0.02);
  });

  it('from logits, every score attack gives the AUC computed independently in float64', async () => {
    const got = await aucs('logits', '{ scores: full }');
    for (const attack of ATTACKS) expect(got[attack], attack).toBeCloseTo(expected.float64[attack]!, 9);
  });

  it('with precision: float32 the same logits give the float32 ties back', async () => {
    const got = await aucs('logits', '{ scores: full, precision: float32 }');
    for (const attack of ATTACKS) expect(got[attack], attack).toBeCloseTo(expected.float32[attack]!, 9);
  });

  it('the probabilities twin (softmax inside the model, float32) shows the float32 ties, used as revealed', async () => {
    const got = await aucs('probabilities', '{ scores: full, precision: float32 }');
    const plain = await aucs('probabilities', '{ scores: full }');
    expect(plain).toEqual(got); // float32 probabilities are already float32: the declaration changes nothing
    // onnxruntime's float32 softmax saturates a little earlier (margin ≈ 16.6, not 17.3) than
    // float32-rounded exact probabilities, so it ties even more rows: as revealed, not repaired.
    expect(got['loss']).toBe(got['confidence']);
    expect(got['loss']!).toBeLessThan(expected.float32['loss']! + 1e-9);
    expect(expected.float64['loss']! - got['loss']!).toBeGreaterThan(0.02);
  });

  it('counts the rows whose p_y is exactly 1 as the numpy script does, and none from full-precision logits', async () => {
    const float32 = await gateReport('logits', '{ scores: full, precision: float32 }');
    for (const attack of float32.probes[0]!.attacks) {
      expect(attack.details?.saturated, attack.attack).toEqual({
        members: expected.saturated['members'],
        nonMembers: expected.saturated['non-members'],
      });
    }
    // loss and confidence tie every saturated row at their top score (and nothing else there).
    const loss = float32.probes[0]!.attacks.find((a) => a.attack === 'loss')!;
    expect(loss.details?.topTie).toEqual({
      score: 0,
      members: expected.saturated['members'],
      nonMembers: expected.saturated['non-members'],
    });
    const float64 = await gateReport('logits', '{ scores: full }');
    for (const attack of float64.probes[0]!.attacks) expect(attack.details?.saturated, attack.attack).toBeUndefined();
  });
});
