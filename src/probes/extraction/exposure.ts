/**
 * Canary ranks among every filling of a format, by log-likelihood under the model (Carlini et
 * al. 2019). Exact when the candidate space is small enough to walk, estimated from a sample
 * otherwise.
 *
 * The exact walk shares prefixes: candidates form a trie whose level j holds every filling of
 * the first j slot characters; each node is ONE model query (one row) whose next-token
 * distribution scores all its children at once, so |R| = 10^6 six-digit secrets cost
 * 1 + 10 + … + 10^5 = 111,111 rows instead of 6·10^6. Nothing is materialised per candidate:
 * the leaves are only counted against each secret's score.
 *
 * Branch and bound keeps it exact while skipping most of the trie for well-memorised secrets:
 * log-probabilities are ≤ 0, so a candidate's score never exceeds its prefix's; a prefix already
 * less likely than every secret has no descendant that could outrank or tie one, and is not
 * expanded.
 */
import { RuntimeFailure } from '../../errors';
import type { ObservedSequenceModel } from '../../model/sequence-types';
import { estimateExposure, exposureOf, midRank, type SkewNormal } from '../../metrics/exposure';
import type { Interval } from '../../metrics/binomial';
import type { Rng } from '../../util/random';

/** A format in token ids: the fixed tokens before the first slot, then each position's choices. */
export interface TokenisedFormat {
  prefix: Int32Array;
  /** Allowed token ids at each position from the first slot character on (one id for fixed characters). */
  positions: Int32Array[];
  /** log2 |R|. */
  spaceBits: number;
  /** |R|. */
  spaceSize: number;
}

export interface ExposureOptions {
  /** Largest |R| walked exactly; larger spaces are estimated from a sample. */
  exactLimit: number;
  /** Candidates sampled when estimating. */
  samples: number;
  /** Rows per model call. */
  batchRows: number;
  confidence: number;
  rng: Rng;
}

export interface ExposureResult {
  exposure: number;
  ci: Interval;
  /** Mid-rank among all candidates (estimated when `estimated`). */
  rank: number;
  /** Log-perplexity of the secret's slot characters, in bits (−log2 likelihood). */
  logPerplexity: number;
  estimated: boolean;
  /** Exact walk: candidates strictly more likely, and other candidates exactly as likely. */
  better?: number;
  ties?: number;
  /** Estimate: the fitted skew-normal (in bits) and the sample counts. */
  fit?: SkewNormal;
  samples?: number;
}

export interface WalkStats {
  /** Model rows queried by the walk (all secrets of the format). */
  queries: number;
  /** Trie nodes expanded, and candidates never scored because a prefix was pruned. */
  nodes: number;
  pruned: number;
  estimated: boolean;
}

/** Exposure of each secret (token ids per position) of one format. */
export async function formatExposures(
  model: ObservedSequenceModel,
  format: TokenisedFormat,
  secrets: readonly Int32Array[],
  options: ExposureOptions,
): Promise<{ results: ExposureResult[]; stats: WalkStats }> {
  const before = model.queries;
  const scores = await secretScores(model, format, secrets, options.batchRows);
  if (format.spaceSize <= options.exactLimit) {
    const results: ExposureResult[] = [];
    let nodes = 0;
    let pruned = 0;
    // Node masks are 31-bit sets of secrets, so at most 31 secrets share one walk.
    for (let start = 0; start < secrets.length; start += 31) {
      const chunk = secrets.slice(start, start + 31);
      const walk = await exactWalk(model, format, chunk, scores.slice(start, start + 31), options.batchRows);
      nodes += walk.nodes;
      pruned += walk.pruned;
      chunk.forEach((_, i) => {
        const rank = midRank(walk.better[i]!, walk.ties[i]!);
        const exposure = exposureOf(rank, format.spaceBits);
        results.push({
          exposure,
          ci: [exposure, exposure],
          rank,
          logPerplexity: -scores[start + i]! / Math.LN2,
          estimated: false,
          better: walk.better[i]!,
          ties: walk.ties[i]!,
        });
      });
    }
    return { results, stats: { queries: model.queries - before, nodes, pruned, estimated: false } };
  }
  const sample = await sampledScores(model, format, options);
  const results = estimatedExposures(sample, scores, format.spaceBits, options.confidence);
  return { results, stats: { queries: model.queries - before, nodes: 0, pruned: 0, estimated: true } };
}

