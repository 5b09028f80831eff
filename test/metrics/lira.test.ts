import { describe, expect, it } from 'vitest';
import { liraScores } from '../../src/metrics/lira';
import { expectClose, fixture, inputs } from './reference-fixture';

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, mu: number, sigma: number): number => -0.5 * LOG_2PI - Math.log(sigma) - 0.5 * ((x - mu) / sigma) ** 2;

describe('liraScores against make_expected.py (numpy)', () => {
  it.each(fixture.lira)('$name', (c) => {
    const { target, refs, memberships } = inputs(c, c.models, c.augmentations);
    const result = liraScores(target, refs, memberships, { mode: c.mode, perRecordVarianceFrom: c.perRecordVarianceFrom });
    expectClose(result.scores, c.expected);
    expect(result.perRecordVariance).toBe(c.perRecordVariance);
  });
});

describe('liraScores by hand', () => {
  // 4 models, 1 record, 1 query: IN φ = 2, 4 (μ 3, σ 1), OUT φ = −1, 1 (μ 0, σ 1).
  const refs = { models: 4, records: 1, augmentations: 1, values: Float64Array.from([2, 4, -1, 1]) };
  const memberships = { models: 4, records: 1, values: Int8Array.from([1, 1, 0, 0]) };
  const at = (phi: number) => ({ records: 1, augmentations: 1, values: Float64Array.from([phi]) });

  it.each([
    { phi: 3, online: logNormal(3, 3, 1) - logNormal(3, 0, 1), offline: 3 },
    { phi: 0, online: logNormal(0, 3, 1) - logNormal(0, 0, 1), offline: 0 },
    { phi: 1.5, online: 0, offline: 1.5 }, // halfway between equal-variance means: Λ = 0
  ])('φ = $phi → online $online, offline z $offline', ({ phi, online, offline }) => {
    expect(liraScores(at(phi), refs, memberships, { mode: 'online' }).scores[0]).toBeCloseTo(online, 12);
    expect(liraScores(at(phi), refs, memberships, { mode: 'offline' }).scores[0]).toBeCloseTo(offline, 12);
  });

  it('averages the per-augmentation log-likelihood ratios, not φ', () => {
    // Two queries with opposite offsets: mean φ would sit at the OUT mean; the ratios do not cancel.
    const two = { models: 4, records: 1, augmentations: 2, values: Float64Array.from([2, 2, 4, 4, -1, -1, 1, 1]) };
    const target = { records: 1, augmentations: 2, values: Float64Array.from([3, -3]) };
    const expected = (logNormal(3, 3, 1) - logNormal(3, 0, 1) + logNormal(-3, 3, 1) - logNormal(-3, 0, 1)) / 2;
    expect(liraScores(target, two, memberships, { mode: 'online' }).scores[0]).toBeCloseTo(expected, 12);
  });

  it('does not saturate offline where Φ would (z = 40 and z = 50 stay apart)', () => {
    const s = [40, 50].map((phi) => liraScores(at(phi), refs, memberships, { mode: 'offline' }).scores[0]!);
    expect(s[1]).toBeGreaterThan(s[0]!);
  });

  it('ignores models neither IN nor OUT for a record', () => {
    const withNeither = { models: 5, records: 1, augmentations: 1, values: Float64Array.from([2, 4, -1, 1, 1000]) };
    const m = { models: 5, records: 1, values: Int8Array.from([1, 1, 0, 0, -1]) };
    expect(liraScores(at(3), withNeither, m, { mode: 'online' }).scores[0]).toBeCloseTo(logNormal(3, 3, 1) - logNormal(3, 0, 1), 12);
  });

  it('names the records without IN models', () => {
    const r = { models: 2, records: 2, augmentations: 1, values: Float64Array.from([1, 2, 3, 4]) };
    const t = { records: 2, augmentations: 1, values: Float64Array.from([0, 0]) };
    expect(() => liraScores(t, r, { models: 2, records: 2, values: Int8Array.from([1, 0, 0, 0]) }, { mode: 'online' })).toThrow(
      /online LiRA needs at least one IN reference model per record; 1 record \(#1\) have none/,
    );
    expect(() => liraScores(t, r, { models: 2, records: 2, values: Int8Array.from([1, -1, 1, -1]) }, { mode: 'offline' })).toThrow(
      /offline LiRA needs at least one OUT reference model per record; 2 records \(#0, #1\) have none/,
    );
  });

  it.each([
    {
      name: 'memberships of another size',
      m: { models: 4, records: 2, values: new Int8Array(8) },
      message: /memberships are \[4 × 2\], expected \[4 × 1\]/,
    },
    { name: 'fewer memberships rows', m: { models: 3, records: 1, values: new Int8Array(3) }, message: /memberships are \[3 × 1\]/ },
  ])('rejects $name', ({ m, message }) => {
    expect(() => liraScores(at(0), refs, m, { mode: 'online' })).toThrow(message);
  });

  it('floors a zero variance at minStd and still ranks by distance to the means', () => {
    const flat = { models: 2, records: 1, augmentations: 1, values: Float64Array.from([1, -1]) };
    const m = { models: 2, records: 1, values: Int8Array.from([1, 0]) };
    const result = liraScores(at(0.5), flat, m, { mode: 'online', minStd: 1e-3 });
    expect(result.globalStd).toEqual({ in: 1e-3, out: 1e-3 });
    // ((φ − μ_out)² − (φ − μ_in)²) / (2σ²) = (2.25 − 0.25) / 2e-6
    expect(result.scores[0]).toBeCloseTo(1e6, 4);
    expect(Number.isFinite(liraScores(at(0.5), flat, m, { mode: 'online' }).scores[0])).toBe(true);
  });

  it('switches to per-record variance at the threshold: 32 IN and 32 OUT by default', () => {
    const make = (perSide: number) => {
      const models = 2 * perSide;
      const values = new Float64Array(models * 2);
      const m = new Int8Array(models * 2);
      for (let k = 0; k < models; k++) {
        const isIn = k < perSide;
        const wobble = k % 2 === 0 ? 1 : -1;
        // record 0 varies by ±1, record 1 by ±3: their own σ differ, the global σ is between
        values[k * 2] = (isIn ? 2 : 0) + wobble;
        values[k * 2 + 1] = (isIn ? 2 : 0) + 3 * wobble;
        m[k * 2] = m[k * 2 + 1] = isIn ? 1 : 0;
      }
      return { refs: { models, records: 2, augmentations: 1, values }, memberships: { models, records: 2, values: m } };
    };
    const t = { records: 2, augmentations: 1, values: Float64Array.from([1.5, 1.5]) };
    const below = make(31);
    const at32 = make(32);
    expect(liraScores(t, below.refs, below.memberships, { mode: 'online' }).perRecordVariance).toBe(0);
    const own = liraScores(t, at32.refs, at32.memberships, { mode: 'online' });
    expect(own.perRecordVariance).toBe(2);
    // per-record σ: record 0 → 1, record 1 → 3 (both sides): Λ = ((1.5)² − (0.5)²) / (2σ²)
    expect(own.scores[0]).toBeCloseTo(1, 12);
    expect(own.scores[1]).toBeCloseTo(1 / 9, 12);
    expect(liraScores(t, at32.refs, at32.memberships, { mode: 'online', perRecordVarianceFrom: 33 }).perRecordVariance).toBe(0);
  });
});
