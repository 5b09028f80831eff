/**
 * What the probes know of a sequence model (a next-token predictor). Only src/model/sequence.ts
 * talks to onnxruntime; probes, decoders and metrics see these interfaces, so they are tested
 * with a plain function as the model.
 */
import type { SurfaceSettings } from '../policy/types';
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
}

/** A next-token model: for each context, the natural-log probability of every token. */
export interface SequenceModel {
  readonly info: SequenceModelInfo;
  /** Model queries made so far: one per row (context) sent to the model. */
  readonly queries: number;
  /** rows × vocabSize log-probabilities, row r for contexts[r]. Contexts may differ in length. */
  nextLogProbs(contexts: readonly Int32Array[]): Promise<Float64Array>;
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
}
