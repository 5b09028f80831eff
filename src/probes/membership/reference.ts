/**
 * Reference-model attacks (LiRA online and offline, RMIA offline): the candidate and every
 * reference model are asked the same queries (each audited record, and its augmentations)
 * through the same output surface, one batched call per model; φ comes from what the surface
 * reveals, and the pure attacks of src/metrics score each audited record.
 */
import { PolicyError, RuntimeFailure } from '../../errors';
import { logitConfidence } from '../../metrics/logit-confidence';
import { liraScores } from '../../metrics/lira';
import { IN, OUT, type MembershipMatrix, type ReferenceSignals, type SignalMatrix } from '../../metrics/reference-signals';
import { recipeLevelScores, sliceModel, withoutModel, withoutModelMemberships } from '../../metrics/recipe-level';
import { rmiaScores, type RmiaSamples } from '../../metrics/rmia';
import type { Observation } from '../../model/types';
import type { DataFileSettings, MembershipSettings } from '../../policy/types';
import { attackerScores } from '../attacker-view';
import type { LabelledData, ProbeContext, ReferenceModels } from '../types';
import type { ReferenceAttack } from './settings';

/** Signals shared by every reference attack of one run. */
export interface ReferenceInputs {
  target: SignalMatrix;
  refs: ReferenceSignals;
  memberships: MembershipMatrix;
  /** RMIA's population z from `reference-models.population` (OUT for every model); absent: the audited records. */
  population?: RmiaSamples;
}

/**
 * Queries the candidate (reusing its cached outputs when there is no augmentation) and each
 * reference model once, audited records and population in one batch.
 */
export async function referenceInputs(
  ctx: ProbeContext,
  references: ReferenceModels,
  settings: MembershipSettings,
): Promise<ReferenceInputs> {
  const { members, nonMembers } = ctx;
  const populationFile = settings.attacks.includes('rmia') ? settings.referenceModels?.population : undefined;
  const population = populationFile ? loadPopulation(ctx, populationFile) : undefined;
  const sets = [members, nonMembers, ...(population ? [population] : [])];
  const audited = members.rows + nonMembers.rows;
  const records = audited + (population?.rows ?? 0);
  const f = members.features.length;
  const augmented = (settings.augmentations ?? []).includes('shift-1');
  const augmentations = augmented ? 9 : 1;
  const plain = new Float32Array(records * f);
  const truth1 = new Int32Array(records);
  let at = 0;
  for (const data of sets) {
    plain.set(data.x, at * f);
    truth1.set(data.classes, at);
    at += data.rows;
  }
  const queries = augmented ? shiftedImages(plain, records, squareSide(f, settings)) : plain;
  const truth = new Int32Array(records * augmentations);
  for (let r = 0; r < records; r++) truth.fill(truth1[r]!, r * augmentations, (r + 1) * augmentations);
  const classCount = ctx.model.classCount;
  const phi = (obs: Observation, t: Int32Array) => logitConfidence(attackerScores(obs), classCount, t);

  let target: Float64Array;
  if (augmented) {
    target = phi(await ctx.model.query(queries, records * augmentations, { probe: "the membership probe's shifted queries" }), truth);
  } else {
    // The audited records' outputs are those the other attacks use; only the population is new.
    const [m, n] = await Promise.all([ctx.signals.observe(members), ctx.signals.observe(nonMembers)]);
    target = new Float64Array(records);
    target.set(phi(m, members.classes), 0);
    target.set(phi(n, nonMembers.classes), members.rows);
    if (population) target.set(phi(await ctx.signals.observe(population), population.classes), audited);
  }

  const K = references.names.length;
  const size = records * augmentations;
  const values = new Float64Array(K * size);
  for (let k = 0; k < K; k++) {
    const obs = await references.query(k, queries, size, { probe: `reference model ${references.names[k]!} (membership probe)` });
    values.set(phi(obs, truth), k * size);
  }
  const split = splitRecords({ target, values, models: K, augmentations }, audited, records);
  const inputs: ReferenceInputs = { ...split.audited, memberships: auditedMemberships(ctx, references) };
  if (population) {
    // The user states that no reference model trained on the population: OUT for every model.
    const rows = population.rows;
    inputs.population = { ...split.rest, memberships: { models: K, records: rows, values: new Int8Array(K * rows).fill(OUT) } };
  }
  return inputs;
}

/** The signals of the first `audited` records, and of the rest (the population). */
function splitRecords(
  all: { target: Float64Array; values: Float64Array; models: number; augmentations: number },
  audited: number,
  records: number,
): { audited: Omit<ReferenceInputs, 'memberships'>; rest: Omit<RmiaSamples, 'memberships'> } {
  const { models, augmentations: a } = all;
  if (audited === records) {
    // No population: the audited records are all there is, and their signals are used as they are.
    const target = { records, augmentations: a, values: all.target };
    const refs = { models, records, augmentations: a, values: all.values };
    const none = { records: 0, augmentations: a, values: new Float64Array(0) };
    return { audited: { target, refs }, rest: { target: none, refs: { ...none, models } } };
  }
  const part = (from: number, to: number) => {
    const n = to - from;
    const values = new Float64Array(models * n * a);
    for (let k = 0; k < models; k++) values.set(all.values.subarray((k * records + from) * a, (k * records + to) * a), k * n * a);
    return {
      target: { records: n, augmentations: a, values: all.target.slice(from * a, to * a) },
      refs: { models, records: n, augmentations: a, values },
    };
  };
  return { audited: part(0, audited), rest: part(audited, records) };
}

