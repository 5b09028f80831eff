import { describe, expect, it } from 'vitest';
import { logLikelihoodRatios, rmiaScores } from '../../src/metrics/rmia';
import { expectClose, fixture, inputs } from './reference-fixture';

const logit = (p: number): number => Math.log(p / (1 - p));
const one = (records: number, models: number, phi: number[], target: number[], memberships: number[]) => ({
  target: { records, augmentations: 1, values: Float64Array.from(target) },
  refs: { models, records, augmentations: 1, values: Float64Array.from(phi) },
  memberships: { models, records, values: Int8Array.from(memberships) },
});

describe('rmiaScores against make_expected.py (numpy)', () => {
  it.each(fixture.rmia)('$name', (c) => {
    const x = inputs(c.x, c.models, c.augmentations);
    const z = inputs(c.z, c.models, c.augmentations);
    expectClose(rmiaScores(x, z, { mode: c.mode, a: c.a, gamma: c.gamma }), c.expected, 0);
  });
});

describe('rmiaScores by hand', () => {
  // Two reference models, one record: model 0 trained on it (p = 0.9), model 1 did not (p = 0.5).
  it('offline: Pr(x) = ½((1 + a)·Pr_OUT + (1 − a))', () => {
    const x = one(1, 2, [logit(0.9), logit(0.5)], [logit(0.8)], [1, 0]);
    const prX = 0.5 * (1.3 * 0.5 + 0.7);
    expect(logLikelihoodRatios(x, 'offline', 0.3)[0]).toBeCloseTo(Math.log(0.8 / prX), 12);
    expect(logLikelihoodRatios(x, 'offline', 1)[0]).toBeCloseTo(Math.log(0.8 / 0.5), 12);
  });

  it('online: Pr(x) = ½(Pr_IN + Pr_OUT); with no IN model the offline formula', () => {
    const x = one(1, 2, [logit(0.9), logit(0.5)], [logit(0.8)], [1, 0]);
    expect(logLikelihoodRatios(x, 'online', 0.3)[0]).toBeCloseTo(Math.log(0.8 / 0.7), 12);
    const noIn = one(1, 2, [logit(0.9), logit(0.5)], [logit(0.8)], [0, 0]);
    expect(logLikelihoodRatios(noIn, 'online', 0.3)[0]).toBeCloseTo(Math.log(0.8 / (0.5 * (1.3 * 0.7 + 0.7))), 12);
  });

  it("uses the population's true memberships: an IN model does not count towards Pr_OUT(z)", () => {
    // z was trained on by model 0 (p = 0.99). Treating it as OUT everywhere (ML Privacy Meter's
    // default) would average 0.99 in and lower LR(z).
    const x = one(1, 2, [logit(0.6), logit(0.6)], [logit(0.9)], [0, 0]);
    const z = one(1, 2, [logit(0.99), logit(0.4)], [logit(0.8)], [1, 0]);
    const allOut = one(1, 2, [logit(0.99), logit(0.4)], [logit(0.8)], [0, 0]);
    const lrX = Math.log(0.9 / (0.5 * (1.3 * 0.6 + 0.7)));
    const lrZ = Math.log(0.8 / (0.5 * (1.3 * 0.4 + 0.7)));
    const lrNaive = Math.log(0.8 / (0.5 * (1.3 * 0.695 + 0.7)));
    expect(lrX).toBeLessThan(lrZ);
    expect(lrX).toBeGreaterThan(lrNaive);
    expect(rmiaScores(x, z, { mode: 'offline' })[0]).toBe(0);
    expect(rmiaScores(x, allOut, { mode: 'offline' })[0]).toBe(1);
  });

  it('counts z strictly: LR(x)/LR(z) > γ', () => {
    const refs = [0, 0, 0, 0].map(() => logit(0.5));
    const x = one(1, 1, [logit(0.5)], [logit(0.5)], [0]);
    const z = one(4, 1, refs, [logit(0.2), logit(0.5), logit(0.5), logit(0.75)], [0, 0, 0, 0]);
    expect(rmiaScores(x, z, { mode: 'offline', a: 1 })[0]).toBe(0.25); // only p = 0.2 is below; 0.5 ties
    expect(rmiaScores(x, z, { mode: 'offline', a: 1, gamma: 0.7 })[0]).toBe(0.75); // ratios 2.5, 1, 1 > 0.7; 2/3 is not
    expect(rmiaScores(x, z, { mode: 'offline', a: 1, gamma: 0.5 })[0]).toBe(1);
    expect(rmiaScores(x, z, { mode: 'offline', a: 1, gamma: 3 })[0]).toBe(0); // 2.5 > 3 is false
  });

  it.each([
    { name: 'a > 1', options: { mode: 'offline' as const, a: 1.5 }, message: /a must be in \[0, 1\], got 1.5/ },
    { name: 'a NaN', options: { mode: 'offline' as const, a: NaN }, message: /a must be in \[0, 1\]/ },
    { name: 'γ = 0', options: { mode: 'offline' as const, gamma: 0 }, message: /gamma must be positive and finite, got 0/ },
    { name: 'γ = ∞', options: { mode: 'offline' as const, gamma: Infinity }, message: /gamma must be positive and finite/ },
  ])('rejects $name', ({ options, message }) => {
    const x = one(1, 1, [0], [0], [0]);
    expect(() => rmiaScores(x, x, options)).toThrow(message);
  });

  it('rejects an empty population and samples with no OUT model', () => {
    const x = one(1, 1, [0], [0], [0]);
    expect(() => rmiaScores(x, one(0, 1, [], [], []), { mode: 'offline' })).toThrow(/at least one population sample/);
    expect(() => rmiaScores(x, one(2, 1, [0, 0], [0, 0], [0, 1]), { mode: 'online' })).toThrow(
      /at least one OUT reference model per sample; 1 record \(#1\) \(population samples\) have none/,
    );
    expect(() => rmiaScores(one(1, 1, [0], [0], [-1]), x, { mode: 'offline' })).toThrow(/1 record \(#0\) \(records\) have none/);
  });
});

describe('rmiaScores near p = 1', () => {
  it('keeps records apart whose p and Pr(x) round to 1 in float64', () => {
    // φ = 40, 45 (target) against references at φ = 38: p = 1 − e^−40 etc. all read 1.0.
    const x = one(2, 2, [38, 38, 38, 38], [40, 45], [0, 0, 0, 0]);
    const lr = logLikelihoodRatios(x, 'offline', 0.3);
    // log p − log Pr(x) ≈ −e^−φ + 0.65·e^−38
    expect(lr[0]).toBeCloseTo(-Math.exp(-40) + 0.65 * Math.exp(-38), 30);
    expect(lr[1]).toBeGreaterThan(lr[0]!);
    expect(rmiaScores(one(1, 2, [38, 38], [45], [0, 0]), x, { mode: 'offline' })[0]).toBe(0.5);
  });
});
