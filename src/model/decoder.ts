/**
 * The ONNX adapter for decoder-only transformer exports (layouts: decoder-layout.ts). Beside the
 * next-token scores every sequence model gives, it offers the fast paths of SequenceModel:
 * - scoreTokens: one forward pass per sequence (right padding), every position at once;
 * - generate: a KV cache across steps (left padding, so each row's last token is at the end),
 *   and, when every prompt is the same, the prompt computed once and its cache forked;
 * - continuationScores: the prefix computed once, its cache forked over each batch.
 * Logits are float32; every log-softmax is float64. Queries are counted as rows sent to
 * onnxruntime, as the plain adapter does. Only this file and sequence.ts run sequence models.
 */
import { InputError, RuntimeFailure } from '../errors';
import { byLength, chunkByLength, joinColumns, padRows, pickRows, positionsFromMask } from './decoder-batch';
import { cacheBytesPerToken, emptyCache, gatherRows, type KvCache } from './decoder-cache';
import { decoderFacts, detectDecoderLayout, type DecoderLayout } from './decoder-layout';
import { NonFiniteOutput } from './non-finite';
import { firstLine, type OrtModule, type OrtSession } from './runtime';
import type { NonFiniteRows } from './scores';
import { idTensor, openSequenceSession, toLogProbs, type OpenedSequenceSession, type SequenceModelOptions } from './sequence';
import { chooseToken, continuationsByPrefixes, generateByPrefixes, positionScore, rowSamplers } from './sequence-ops';
import type { ContinuationScores, GenerateOptions, SequenceModel, SequenceModelInfo, TokenScores } from './sequence-types';

export interface DecoderOptions extends SequenceModelOptions {
  /** false: every generation step recomputes the whole sequence (the bench's baseline). Default true. */
  useCache?: boolean;
  /** Bytes of float32 logits ([rows, tokens, vocab]) per forward pass; default 256 MB. */
  logitsBytes?: number;
  /** Bytes of KV cache per batch; default 512 MB. */
  cacheBytes?: number;
}

const MB = 1 << 20;
const DEFAULT_MAX_ROWS = 512;

/** The decoder adapter on a session of its own, released when the model is no decoder (undefined) or flawed. */
export async function openDecoderModel(options: DecoderOptions): Promise<DecoderModel | undefined> {
  const opened = await openSequenceSession(options.path);
  const model = await decoderFromSession(options, opened).catch(async (error: unknown) => {
    await opened.session.release();
    throw error;
  });
  if (!model) await opened.session.release();
  return model;
}

/**
 * The decoder adapter over an open session when the model has a decoder layout, else undefined
 * (the session left open for the plain adapter). A decoder layout with a flaw is an InputError.
 */
export async function decoderFromSession(options: DecoderOptions, opened: OpenedSequenceSession): Promise<DecoderModel | undefined> {
  const { ort, session, inputs, outputs } = opened;
  const overrides = {
    ...(options.input ? { input: options.input } : {}),
    ...(options.output ? { output: options.output } : {}),
    ...(options.attentionMask ? { attentionMask: options.attentionMask } : {}),
  };
  const layout = detectDecoderLayout(options.path, inputs, outputs, overrides);
  if (!layout) return undefined;
  const model = new DecoderModel(ort, session, options, layout);
  await model.discoverVocabulary();
  return model;
}

interface Forward {
  /** rows × width × vocab. */
  logits: Float32Array;
  present?: KvCache;
}

