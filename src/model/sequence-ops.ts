/**
 * The whole-sequence operations every sequence model offers its probes: per-token scores,
 * generation, and the scores of many continuations of one prefix. A decoder export does them
 * itself (one forward pass per sequence, a KV cache); any other next-token model gets them here
 * through `nextLogProbs`, one context per position. Both paths choose tokens with
 * {@link chooseToken}, each row from its own random stream ({@link rowSamplers}: one seed per row
 * drawn from the caller's rng in row order, then one draw per step), so the same seed gives the
 * same text with and without a cache, whatever the batch size and whichever rows stop early.
 */
import { Rng } from '../util/random';
import type { SamplingOptions, ContinuationScores, GenerateOptions, SequenceModel, TokenScores } from './sequence-types';

/** Float64 values per nextLogProbs call in the fallbacks (32 MB), whatever the vocabulary. */
const VALUES_PER_CALL = 1 << 22;

/**
 * One sampler per row: row r's stream is seeded by the r-th draw of `sampling.rng`. A single
 * stream shared by every row (one draw per row per step) would tie the tokens to the order in
 * which rows are processed, so a decoder would have to step every row of a call in lockstep,
 * holding all their caches at once; per-row streams let it generate in bounded batches.
 */
export function rowSamplers(rows: number, sampling: SamplingOptions | undefined): Array<SamplingOptions | undefined> {
  if (!sampling) return new Array<undefined>(rows).fill(undefined);
  return Array.from({ length: rows }, () => ({ ...sampling, rng: new Rng(sampling.rng.nextUint32()) }));
}

export function scoreTokens(model: SequenceModel, sequences: readonly Int32Array[]): Promise<TokenScores[]> {
  if (model.scoreTokens) return model.scoreTokens(sequences);
  return scoreByPrefixes(model, sequences);
}

export function generate(model: SequenceModel, prompts: readonly Int32Array[], options: GenerateOptions): Promise<Int32Array[]> {
  if (model.generate) return model.generate(prompts, options);
  return generateByPrefixes(model, prompts, options);
}

export function continuationScores(
  model: SequenceModel,
  prefix: Int32Array,
  continuations: readonly Int32Array[],
): Promise<ContinuationScores> {
  if (model.continuationScores) return model.continuationScores(prefix, continuations);
  return continuationsByPrefixes(model, prefix, continuations);
}

/** One position's facts from a row of log-probabilities (or logits: `logSoftmax` first). */
export interface PositionScore {
  logProb: number;
  mean: number;
  std: number;
  rank: number;
}

/** log p(token), μ = Σ p log p, σ, and the token's rank (top-k tie rule) from log-probabilities. */
export function positionScore(logProbs: ArrayLike<number>, offset: number, width: number, token: number): PositionScore {
  const own = logProbs[offset + token]!;
  let mean = 0;
  let square = 0;
  let rank = 0;
  for (let c = 0; c < width; c++) {
    const lp = logProbs[offset + c]!;
    // p·log p is 0 in the limit p → 0; exp(−∞)·(−∞) would be NaN.
    if (lp > -Infinity) {
      const p = Math.exp(lp);
      mean += p * lp;
      square += p * lp * lp;
    }
    if (lp > own || (lp === own && c < token)) rank++;
  }
  return { logProb: own, mean, std: Math.sqrt(Math.max(0, square - mean * mean)), rank };
}

/**
 * The next token from one row of log-probabilities, or of logits (only differences within a row
 * matter, so a decoder need not normalise the vocabulary at every step): argmax (lowest id on
 * ties) without sampling; otherwise temperature, top-k, top-p, then one draw from `rng`.
 */
export function chooseToken(logProbs: ArrayLike<number>, offset: number, width: number, sampling?: SamplingOptions): number {
  if (!sampling || sampling.temperature === 0) {
    let best = 0;
    for (let c = 1; c < width; c++) if (logProbs[offset + c]! > logProbs[offset + best]!) best = c;
    return best;
  }
  const order = sortedCandidates(logProbs, offset, width, sampling.topK);
  const keep = sampling.topK > 0 ? Math.min(sampling.topK, width) : width;
  const top = logProbs[offset + order[0]!]!;
  const weights = new Float64Array(keep);
  let total = 0;
  for (let i = 0; i < keep; i++) {
    weights[i] = Math.exp((logProbs[offset + order[i]!]! - top) / sampling.temperature);
    total += weights[i]!;
  }
  let kept = keep;
  if (sampling.topP < 1) {
    // Smallest head of the sorted tokens whose mass reaches p (at least one token).
    let mass = 0;
    for (let i = 0; i < keep; i++) {
      mass += weights[i]! / total;
      if (mass >= sampling.topP) {
        kept = i + 1;
        break;
      }
    }
    total = 0;
    for (let i = 0; i < kept; i++) total += weights[i]!;
  }
  let u = sampling.rng.next() * total;
  for (let i = 0; i < kept; i++) {
    u -= weights[i]!;
    if (u < 0) return order[i]!;
  }
  return order[kept - 1]!;
}

/**
 * Token ids by descending score (lower id first on ties): all of them, or with top-k the first k
 * of that order, found with a k-entry heap in one pass (a 50,000-token vocabulary is not sorted
 * at every step of every row).
 */
