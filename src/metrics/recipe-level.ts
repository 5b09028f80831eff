/**
 * Recipe-level estimate: how much does a training recipe leak, rather than one trained model?
 * Each of the K reference models in turn plays the target, attacked with the other K − 1 as its
 * references; its IN records are members, its OUT records non-members, and the scores of all K
 * rounds are pooled. That gives about K × (non-members) negatives, enough to resolve TPR at
 * FPR 0.1% (the evaluation of Carlini et al. 2022 §V, where every shadow model is a target in
 * turn, and ML Privacy Meter's audit of every model). Pure.
 */
import { IN, OUT, type MembershipMatrix, type ReferenceSignals, type SignalMatrix } from './reference-signals';

/**
 * Scores the records of `target` with references `refs` / `memberships`; `held` is the index, in
 * the full set, of the model playing the target (so an attack can slice its own extra inputs,
 * e.g. RMIA's population signals, the same way: see sliceModel and withoutModel).
 */
export type ReferenceAttack = (target: SignalMatrix, refs: ReferenceSignals, memberships: MembershipMatrix, held: number) => Float64Array;

export interface PooledScores {
  /** Scores of every (model, record) with the record IN for that model. */
  members: Float64Array;
  /** Scores of every (model, record) with the record OUT for that model. */
  nonMembers: Float64Array;
  /** Per round: how many members and non-members it contributed. */
  rounds: { model: number; members: number; nonMembers: number }[];
}

/** Model `k`'s signals as a target. */
export function sliceModel(refs: ReferenceSignals, k: number): SignalMatrix {
  const size = refs.records * refs.augmentations;
  return { records: refs.records, augmentations: refs.augmentations, values: refs.values.slice(k * size, (k + 1) * size) };
}

/** The reference signals without model `k`. */
export function withoutModel(refs: ReferenceSignals, k: number): ReferenceSignals {
  const size = refs.records * refs.augmentations;
  const values = new Float64Array((refs.models - 1) * size);
  values.set(refs.values.subarray(0, k * size), 0);
  values.set(refs.values.subarray((k + 1) * size), k * size);
  return { models: refs.models - 1, records: refs.records, augmentations: refs.augmentations, values };
}

/** The memberships without model `k`. */
export function withoutModelMemberships(memberships: MembershipMatrix, k: number): MembershipMatrix {
  const n = memberships.records;
  const values = new Int8Array((memberships.models - 1) * n);
  values.set(memberships.values.subarray(0, k * n), 0);
  values.set(memberships.values.subarray((k + 1) * n), k * n);
  return { models: memberships.models - 1, records: n, values };
}

/**
 * Pools `attack`'s scores over K rounds, model k playing the target in round k. Records neither
 * IN nor OUT for the round's target are left out of that round.
 * @throws RangeError with fewer than 2 models; whatever `attack` throws (e.g. a record with no
 *   IN model among the other K − 1).
 */
export function recipeLevelScores(refs: ReferenceSignals, memberships: MembershipMatrix, attack: ReferenceAttack): PooledScores {
  if (refs.models < 2) throw new RangeError(`a recipe-level estimate needs at least 2 reference models, got ${refs.models}`);
  if (memberships.models !== refs.models || memberships.records !== refs.records) {
    throw new RangeError(`memberships are [${memberships.models} × ${memberships.records}], signals [${refs.models} × ${refs.records}]`);
  }
  const members: number[] = [];
  const nonMembers: number[] = [];
  const rounds: PooledScores['rounds'] = [];
  for (let k = 0; k < refs.models; k++) {
    const scores = attack(sliceModel(refs, k), withoutModel(refs, k), withoutModelMemberships(memberships, k), k);
    const before = [members.length, nonMembers.length];
    for (let r = 0; r < refs.records; r++) {
      const m = memberships.values[k * refs.records + r];
      if (m === IN) members.push(scores[r]!);
      else if (m === OUT) nonMembers.push(scores[r]!);
    }
    rounds.push({ model: k, members: members.length - before[0]!, nonMembers: nonMembers.length - before[1]! });
  }
  return { members: Float64Array.from(members), nonMembers: Float64Array.from(nonMembers), rounds };
}