export class DecoderModel implements SequenceModel {
  private queryCount = 0;
  private vocabSize: number;
  private readonly padId: number;
  private readonly useCache: boolean;
  private readonly kind: 'logits' | 'probabilities';

  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly options: DecoderOptions,
    readonly layout: DecoderLayout,
  ) {
    this.vocabSize = layout.vocabSize ?? 0;
    this.padId = options.padId ?? 0;
    this.useCache = options.useCache !== false && layout.cache.length > 0;
    this.kind = options.scores === 'probabilities' ? 'probabilities' : 'logits';
  }

  get queries(): number {
    return this.queryCount;
  }

  get info(): SequenceModelInfo {
    const { layout } = this;
    const info: SequenceModelInfo = {
      inputs: layout.inputs,
      outputs: layout.outputs,
      input: layout.ids.name,
      output: layout.logits.name,
      context: this.options.context ?? null,
      fixedContext: false,
      vocabSize: this.vocabSize,
      scoreKind: this.kind,
      scoreKindReason:
        this.options.scores === 'auto'
          ? `a decoder export's "${layout.logits.name}" output holds logits; set model.scores to override`
          : 'set by the policy (model.scores)',
      decoder: decoderFacts(layout),
    };
    if (layout.mask) info.attentionMask = layout.mask.name;
    return info;
  }

  /** The vocabulary size from one forward pass, when the logits' last dimension is symbolic. */
  async discoverVocabulary(): Promise<void> {
    if (this.vocabSize > 0) return;
    const { logits } = await this.forward(Int32Array.of(this.padId), Int32Array.of(1), 1, 1, undefined, false);
    this.vocabSize = logits.length;
  }

  async nextLogProbs(contexts: readonly Int32Array[]): Promise<Float64Array> {
    const vocab = this.vocabSize;
    const cap = this.options.context;
    const kept = contexts.map((c) => {
      if (c.length === 0) throw this.emptyPrompt();
      return cap !== undefined && c.length > cap ? c.subarray(c.length - cap) : c;
    });
    const out = new Float64Array(contexts.length * vocab);
    const bad = new NonFiniteTally();
    for (const chunk of this.chunks(
      kept.map((c) => c.length),
      0,
    )) {
      const batch = padRows(
        chunk.map((i) => kept[i]!),
        'left',
        this.padId,
      );
      const { logits } = await this.forward(batch.ids, batch.mask, batch.rows, batch.width, undefined, false);
      chunk.forEach((row, r) => {
        const at = (r * batch.width + batch.width - 1) * vocab;
        if (bad.check(logits, at, vocab, row)) this.toLogProbs(logits, at, out, row * vocab);
      });
    }
    bad.throwIfAny(this, contexts.length);
    return out;
  }

  async scoreTokens(sequences: readonly Int32Array[]): Promise<TokenScores[]> {
    const vocab = this.vocabSize;
    const cap = this.options.context;
    const scores = sequences.map((s) => emptyScores(Math.max(0, s.length - 1)));
    // Beyond model.context tokens, each position is scored from its last `context` tokens.
    const heads = sequences.map((s) => (cap !== undefined && s.length > cap ? s.subarray(0, cap) : s));
    const row = new Float64Array(vocab);
    const bad = new NonFiniteTally();
    const order = byLength(heads.map((h) => h.length)).filter((i) => heads[i]!.length > 1);
    for (const chunk of this.chunks(
      heads.map((h) => h.length),
      0,
      order,
    )) {
      const batch = padRows(
        chunk.map((i) => heads[i]!),
        'right',
        this.padId,
      );
      const { logits } = await this.forward(batch.ids, batch.mask, batch.rows, batch.width, undefined, false);
      chunk.forEach((s, r) => {
        const sequence = heads[s]!;
        for (let t = 1; t < sequence.length; t++) {
          const at = (r * batch.width + t - 1) * vocab;
          if (!bad.check(logits, at, vocab, s)) return;
          this.toLogProbs(logits, at, row, 0);
          setScore(scores[s]!, t - 1, positionScore(row, 0, vocab, sequence[t]!));
        }
      });
    }
    bad.throwIfAny(this, sequences.length);
    await this.scoreTails(sequences, heads, scores);
    return scores;
  }

  async generate(prompts: readonly Int32Array[], options: GenerateOptions): Promise<Int32Array[]> {
    if (prompts.some((p) => p.length === 0)) throw this.emptyPrompt();
    // Beyond model.context the cache cannot slide: each step is then scored from its last `context` tokens.
    if (!this.useCache || this.exceedsContext(prompts, options.steps - 1)) return generateByPrefixes(this, prompts, options);
    const produced = prompts.map(() => [] as number[]);
    if (options.steps <= 0 || prompts.length === 0) return produced.map(() => new Int32Array(0));
    const samplers = rowSamplers(prompts.length, options.sampling);
    const lengths = prompts.map((p) => p.length);
    // Every prompt the same (e.g. the BOS token alone): computed once, its cache forked.
    const shared = prompts.every((p) => sameTokens(p, prompts[0]!)) ? await this.prefill(prompts[0]!) : undefined;
    // The bound covers the whole generation's cache; a forked prompt's prefill logits are one row's.
    for (const chunk of this.chunks(lengths, options.steps, byLength(lengths), shared ? 1 : undefined)) {
      await this.generateChunk(chunk, prompts, shared, options, samplers, produced);
    }
    return produced.map((tokens) => Int32Array.from(tokens));
  }

  async continuationScores(prefix: Int32Array, continuations: readonly Int32Array[]): Promise<ContinuationScores> {
    if (prefix.length === 0) throw this.emptyPrompt();
    const longest = continuations.reduce((m, c) => Math.max(m, c.length), 0);
    if (!this.useCache || this.exceedsContext([prefix], longest - 1)) return continuationsByPrefixes(this, prefix, continuations);
    const vocab = this.vocabSize;
    const offsets = new Int32Array(continuations.length + 1);
    continuations.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
    const logProbs = new Float64Array(offsets[continuations.length]!);
    const ranks = new Int32Array(logProbs.length);
    const put = (i: number, j: number, row: Float64Array) => {
      const score = positionScore(row, 0, vocab, continuations[i]![j]!);
      logProbs[offsets[i]! + j] = score.logProb;
      ranks[offsets[i]! + j] = score.rank;
    };
    const bad = new NonFiniteTally();
    const row = new Float64Array(vocab);
    // The prefix once: its last position scores every continuation's first token.
    const { logits: first, present } = await this.prefill(prefix);
    if (bad.check(first, 0, vocab, 0)) {
      this.toLogProbs(first, 0, row, 0);
      continuations.forEach((c, i) => c.length > 0 && put(i, 0, row));
    }
    bad.throwIfAny(this, 1);
    // Each continuation's tokens but the last, after the forked prefix cache, predict its next tokens.
    const fed = continuations.map((c) => Math.max(0, c.length - 1));
    const order = byLength(fed).filter((i) => fed[i]! > 0);
    for (const chunk of this.chunks(fed, prefix.length, order)) {
      const batch = padRows(
        chunk.map((i) => continuations[i]!.subarray(0, fed[i]!)),
        'right',
        this.padId,
      );
      const past = gatherRows(present!, new Array<number>(batch.rows).fill(0));
      const mask = joinColumns(new Int32Array(batch.rows * prefix.length).fill(1), prefix.length, batch.mask, batch.width, batch.rows);
      const { logits } = await this.forward(batch.ids, mask, batch.rows, batch.width, past, false);
      chunk.forEach((i, r) => {
        for (let j = 1; j < continuations[i]!.length; j++) {
          const at = (r * batch.width + j - 1) * vocab;
          if (!bad.check(logits, at, vocab, i)) return;
          this.toLogProbs(logits, at, row, 0);
          put(i, j, row);
        }
      });
    }
    bad.throwIfAny(this, continuations.length);
    return { offsets, logProbs, ranks };
  }

  /** One batch of prompts generated to the end with the cache; tokens go to `produced`. */
  private async generateChunk(
    chunk: number[],
    prompts: readonly Int32Array[],
    shared: Forward | undefined,
    options: GenerateOptions,
    samplers: ReturnType<typeof rowSamplers>,
    produced: number[][],
  ): Promise<void> {
    const vocab = this.vocabSize;
    let cache: KvCache;
    let mask: Int32Array;
    let total: number;
    let last: Float32Array;
    let lastWidth: number;
    const bad = new NonFiniteTally();
    if (shared) {
      total = shared.present!.length;
      cache = gatherRows(shared.present!, new Array<number>(chunk.length).fill(0));
      mask = new Int32Array(chunk.length * total).fill(1);
      last = new Float32Array(chunk.length * vocab);
      for (let r = 0; r < chunk.length; r++) last.set(shared.logits, r * vocab);
      lastWidth = 1;
    } else {
      const batch = padRows(
        chunk.map((i) => prompts[i]!),
        'left',
        this.padId,
      );
      const prefill = await this.forward(batch.ids, batch.mask, batch.rows, batch.width, undefined, true);
      cache = prefill.present!;
      mask = batch.mask;
      total = batch.width;
      last = prefill.logits;
      lastWidth = batch.width;
    }
    let active = chunk.map((_, r) => r);
    const row = new Float64Array(vocab);
    for (let step = 0; step < options.steps; step++) {
      const next: number[] = [];
      const tokens: number[] = [];
      active.forEach((r, a) => {
        const at = (a * lastWidth + lastWidth - 1) * vocab;
        if (!bad.check(last, at, vocab, chunk[r]!)) return;
        let token: number;
        if (this.kind === 'logits') token = chooseToken(last, at, vocab, samplers[chunk[r]!]);
        else {
          this.toLogProbs(last, at, row, 0);
          token = chooseToken(row, 0, vocab, samplers[chunk[r]!]);
        }
        produced[chunk[r]!]!.push(token);
        if (token !== options.stopId) {
          next.push(a);
          tokens.push(token);
        }
      });
      bad.throwIfAny(this, prompts.length);
      if (step === options.steps - 1 || next.length === 0) break;
      if (next.length < active.length) {
        cache = gatherRows(cache, next);
        mask = pickRows(mask, total, next);
        active = next.map((a) => active[a]!);
      }
      mask = joinColumns(mask, total, new Int32Array(next.length).fill(1), 1, next.length);
      total += 1;
      const step1 = await this.forward(Int32Array.from(tokens), mask, next.length, 1, cache, true);
      cache = step1.present!;
      last = step1.logits;
      lastWidth = 1;
    }
  }

  /** Whether some row would hold more than model.context tokens after `added` more. */
  private exceedsContext(rows: readonly Int32Array[], added: number): boolean {
    const cap = this.options.context;
    return cap !== undefined && rows.some((r) => r.length + added > cap);
  }

  /** One row's prompt through the model: its last position's logits and its cache, to fork. */
  private async prefill(prompt: Int32Array): Promise<Forward> {
    const vocab = this.vocabSize;
    const { logits, present } = await this.forward(prompt, new Int32Array(prompt.length).fill(1), 1, prompt.length, undefined, true);
    return { logits: logits.slice((prompt.length - 1) * vocab, prompt.length * vocab), present: present! };
  }

  /** Positions past model.context: scored from their last `context` tokens through nextLogProbs. */
  private async scoreTails(sequences: readonly Int32Array[], heads: readonly Int32Array[], scores: TokenScores[]): Promise<void> {
    const contexts: Int32Array[] = [];
    const owners: Array<[number, number]> = [];
    sequences.forEach((s, i) => {
      for (let t = heads[i]!.length; t < s.length; t++) {
        if (t === 0) continue;
        contexts.push(s.subarray(0, t));
        owners.push([i, t]);
      }
    });
    if (contexts.length === 0) return;
    const vocab = this.vocabSize;
    const rowsPerCall = Math.max(1, Math.floor((4 * MB) / vocab));
    for (let start = 0; start < contexts.length; start += rowsPerCall) {
      const values = await this.nextLogProbs(contexts.slice(start, start + rowsPerCall));
      for (let k = 0; start + k < Math.min(contexts.length, start + rowsPerCall); k++) {
        const [i, t] = owners[start + k]!;
        setScore(scores[i]!, t - 1, positionScore(values, k * vocab, vocab, sequences[i]![t]!));
      }
    }
  }

  /**
   * Batches of `order` (default: every index by length) whose logits and cache fit the bounds.
   * `added` more tokens per row will join the cache (generation steps, or a forked prefix);
   * `logitsWidth` fixes the tokens per row the passes return logits for (1 after a forked prompt).
   */
  private chunks(lengths: readonly number[], added: number, order?: readonly number[], logitsWidth?: number): number[][] {
    const maxRows = (width: number) => {
      const logits = Math.floor((this.options.logitsBytes ?? 256 * MB) / (4 * this.vocabSize * Math.max(1, logitsWidth ?? width)));
      const perRow = cacheBytesPerToken(this.layout.cache) * (width + added);
      const cache = perRow > 0 ? Math.floor((this.options.cacheBytes ?? 512 * MB) / perRow) : Infinity;
      const bound = Math.min(this.options.batchSize ?? DEFAULT_MAX_ROWS, logits, cache);
      return Math.max(1, bound);
    };
    return chunkByLength(order ?? byLength(lengths), (i) => lengths[i]!, maxRows, this.layout.mask === undefined);
  }

  /**
   * One forward pass: `rows` rows of `width` new tokens after `past` (none: a fresh start), with
   * a rows × (past + width) mask. Returns the logits, and the present cache when `keep`.
   */
  private async forward(
    ids: Int32Array,
    mask: Int32Array,
    rows: number,
    width: number,
    past: KvCache | undefined,
    keep: boolean,
  ): Promise<Forward> {
    const { layout } = this;
    const pastLength = past?.length ?? 0;
    const total = pastLength + width;
    const feeds: Record<string, unknown> = { [layout.ids.name]: idTensor(this.ort, layout.ids.type, ids, [rows, width]) };
    if (layout.mask) feeds[layout.mask.name] = idTensor(this.ort, layout.mask.type, mask, [rows, total]);
    if (layout.positions)
      feeds[layout.positions.name] = idTensor(this.ort, layout.positions.type, positionsFromMask(mask, rows, total, width), [rows, width]);
    if (layout.cache.length > 0) {
      const cache = past ?? emptyCache(layout.cache, rows);
      layout.cache.forEach(
        (slot, k) => (feeds[slot.input] = new this.ort.Tensor('float32', cache.tensors[k]!.data, cache.tensors[k]!.dims)),
      );
    }
    if (layout.useCacheBranch) {
      const dims = layout.useCacheBranch.shape.length === 0 ? [] : [1];
      feeds[layout.useCacheBranch.name] = new this.ort.Tensor('bool', Uint8Array.of(pastLength > 0 ? 1 : 0), dims);
    }
    const fetches = [layout.logits.name, ...(keep ? layout.cache.map((s) => s.output) : [])];
    let result: Record<string, { data: unknown; dims: readonly number[] }>;
    try {
      result = (await this.session.run(feeds as Parameters<OrtSession['run']>[0], fetches)) as unknown as typeof result;
    } catch (error) {
      // A position past the model's table (GPT-2's learnt positions): the texts are too long for it.
      if (/out of (data )?bounds|out of range/i.test(firstLine(error)) && total > 1) {
        throw new InputError(
          `onnxruntime refused ${total} tokens per row (${firstLine(error)}); if that is longer than the model's context, set model.context to it (longer texts are then scored in windows)`,
          { file: this.options.path, field: 'model.context' },
        );
      }
      throw new RuntimeFailure(
        `onnxruntime failed on a decoder batch of ${rows} rows of ${width} tokens after ${pastLength} cached: ${firstLine(error)}`,
        {
          cause: error,
        },
      );
    }
    this.queryCount += rows;
    const out = result[layout.logits.name]!;
    const [b, s, v] = out.dims;
    if (b !== rows || s !== width || (this.vocabSize > 0 && v !== this.vocabSize)) {
      throw new InputError(
        `shape mismatch: decoder output "${layout.logits.name}" is [${out.dims.join(', ')}] for ${rows} rows of ${width} tokens; expected [${rows}, ${width}, ${this.vocabSize || 'vocab'}]`,
        { file: this.options.path, field: 'model.output' },
      );
    }
    const data = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data as ArrayLike<number>);
    if (!keep) return { logits: data };
    const tensors = layout.cache.map((slot) => {
      const value = result[slot.output]!;
      const dims = [...value.dims];
      const batchAxis = dims.length - 4;
      if (
        dims[batchAxis] !== rows ||
        dims[batchAxis + 2] !== total ||
        dims[batchAxis + 1] !== slot.heads ||
        dims[batchAxis + 3] !== slot.headDim
      ) {
        throw new InputError(
          `shape mismatch: decoder output "${slot.output}" is [${dims.join(', ')}] after ${pastLength} + ${width} tokens of ${rows} rows; expected [${rows}, ${slot.heads}, ${total}, ${slot.headDim}] to feed "${slot.input}"`,
          { file: this.options.path, field: 'model.input' },
        );
      }
      return { data: value.data as Float32Array, dims };
    });
    return { logits: data, present: { rows, length: total, tensors } };
  }

  /** One row of raw scores → float64 log-probabilities. */
  private toLogProbs(raw: Float32Array, at: number, out: Float64Array, outAt: number): void {
    toLogProbs(raw.subarray(at, at + this.vocabSize), this.kind, out.subarray(outAt, outAt + this.vocabSize));
  }

  private emptyPrompt(): InputError {
    return new InputError(
      'an empty prompt cannot be sent to a decoder (it needs at least one token, e.g. the BOS token); use a non-empty prompt',
      {
        file: this.options.path,
        field: 'model.input',
      },
    );
  }

  /** For NonFiniteTally. */
  nonFinite(found: NonFiniteRows, queried: number): NonFiniteOutput {
    return new NonFiniteOutput(this.options.path, this.layout.logits.name, found, queried);
  }
}

