/**
 * Decoders over an observed next-token model, batched across prompts: each step sends one row
 * per prompt. Greedy needs only the top token (works on a label-only surface); sampling needs
 * the revealed log-probabilities and draws from the policy's seeded stream.
 */
import { RuntimeFailure } from '../../errors';
import type { ObservedSequenceModel } from '../../model/sequence-types';
import type { QuerySource } from '../../model/types';
import type { Rng } from '../../util/random';

/**
 * Greedy continuations: `steps` tokens after each prompt (the prompts are not repeated).
 * `source` says where the prompts come from: row r of every step's query is prompt r.
 */
export async function greedyDecode(
  model: ObservedSequenceModel,
  prompts: readonly Int32Array[],
  steps: number,
  source: QuerySource,
): Promise<Int32Array[]> {
  return decode(model, prompts, steps, source, (obs) => obs.top);
}

export interface SamplingOptions {
  /** Softmax temperature; 0 means greedy. */
  temperature: number;
  /** Sample only among the k most likely tokens; 0 means every token. */
  topK: number;
  rng: Rng;
}

/** Sampled continuations: `steps` tokens after each prompt, seeded. */
export async function sampleDecode(
  model: ObservedSequenceModel,
  prompts: readonly Int32Array[],
  steps: number,
  options: SamplingOptions,
  source: QuerySource,
): Promise<Int32Array[]> {
  if (options.temperature === 0) return greedyDecode(model, prompts, steps, source);
  return decode(model, prompts, steps, source, (obs) => {
    if (!obs.logProbs) throw new RuntimeFailure('sampling needs next-token scores, but the output surface reveals only the top token');
    const out = new Int32Array(obs.rows);
    for (let r = 0; r < obs.rows; r++) {
      const [from, to] = [r * obs.vocabSize, (r + 1) * obs.vocabSize];
      out[r] = sampleRow(obs.logProbs.subarray(from, to), options, obs.hidden?.subarray(from, to));
    }
    return out;
  });
}

async function decode(
  model: ObservedSequenceModel,
  prompts: readonly Int32Array[],
  steps: number,
  source: QuerySource,
  choose: (obs: Awaited<ReturnType<ObservedSequenceModel['next']>>) => Int32Array,
): Promise<Int32Array[]> {
  const contexts = prompts.map((p) => {
    const row = new Int32Array(p.length + steps);
    row.set(p);
    return row;
  });
  for (let step = 0; step < steps && prompts.length > 0; step++) {
    const views = contexts.map((row, r) => row.subarray(0, prompts[r]!.length + step));
    const chosen = choose(await model.next(views, source));
    contexts.forEach((row, r) => {
      row[prompts[r]!.length + step] = chosen[r]!;
    });
  }
  return contexts.map((row, r) => row.slice(prompts[r]!.length));
}

/**
 * One draw from softmax(logProbs / T) over the revealed tokens (`hidden`: the surface's top-k
 * mask for this row, 1 = hidden), restricted to the top k. Ties in the top-k cut keep the lower
 * id, so the draw is deterministic.
 */
export function sampleRow(
  logProbs: Float64Array,
  options: Omit<SamplingOptions, 'rng'> & { rng: { next(): number } },
  hidden?: Uint8Array,
): number {
  const ids: number[] = [];
  for (let t = 0; t < logProbs.length; t++) if (!hidden?.[t] && logProbs[t]! > -Infinity) ids.push(t);
  if (ids.length === 0) throw new RuntimeFailure('no token has a revealed, non-zero probability to sample from');
  let pool = ids;
  if (options.topK > 0 && ids.length > options.topK) {
    pool = [...ids]
      .sort((a, b) => logProbs[b]! - logProbs[a]! || a - b)
      .slice(0, options.topK)
      .sort((a, b) => a - b);
  }
  let max = -Infinity;
  for (const t of pool) max = Math.max(max, logProbs[t]!);
  const weights = pool.map((t) => Math.exp((logProbs[t]! - max) / options.temperature));
  const total = weights.reduce((a, w) => a + w, 0);
  let u = options.rng.next() * total;
  for (let i = 0; i < pool.length; i++) {
    u -= weights[i]!;
    if (u < 0) return pool[i]!;
  }
  return pool[pool.length - 1]!;
}
