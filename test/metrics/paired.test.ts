import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aucWithCi } from '../../src/metrics/auc';
import { membershipMetrics } from '../../src/metrics/membership';
import {
  newcombePaired,
  pairedAucDifference,
  pairedTprDifference,
  pointDifference,
  unpairedDifference,
  wilson,
} from '../../src/metrics/paired';
import { Rng } from '../../src/util/random';
import { normals } from './reference';

interface Fixture {
  z: number;
  delong: Array<{
    name: string;
    candidate: { member: number[]; nonMember: number[] };
    baseline: { member: number[]; nonMember: number[] };
    expected: { candidate: number; baseline: number; delta: number; se: number; ci: [number, number] };
  }>;
  newcombe: Array<{ table: [number, number, number, number]; delta: number; ci: [number, number] }>;
}

// Written by test/fixtures/baseline/paired_delong.py (numpy; O(m·n) kernel and numpy.cov).
const fixture = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/baseline/paired_delong.json'), 'utf8')) as Fixture;

describe('paired DeLong ΔAUC', () => {
  it.each(fixture.delong)('matches the independent numpy computation: $name', ({ candidate, baseline, expected }) => {
    const d = pairedAucDifference(candidate, baseline, 0.95);
    expect(d.candidate).toBeCloseTo(expected.candidate, 12);
    expect(d.baseline).toBeCloseTo(expected.baseline, 12);
    expect(d.value).toBeCloseTo(expected.delta, 12);
    expect(d.ci[0]).toBeCloseTo(expected.ci[0], 10);
    expect(d.ci[1]).toBeCloseTo(expected.ci[1], 10);
  });

  it('is narrower than the unpaired interval when the two models are correlated record by record', () => {
    const { candidate, baseline } = fixture.delong[0]!;
    const paired = pairedAucDifference(candidate, baseline, 0.95);
    const c = aucWithCi(candidate.member, candidate.nonMember, 0.95);
    const b = aucWithCi(baseline.member, baseline.nonMember, 0.95);
    const unpaired = unpairedDifference(c, b);
    expect(unpaired.value).toBeCloseTo(paired.value, 12);
    expect(paired.ci[1] - paired.ci[0]).toBeLessThan(0.6 * (unpaired.ci[1] - unpaired.ci[0]));
  });

  it('a case small enough to compute by hand', () => {
    // Candidate: members [3, 2], non-members [2, 1]. V10 = [1, 0.75], V01 = [0.75, 1]; AUC 0.875.
    // Baseline: members [2, 1], non-members [1, 2]. V10 = [0.75, 0.25], V01 = [0.75, 0.25]; AUC 0.5.
    // ΔAUC = 0.375. Member differences [0.25, 0.5]: s² = 0.03125; non-member differences
    // [0, 0.75]: s² = 0.28125. Var = 0.03125/2 + 0.28125/2 = 0.15625, SE = 0.395284707521.
    const d = pairedAucDifference({ member: [3, 2], nonMember: [2, 1] }, { member: [2, 1], nonMember: [1, 2] }, 0.95);
    expect(d.candidate).toBe(0.875);
    expect(d.baseline).toBe(0.5);
    expect(d.value).toBe(0.375);
    expect(d.ci[0]).toBeCloseTo(0.375 - fixture.z * 0.395284707521, 10);
    expect(d.ci[1]).toBe(1); // 1.149… clipped
  });

  it('identical models: exactly 0 with interval [0, 0]', () => {
    const rng = new Rng(5);
    const scores = { member: normals(rng, 200, 0.7), nonMember: normals(rng, 150) };
    const copy = { member: [...scores.member], nonMember: [...scores.nonMember] };
    const d = pairedAucDifference(scores, copy, 0.95);
    expect(d.value).toBe(0);
    expect(d.ci).toEqual([0, 0]);
    expect(d.candidate).toBe(d.baseline);
  });

  it('refuses score vectors of different lengths (not the same records)', () => {
    expect(() => pairedAucDifference({ member: [1, 2], nonMember: [0] }, { member: [1], nonMember: [0] }, 0.95)).toThrow(/same records/);
  });
});

describe('Newcombe paired ΔTPR', () => {
  it('reproduces the published interval: Cavo et al. 2012 in Fagerland, Lydersen & Laake 2017, ch. 8', () => {
    // 59 both, 6 first only, 16 second only, 80 neither: −0.0621 (95% CI −0.1186 to −0.0046).
    const { value, ci } = newcombePaired({ a: 59, b: 6, c: 16, d: 80 }, 0.95);
    expect(value).toBeCloseTo(-0.0621, 4);
    expect(ci[0]).toBeCloseTo(-0.1186, 4);
    expect(ci[1]).toBeCloseTo(-0.0046, 4);
  });

  it.each(fixture.newcombe)('matches the independent computation for table $table', ({ table, delta, ci }) => {
    const [a, b, c, d] = table;
    const r = newcombePaired({ a, b, c, d }, 0.95);
    expect(r.value).toBeCloseTo(delta, 12);
    expect(r.ci[0]).toBeCloseTo(Math.max(-1, ci[0]), 10);
    expect(r.ci[1]).toBeCloseTo(Math.min(1, ci[1]), 10);
  });

  it('Wilson interval by hand: 0 of 10 at z = 1.96 is [0, 0.2775]', () => {
    // centre = (z²/20)/(1 + z²/10) = 0.13873…, half = (z/(1 + z²/10))·√(z²/400) = 0.13873…
    const [lo, hi] = wilson(0, 10, fixture.z);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(0.27753, 5);
  });

  it('builds the paired table from each model’s own threshold', () => {
    // Candidate threshold 0.5 catches members 0, 1, 2; baseline threshold 2 catches 1 and 3.
    const d = pairedTprDifference({ member: [0.9, 3, 0.6, 0.1], threshold: 0.5 }, { member: [0.9, 3, 0.6, 2.5], threshold: 2 }, 0.95);
    expect(d.table).toEqual({ a: 1, b: 2, c: 1, d: 0 });
    expect(d.candidate).toBe(0.75);
    expect(d.baseline).toBe(0.5);
    expect(d.value).toBe(0.25);
    expect(d.ci).toEqual(newcombePaired(d.table, 0.95).ci);
  });

  it('identical models: exactly 0 with interval [0, 0]', () => {
    const rng = new Rng(8);
    const member = normals(rng, 300, 1);
    const nonMember = normals(rng, 300);
    const m = membershipMetrics(member, nonMember, { fpr: 0.02, confidence: 0.95 });
    const t = m.tprAtFpr.threshold;
    const d = pairedTprDifference({ member, threshold: t }, { member: [...member], threshold: t }, 0.95, true);
    expect(d.value).toBe(0);
    expect(d.ci).toEqual([0, 0]);
    expect(d.candidate).toBe(m.tprAtFpr.value);
  });
});

describe('differences without a paired interval', () => {
  it('ε: the point difference of the two certified bounds', () => {
    expect(pointDifference(2.5, 1, 'x')).toMatchObject({ value: 1.5, ci: [1.5, 1.5] });
  });

  it('unpaired square-and-add: symmetric intervals combine as √(SE₁² + SE₂²)', () => {
    // 0.7 ± 0.03 and 0.6 ± 0.04: Δ = 0.1 ± 0.05.
    const d = unpairedDifference({ value: 0.7, ci: [0.67, 0.73] }, { value: 0.6, ci: [0.56, 0.64] });
    expect(d.value).toBeCloseTo(0.1, 12);
    expect(d.ci[0]).toBeCloseTo(0.05, 12);
    expect(d.ci[1]).toBeCloseTo(0.15, 12);
  });
});