function sortedCandidates(scores: ArrayLike<number>, offset: number, width: number, topK: number): Int32Array {
  if (!(topK > 0 && topK < width)) {
    const order = new Int32Array(width);
    for (let c = 0; c < width; c++) order[c] = c;
    return order.sort((a, b) => scores[offset + b]! - scores[offset + a]! || a - b);
  }
  // Min-heap of the k best so far, its root the worst of them (lowest score, higher id on ties),
  // with each entry's score beside its id: the scan compares against the root's score alone, and
  // ids come in increasing order, so a later id tying the root loses and only a higher score gets in.
  const ids = new Int32Array(topK);
  const values = new Float64Array(topK);
  let size = 0;
  for (let c = 0; c < width; c++) {
    const v = scores[offset + c]!;
    if (size < topK) {
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(v, c, values[parent]!, ids[parent]!)) break;
        ids[i] = ids[parent]!;
        values[i] = values[parent]!;
        i = parent;
      }
      ids[i] = c;
      values[i] = v;
    } else if (v > values[0]!) {
      siftDown(ids, values, size, c, v);
    }
  }
  // Pop the worst to the end until the heap is empty: best first, ties by lower id.
  for (let end = size - 1; end > 0; end--) {
    const id = ids[end]!;
    const v = values[end]!;
    ids[end] = ids[0]!;
    values[end] = values[0]!;
    siftDown(ids, values, end, id, v);
  }
  return ids;
}

/** Whether (v, id) ranks below (w, other): a lower score, or the same score and a higher id. */
function worse(v: number, id: number, w: number, other: number): boolean {
  return v < w || (v === w && id > other);
}

/** Puts (id, v) at the root of a min-heap of `size` entries and moves it down to its place. */
function siftDown(ids: Int32Array, values: Float64Array, size: number, id: number, v: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    const r = l + 1;
    const w = r < size && worse(values[r]!, ids[r]!, values[l]!, ids[l]!) ? r : l;
    if (!worse(values[w]!, ids[w]!, v, id)) break;
    ids[i] = ids[w]!;
    values[i] = values[w]!;
    i = w;
  }
  ids[i] = id;
  values[i] = v;
}

/** Runs `contexts` through nextLogProbs in calls of at most VALUES_PER_CALL values; `use` gets each row. */
async function eachRow(
  model: SequenceModel,
  contexts: readonly Int32Array[],
  use: (row: number, logProbs: Float64Array, offset: number) => void,
): Promise<void> {
  const width = model.info.vocabSize;
  const rowsPerCall = Math.max(1, Math.floor(VALUES_PER_CALL / width));
  for (let start = 0; start < contexts.length; start += rowsPerCall) {
    const chunk = contexts.slice(start, start + rowsPerCall);
    const logProbs = await model.nextLogProbs(chunk);
    for (let r = 0; r < chunk.length; r++) use(start + r, logProbs, r * width);
  }
}

export async function scoreByPrefixes(model: SequenceModel, sequences: readonly Int32Array[]): Promise<TokenScores[]> {
  const width = model.info.vocabSize;
  const contexts: Int32Array[] = [];
  const owner: { sequence: number; position: number }[] = [];
  const scores = sequences.map((sequence, s) => {
    const n = Math.max(0, sequence.length - 1);
    for (let t = 1; t < sequence.length; t++) {
      contexts.push(sequence.subarray(0, t));
      owner.push({ sequence: s, position: t - 1 });
    }
    return { logProbs: new Float64Array(n), mean: new Float64Array(n), std: new Float64Array(n), ranks: new Int32Array(n) };
  });
  await eachRow(model, contexts, (row, logProbs, offset) => {
    const { sequence, position } = owner[row]!;
    const score = positionScore(logProbs, offset, width, sequences[sequence]![position + 1]!);
    const out = scores[sequence]!;
    out.logProbs[position] = score.logProb;
    out.mean[position] = score.mean;
    out.std[position] = score.std;
    out.ranks[position] = score.rank;
  });
  return scores;
}

export async function generateByPrefixes(
  model: SequenceModel,
  prompts: readonly Int32Array[],
  options: GenerateOptions,
): Promise<Int32Array[]> {
  const width = model.info.vocabSize;
  const samplers = rowSamplers(prompts.length, options.sampling);
  const produced = prompts.map(() => [] as number[]);
  let active = prompts.map((_, i) => i);
  for (let step = 0; step < options.steps && active.length > 0; step++) {
    const contexts = active.map((i) => concat(prompts[i]!, produced[i]!));
    const stopped = new Set<number>();
    await eachRow(model, contexts, (row, logProbs, offset) => {
      const i = active[row]!;
      const token = chooseToken(logProbs, offset, width, samplers[i]);
      produced[i]!.push(token);
      if (token === options.stopId) stopped.add(i);
    });
    active = active.filter((i) => !stopped.has(i));
  }
  return produced.map((tokens) => Int32Array.from(tokens));
}

export async function continuationsByPrefixes(
  model: SequenceModel,
  prefix: Int32Array,
  continuations: readonly Int32Array[],
): Promise<ContinuationScores> {
  const width = model.info.vocabSize;
  const offsets = new Int32Array(continuations.length + 1);
  continuations.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
  const total = offsets[continuations.length]!;
  const logProbs = new Float64Array(total);
  const ranks = new Int32Array(total);
  const contexts: Int32Array[] = [];
  const tokens = new Int32Array(total);
  continuations.forEach((c, i) => {
    const whole = concat(prefix, c);
    for (let j = 0; j < c.length; j++) {
      contexts.push(whole.subarray(0, prefix.length + j));
      tokens[offsets[i]! + j] = c[j]!;
    }
  });
  await eachRow(model, contexts, (row, values, offset) => {
    const score = positionScore(values, offset, width, tokens[row]!);
    logProbs[row] = score.logProb;
    ranks[row] = score.rank;
  });
  return { offsets, logProbs, ranks };
}

function concat(a: Int32Array, b: ArrayLike<number>): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
