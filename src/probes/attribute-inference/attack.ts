/**
 * The Fredrikson et al. (2014) estimator: for each target record and each candidate value v of
 * the sensitive attribute, query the model with v filled in and score
 *   log prior(v) + log P(observation | known attributes, v),
 * guessing the candidate with the highest score. Unknown features are marginalised: the
 * likelihood is averaged over records drawn from the attacker's data. All candidates (and
 * samples) of many records go to the model in one call, through the observed surface.
 */
import type { ObservedModel } from '../../model/surface';
import type { Observation } from '../../model/types';
import type { Rng } from '../../util/random';
import type { AttributePlan } from './columns';
import { attackerLogProbability, attackerScores } from '../attacker-view';

/** Names these queries in an error about the model's answers: their rows come from no data file. */
const SOURCE = { probe: "the attribute-inference probe's candidate queries (target records with each candidate value filled in)" };

/** Rows per model call: all candidates × samples of as many records as fit. */
export const CHUNK_ROWS = 32_768;

/** With a label-only surface a mismatching prediction is read as this probability, not 0. */
export const LABEL_ONLY_EPSILON = 0.01;

/** What the attacker observes about each target: a class index, or a numeric value. */
export type Observed = { kind: 'class'; classes: ArrayLike<number> } | { kind: 'value'; values: ArrayLike<number> };

/** How one model answer is read as a log-likelihood of the observation. */
export type Likelihood = { kind: 'class'; epsilon: number; floor: number } | { kind: 'value'; sigma: number };

export interface Targets {
  /** Row-major target rows (the attribute's own columns are overwritten per candidate). */
  x: Float32Array;
  rows: number;
  features: number;
  observed: Observed;
}

/** Records the unknown features are drawn from (the attacker's data). */
export interface Samples {
  x: Float32Array;
  rows: number;
  /** Records drawn per target (with replacement). */
  count: number;
  rng: Rng;
}

/**
 * rows × candidates log-likelihoods log P(observation | known attributes, v), averaged over the
 * samples (as a log-mean-exp, so tiny likelihoods do not underflow). The prior is added by the
 * caller, so that equal likelihoods stay exactly equal (a tie, not a rounding difference).
 */
export async function logLikelihoods(
  model: ObservedModel,
  plan: AttributePlan,
  targets: Targets,
  likelihood: Likelihood,
  samples?: Samples,
): Promise<Float64Array> {
  const k = plan.candidates.length;
  if (plan.unknown.length > 0 && !samples) throw new RangeError('unknown features need samples to be filled in from');
  const s = plan.unknown.length > 0 ? samples!.count : 1;
  const perRecord = k * s;
  const f = targets.features;
  const out = new Float64Array(targets.rows * k);
  const recordsPerChunk = Math.max(1, Math.floor(CHUNK_ROWS / perRecord));
  const ll = new Float64Array(perRecord);
  for (let start = 0; start < targets.rows; start += recordsPerChunk) {
    const records = Math.min(recordsPerChunk, targets.rows - start);
    const n = records * perRecord;
    const x = new Float32Array(n * f);
    for (let r = 0; r < records; r++) {
      const target = targets.x.subarray((start + r) * f, (start + r + 1) * f);
      for (let q = 0; q < s; q++) {
        // One donor per sample, shared by every candidate, so candidates differ only in v.
        const donor = plan.unknown.length > 0 ? samples!.rng.int(samples!.rows) : -1;
        for (let c = 0; c < k; c++) {
          const row = x.subarray(((r * k + c) * s + q) * f, ((r * k + c) * s + q + 1) * f);
          row.set(target);
          if (donor >= 0) for (const j of plan.unknown) row[j] = samples!.x[donor * f + j]!;
          for (let j = 0; j < plan.columns.length; j++) row[plan.columns[j]!] = plan.encodings[c * plan.columns.length + j]!;
        }
      }
    }
    const read = await answer(model, x, n, likelihood);
    for (let r = 0; r < records; r++) {
      for (let i = 0; i < perRecord; i++) ll[i] = read(r * perRecord + i, observationOf(targets.observed, start + r));
      for (let c = 0; c < k; c++) out[(start + r) * k + c] = logMeanExp(ll, c * s, s);
    }
  }
  return out;
}

/**
 * The attacker's guess for each row: argmax over v of log prior(v) + log-likelihood(v); ties go
 * to the lower candidate index.
 */
export function guesses(logLik: Float64Array, logPrior: Float64Array): Int32Array {
  const k = logPrior.length;
  const rows = logLik.length / k;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logPrior[c]! + logLik[r * k + c]! > logPrior[best]! + logLik[r * k + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Binary attributes: the attack score log posterior odds of the second candidate,
 * (log prior₁ − log prior₀) + (log-lik₁ − log-lik₀); higher = more likely the second value.
 */
export function posteriorLogOdds(logLik: Float64Array, logPrior: Float64Array): Float64Array {
  const prior = logPrior[1]! - logPrior[0]!;
  return Float64Array.from({ length: logLik.length / 2 }, (_, r) => prior + (logLik[2 * r + 1]! - logLik[2 * r]!));
}

/** Smoothed log prior from candidate counts: (count + 1) / (n + K), or uniform. */
export function logPriorFrom(truth: ArrayLike<number> | undefined, k: number): Float64Array {
  const counts = new Float64Array(k).fill(1);
  if (truth) for (let i = 0; i < truth.length; i++) counts[truth[i]!]!++;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => Math.log(c / total));
}

/** Queries one chunk and returns a reader: (query row, observation) → log-likelihood. */
async function answer(
  model: ObservedModel,
  x: Float32Array,
  n: number,
  likelihood: Likelihood,
): Promise<(row: number, observation: number) => number> {
  if (likelihood.kind === 'value') {
    const values = await model.values(x, n, SOURCE);
    const twoVar = 2 * likelihood.sigma * likelihood.sigma;
    return (row, o) => -((o - values[row]!) ** 2) / twoVar;
  }
  const obs: Observation = await model.query(x, n, SOURCE);
  if (!obs.scores) {
    const miss = Math.log(likelihood.epsilon);
    return (row, y) => (obs.labels[row] === y ? 0 : miss);
  }
  const scores = attackerScores(obs);
  const c = obs.classCount;
  return (row, y) => attackerLogProbability(scores, c, row, y, likelihood.floor);
}

function observationOf(observed: Observed, row: number): number {
  return observed.kind === 'class' ? observed.classes[row]! : observed.values[row]!;
}

function logMeanExp(values: Float64Array, offset: number, count: number): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, values[offset + i]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(values[offset + i]! - max);
  return max + Math.log(sum / count);
}
