/**
 * Pure: recognises a decoder-only transformer export from its inputs and outputs, as Hugging Face
 * Optimum and torch.onnx.export write them:
 * - `input_ids` [batch, seq], optional `attention_mask` [batch, past + seq], optional
 *   `position_ids` [batch, seq];
 * - a KV cache: `past_key_values.{i}.key/.value` [batch, heads, past, head_dim] fed back from
 *   `present.{i}.key/.value`, or the older one-tensor-per-layer `past_key_values.{i}` / `past_{i}`
 *   [2, batch, heads, past, head_dim] from `present.{i}` / `present_{i}`;
 * - merged decoders: a bool `use_cache_branch` choosing the with-past subgraph;
 * - `logits` [batch, seq, vocab].
 * Without a past it is a no-cache export (one forward pass per sequence, no fast generation).
 */
import { InputError } from '../errors';
import type { TensorInfo } from './types';

/** One cache tensor: the past input fed from the present output of the previous step. */
export interface CacheSlot {
  input: string;
  output: string;
  layer: number;
  part: 'key' | 'value' | 'key-value';
  /** Leading dimensions before the batch: 1, or 2 for a [2, batch, …] key-value pair. */
  outer: number;
  heads: number;
  headDim: number;
}

export interface DecoderLayout {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  ids: TensorInfo;
  mask?: TensorInfo;
  positions?: TensorInfo;
  /** Merged decoders: the bool input choosing the with-past branch. */
  useCacheBranch?: TensorInfo;
  logits: TensorInfo;
  /** Empty for a no-cache export. */
  cache: CacheSlot[];
  layers: number;
  /** Declared vocabulary size (the logits' last dimension), when fixed. */
  vocabSize?: number;
}

/** What the report records of a decoder export (`sequenceModel.decoder`). */
export interface DecoderFacts {
  cache: boolean;
  layers: number;
  merged: boolean;
  positionIds: boolean;
  /** Attention heads and head size per layer (of the first key tensor), when there is a cache. */
  heads?: number;
  headDim?: number;
}

export function decoderFacts(layout: DecoderLayout): DecoderFacts {
  const facts: DecoderFacts = {
    cache: layout.cache.length > 0,
    layers: layout.layers,
    merged: layout.useCacheBranch !== undefined,
    positionIds: layout.positions !== undefined,
  };
  const first = layout.cache[0];
  if (first) Object.assign(facts, { heads: first.heads, headDim: first.headDim });
  return facts;
}

export interface LayoutOverrides {
  input?: string;
  output?: string;
  attentionMask?: string;
}

const SPLIT_PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const JOINT_PAST = [/^past_key_values\.(\d+)$/, /^past_(\d+)$/];
const USE_CACHE_BRANCH = 'use_cache_branch';
const INTEGER_TYPES = ['int64', 'int32'];
const MASK_TYPES = ['int64', 'int32', 'float32', 'bool'];

/** The present output names a past input may be fed from, most common first. */
function presentNames(past: string): string[] {
  const split = SPLIT_PAST.exec(past);
  if (split) return [`present.${split[1]}.${split[2]}`, `present_key_values.${split[1]}.${split[2]}`];
  const joint = /^past_key_values\.(\d+)$/.exec(past);
  if (joint) return [`present.${joint[1]}`, `present_${joint[1]}`];
  const older = /^past_(\d+)$/.exec(past)!;
  return [`present_${older[1]}`, `present.${older[1]}`];
}

function isPast(name: string): boolean {
  return SPLIT_PAST.test(name) || JOINT_PAST.some((p) => p.test(name));
}

const describe = (t: TensorInfo) => `${t.name}: ${t.type}[${t.shape.join(', ')}]`;

/**
 * The decoder layout of a model, or undefined when it is not a decoder export (then the plain
 * next-token adapter, src/model/sequence.ts, handles it). A model with a past input or
 * `use_cache_branch` is a decoder, and any flaw in its layout is an InputError naming the input;
 * otherwise `input_ids` (or model.input) with a symbolic length and a [batch, seq, vocab]
 * `logits` output (or model.output) make a no-cache decoder when no other input is left over.
 */