/** Each secret's exposure estimated from the log-likelihoods of a sample of candidates (skew-normal fit, Carlini et al. 2019). */
export function estimatedExposures(
  sample: ArrayLike<number>,
  secretScores: readonly number[],
  spaceBits: number,
  confidence: number,
): ExposureResult[] {
  const bits = Float64Array.from(sample, (s) => -s / Math.LN2);
  return secretScores.map((score): ExposureResult => {
    const x = -score / Math.LN2;
    const estimate = estimateExposure(bits, x, spaceBits, confidence);
    return {
      exposure: estimate.value,
      ci: estimate.ci,
      rank: estimate.rank,
      logPerplexity: x,
      estimated: true,
      fit: estimate.fit,
      samples: estimate.samples,
    };
  });
}

/** Natural-log likelihood of each secret's positions given the prefix: one row per position, one call. */
async function secretScores(
  model: ObservedSequenceModel,
  format: TokenisedFormat,
  secrets: readonly Int32Array[],
  batchRows: number,
): Promise<number[]> {
  const m = format.positions.length;
  const contexts: Int32Array[] = [];
  for (const secret of secrets) for (let j = 0; j < m; j++) contexts.push(concat(format.prefix, secret.subarray(0, j)));
  const lp = await logProbsOf(model, contexts, batchRows, {
    probe: "the extraction probe's canary scoring (each canary's own likelihood)",
  });
  const V = model.vocabSize;
  return secrets.map((secret, s) => {
    let score = 0;
    for (let j = 0; j < m; j++) score += clampLog(lp[(s * m + j) * V + secret[j]!]!);
    return score;
  });
}

/**
 * The trie walk. Level j's nodes are stored flat (tokens, score, mask of the secrets whose path
 * they lie on); each level is queried in batches of `batchRows` nodes.
 */
async function exactWalk(
  model: ObservedSequenceModel,
  format: TokenisedFormat,
  secrets: readonly Int32Array[],
  targets: readonly number[],
  batchRows: number,
): Promise<{ better: number[]; ties: number[]; nodes: number; pruned: number }> {
  const m = format.positions.length;
  const V = model.vocabSize;
  const bound = Math.min(...targets);
  const better = secrets.map(() => 0);
  const ties = secrets.map(() => 0);
  // For each level, the candidates under one node of the next level (to count what pruning skips).
  const below = format.positions.map((_, j) => format.positions.slice(j + 1).reduce((n, p) => n * p.length, 1));
  let level: Level = {
    count: 1,
    tokens: new Int32Array(0),
    scores: new Float64Array([0]),
    masks: new Int32Array([((1 << secrets.length) - 1) | 0]),
  };
  let nodes = 0;
  let pruned = 0;
  for (let j = 0; j < m; j++) {
    const choices = format.positions[j]!;
    const last = j === m - 1;
    // Which secrets take each choice at this position.
    const choiceMask = Int32Array.from(choices, (c) => secrets.reduce((mask, s, i) => (s[j] === c ? mask | (1 << i) : mask), 0));
    const next = last ? undefined : new LevelBuilder(j + 1, Math.min(level.count * choices.length, 1 << 20));
    for (let start = 0; start < level.count; start += batchRows) {
      const n = Math.min(batchRows, level.count - start);
      const contexts: Int32Array[] = [];
      for (let i = 0; i < n; i++) contexts.push(concat(format.prefix, level.tokens.subarray((start + i) * j, (start + i + 1) * j)));
      const lp = await logProbsOf(model, contexts, batchRows, { probe: "the extraction probe's canary enumeration" });
      nodes += n;
      for (let i = 0; i < n; i++) {
        const node = start + i;
        const base = level.scores[node]!;
        const mask = level.masks[node]!;
        for (let k = 0; k < choices.length; k++) {
          const score = base + clampLog(lp[i * V + choices[k]!]!);
          const childMask = mask & choiceMask[k]!;
          if (last) {
            for (let s = 0; s < secrets.length; s++) {
              if (childMask & (1 << s)) continue; // the secret itself
              if (score > targets[s]!) better[s]! += 1;
              else if (score === targets[s]!) ties[s]! += 1;
            }
          } else if (score >= bound) {
            next!.push(level.tokens.subarray(node * j, (node + 1) * j), choices[k]!, score, childMask);
          } else {
            pruned += below[j]!;
          }
        }
      }
    }
    if (next) level = next.done();
  }
  return { better, ties, nodes, pruned };
}

