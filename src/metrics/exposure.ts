/**
 * Exposure (Carlini et al. 2019, "The Secret Sharer", §4): how much more likely the model finds
 * an inserted secret than the other fillings of its format. Pure.
 *
 *   exposure(s) = log2 |R| − log2 rank(s)
 *
 * where rank(s) is the secret's position among all |R| candidates sorted by log-perplexity
 * (most likely first, rank 1). Ties count half (mid-rank), as ties do in the AUC: a model that
 * gives every candidate the same likelihood then has exposure ≈ 1 bit, the value of a random
 * candidate, instead of the maximum that "ties count as better" would give.
 *
 * When |R| is too large to enumerate, the paper's extrapolation (§4.3): fit a skew-normal
 * distribution to the log-perplexities of a uniform sample of candidates and read the
 * secret's rank fraction off its CDF: exposure ≈ −log2 F(x_s). The skew-normal is fitted by the
 * method of moments (Azzalini 1985) and its CDF integrated numerically in log space so the far
 * left tail (the secrets that matter) keeps its relative precision.
 */
import { clopperPearson, type Interval } from './binomial';

/** Mid-rank of a candidate with `better` candidates strictly more likely and `ties` others equally likely. */
export function midRank(better: number, ties: number): number {
  return 1 + better + ties / 2;
}

/** log2 |R| − log2 rank, for rank in [1, |R|]. */
export function exposureOf(rank: number, spaceBits: number): number {
  return spaceBits - Math.log2(rank);
}

// ------------------------------------------------------------------------ normal and erfc

/**
 * erfc with relative error below 1.2e-7 everywhere, including the far tails (Numerical Recipes
 * §6.2, Chebyshev fit): the tails are where exposure is read, so a relative error bound matters.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// ---------------------------------------------------------------------------- skew-normal

export interface SkewNormal {
  /** Location ξ, scale ω > 0, shape α. */
  location: number;
  scale: number;
  shape: number;
}

/** Largest |sample skewness| a skew-normal can have is about 0.9953; fits are clipped below it. */
const MAX_SKEW = 0.99;

/** Method-of-moments skew-normal fit (sample mean, standard deviation and skewness). */
export function fitSkewNormal(values: ArrayLike<number>): SkewNormal {
  const n = values.length;
  if (n < 3) throw new RangeError(`a skew-normal fit needs at least 3 values, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  const sd = Math.sqrt(m2);
  if (!(sd > 0)) return { location: mean, scale: 0, shape: 0 };
  const skew = Math.max(-MAX_SKEW, Math.min(MAX_SKEW, m3 / sd ** 3));
  const g = Math.abs(skew) ** (2 / 3);
  const delta = Math.sign(skew) * Math.sqrt((Math.PI / 2) * (g / (g + ((4 - Math.PI) / 2) ** (2 / 3))));
  const scale = sd / Math.sqrt(1 - (2 * delta * delta) / Math.PI);
  return {
    location: mean - scale * delta * Math.sqrt(2 / Math.PI),
    scale,
    shape: delta / Math.sqrt(1 - delta * delta),
  };
}

/** Skew-normal density at x. */
export function skewNormalPdf(x: number, d: SkewNormal): number {
  const z = (x - d.location) / d.scale;
  return ((2 / d.scale) * Math.exp(-0.5 * z * z) * normalCdf(d.shape * z)) / Math.sqrt(2 * Math.PI);
}

/** Width (in scale units) integrated from the evaluation point: the density beyond it is < e^-70 of the part kept. */
const SPAN = 12;
const STEPS = 4000;

/**
 * Skew-normal CDF F(x). Integrates the density over [z − 12, z] (left side) or [z, z + 12]
 * (right side, F = 1 − tail) with Simpson's rule, so a left-tail value like 1e-30 is computed
 * to full relative precision instead of as a difference of nearly equal numbers.
 */
export function skewNormalCdf(x: number, d: SkewNormal): number {
  if (d.scale === 0) return x >= d.location ? 1 : 0;
  const z = (x - d.location) / d.scale;
  const density = (t: number) => (2 * Math.exp(-0.5 * t * t) * normalCdf(d.shape * t)) / Math.sqrt(2 * Math.PI);
  const simpson = (a: number, b: number) => {
    const h = (b - a) / STEPS;
    let sum = density(a) + density(b);
    for (let i = 1; i < STEPS; i++) sum += (i % 2 === 1 ? 4 : 2) * density(a + i * h);
    return (sum * h) / 3;
  };
  // The mode is at z ≈ 0 for small |α|; integrate away from it toward the nearer tail.
  if (z <= 0) return Math.min(1, simpson(z - SPAN, z));
  return Math.max(0, 1 - simpson(z, z + SPAN));
}

// ----------------------------------------------------------------------- estimated exposure

export interface EstimatedExposure {
  /** −log2 F(x), capped to [0, log2 |R|]. */
  value: number;
  /** Distribution-free interval from the sample counts (Clopper–Pearson on the rank fraction). */
  ci: Interval;
  /** Estimated rank, |R| · F(x), at least 1. */
  rank: number;
  fit: SkewNormal;
  /** Sampled candidates more likely than the secret (ties count half). */
  sampleBetter: number;
  samples: number;
}

/**
 * Exposure of a secret whose log-perplexity is `secret`, from the log-perplexities of a uniform
 * sample of candidates (lower = more likely).
 */
export function estimateExposure(sample: ArrayLike<number>, secret: number, spaceBits: number, confidence: number): EstimatedExposure {
  const fit = fitSkewNormal(sample);
  const fraction = skewNormalCdf(secret, fit);
  const minFraction = 2 ** -spaceBits;
  const value = Math.min(spaceBits, Math.max(0, -Math.log2(Math.max(fraction, minFraction))));
  let below = 0;
  let equal = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i]! < secret) below += 1;
    else if (sample[i]! === secret) equal += 1;
  }
  const n = sample.length;
  const lo = clopperPearson(below, n, confidence)[0];
  const hi = clopperPearson(below + equal, n, confidence)[1];
  const bits = (f: number) => Math.min(spaceBits, Math.max(0, -Math.log2(Math.max(f, minFraction))));
  return {
    value,
    ci: [bits(hi), bits(lo)],
    rank: Math.max(1, 2 ** (spaceBits - value)),
    fit,
    sampleBetter: below + equal / 2,
    samples: n,
  };
}
