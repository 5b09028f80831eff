/**
 * The ε lower bound's search stops early (candidates by falling ceiling); this checks that it
 * returns exactly what trying every candidate returns. The reference below is the exhaustive
 * search as it was before the early stop, on the same table.
 */
import { describe, expect, it } from 'vitest';
import { clopperPearsonOneSided } from '../../src/metrics/binomial';
import { membershipMetrics } from '../../src/metrics/membership';
import { buildScoreTable, type ScoreTable } from '../../src/metrics/table';
import { Rng } from '../../src/util/random';

function exhaustiveEpsilon(table: ScoreTable, confidence: number, delta: number, maxThresholds: number) {
  const { members: m, nonMembers: n, thresholds, tp, fp } = table;
  const candidates: number[] = [];
  const last = tp.length - 1;
  const total = m + n;
  let j = 0;
  for (let i = 1; i <= maxThresholds; i++) {
    const rank = Math.ceil((i * total) / (maxThresholds + 1));
    while (j < last && tp[j]! + fp[j]! < rank) j++;
    if (j >= last) break;
    if (candidates.length === 0 || candidates[candidates.length - 1] !== j) candidates.push(j);
  }
  const T = candidates.length;
  if (T === 0)
    return { value: 0, ci: [0, 0], threshold: Infinity, thresholdsTried: 0, atOrAbove: { members: 0, nonMembers: 0 }, tail: null };
  const perBound = 1 - (1 - confidence) / (2 * T);
  let bestBound = -Infinity;
  let bestPlugIn = -Infinity;
  let bestLevel = candidates[0]!;
  let bestTail: 'high' | 'low' = 'high';
  for (const c of candidates) {
    const k1 = tp[c]!;
    const k0 = fp[c]!;
    let bound = -Infinity;
    let tail: 'high' | 'low' = 'high';
    if (k1 * n > k0 * m) {
      const tprLo = clopperPearsonOneSided(k1, m, perBound, 'lower');
      const fprHi = clopperPearsonOneSided(k0, n, perBound, 'upper');
      bound = rates(tprLo, fprHi, delta);
      // Which of the two inequalities gave it: members above the threshold (high) or non-members below it (low).
      const high = tprLo - delta > 0 && fprHi > 0 ? Math.log((tprLo - delta) / fprHi) : -Infinity;
      if (bound > high) tail = 'low';
    }
    const plugIn = rates((k1 + 0.5) / (m + 1), (k0 + 0.5) / (n + 1), delta);
    if (bound > bestBound || (bound === bestBound && plugIn > bestPlugIn)) {
      bestBound = bound;
      bestPlugIn = plugIn;
      bestLevel = c;
      bestTail = tail;
    }
  }
  const value = Math.max(0, bestBound);
  return {
    value,
    ci: [value, Math.max(value, bestPlugIn)],
    threshold: thresholds[bestLevel]!,
    thresholdsTried: T,
    atOrAbove: { members: tp[bestLevel]!, nonMembers: fp[bestLevel]! },
    tail: value > 0 ? bestTail : null,
  };
}

function rates(tpr: number, fpr: number, delta: number): number {
  let e = -Infinity;
  if (tpr - delta > 0 && fpr > 0) e = Math.log((tpr - delta) / fpr);
  if (1 - fpr - delta > 0 && 1 - tpr > 0) e = Math.max(e, Math.log((1 - fpr - delta) / (1 - tpr)));
  return e;
}

type Shape = 'shifted normals' | 'rounded (ties)' | 'separated' | 'same distribution' | 'reversed' | 'few levels';

function scores(rng: Rng, shape: Shape, count: number, member: boolean): Float64Array {
  return Float64Array.from({ length: count }, () => {
    const z = rng.normal();
    switch (shape) {
      case 'shifted normals':
        return z + (member ? 0.7 : 0);
      case 'rounded (ties)':
        return Math.round(2 * z + (member ? 1 : 0)) / 2;
      case 'separated':
        return member ? 5 + rng.next() : rng.next();
      case 'same distribution':
        return z;
      case 'reversed':
        return z - (member ? 0.5 : 0);
      case 'few levels':
        return rng.int(3) + (member && rng.next() < 0.3 ? 1 : 0);
    }
  });
}

const SHAPES: Shape[] = ['shifted normals', 'rounded (ties)', 'separated', 'same distribution', 'reversed', 'few levels'];

describe('ε lower bound: the early-stopping search equals the exhaustive one', () => {
  const cases = SHAPES.flatMap((shape, s) =>
    [0, 1, 2, 3].map((k) => ({
      shape,
      seed: 10 * s + k,
      delta: [0, 1e-5, 0.05, 0.6][k]!,
      confidence: [0.95, 0.5, 0.999, 0.9][k]!,
      maxThresholds: [64, 1, 7, 300][k]!,
    })),
  );

  it.each(cases)('$shape, δ $delta, confidence $confidence, ≤ $maxThresholds candidates (seed $seed)', (c) => {
    const rng = new Rng(c.seed);
    const x = scores(rng, c.shape, 300 + rng.int(3000), true);
    const y = scores(rng, c.shape, 300 + rng.int(3000), false);
    const options = { fpr: 0.01, confidence: c.confidence, delta: c.delta, maxThresholds: c.maxThresholds };
    const expected = exhaustiveEpsilon(buildScoreTable(x, y), c.confidence, c.delta, c.maxThresholds);
    expect(membershipMetrics(x, y, options).epsilonLowerBound).toEqual(expected);
  });

  it('keeps the first candidate when no bound and no plug-in is defined (δ near 1: every ε is −∞)', () => {
    const rng = new Rng(99);
    const x = scores(rng, 'shifted normals', 1000, true);
    const y = scores(rng, 'shifted normals', 1000, false);
    const options = { fpr: 0.01, confidence: 0.95, delta: 0.9999, maxThresholds: 16 };
    const expected = exhaustiveEpsilon(buildScoreTable(x, y), 0.95, 0.9999, 16);
    expect(expected.ci).toEqual([0, 0]);
    expect(membershipMetrics(x, y, options).epsilonLowerBound).toEqual(expected);
  });
});
