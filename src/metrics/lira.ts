/**
 * LiRA, the likelihood-ratio attack of Carlini et al. 2022, "Membership Inference Attacks From
 * First Principles" (IEEE S&P), scored from logit-scaled confidences φ (./logit-confidence.ts).
 * Pure: plain arrays in, one score per record out (higher = more likely a member).
 *
 * For record r and query augmentation a, the reference models that trained on r (IN) and those
 * that never saw it (OUT) give Gaussian fits N(μ_in, σ_in²) and N(μ_out, σ_out²) of φ, fitted per
 * augmentation (means are the sample means; standard deviations the population form, ddof 0, as
 * TensorFlow Privacy's compute_score_lira, advanced_mia.py, computes them with np.nanstd).
 *
 * - online:  Λ_a = log N(φ_a; μ_in,a, σ_in,a²) − log N(φ_a; μ_out,a, σ_out,a²).
 * - offline: the paper's one-sided test Λ = Pr[Z < φ], Z ~ N(μ_out, σ_out²), reported as its
 *   z-score (φ_a − μ_out,a) / σ_out,a. For one query the two rank records identically (Φ is
 *   increasing), but Φ reaches 1.0 in float64 at z ≈ 8.3, tying exactly the most exposed
 *   records, which are what TPR at low FPR counts; the z-score never saturates.
 * - augmentations: the record's score is the mean over augmentations of the per-augmentation
 *   score (the log-likelihood ratio online, as the paper's code and TensorFlow Privacy average
 *   log_pr_in − log_pr_out over axis 1; the z-score offline, Stouffer's combination up to the
 *   factor √A), not a score of the averaged φ: each augmentation has its own fit.
 *
 * Variance: the paper finds per-example variances help only with many reference models (its
 * "fixed variance" variant is better with few shadow models; issue 10 measured the crossover at
 * 32 models per side on the digits example). A record gets its own
 * σ_in, σ_out once it has at least `perRecordVarianceFrom` (default 32) IN models and as many
 * OUT models (offline: OUT models only); below that it uses the global σ: the root mean square
 * of φ − μ over every (model, record, augmentation) on that side (TensorFlow Privacy's
 * fix_variance). Degenerate cases, all explicit:
 * - no record has two models on one side (e.g. one IN model per record): that side's global σ
 *   has no degrees of freedom and is taken from the other side; if neither has any, `minStd`;
 * - any σ (global or per record) below `minStd` (default 1e−6, e.g. every model agrees exactly)
 *   is raised to it, so Λ stays finite and still ranks records by their distance to the means
 *   (TensorFlow Privacy adds 1e−30, which turns such records into ±1e60 outliers);
 * - a record with no OUT model (either mode), or no IN model (online): RangeError naming the
 *   records; src/data/memberships-coverage.ts reports this before any attack runs.
 */
import {
  checkShapes,
  describeRecords,
  IN,
  OUT,
  type MembershipMatrix,
  type ReferenceSignals,
  type SignalMatrix,
} from './reference-signals';

export type LiraMode = 'online' | 'offline';

export interface LiraOptions {
  mode: LiraMode;
  /** IN and OUT models a record needs for its own variance (offline: OUT models). Default 32. */
  perRecordVarianceFrom?: number;
  /** Smallest standard deviation used. Default 1e−6. */
  minStd?: number;
}

export interface LiraResult {
  /** One score per record; higher = more likely a member. */
  scores: Float64Array;
  /** Records scored with their own variance; the others used the global one. */
  perRecordVariance: number;
  /** The global standard deviations of φ (σ_in is NaN offline), after borrowing and flooring. */
  globalStd: { in: number; out: number };
}

export const PER_RECORD_VARIANCE_FROM = 32;
export const MIN_STD = 1e-6;

/** Per (record, augmentation) mean and sum of squared deviations of φ on one side, and counts per record. */
interface SideStats {
  mean: Float64Array;
  squares: Float64Array;
  count: Int32Array;
}

/**
 * LiRA scores of the target's records.
 * @throws RangeError on mismatched shapes or a record that lacks the models its mode needs.
 */
