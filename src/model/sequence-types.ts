/**
 * What the probes know of a sequence model (a next-token predictor). Only src/model/sequence.ts
 * talks to onnxruntime; probes, decoders and metrics see these interfaces, so they are tested
 * with a plain function as the model.
 */
import type { SurfaceSettings } from '../policy/types';
import type { Rng } from '../util/random';
import type { DecoderFacts } from './decoder-layout';
import type { QuerySource, TensorInfo } from './types';

export interface SequenceModelInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** The token-id input, the optional attention-mask input and the scores output the gate uses. */
  input: string;
  attentionMask?: string;
  output: string;
  /** Tokens per query: fixed by the model's input shape, or the policy's cap; null = any length. */
  context: number | null;
  /** Whether the context length is fixed by the model (prompts are left-padded to it). */
  fixedContext: boolean;
  vocabSize: number;
  /** What the raw output holds; the adapter always hands out log-probabilities. */
  scoreKind: 'probabilities' | 'logits';
  scoreKindReason: string;
  /** A decoder-only transformer export (src/model/decoder.ts): its cache layout, for the report. */
  decoder?: DecoderFacts;
}

/** A next-token model: for each context, the natural-log probability of every token. */
export interface SequenceModel {
  readonly info: SequenceModelInfo;
  /** Model queries made so far: one per row (context) sent to the model. */
  readonly queries: number;
  /** rows × vocabSize log-probabilities, row r for contexts[r]. Contexts may differ in length. */
  nextLogProbs(contexts: readonly Int32Array[]): Promise<Float64Array>;
  /**
   * Fast paths a decoder export provides (one forward pass per sequence, a KV cache for
   * generation, a shared prefix computed once and forked). src/model/sequence-ops.ts gives every
   * model these operations, through them when present and through `nextLogProbs` otherwise, so
   * probes never branch on the model kind.
   */
  scoreTokens?(sequences: readonly Int32Array[]): Promise<TokenScores[]>;
  generate?(prompts: readonly Int32Array[], options: GenerateOptions): Promise<Int32Array[]>;
  continuationScores?(prefix: Int32Array, continuations: readonly Int32Array[]): Promise<ContinuationScores>;
}

/**
 * Per-token scores of one whole sequence x_0 … x_{n−1}, position t = 1 … n−1 at index t−1 (the
 * first token has no prediction): what loss, zlib, Min-K% and Min-K%++ are computed from.
 */
export interface TokenScores {
  /** log p(x_t | x_<t), natural log. */
  logProbs: Float64Array;
  /** μ_t = E_{z∼p(·|x_<t)}[log p(z)] and σ_t, its standard deviation over the vocabulary (Min-K%++). */
  mean: Float64Array;
  std: Float64Array;
  /** Tokens scored above x_t, or equal with a lower id (the top-k surface's tie rule): x_t is revealed by top-k iff rank < k. */
  ranks: Int32Array;
}

/** Per-token scores of many continuations of one prefix, flat: continuation i is [offsets[i], offsets[i + 1]). */
export interface ContinuationScores {
  offsets: Int32Array;
  logProbs: Float64Array;
  ranks: Int32Array;
}

/** Seeded sampling: temperature, then top-k (0 = off), then top-p / nucleus (1 = off). */
export interface SamplingOptions {
  temperature: number;
  topK: number;
  topP: number;
  rng: Rng;
}

export interface GenerateOptions {
  /** New tokens per prompt. */
  steps: number;
  /** Greedy (argmax, lowest id on ties) when absent. */
  sampling?: SamplingOptions;
  /** A row stops after producing this token (kept in its output); the others go on. */
  stopId?: number;
}

/**
 * What a deployed text API reveals about the next token of each context: always the most likely
 * token (greedy decoding works on every surface); log-probabilities when the surface shows
 * scores. Which scores are hidden comes from the surface alone, through `hidden` (1 = hidden,
 * top-k): a hidden entry of `logProbs` is NaN and must never be read, and a NaN the model
 * output never gets this far (the adapter refuses it, src/model/non-finite.ts).
 */
export interface NextTokenObservation {
  rows: number;
  vocabSize: number;
  top: Int32Array;
  logProbs?: Float64Array;
  hidden?: Uint8Array;
}

/** The model as an outside attacker sees it (see sequence-surface.ts). */
export interface ObservedSequenceModel {
  readonly queries: number;
  readonly vocabSize: number;
  /** Whether `next` returns log-probabilities (false for a label-only surface). */
  readonly revealsScores: boolean;
  /** The policy's surface settings, for notes in the report. */
  readonly surface: SurfaceSettings;
  /** `source` says where the contexts come from, so that a bad model answer names it. */
  next(contexts: readonly Int32Array[], source: QuerySource): Promise<NextTokenObservation>;
  /**
   * Per-token scores of whole sequences as the surface reveals them: under `full` every value;
   * under `top-k` a token outside the k most likely is NaN and μ/σ are NaN (they need every
   * score); rounding applies to the revealed probabilities. Throws on a label-only surface.
   */
  score(sequences: readonly Int32Array[], source: QuerySource): Promise<TokenScores[]>;
  /** Continuations of each prompt (new tokens only). Any surface: an API always returns text. */
  generate(prompts: readonly Int32Array[], options: GenerateOptions, source: QuerySource): Promise<Int32Array[]>;
  /**
   * Σ log p over each continuation given the shared prefix (prefix computed once, cache forked),
   * as the surface reveals them (NaN where a hidden score is needed). Throws on a label-only surface.
   */
  continuations(prefix: Int32Array, continuations: readonly Int32Array[], source: QuerySource): Promise<Float64Array>;
}
