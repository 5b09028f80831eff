import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/model/types';
import {
  attackerProbabilities,
  revealedProbabilities,
  scoreAttack,
  type ScoreAttack,
} from '../../src/probes/membership-scores';
import { Rng } from '../../src/util/random';

function observation(scores: number[], classCount: number): Observation {
  const rows = scores.length / classCount;
  return { rows, classCount, labels: new Int32Array(rows), scores: Float32Array.from(scores) };
}

describe('attackerProbabilities', () => {
  it('spreads the hidden mass evenly over the hidden classes, row by row (hand example)', () => {
    const obs = observation([0.5, NaN, 0.25, NaN, /* row 2, nothing hidden */ 0.1, 0.2, 0.3, 0.4, /* row 3, shown mass > 1 */ 0.75, 0.5, NaN, NaN], 4);
    expect([...attackerProbabilities(obs)]).toEqual([0.5, 0.125, 0.25, 0.125, ...Float32Array.from([0.1, 0.2, 0.3, 0.4]), 0.75, 0.5, 0, 0]);
  });
});

describe('revealedProbabilities', () => {
  it('hands back the revealed float32 scores, uncopied, when nothing is hidden', () => {
    const obs = observation([0.1, 0.9, 0.6, 0.4], 2);
    const p = revealedProbabilities(obs);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.buffer).toBe(obs.scores!.buffer);
    expect([...p]).toEqual([...obs.scores!]);
  });

  it('fills hidden scores exactly as attackerProbabilities does', () => {
    const obs = observation([0.1, 0.9, 0.6, NaN], 2);
    expect(revealedProbabilities(obs)).toEqual(attackerProbabilities(obs));
  });
});

describe('scoreAttack', () => {
  it.each<[ScoreAttack, number]>([
    ['loss', Math.log(0.7)],
    ['confidence', 0.7],
    ['entropy', 0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)],
    ['modified-entropy', -(-(1 - 0.7) * Math.log(0.7) - 0.2 * Math.log(0.8) - 0.1 * Math.log(0.9))],
  ])('computes %s by its formula (hand example, true class 0)', (attack, expected) => {
    const score = scoreAttack(attack, Float64Array.from([0.7, 0.2, 0.1]), 3, Int32Array.from([0]));
    expect(score[0]).toBeCloseTo(expected, 14);
  });

  it.each<ScoreAttack>(['loss', 'confidence', 'entropy', 'modified-entropy'])(
    'gives bit-identical %s scores from float32 probabilities and from their float64 copy',
    (attack) => {
      const rng = new Rng(4);
      const k = 10;
      const rows = 2000;
      const p32 = new Float32Array(rows * k);
      for (let r = 0; r < rows; r++) {
        const raw = Array.from({ length: k }, () => Math.exp(4 * rng.normal()));
        const sum = raw.reduce((a, b) => a + b, 0);
        raw.forEach((v, c) => (p32[r * k + c] = v / sum));
      }
      p32[3] = 0; // a rounded-away score exercises the log(0) floor
      const truth = Int32Array.from({ length: rows }, () => rng.int(k));
      const a = scoreAttack(attack, p32, k, truth);
      const b = scoreAttack(attack, new Float64Array(p32), k, truth);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    },
  );
});
