/**
 * What the attacker minimises, read through the output surface: 1 − p_c(x), with p_c as the
 * attacker sees it. Full scores give p_c; with top-k a hidden p_c is read as the hidden mass
 * spread evenly over the hidden classes (the same reading as the membership probe); with only
 * the label the attacker knows p_c = 1 when c is predicted and 0 otherwise, a step function
 * whose estimated gradient is zero almost everywhere.
 */
import type { BatchLoss } from '../../optim/descent';
import type { ObservedModel } from '../../model/surface';
import type { Observation } from '../../model/types';
import { attackerProbabilities } from '../attacker-view';

/** p_{owners[i]} of every row as the surface reveals it. */
export function revealedConfidence(obs: Observation, owners: Int32Array): Float64Array {
  const out = new Float64Array(obs.rows);
  if (!obs.scores) {
    for (let r = 0; r < obs.rows; r++) out[r] = obs.labels[r] === owners[r] ? 1 : 0;
    return out;
  }
  const p = attackerProbabilities(obs);
  for (let r = 0; r < obs.rows; r++) out[r] = p[r * obs.classCount + owners[r]!]!;
  return out;
}

/**
 * The batched loss for the optimiser: one model call per step for every class. `targets[k]`
 * is the class index of optimisation problem k.
 */
export function inversionLoss(model: ObservedModel, targets: Int32Array): BatchLoss {
  return async (rows, count, owners) => {
    const obs = await model.query(Float32Array.from(rows), count, {
      probe: "the inversion probe's search (inputs optimised for each class)",
    });
    const classes = Int32Array.from(owners, (k) => targets[k]!);
    return revealedConfidence(obs, classes).map((p) => 1 - p);
  };
}