export function detectDecoderLayout(
  path: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  overrides: LayoutOverrides = {},
): DecoderLayout | undefined {
  const fail = (message: string, field = 'model.input') => new InputError(message, { file: path, field });
  const pasts = inputs.filter((t) => isPast(t.name));
  const branch = inputs.find((t) => t.name === USE_CACHE_BRANCH);
  const declared = pasts.length > 0 || branch !== undefined;
  const idsName = overrides.input ?? 'input_ids';
  const ids = inputs.find((t) => t.name === idsName);
  const logitsName = overrides.output ?? 'logits';
  const logits = outputs.find((t) => t.name === logitsName);
  const maskName = overrides.attentionMask ?? 'attention_mask';
  const mask = inputs.find((t) => t.name === maskName);
  const positions = inputs.find((t) => t.name === 'position_ids');
  const known = new Set<TensorInfo>([...pasts, ...[ids, mask, positions, branch].filter((t): t is TensorInfo => t !== undefined)]);
  const others = inputs.filter((t) => !known.has(t));

  if (!declared) {
    // A no-cache decoder only when nothing is left to guess; anything else stays with the plain adapter.
    const plain =
      ids !== undefined &&
      logits?.shape.length === 3 &&
      typeof ids.shape[1] !== 'number' &&
      others.length === 0 &&
      (mask !== undefined || overrides.attentionMask === undefined);
    if (!plain) return undefined;
  }

  const list = inputs.map(describe).join('; ');
  if (!ids) throw fail(`the model has a KV-cache layout but no token-id input "${idsName}"; its inputs are ${list}`);
  if (overrides.attentionMask !== undefined && !mask) {
    throw fail(`the model has no input "${overrides.attentionMask}"; its inputs are ${list}`, 'model.attention-mask');
  }
  if (others.length > 0) {
    throw fail(
      `the decoder has inputs the gate cannot fill: ${others.map(describe).join('; ')}; a decoder export takes input_ids, attention_mask, position_ids, past_key_values.{i}.key/.value and use_cache_branch`,
    );
  }
  if (!INTEGER_TYPES.includes(ids.type) || ids.shape.length !== 2) {
    throw fail(`decoder input "${ids.name}" is ${ids.type}[${ids.shape.join(', ')}]; expected int64 token ids of shape [batch, seq]`);
  }
  if (typeof ids.shape[1] === 'number' && ids.shape[1] > 0 && declared) {
    throw fail(`decoder input "${ids.name}" has a fixed length of ${ids.shape[1]}; a KV-cache decoder takes any number of new tokens`);
  }
  if (mask && (!MASK_TYPES.includes(mask.type) || mask.shape.length !== 2)) {
    throw fail(
      `decoder input "${mask.name}" is ${mask.type}[${mask.shape.join(', ')}]; expected an int64 attention mask of shape [batch, past + seq]`,
      'model.attention-mask',
    );
  }
  if (positions && (!INTEGER_TYPES.includes(positions.type) || positions.shape.length !== 2)) {
    throw fail(
      `decoder input "${positions.name}" is ${positions.type}[${positions.shape.join(', ')}]; expected int64 positions of shape [batch, seq]`,
    );
  }
  if (branch && (branch.type !== 'bool' || branch.shape.length > 1)) {
    throw fail(`decoder input "${branch.name}" is ${branch.type}[${branch.shape.join(', ')}]; expected a bool of shape [1]`);
  }
  if (branch && pasts.length === 0) throw fail(`the model has a "${USE_CACHE_BRANCH}" input but no past_key_values inputs`);
  if (!logits) {
    throw fail(
      `the decoder has no output "${logitsName}"; its outputs are ${outputs.map(describe).join('; ')}`,
      overrides.output ? 'model.output' : 'model.input',
    );
  }
  if (!logits.type.startsWith('float') || logits.shape.length !== 3) {
    throw fail(
      `decoder output "${logits.name}" is ${logits.type}[${logits.shape.join(', ')}]; expected float logits of shape [batch, seq, vocab]`,
      'model.output',
    );
  }

  const cache = pasts.map((past) => cacheSlot(past, outputs, fail));
  cache.sort((a, b) => a.layer - b.layer || a.part.localeCompare(b.part));
  const layers = checkLayers(cache, fail);
  const layout: DecoderLayout = { inputs, outputs, ids, logits, cache, layers };
  if (mask) layout.mask = mask;
  if (positions) layout.positions = positions;
  if (branch) layout.useCacheBranch = branch;
  const vocab = logits.shape[2];
  if (typeof vocab === 'number' && vocab > 0) layout.vocabSize = vocab;
  return layout;
}

