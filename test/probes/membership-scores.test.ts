import { describe, expect, it } from 'vitest';
import { observe } from '../../src/model/surface';
import type { Observation } from '../../src/model/types';
import { attackerProbabilities, attackerScores } from '../../src/probes/attacker-view';
import { scoreAttack, type ScoreAttack } from '../../src/probes/membership/scores';
import { Rng } from '../../src/util/random';

/** Revealed probabilities; NaN marks a score the surface hides (turned into the mask here). */
function observation(scores: number[], classCount: number): Observation {
  const rows = scores.length / classCount;
  const hidden = Uint8Array.from(scores, (v) => (Number.isNaN(v) ? 1 : 0));
  return {
    rows,
    classCount,
    labels: new Int32Array(rows),
    scores: { scale: 'probability', values: Float64Array.from(scores), ...(hidden.includes(1) ? { hidden } : {}) },
  };
}

const ATTACKS: ScoreAttack[] = ['loss', 'confidence', 'entropy', 'modified-entropy'];

describe('attackerProbabilities', () => {
  it('spreads the hidden mass evenly over the hidden classes, row by row (hand example)', () => {
    const obs = observation(
      [0.5, NaN, 0.25, NaN, /* row 2, nothing hidden */ 0.1, 0.2, 0.3, 0.4, /* row 3, shown mass > 1 */ 0.75, 0.5, NaN, NaN],
      4,
    );
    expect([...attackerProbabilities(obs)]).toEqual([0.5, 0.125, 0.25, 0.125, 0.1, 0.2, 0.3, 0.4, 0.75, 0.5, 0, 0]);
  });

  it('reads hidden scores from the mask only: a NaN the model put in a revealed score is not "hidden"', () => {
    const obs: Observation = {
      rows: 1,
      classCount: 2,
      labels: new Int32Array(1),
      scores: { scale: 'probability', values: Float64Array.of(0.4, NaN) },
    };
    expect(Number.isNaN(attackerProbabilities(obs)[1])).toBe(true);
  });

  it('fills hidden log-probabilities with the log of the same share', () => {
    const lp = [Math.log(0.5), NaN, Math.log(0.25), NaN];
    const obs: Observation = {
      rows: 1,
      classCount: 4,
      labels: new Int32Array(1),
      scores: { scale: 'log', values: Float64Array.from(lp), hidden: Uint8Array.of(0, 1, 0, 1) },
    };
    const filled = attackerScores(obs).values;
    expect(filled[1]).toBeCloseTo(Math.log(0.125), 14);
    expect(filled[3]).toBeCloseTo(Math.log(0.125), 14);
  });
});

describe('scoreAttack', () => {
  it.each<[ScoreAttack, number]>([
    ['loss', Math.log(0.7)],
    ['confidence', 0.7],
    ['entropy', 0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)],
    ['modified-entropy', -(-(1 - 0.7) * Math.log(0.7) - 0.2 * Math.log(0.8) - 0.1 * Math.log(0.9))],
  ])('computes %s by its formula from probabilities (hand example, true class 0)', (attack, expected) => {
    const score = scoreAttack(attack, { scale: 'probability', values: Float64Array.from([0.7, 0.2, 0.1]) }, 3, Int32Array.from([0]));
    expect(score[0]).toBeCloseTo(expected, 14);
  });

  it.each<[ScoreAttack, number]>([
    ['loss', Math.log(0.7)],
    ['confidence', Math.log(0.7 / 0.3)],
    ['entropy', 0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)],
    ['modified-entropy', -(-(1 - 0.7) * Math.log(0.7) - 0.2 * Math.log(0.8) - 0.1 * Math.log(0.9))],
  ])('computes %s from log-probabilities (confidence on the logit scale)', (attack, expected) => {
    const lp = Float64Array.from([0.7, 0.2, 0.1], Math.log);
    expect(scoreAttack(attack, { scale: 'log', values: lp }, 3, Int32Array.from([0]))[0]).toBeCloseTo(expected, 14);
  });

  it.each(ATTACKS)('%s from logits ranks confident rows that float32 probabilities tie', (attack) => {
    // Margins 20 and 25 (row 1 more confident): both round to p_y = 1 in float32.
    const logits = Float64Array.of(20, 0, 0, 25, 0, 0);
    const truth = Int32Array.of(0, 0);
    const exact = scoreAttack(
      attack,
      attackerScores(observe({ kind: 'logits', values: logits }, 2, 3, { scores: 'full', topK: 3 })),
      3,
      truth,
    );
    const f32 = scoreAttack(
      attack,
      attackerScores(observe({ kind: 'logits', values: logits }, 2, 3, { scores: 'full', topK: 3, precision: 'float32' })),
      3,
      truth,
    );
    expect(exact[1]).toBeGreaterThan(exact[0]!);
    if (attack === 'loss' || attack === 'confidence') expect(f32[1]).toBe(f32[0]);
  });

  it.each(ATTACKS)('%s: log-space and probability-space scores rank random rows identically', (attack) => {
    const rng = new Rng(4);
    const k = 10;
    const rows = 2000;
    const logits = Float64Array.from({ length: rows * k }, () => 4 * rng.normal());
    const truth = Int32Array.from({ length: rows }, () => rng.int(k));
    const obs = observe({ kind: 'logits', values: logits }, rows, k, { scores: 'full', topK: k });
    const fromLog = scoreAttack(attack, attackerScores(obs), k, truth);
    const fromP = scoreAttack(attack, { scale: 'probability', values: attackerProbabilities(obs) }, k, truth);
    const order = (s: Float64Array) => [...s.keys()].sort((a, b) => s[a]! - s[b]! || a - b);
    expect(order(fromLog)).toEqual(order(fromP));
  });
});
