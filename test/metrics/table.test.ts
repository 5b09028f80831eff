import { describe, expect, it } from 'vitest';
import { rankingMetrics, rankingMetricsFromTable } from '../../src/metrics/membership';
import { buildClassTables, buildScoreTable, type ScoreTable } from '../../src/metrics/table';
import { Rng } from '../../src/util/random';
import { countAtLeast } from './reference';

/** The table by definition: distinct scores high to low, counts at or above each. */
function bruteTable(x: ArrayLike<number>, y: ArrayLike<number>) {
  const thresholds = [...new Set([...Array.from(x), ...Array.from(y)].map((v) => v + 0))].sort((a, b) => b - a);
  return {
    members: x.length,
    nonMembers: y.length,
    thresholds,
    tp: thresholds.map((t) => countAtLeast(x, t)),
    fp: thresholds.map((t) => countAtLeast(y, t)),
  };
}

const plain = (t: ScoreTable) => ({
  members: t.members,
  nonMembers: t.nonMembers,
  thresholds: [...t.thresholds],
  tp: [...t.tp],
  fp: [...t.fp],
});

/** Scores with ties, −0, −Infinity and a class that one side lacks. */
function sample(rng: Rng, count: number, classes: number, missingClass: number) {
  const scores = Float64Array.from({ length: count }, () => {
    const k = rng.int(10);
    if (k === 0) return -0;
    if (k === 1) return -Infinity;
    if (k < 5) return rng.int(4) / 4;
    return rng.normal();
  });
  const labels = Int32Array.from({ length: count }, () => {
    let c = rng.int(classes);
    while (c === missingClass) c = rng.int(classes);
    return c;
  });
  return { scores, labels };
}

function gather(scores: Float64Array, labels: Int32Array, c: number): Float64Array {
  return scores.filter((_, i) => labels[i] === c);
}

describe('buildScoreTable', () => {
  it('matches the definition on scores with ties, −0 and −Infinity', () => {
    const { scores: x } = sample(new Rng(1), 700, 1, -1);
    const { scores: y } = sample(new Rng(2), 500, 1, -1);
    expect(plain(buildScoreTable(x, y))).toEqual(bruteTable(x, y));
  });

  it.each([
    { name: 'NaN', bad: [1, Number.NaN], message: /member score at index 1 is NaN/ },
    { name: '+Infinity', bad: [Infinity], message: /member score at index 0 is \+Infinity/ },
    { name: 'empty', bad: [], message: /member scores are empty/ },
  ])('rejects a $name member score', ({ bad, message }) => {
    expect(() => buildScoreTable(bad, [0])).toThrow(message);
  });
});

describe('buildClassTables: one sort gives the overall table and every class’s', () => {
  const CLASSES = 7;
  const MISSING_IN_NON_MEMBERS = 5;
  const members = sample(new Rng(3), 4000, CLASSES, -1);
  const nonMembers = sample(new Rng(4), 3000, CLASSES, MISSING_IN_NON_MEMBERS);
  const memberScores = members.scores.slice();
  const memberLabels = members.labels.slice();
  const tables = buildClassTables(members.scores, members.labels, nonMembers.scores, nonMembers.labels, CLASSES);

  it('builds the same overall table as buildScoreTable', () => {
    expect(plain(tables.all)).toEqual(plain(buildScoreTable(members.scores, nonMembers.scores)));
  });

  it.each(Array.from({ length: CLASSES }, (_, c) => ({ c })))('builds class $c’s table as buildScoreTable on its rows', ({ c }) => {
    const x = gather(members.scores, members.labels, c);
    const y = gather(nonMembers.scores, nonMembers.labels, c);
    if (c === MISSING_IN_NON_MEMBERS) {
      expect(y).toHaveLength(0);
      expect(tables.byClass[c]).toBeUndefined();
      return;
    }
    expect(plain(tables.byClass[c]!)).toEqual(bruteTable(x, y));
    // What the probe reports per class is exactly what rankingMetrics gives on the gathered rows.
    expect(rankingMetricsFromTable(tables.byClass[c]!, 0.95)).toEqual(rankingMetrics(x, y, 0.95));
  });

  it('leaves its inputs untouched', () => {
    expect(members.scores).toEqual(memberScores);
    expect(members.labels).toEqual(memberLabels);
  });

  it.each([
    { name: 'a class out of range', labels: [0, 2], count: 2, message: /label 2 at index 1 is outside \[0, 2\)/ },
    { name: 'a missing class', labels: [0], count: 2, message: /exactly one class/ },
  ])('rejects $name', ({ labels, count, message }) => {
    expect(() => buildClassTables([1, 2], Int32Array.from(labels), [0], Int32Array.from([0]), count)).toThrow(message);
  });

  it('rejects NaN scores like buildScoreTable', () => {
    expect(() => buildClassTables([0], Int32Array.from([0]), [Number.NaN], Int32Array.from([0]), 1)).toThrow(
      /non-member score at index 0 is NaN/,
    );
  });
});

describe('working memory reused between calls (metrics/scratch.ts)', () => {
  it('gives the same tables after a larger build left its data behind', () => {
    const big = sample(new Rng(8), 5000, 3, -1);
    const small = sample(new Rng(9), 700, 3, -1);
    const smallNon = sample(new Rng(10), 900, 3, -1);
    const first = plain(buildClassTables(small.scores, small.labels, smallNon.scores, smallNon.labels, 3).all);
    buildClassTables(
      big.scores,
      big.labels,
      big.scores.map((v) => v / 2),
      big.labels,
      3,
    );
    const again = buildClassTables(small.scores, small.labels, smallNon.scores, smallNon.labels, 3);
    expect(plain(again.all)).toEqual(first);
    expect(first).toEqual(bruteTable(small.scores, smallNon.scores));
    for (let c = 0; c < 3; c++) {
      expect(plain(again.byClass[c]!)).toEqual(
        bruteTable(gather(small.scores, small.labels, c), gather(smallNon.scores, smallNon.labels, c)),
      );
    }
  });
});
