/**
 * Scores of a class reconstruction (model inversion, Fredrikson et al. 2015). Pure.
 *
 * Similarity is the cosine of mean-centred feature vectors: cos(a − μ, b − μ), with μ the
 * population mean (the gate uses the non-members' mean, which the attacker can know too). Centring
 * matters: raw feature vectors of one domain (all pixel images, all positive) have cosines near 1
 * whatever they show, while centred ones measure how a vector departs from the average record,
 * i.e. what is specific to a class. A centred vector of zero (the start at the population mean)
 * has similarity 0 to everything. Cosine ignores the length of the departure, so a faint
 * reconstruction with the class's shape scores as well as a sharp one; that is the question asked.
 *
 * - similarity gain = sim(reconstruction, member mean of c) − sim(start, member mean of c),
 *   in [−2, 2]; 0 = the attack learned nothing about the class's records.
 * - identification: the class whose centroid (member mean) is most similar to the
 *   reconstruction is c. The identification rate over classes gets a Clopper–Pearson interval.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { checkConfidence, clopperPearson, type Interval } from './binomial';

/** Mean of each class's rows (row-major x with d features); undefined for a class with no rows. */
export function classMeans(x: ArrayLike<number>, classes: Int32Array, d: number, classCount: number): Array<Float64Array | undefined> {
  const sums = Array.from({ length: classCount }, () => new Float64Array(d));
  const counts = new Int32Array(classCount);
  for (let r = 0; r < classes.length; r++) {
    const c = classes[r]!;
    counts[c]!++;
    const sum = sums[c]!;
    for (let j = 0; j < d; j++) sum[j]! += x[r * d + j]!;
  }
  return sums.map((sum, c) => (counts[c]! > 0 ? sum.map((v) => v / counts[c]!) : undefined));
}

/** Mean of every row. */
export function overallMean(x: ArrayLike<number>, rows: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]!;
  return mean.map((v) => v / Math.max(rows, 1));
}

/** cos(a − centre, b − centre); 0 when either centred vector is zero. */
export function centredCosine(a: ArrayLike<number>, b: ArrayLike<number>, centre: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < centre.length; j++) {
    const u = a[j]! - centre[j]!;
    const v = b[j]! - centre[j]!;
    dot += u * v;
    na += u * u;
    nb += v * v;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Index of the centroid most similar to x (ties: lowest index); −1 when there is none, or when x
 * is the centre itself, which is equally (un)like every class and so identifies none.
 */
export function nearestCentroid(x: ArrayLike<number>, centroids: Array<Float64Array | undefined>, centre: ArrayLike<number>): number {
  let away = false;
  for (let j = 0; j < centre.length && !away; j++) away = x[j] !== centre[j];
  if (!away) return -1;
  let best = -1;
  let bestSim = -Infinity;
  centroids.forEach((m, k) => {
    if (!m) return;
    const sim = centredCosine(x, m, centre);
    if (sim > bestSim) {
      best = k;
      bestSim = sim;
    }
  });
  return best;
}

export interface ProportionEstimate {
  value: number | null;
  ci: Interval;
  successes: number;
  trials: number;
}

/** Share of classes identified, with a two-sided Clopper–Pearson interval (null value for none). */
export function identificationRate(hits: boolean[], confidence: number): ProportionEstimate {
  const k = hits.filter(Boolean).length;
  const n = hits.length;
  return { value: n > 0 ? k / n : null, ci: clopperPearson(k, n, confidence), successes: k, trials: n };
}

export interface MeanEstimate {
  value: number | null;
  ci: Interval;
  n: number;
}

/**
 * Mean with a two-sided Student-t interval, mean ± t(1 − α/2; n − 1) · s/√n. The classes are few
 * (ten digits), where a normal or bootstrap interval is too narrow. The t quantile comes from the
 * beta distribution: if T ~ t_ν then ν/(ν + T²) ~ Beta(ν/2, 1/2), so P(|T| > t) = α at
 * t = sqrt(ν(1 − q)/q) with q = B⁻¹(α; ν/2, 1/2). One value gives no spread: its interval is
 * the whole possible range.
 */
export function meanWithInterval(values: number[], confidence: number, range: Interval): MeanEstimate {
  checkConfidence(confidence);
  const n = values.length;
  if (n === 0) return { value: null, ci: range, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { value: mean, ci: range, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = studentQuantile(1 - confidence, n - 1) * Math.sqrt(variance / n);
  return { value: mean, ci: [Math.max(range[0], mean - half), Math.min(range[1], mean + half)], n };
}

/** t such that P(|T_ν| > t) = alpha. */
export function studentQuantile(alpha: number, nu: number): number {
  const q = betaQuantile(alpha, nu / 2, 0.5);
  return Math.sqrt((nu * (1 - q)) / q);
}
