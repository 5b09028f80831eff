/**
 * RMIA, the relative membership inference attack of Zarifzadeh et al. 2024, "Low-Cost
 * High-Power Membership Inference Attacks" (ICML), as ML Privacy Meter implements it
 * (privacytrustlab/ml_privacy_meter: modules/mia/attacks/rmia.py, run_rmia and
 * get_out_ref_signals; attacks.py, run_rmia). Pure; higher = more likely a member.
 *
 *   LR(x) = Pr(x | θ) / Pr(x),   score(x) = |{z ∈ Z : LR(x) / LR(z) > γ}| / |Z|
 *
 * Pr(x | θ) is the target's probability of the true class, p_y = σ(φ), from the same
 * logit-scaled confidence φ LiRA uses (./logit-confidence.ts, logSigmoid). Pr(x) is the
 * average over reference models, computed in log space from p and from 1 − p = σ(−φ) so that
 * records with p rounded to 1 still differ (ML Privacy Meter divides float probabilities: on
 * the leaky digits model, where 375 records read p_y = 1.0 in float32, that ties them all):
 * - offline: ½((1 + a)·Pr_OUT(x) + (1 − a)), Pr_OUT(x) the mean p_y of the models that never saw
 *   x (the paper's linear approximation of Pr_IN from Pr_OUT; ML Privacy Meter's mean_x, with
 *   a = offline_a, default 0.3 as in its get_out_ref_signals);
 * - online: ½(Pr_IN(x) + Pr_OUT(x)), the mean over reference models of which half trained on x
 *   (equal to the plain mean over all of them when, as with complementary halves, IN and OUT
 *   are balanced; the halves are weighted equally when they are not). A sample that no
 *   reference model trained on (typical of population z) uses the offline formula, which is
 *   what that formula approximates.
 * The population z gets its Pr(z) from its own memberships: ML Privacy Meter takes every z as
 * OUT for every model (`population_memberships = np.zeros_like(...)`), which is wrong when z
 * comes from the reference models' training pool: then Pr(z) mixes IN models in, and the
 * naive version ties every top score. ML Privacy Meter keeps the `num_reference_models`
 * largest OUT signals (a device for its paired-model layout); here every OUT model counts.
 *
 * With query augmentations, log LR is the mean over augmentations of log p_y,a − log Pr_a(x),
 * i.e. the geometric mean of the per-augmentation ratios, mirroring LiRA's averaging of
 * per-augmentation log-likelihood ratios. Comparisons are made on logs:
 * LR(x)/LR(z) > γ ⇔ log LR(x) − log γ > log LR(z), strictly (ties do not count, as
 * `ratios > 1.0` in ML Privacy Meter). At γ = 1 an exact tie is exact; at other γ a ratio equal
 * to γ in exact arithmetic may fall either way by one rounding of log γ.
 *
 * Degenerate cases: a sample (x or z) with no OUT model, or an empty population, is a
 * RangeError naming the samples.
 */
import { logSigmoid } from './logit-confidence';
import {
  checkShapes,
  describeRecords,
  IN,
  OUT,
  type MembershipMatrix,
  type ReferenceSignals,
  type SignalMatrix,
} from './reference-signals';
import { sortFloat64 } from './sort';

export type RmiaMode = 'online' | 'offline';

export interface RmiaOptions {
  mode: RmiaMode;
  /** The offline coefficient a in [0, 1]. Default 0.3. */
  a?: number;
  /** γ > 0. Default 1. */
  gamma?: number;
}

export const RMIA_DEFAULT_A = 0.3;
export const RMIA_DEFAULT_GAMMA = 1;

/** Signals (φ) of a set of samples in the target and the reference models, with their memberships. */
export interface RmiaSamples {
  target: SignalMatrix;
  refs: ReferenceSignals;
  memberships: MembershipMatrix;
}

/**
 * RMIA scores of `audited`'s records against the population `population` (z). Both are
 * scored by the same target and reference models (same K, same augmentations).
 * @throws RangeError on mismatched shapes, a bad option, an empty population or a sample with no OUT model.
 */
