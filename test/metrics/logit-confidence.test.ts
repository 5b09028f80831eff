import { describe, expect, it } from 'vitest';
import { logitConfidence, logSigmoid, PHI_LIMIT, PROBABILITY_FLOOR } from '../../src/metrics/logit-confidence';
import { logSoftmaxRows } from '../../src/model/scores';
import { scoreAttack } from '../../src/probes/membership/scores';

const logProbabilities = (logits: number[], classes: number): Float64Array => {
  const out = new Float64Array(logits.length);
  logSoftmaxRows(logits, logits.length / classes, classes, out);
  return out;
};

describe('logitConfidence', () => {
  it.each([
    // φ = z_y − logsumexp_{c≠y} z_c
    { name: 'three logits', logits: [2, 0, -1], y: 0, phi: 2 - Math.log(1 + Math.exp(-1)) },
    { name: 'true class not the top', logits: [2, 0, -1], y: 2, phi: -1 - Math.log(Math.exp(2) + 1) },
    { name: 'two classes: z_1 − z_0', logits: [0.5, 3], y: 1, phi: 2.5 },
    // p_y = 1 − 1e-30 in float64 would round to 1; from the logits φ is exact
    { name: 'confident beyond float64 probabilities', logits: [80, 10, 11], y: 0, phi: 80 - (11 + Math.log1p(Math.exp(-1))) },
  ])('from logits: $name', ({ logits, y, phi }) => {
    const k = logits.length;
    const got = logitConfidence({ scale: 'log', values: logProbabilities(logits, k) }, k, Int32Array.of(y));
    expect(got[0]).toBeCloseTo(phi, 12);
  });

  it("equals the membership probe's confidence score on the log scale", () => {
    const logits = [3, 1, 0.2, -4, 9, 9.5, 0, 0, 0, 40, -40, 0];
    const lp = logProbabilities(logits, 3);
    const truth = Int32Array.from([0, 2, 1, 0]);
    expect(Array.from(logitConfidence({ scale: 'log', values: lp }, 3, truth))).toEqual(
      Array.from(scoreAttack('confidence', { scale: 'log', values: lp }, 3, truth)),
    );
  });

  it.each([
    { name: 'p = 0.8', p: [0.8, 0.15, 0.05], y: 0, phi: Math.log(4) },
    { name: 'p = 0.5', p: [0.5, 0.5], y: 1, phi: 0 },
    // 1 − p_y is the others' sum: p_y = 1 − 2e−12 keeps log(1e−12) precision
    { name: 'p near 1', p: [1 - 2e-12, 1e-12, 1e-12], y: 0, phi: Math.log(1 - 2e-12) - Math.log(2e-12) },
    { name: 'p_y = 1 exactly (others 0): floored', p: [1, 0, 0], y: 0, phi: -Math.log(PROBABILITY_FLOOR) },
    { name: 'p_y = 0: floored', p: [0, 1], y: 0, phi: Math.log(PROBABILITY_FLOOR) },
  ])('from probabilities: $name', ({ p, y, phi }) => {
    const got = logitConfidence({ scale: 'probability', values: Float64Array.from(p) }, p.length, Int32Array.of(y));
    expect(got[0]).toBeCloseTo(phi, 9);
  });

  it('reads an infinite φ (nothing left for the others) as ±PHI_LIMIT', () => {
    const lp = Float64Array.from([0, -Infinity, 0, -Infinity]);
    expect(logitConfidence({ scale: 'log', values: lp }, 2, Int32Array.from([0, 1]))).toEqual(Float64Array.from([PHI_LIMIT, -PHI_LIMIT]));
  });

  it.each([
    { name: 'a NaN (hidden) score', values: [0.5, NaN], y: 0, message: /row 0: a score is NaN/ },
    { name: 'a class out of range', values: [0.5, 0.5], y: 2, message: /row 0: class 2 is not in 0..1/ },
  ])('rejects $name', ({ values, y, message }) => {
    expect(() => logitConfidence({ scale: 'probability', values: Float64Array.from(values) }, 2, Int32Array.of(y))).toThrow(message);
  });

  it.each([0, 1, -1, 30, -30, 800, -800])('logSigmoid(%d) = log(1 / (1 + e^−φ)) without overflow', (phi) => {
    const expected = phi > 700 ? -Math.exp(-phi) : phi < -700 ? phi : -Math.log(1 + Math.exp(-phi));
    expect(logSigmoid(phi)).toBeCloseTo(expected, 12);
  });
});