interface Level {
  count: number;
  tokens: Int32Array;
  scores: Float64Array;
  masks: Int32Array;
}

/** A growing flat array of trie nodes of one level. */
class LevelBuilder {
  count = 0;
  tokens: Int32Array;
  scores: Float64Array;
  masks: Int32Array;

  constructor(
    private readonly depth: number,
    capacity: number,
  ) {
    this.tokens = new Int32Array(capacity * depth);
    this.scores = new Float64Array(capacity);
    this.masks = new Int32Array(capacity);
  }

  push(parent: Int32Array, token: number, score: number, mask: number): void {
    if (this.count === this.scores.length) this.grow();
    const at = this.count * this.depth;
    this.tokens.set(parent, at);
    this.tokens[at + this.depth - 1] = token;
    this.scores[this.count] = score;
    this.masks[this.count] = mask;
    this.count += 1;
  }

  done(): Level {
    return {
      count: this.count,
      tokens: this.tokens.subarray(0, this.count * this.depth),
      scores: this.scores.subarray(0, this.count),
      masks: this.masks.subarray(0, this.count),
    };
  }

  private grow(): void {
    const capacity = Math.max(16, this.scores.length * 2);
    const tokens = new Int32Array(capacity * this.depth);
    tokens.set(this.tokens);
    const scores = new Float64Array(capacity);
    scores.set(this.scores);
    const masks = new Int32Array(capacity);
    masks.set(this.masks);
    this.tokens = tokens;
    this.scores = scores;
    this.masks = masks;
  }
}

/**
 * Log-likelihoods of a uniform sample of candidates, sharing prefixes among the sample: the
 * candidates are sorted, so the distinct prefixes of each level are runs of equal neighbours.
 */
async function sampledScores(model: ObservedSequenceModel, format: TokenisedFormat, options: ExposureOptions): Promise<Float64Array> {
  const m = format.positions.length;
  const V = model.vocabSize;
  const samples: Int32Array[] = [];
  for (let i = 0; i < options.samples; i++) {
    samples.push(Int32Array.from(format.positions, (choices) => choices[options.rng.int(choices.length)]!));
  }
  samples.sort(compareTokens);
  const scores = new Float64Array(samples.length);
  for (let j = 0; j < m; j++) {
    const owners: number[] = [];
    const contexts: Int32Array[] = [];
    samples.forEach((s, i) => {
      if (i === 0 || !samePrefix(s, samples[i - 1]!, j)) contexts.push(concat(format.prefix, s.subarray(0, j)));
      owners.push(contexts.length - 1);
    });
    const lp = await logProbsOf(model, contexts, options.batchRows, {
      probe: "the extraction probe's canary sampling (random candidates of the format)",
    });
    samples.forEach((s, i) => {
      scores[i]! += clampLog(lp[owners[i]! * V + s[j]!]!);
    });
  }
  return scores;
}

async function logProbsOf(
  model: ObservedSequenceModel,
  contexts: Int32Array[],
  batchRows: number,
  source: { probe: string },
): Promise<Float64Array> {
  const V = model.vocabSize;
  const out = new Float64Array(contexts.length * V);
  for (let start = 0; start < contexts.length; start += batchRows) {
    const obs = await model.next(contexts.slice(start, start + batchRows), source);
    if (!obs.logProbs)
      throw new RuntimeFailure('canary exposure needs every next-token probability, but the output surface reveals only the top token');
    // Hidden scores come from the surface's mask, never from a NaN (the adapter refuses a NaN from the model).
    if (obs.hidden?.includes(1))
      throw new RuntimeFailure(
        'canary exposure needs every next-token probability, but the output surface hides some (top-k); measure it with surface.scores: full',
      );
    out.set(obs.logProbs, start * V);
  }
  return out;
}

/** Probabilities are ≤ 1; a float rounding above it must not let a child outscore its prefix (which would break pruning). */
function clampLog(lp: number): number {
  return lp > 0 ? 0 : lp;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function compareTokens(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function samePrefix(a: Int32Array, b: Int32Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