function loadPopulation(ctx: ProbeContext, file: DataFileSettings): LabelledData {
  if (!ctx.loadData) throw new RuntimeFailure('this runner cannot load the population data file');
  return ctx.loadData(file, 'RMIA population');
}

/** Member scores then non-member scores of one reference attack; higher = more likely a member. */
export function referenceScores(attack: ReferenceAttack, inputs: ReferenceInputs): Float64Array {
  const { target, refs, memberships } = inputs;
  if (attack === 'rmia') {
    // Population z: the population file's records, or else the audited records themselves, each
    // with its true memberships (ML Privacy Meter's offline setting).
    const samples = { target, refs, memberships };
    return rmiaScores(samples, inputs.population ?? samples, { mode: 'offline' });
  }
  return liraScores(target, refs, memberships, { mode: attack === 'lira' ? 'online' : 'offline' }).scores;
}

/**
 * The recipe-level estimate: each reference model plays the target against the other K − 1;
 * its IN records are members and its OUT records non-members, pooled over the K rounds, each
 * with its record's class. RMIA's population loses the held-out model the same way.
 */
export function recipeLevel(
  attack: ReferenceAttack,
  inputs: ReferenceInputs,
  ctx: ProbeContext,
): { member: Float64Array; memberClasses: Int32Array; nonMember: Float64Array; nonMemberClasses: Int32Array } {
  const { refs, memberships } = inputs;
  const pooled = recipeLevelScores(refs, memberships, (target, others, othersMemberships, held) => {
    const round: ReferenceInputs = { target, refs: others, memberships: othersMemberships };
    if (inputs.population) {
      const p = inputs.population;
      round.population = {
        target: sliceModel(p.refs, held),
        refs: withoutModel(p.refs, held),
        memberships: withoutModelMemberships(p.memberships, held),
      };
    }
    return referenceScores(attack, round);
  });
  const classes = new Int32Array(refs.records);
  classes.set(ctx.members.classes, 0);
  classes.set(ctx.nonMembers.classes, ctx.members.rows);
  // The same walk as recipeLevelScores: model by model, records in order.
  const memberClasses: number[] = [];
  const nonMemberClasses: number[] = [];
  for (let k = 0; k < memberships.models; k++) {
    for (let r = 0; r < memberships.records; r++) {
      const m = memberships.values[k * memberships.records + r];
      if (m === IN) memberClasses.push(classes[r]!);
      else if (m === OUT) nonMemberClasses.push(classes[r]!);
    }
  }
  return {
    member: pooled.members,
    memberClasses: Int32Array.from(memberClasses),
    nonMember: pooled.nonMembers,
    nonMemberClasses: Int32Array.from(nonMemberClasses),
  };
}

/** The memberships matrix's columns of the audited (sampled) records, members first. */
function auditedMemberships(ctx: ProbeContext, references: ReferenceModels): MembershipMatrix {
  const { members, nonMembers } = ctx;
  const all = references.memberships;
  const columns: number[] = [];
  for (let i = 0; i < members.rows; i++) columns.push(members.origin?.fileRows[i] ?? i);
  for (let j = 0; j < nonMembers.rows; j++) columns.push(references.membersInFile + (nonMembers.origin?.fileRows[j] ?? j));
  // Whole files in file order (no max-rows sample): the matrix's columns are the audited records already.
  if (columns.length === all.records && columns.every((c, i) => c === i)) return all;
  const values = new Int8Array(all.models * columns.length);
  for (let k = 0; k < all.models; k++) {
    for (let r = 0; r < columns.length; r++) values[k * columns.length + r] = all.values[k * all.records + columns[r]!]!;
  }
  return { models: all.models, records: columns.length, values };
}

function squareSide(features: number, settings: MembershipSettings): number {
  const side = Math.round(Math.sqrt(features));
  if (side * side !== features) {
    const at = settings.augmentationsSource ?? { file: '', line: 0, column: 0 };
    throw new PolicyError(
      `shift-1 shifts a square single-channel image, but the model takes ${features} features, not a square number; remove queries.augmentations`,
      { ...at, field: 'probes.membership.queries.augmentations' },
    );
  }
  return side;
}

/** The unshifted image, then its 8 one-pixel shifts (zero fill): [records × 9] images of side × side. */
export function shiftedImages(x: Float32Array, records: number, side: number): Float32Array {
  const shifts: Array<[number, number]> = [
    [0, 0],
    [-1, -1],
    [-1, 0],
    [-1, 1],
    [0, -1],
    [0, 1],
    [1, -1],
    [1, 0],
    [1, 1],
  ];
  const f = side * side;
  const out = new Float32Array(records * 9 * f);
  for (let r = 0; r < records; r++) {
    for (let a = 0; a < 9; a++) {
      const [dy, dx] = shifts[a]!;
      const base = (r * 9 + a) * f;
      for (let i = 0; i < side; i++) {
        const si = i - dy;
        if (si < 0 || si >= side) continue;
        for (let j = 0; j < side; j++) {
          const sj = j - dx;
          if (sj >= 0 && sj < side) out[base + i * side + j] = x[r * f + si * side + sj]!;
        }
      }
    }
  }
  return out;
}