function cacheSlot(past: TensorInfo, outputs: TensorInfo[], fail: (m: string) => InputError): CacheSlot {
  const split = SPLIT_PAST.exec(past.name);
  const layer = Number(split ? split[1] : JOINT_PAST.map((p) => p.exec(past.name)).find((m) => m)![1]);
  const candidates = presentNames(past.name);
  const present = outputs.find((o) => candidates.includes(o.name));
  if (!present) {
    throw fail(
      `decoder input "${past.name}" has no matching output ${candidates.map((c) => `"${c}"`).join(' or ')} to feed it from the previous step`,
    );
  }
  const rank = split ? 4 : 5;
  const expected = split ? '[batch, heads, past, head_dim]' : '[2, batch, heads, past, head_dim]';
  if (past.type !== 'float32') {
    throw fail(`decoder input "${past.name}" is ${past.type}; the gate runs float32 caches (export the model in float32)`);
  }
  if (past.shape.length !== rank) throw fail(`decoder input "${past.name}" is ${describe(past)}; expected ${expected}`);
  if (present.shape.length !== rank || present.type !== past.type) {
    throw fail(
      `decoder output "${present.name}" is ${describe(present)} but its input "${past.name}" is ${describe(past)}; expected the same type and rank`,
    );
  }
  const [heads, headDim] = past.shape.slice(rank - 3, rank).filter((_, i) => i !== 1);
  if (typeof heads !== 'number' || heads <= 0 || typeof headDim !== 'number' || headDim <= 0) {
    throw fail(
      `decoder input "${past.name}" is ${describe(past)}: heads and head_dim must be fixed numbers (${expected}) to build the first, empty cache`,
    );
  }
  for (const [axis, what] of [
    [rank - 3, 'heads'],
    [rank - 1, 'head_dim'],
  ] as const) {
    const d = present.shape[axis];
    if (typeof d === 'number' && d !== past.shape[axis]) {
      throw fail(`shape mismatch: decoder output "${present.name}" has ${what} ${d} but input "${past.name}" has ${past.shape[axis]}`);
    }
  }
  if (!split && typeof past.shape[0] === 'number' && past.shape[0] !== 2) {
    throw fail(`decoder input "${past.name}" is ${describe(past)}; expected [2, batch, heads, past, head_dim] (key and value)`);
  }
  return {
    input: past.name,
    output: present.name,
    layer,
    part: split ? (split[2] as 'key' | 'value') : 'key-value',
    outer: split ? 1 : 2,
    heads,
    headDim,
  };
}

/** Layers 0 … L−1, each with a key and a value (or one joint tensor). */
function checkLayers(cache: CacheSlot[], fail: (m: string) => InputError): number {
  if (cache.length === 0) return 0;
  const layers = Math.max(...cache.map((c) => c.layer)) + 1;
  for (let layer = 0; layer < layers; layer++) {
    const parts = cache.filter((c) => c.layer === layer).map((c) => c.part);
    const complete =
      (parts.length === 1 && parts[0] === 'key-value') || (parts.length === 2 && parts.includes('key') && parts.includes('value'));
    if (!complete) {
      throw fail(
        parts.length === 0
          ? `the decoder has past inputs for layers up to ${layers - 1} but none for layer ${layer}`
          : `decoder layer ${layer} has past inputs ${parts.join(', ')}; expected past_key_values.${layer}.key and past_key_values.${layer}.value`,
      );
    }
  }
  return layers;
}