export function liraScores(target: SignalMatrix, refs: ReferenceSignals, memberships: MembershipMatrix, options: LiraOptions): LiraResult {
  checkShapes(target, refs, memberships);
  const from = options.perRecordVarianceFrom ?? PER_RECORD_VARIANCE_FROM;
  const minStd = options.minStd ?? MIN_STD;
  if (!(from >= 1)) throw new RangeError(`perRecordVarianceFrom must be at least 1, got ${from}`);
  if (!(minStd > 0)) throw new RangeError(`minStd must be positive, got ${minStd}`);
  const online = options.mode === 'online';
  const out = cachedSideStats(refs, memberships, OUT);
  const inside = online ? cachedSideStats(refs, memberships, IN) : undefined;
  requireModels(out, 'OUT', options.mode);
  if (inside) requireModels(inside, 'IN', options.mode);

  const globalOut = globalStd(out);
  const globalIn = inside ? globalStd(inside) : { std: NaN, freedom: 0 };
  const gOut = Math.max(globalOut.freedom > 0 ? globalOut.std : globalIn.freedom > 0 ? globalIn.std : minStd, minStd);
  const gIn = inside ? Math.max(globalIn.freedom > 0 ? globalIn.std : globalOut.freedom > 0 ? globalOut.std : minStd, minStd) : NaN;

  const { records, augmentations: aug } = target;
  const scores = new Float64Array(records);
  let perRecord = 0;
  for (let r = 0; r < records; r++) {
    const own = out.count[r]! >= from && (!inside || inside.count[r]! >= from);
    if (own) perRecord++;
    let sum = 0;
    for (let a = 0; a < aug; a++) {
      const i = r * aug + a;
      const phi = target.values[i]!;
      const sOut = own ? Math.max(Math.sqrt(out.squares[i]! / out.count[r]!), minStd) : gOut;
      const zOut = (phi - out.mean[i]!) / sOut;
      if (!inside) {
        sum += zOut;
        continue;
      }
      const sIn = own ? Math.max(Math.sqrt(inside.squares[i]! / inside.count[r]!), minStd) : gIn;
      const zIn = (phi - inside.mean[i]!) / sIn;
      // log N(φ; μ_in, σ_in²) − log N(φ; μ_out, σ_out²); the ½ log 2π terms cancel.
      sum += Math.log(sOut) - Math.log(sIn) - 0.5 * zIn * zIn + 0.5 * zOut * zOut;
    }
    scores[r] = sum / aug;
  }
  return { scores, perRecordVariance: perRecord, globalStd: { in: gIn, out: gOut } };
}

/**
 * Side statistics already computed for these exact signal and membership arrays: online and
 * offline LiRA on the same inputs share the OUT side, so a deep audit fits it once. Keyed
 * weakly by the arrays themselves (callers build them once per run and never write to them
 * afterwards), so the cache neither changes a result nor keeps the arrays alive.
 */
const sideStatsCache = new WeakMap<Float64Array, WeakMap<Int8Array, Map<number, SideStats>>>();

function cachedSideStats(refs: ReferenceSignals, memberships: MembershipMatrix, side: number): SideStats {
  let byMemberships = sideStatsCache.get(refs.values);
  if (!byMemberships) sideStatsCache.set(refs.values, (byMemberships = new WeakMap()));
  let bySide = byMemberships.get(memberships.values);
  if (!bySide) byMemberships.set(memberships.values, (bySide = new Map()));
  let stats = bySide.get(side);
  if (!stats) bySide.set(side, (stats = sideStats(refs, memberships, side)));
  return stats;
}

/** Means in one pass, squared deviations in a second (no cancellation from Σφ² − nμ²). */
function sideStats(refs: ReferenceSignals, memberships: MembershipMatrix, side: number): SideStats {
  const { models, records, augmentations: aug, values } = refs;
  const cells = records * aug;
  const mean = new Float64Array(cells);
  const squares = new Float64Array(cells);
  const count = new Int32Array(records);
  for (let k = 0; k < models; k++) {
    const m = k * records;
    const v = k * cells;
    for (let r = 0; r < records; r++) {
      if (memberships.values[m + r] !== side) continue;
      count[r]!++;
      for (let a = 0; a < aug; a++) mean[r * aug + a]! += values[v + r * aug + a]!;
    }
  }
  for (let r = 0; r < records; r++) {
    const n = count[r]!;
    if (n > 0) for (let a = 0; a < aug; a++) mean[r * aug + a]! /= n;
  }
  for (let k = 0; k < models; k++) {
    const m = k * records;
    const v = k * cells;
    for (let r = 0; r < records; r++) {
      if (memberships.values[m + r] !== side) continue;
      for (let a = 0; a < aug; a++) {
        const d = values[v + r * aug + a]! - mean[r * aug + a]!;
        squares[r * aug + a]! += d * d;
      }
    }
  }
  return { mean, squares, count };
}

/**
 * Root mean square of φ − μ over every value on the side; `freedom` is the number of values
 * minus the number of fitted means (0: every record has at most one model on this side).
 */
function globalStd(stats: SideStats): { std: number; freedom: number } {
  let squares = 0;
  let values = 0;
  let means = 0;
  const aug = stats.mean.length / stats.count.length;
  for (let r = 0; r < stats.count.length; r++) {
    const n = stats.count[r]!;
    if (n === 0) continue;
    values += n * aug;
    means += aug;
    for (let a = 0; a < aug; a++) squares += stats.squares[r * aug + a]!;
  }
  return { std: values > 0 ? Math.sqrt(squares / values) : NaN, freedom: values - means };
}

function requireModels(stats: SideStats, side: 'IN' | 'OUT', mode: LiraMode): void {
  const lacking: number[] = [];
  for (let r = 0; r < stats.count.length; r++) if (stats.count[r] === 0) lacking.push(r);
  if (lacking.length)
    throw new RangeError(`${mode} LiRA needs at least one ${side} reference model per record; ${describeRecords(lacking)} have none`);
}