/** Rows (in the caller's numbering) whose scores held NaN or ±Infinity. */
class NonFiniteTally {
  private found: NonFiniteRows | undefined;
  private readonly rows = new Set<number>();

  /** true when values[at, at + width) are all finite; else records `row`. */
  check(values: Float32Array, at: number, width: number, row: number): boolean {
    for (let c = 0; c < width; c++) {
      const v = values[at + c]!;
      if (v - v !== 0) {
        if (!this.rows.has(row)) {
          this.rows.add(row);
          if (!this.found || row < this.found.first) this.found = { count: 0, first: row, value: v };
        }
        return false;
      }
    }
    return true;
  }

  throwIfAny(model: DecoderModel, queried: number): void {
    if (this.found) throw model.nonFinite({ ...this.found, count: this.rows.size }, queried);
  }
}

function emptyScores(n: number): TokenScores {
  return { logProbs: new Float64Array(n), mean: new Float64Array(n), std: new Float64Array(n), ranks: new Int32Array(n) };
}

function setScore(scores: TokenScores, at: number, score: { logProb: number; mean: number; std: number; rank: number }): void {
  scores.logProbs[at] = score.logProb;
  scores.mean[at] = score.mean;
  scores.std[at] = score.std;
  scores.ranks[at] = score.rank;
}

function sameTokens(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