export function rmiaScores(audited: RmiaSamples, population: RmiaSamples, options: RmiaOptions): Float64Array {
  const a = options.a ?? RMIA_DEFAULT_A;
  const gamma = options.gamma ?? RMIA_DEFAULT_GAMMA;
  if (!(a >= 0 && a <= 1)) throw new RangeError(`a must be in [0, 1], got ${a}`);
  if (!(gamma > 0 && gamma < Infinity)) throw new RangeError(`gamma must be positive and finite, got ${gamma}`);
  if (population.target.records === 0) throw new RangeError('RMIA needs at least one population sample z');
  if (population.refs.models !== audited.refs.models || population.target.augmentations !== audited.target.augmentations) {
    throw new RangeError('the population must be scored by the same reference models and augmentations as the audited records');
  }
  const x = logLikelihoodRatios(audited, options.mode, a, 'record');
  // The population is often the audited records themselves (ML Privacy Meter's offline
  // setting): their ratios are the same numbers, computed once.
  const z = population === audited ? x.slice() : logLikelihoodRatios(population, options.mode, a, 'population sample');
  sortFloat64(z);
  const logGamma = Math.log(gamma);
  const scores = new Float64Array(x.length);
  for (let r = 0; r < x.length; r++) scores[r] = countBelow(z, x[r]! - logGamma) / z.length;
  return scores;
}

/**
 * log LR per sample: the mean over augmentations of log p_y,a(θ) − log Pr_a(x).
 * @throws RangeError when a sample has no OUT model.
 */
export function logLikelihoodRatios(samples: RmiaSamples, mode: RmiaMode, a: number, noun = 'record'): Float64Array {
  const { target, refs, memberships } = samples;
  checkShapes(target, refs, memberships);
  const { records, augmentations: aug } = target;
  const cells = records * aug;
  // Sums of p = σ(φ) and of its complement q = 1 − p = σ(−φ), both exact: near p = 1 (a
  // float32 model's saturated members) Pr(x) is formed as 1 − (a mean of q), so confident
  // records keep distinct ratios instead of all reading Pr(x) = 1.
  const sumIn = new Float64Array(cells);
  const sumOut = new Float64Array(cells);
  const restIn = new Float64Array(cells);
  const restOut = new Float64Array(cells);
  const nIn = new Int32Array(records);
  const nOut = new Int32Array(records);
  for (let k = 0; k < refs.models; k++) {
    for (let r = 0; r < records; r++) {
      const m = memberships.values[k * records + r];
      if (m !== IN && m !== OUT) continue;
      // Chosen without an array literal: this loop runs K × records times.
      const sum = m === IN ? sumIn : sumOut;
      const rest = m === IN ? restIn : restOut;
      if (m === IN) nIn[r]!++;
      else nOut[r]!++;
      for (let j = 0; j < aug; j++) {
        const phi = refs.values[k * cells + r * aug + j]!;
        sum[r * aug + j]! += Math.exp(logSigmoid(phi));
        rest[r * aug + j]! += Math.exp(logSigmoid(-phi));
      }
    }
  }
  const lacking: number[] = [];
  for (let r = 0; r < records; r++) if (nOut[r] === 0) lacking.push(r);
  if (lacking.length)
    throw new RangeError(`RMIA needs at least one OUT reference model per sample; ${describeRecords(lacking)} (${noun}s) have none`);
  const out = new Float64Array(records);
  for (let r = 0; r < records; r++) {
    let sum = 0;
    for (let j = 0; j < aug; j++) {
      const i = r * aug + j;
      const online = mode === 'online' && nIn[r]! > 0;
      // Pr(x) and 1 − Pr(x) from the same means, each without cancellation.
      const pr = online ? 0.5 * (sumIn[i]! / nIn[r]! + sumOut[i]! / nOut[r]!) : 0.5 * ((1 + a) * (sumOut[i]! / nOut[r]!) + (1 - a));
      const rest = online ? 0.5 * (restIn[i]! / nIn[r]! + restOut[i]! / nOut[r]!) : 0.5 * (1 + a) * (restOut[i]! / nOut[r]!);
      const logPr = rest < 0.5 ? Math.log1p(-rest) : Math.log(pr);
      sum += logSigmoid(target.values[i]!) - logPr;
    }
    out[r] = sum / aug;
  }
  return out;
}

/** Number of entries of the ascending `sorted` strictly below `value`. */
function countBelow(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
