/**
 * The ONNX adapter for sequence models (`model.task: sequence`): token ids in, next-token
 * log-probabilities out. Like onnx.ts it is the only place that touches onnxruntime for these
 * models; it discovers the inputs (token ids, optional attention mask) and the scores output,
 * turns logits or probabilities into log-probabilities, batches every query and counts them.
 *
 * Layout rules:
 * - Token ids: int64 (or int32) `[batch, context]`. A fixed context (a number in the model's
 *   input shape) gets each row's last `context` tokens, left-padded with the pad id; a symbolic
 *   context gets the rows grouped by length, so no row is ever padded.
 * - Output `[batch, vocab]`, or `[batch, seq, vocab]` read at the last position. With left
 *   padding (or none) the last position is always the row's last real token.
 */
import { endianness } from 'node:os';
import { InputError, RuntimeFailure } from '../errors';
import { createSession } from './onnx';
import { describeValue, firstLine, loadOnnxRuntime, type OrtModule, type OrtSession } from './runtime';
import { NonFiniteOutput } from './non-finite';
import { detectScoreKind, findNonFinite, logSoftmaxRows, type NonFiniteRows } from './scores';
import type { SequenceModel, SequenceModelInfo } from './sequence-types';
import type { TensorInfo } from './types';

type Session = OrtSession;

export interface SequenceModelOptions {
  /** Absolute path of the .onnx file. */
  path: string;
  input?: string;
  output?: string;
  /** Name of the attention-mask input; default: an input whose name contains "mask". */
  attentionMask?: string;
  scores: 'auto' | 'probabilities' | 'logits';
  /** Longest context sent to a model whose context length is symbolic (older tokens are dropped). */
  context?: number;
  /** Pad id for left-padding short rows of a fixed-context model. */
  padId?: number;
  /** Rows per onnxruntime call (default 1024). */
  batchSize?: number;
}

const DEFAULT_BATCH = 1024;
const MASK_NAME = /mask/i;

/** A sequence model's session with its inputs and outputs described, opened once for whichever adapter takes it. */
export interface OpenedSequenceSession {
  ort: OrtModule;
  session: Session;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export async function openSequenceSession(path: string): Promise<OpenedSequenceSession> {
  const ort = await loadOnnxRuntime();
  // The runtime was loaded above, so a failure here is the model's.
  const session = await createSession({ path }, path);
  return { ort, session, inputs: session.inputMetadata.map(describeValue), outputs: session.outputMetadata.map(describeValue) };
}

export async function openOnnxSequenceModel(options: SequenceModelOptions, opened?: OpenedSequenceSession): Promise<OnnxSequenceModel> {
  const { ort, session, inputs, outputs } = opened ?? (await openSequenceSession(options.path));
  const plan = planInputs(options, inputs, outputs);
  const model = new OnnxSequenceModel(ort, session, options, plan);
  await model.discoverVocabulary();
  return model;
}

interface Plan {
  ids: TensorInfo;
  mask?: TensorInfo;
  output: TensorInfo;
  /** Fixed context of the model, or undefined when symbolic. */
  fixedContext?: number;
  fixedBatch?: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

const INTEGER_TYPES = ['int64', 'int32'];
const MASK_TYPES = ['int64', 'int32', 'float32', 'bool'];

/** Pure: which input gets the ids, which the mask, which output holds the scores. Exported for tests. */
export function planInputs(options: SequenceModelOptions, inputs: TensorInfo[], outputs: TensorInfo[]): Plan {
  const fail = (message: string, field: string) => new InputError(message, { file: options.path, field });
  const byName = (list: TensorInfo[], name: string, kind: string, field: string) => {
    const found = list.find((t) => t.name === name);
    if (!found) throw fail(`the model has no ${kind} "${name}"; its ${kind}s are: ${list.map((t) => t.name).join(', ')}`, field);
    return found;
  };
  const mask = options.attentionMask
    ? byName(inputs, options.attentionMask, 'input', 'model.attention-mask')
    : options.input === undefined || !MASK_NAME.test(options.input)
      ? inputs.find((t) => MASK_NAME.test(t.name) && t.name !== options.input)
      : undefined;
  let ids: TensorInfo;
  if (options.input) ids = byName(inputs, options.input, 'input', 'model.input');
  else {
    const rest = inputs.filter((t) => t !== mask);
    if (rest.length !== 1) {
      throw fail(
        `the model has inputs ${inputs.map((t) => `${t.name}: ${t.type}[${t.shape.join(', ')}]`).join('; ')}; set model.input to the one that takes the token ids${mask ? '' : ' (and model.attention-mask to the mask, if any)'}`,
        'model.input',
      );
    }
    ids = rest[0]!;
  }
  const others = inputs.filter((t) => t !== ids && t !== mask);
  if (others.length > 0) {
    throw fail(
      `the model has inputs the gate cannot fill: ${others.map((t) => t.name).join(', ')}; a sequence model takes token ids (model.input) and optionally an attention mask (model.attention-mask)`,
      'model.input',
    );
  }
  if (!INTEGER_TYPES.includes(ids.type) || ids.shape.length !== 2) {
    throw fail(
      `model input "${ids.name}" is ${ids.type}[${ids.shape.join(', ')}]; expected int64 token ids of shape [batch, context]`,
      'model.input',
    );
  }
  if (mask && (!MASK_TYPES.includes(mask.type) || mask.shape.length !== 2)) {
    throw fail(
      `attention-mask input "${mask.name}" is ${mask.type}[${mask.shape.join(', ')}]; expected int64 (or int32, float32, bool) of shape [batch, context]`,
      'model.attention-mask',
    );
  }
  const output = options.output
    ? byName(outputs, options.output, 'output', 'model.output')
    : outputs.find((o) => o.type.startsWith('float') && (o.shape.length === 2 || o.shape.length === 3));
  if (!output || !output.type.startsWith('float') || (output.shape.length !== 2 && output.shape.length !== 3)) {
    throw fail(
      `${output ? `output "${output.name}" is ${output.type}[${output.shape.join(', ')}]` : `none of the outputs (${outputs.map((o) => `${o.name}: ${o.type}[${o.shape.join(', ')}]`).join('; ')}) holds next-token scores`}; expected float scores of shape [batch, vocab] or [batch, seq, vocab]`,
      'model.output',
    );
  }
  const contextDim = ids.shape[1];
  const fixedContext = typeof contextDim === 'number' && contextDim > 0 ? contextDim : undefined;
  if (fixedContext !== undefined && options.context !== undefined && options.context !== fixedContext) {
    throw fail(
      `model.context is ${options.context}, but the model's input "${ids.name}" takes exactly ${fixedContext} tokens; remove model.context or set it to ${fixedContext}`,
      'model.context',
    );
  }
  const batchDim = ids.shape[0];
  const plan: Plan = { ids, output, inputs, outputs };
  if (mask) plan.mask = mask;
  if (fixedContext !== undefined) plan.fixedContext = fixedContext;
  if (typeof batchDim === 'number' && batchDim > 0) plan.fixedBatch = batchDim;
  return plan;
}

export class OnnxSequenceModel implements SequenceModel {
  private queryCount = 0;
  private vocabSize = 0;
  private scoreKind: 'probabilities' | 'logits' | undefined;
  private scoreKindReason = '';
  private readonly batchSize: number;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: Session,
    private readonly options: SequenceModelOptions,
    private readonly plan: Plan,
  ) {
    this.batchSize = plan.fixedBatch ?? options.batchSize ?? DEFAULT_BATCH;
    if (options.scores !== 'auto') {
      this.scoreKind = options.scores;
      this.scoreKindReason = 'set by the policy (model.scores)';
    }
  }

  get queries(): number {
    return this.queryCount;
  }

  get info(): SequenceModelInfo {
    const info: SequenceModelInfo = {
      inputs: this.plan.inputs,
      outputs: this.plan.outputs,
      input: this.plan.ids.name,
      output: this.plan.output.name,
      context: this.plan.fixedContext ?? this.options.context ?? null,
      fixedContext: this.plan.fixedContext !== undefined,
      vocabSize: this.vocabSize,
      scoreKind: this.scoreKind ?? 'probabilities',
      scoreKindReason: this.scoreKindReason || 'not decided yet (no query made)',
    };
    if (this.plan.mask) info.attentionMask = this.plan.mask.name;
    return info;
  }

  /** The vocabulary size: the output's last dimension, or one query's width when it is symbolic. */
  async discoverVocabulary(): Promise<void> {
    const declared = this.plan.output.shape.at(-1);
    if (typeof declared === 'number' && declared > 0) {
      this.vocabSize = declared;
      return;
    }
    const probe = new Int32Array(this.plan.fixedContext ?? 1).fill(this.options.padId ?? 0);
    const { scores, width } = await this.runBatch([probe], probe.length);
    this.vocabSize = width;
    void scores;
  }

  /**
   * Refuses the model (NonFiniteOutput) if any context's scores held NaN or ±Infinity: every
   * batch is run first, so the error can say how many contexts, and which one came first.
   */
  async nextLogProbs(contexts: readonly Int32Array[]): Promise<Float64Array> {
    const vocab = this.vocabSize;
    const out = new Float64Array(contexts.length * vocab);
    let bad: NonFiniteRows | undefined;
    for (const group of this.groups(contexts)) {
      for (let start = 0; start < group.rows.length; start += this.batchSize) {
        const rows = group.rows.slice(start, start + this.batchSize);
        const { scores } = await this.runBatch(
          rows.map((r) => contexts[r]!),
          group.length,
        );
        const found = findNonFinite(scores, rows.length, vocab);
        if (found) {
          // Groups (by length) reorder the contexts: the error names the first in the caller's order.
          const first = rows[found.first]!;
          if (!bad) bad = { ...found, first };
          else {
            bad.count += found.count;
            if (first < bad.first) Object.assign(bad, { first, value: found.value });
          }
          continue;
        }
        this.decideScoreKind(scores, rows.length);
        rows.forEach((r, i) =>
          toLogProbs(scores.subarray(i * vocab, (i + 1) * vocab), this.scoreKind!, out.subarray(r * vocab, (r + 1) * vocab)),
        );
      }
    }
    if (bad) throw new NonFiniteOutput(this.options.path, this.plan.output.name, bad, contexts.length);
    return out;
  }

  /** Fixed context: one group of every row. Symbolic: rows grouped by (capped) length, in first-seen order. */
  private groups(contexts: readonly Int32Array[]): Array<{ length: number; rows: number[] }> {
    if (this.plan.fixedContext !== undefined) {
      return [{ length: this.plan.fixedContext, rows: contexts.map((_, i) => i) }];
    }
    const cap = this.options.context ?? Infinity;
    const byLength = new Map<number, number[]>();
    contexts.forEach((c, i) => {
      const length = Math.min(c.length, cap);
      if (length === 0) {
        throw new InputError(
          'an empty prompt cannot be sent to a model whose context length is symbolic (it needs at least one token); use a non-empty prompt',
          {
            file: this.options.path,
            field: 'model.input',
          },
        );
      }
      const list = byLength.get(length) ?? [];
      list.push(i);
      byLength.set(length, list);
    });
    return [...byLength].map(([length, rows]) => ({ length, rows }));
  }

  private async runBatch(rows: Int32Array[], length: number): Promise<{ scores: Float32Array; width: number }> {
    const { ids, mask, output, fixedBatch } = this.plan;
    const batch = fixedBatch ?? rows.length;
    const idData = new Int32Array(batch * length);
    const maskData = new Int32Array(batch * length);
    const pad = this.options.padId;
    rows.forEach((row, r) => {
      const kept = row.length > length ? row.subarray(row.length - length) : row;
      const offset = length - kept.length;
      if (offset > 0 && pad === undefined) {
        throw new InputError(
          `a prompt of ${kept.length} tokens is shorter than the model's fixed context of ${length} tokens and no pad token is known; with a character vocabulary set model.tokenizer.pad-id (or add a "<pad>" token to it); with a tokenizer.json name one as "pad_token" in the tokenizer_config.json beside it`,
          { file: this.options.path, field: 'model.tokenizer.pad-id' },
        );
      }
      const base = r * length;
      if (offset > 0) idData.fill(pad!, base, base + offset);
      idData.set(kept, base + offset);
      maskData.fill(1, base + offset, base + length);
    });
    const feeds: Record<string, unknown> = { [ids.name]: idTensor(this.ort, ids.type, idData, [batch, length]) };
    if (mask) feeds[mask.name] = idTensor(this.ort, mask.type, maskData, [batch, length]);
    let result;
    try {
      result = await this.session.run(feeds as Parameters<Session['run']>[0], [output.name]);
    } catch (error) {
      throw new RuntimeFailure(`onnxruntime failed on a batch of ${rows.length} rows of ${length} tokens: ${firstLine(error)}`, {
        cause: error,
      });
    }
    this.queryCount += rows.length;
    const value = result[output.name] as unknown as { data: Float32Array | Float64Array; dims: readonly number[] };
    const width = value.dims.at(-1)!;
    const data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data);
    if (value.dims.length === 2) return { scores: data.subarray(0, rows.length * width), width };
    // [batch, seq, vocab]: the last position of each row.
    const seq = value.dims[1]!;
    const scores = new Float32Array(rows.length * width);
    for (let r = 0; r < rows.length; r++) scores.set(data.subarray((r * seq + seq - 1) * width, (r * seq + seq) * width), r * width);
    return { scores, width };
  }

  /** With `scores: auto`, the first batch decides, as for classifiers. */
  private decideScoreKind(scores: Float32Array, rows: number): void {
    if (this.scoreKind) return;
    const verdict = detectScoreKind(scores, rows, this.vocabSize);
    this.scoreKind = verdict.kind;
    this.scoreKindReason = `detected on the first batch (${verdict.reason}); set model.scores to override`;
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Token ids, a mask or positions as the model's input type wants them (int64, int32, float32 or bool). */
export function idTensor(ort: OrtModule, type: string, data: Int32Array, dims: number[]): unknown {
  switch (type) {
    case 'int64':
      return new ort.Tensor('int64', toInt64(data), dims);
    case 'int32':
      return new ort.Tensor('int32', data, dims);
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(data), dims);
    default:
      return new ort.Tensor('bool', Uint8Array.from(data), dims);
  }
}

/**
 * int32 → int64 without a BigInt per element (which costs about 5 ns each, 10% of a batch of
 * this size on the example model): on little-endian machines each int64 is written as its two
 * 32-bit halves, the high half being the sign extension.
 */
export function toInt64(data: Int32Array): BigInt64Array {
  const out = new BigInt64Array(data.length);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i]!);
    return out;
  }
  const halves = new Int32Array(out.buffer);
  for (let i = 0; i < data.length; i++) {
    halves[2 * i] = data[i]!;
    halves[2 * i + 1] = data[i]! < 0 ? -1 : 0;
  }
  return out;
}

/**
 * Natural-log probabilities of one row, in float64: a log-softmax of logits (logSoftmaxRows,
 * which keeps a confident row's tiny log p_max), or the log of probabilities. Exposure sums many
 * of these, and the unlikely tokens that decide a rank would underflow as float32 probabilities.
 */
export function toLogProbs(scores: ArrayLike<number>, kind: 'probabilities' | 'logits', out: Float64Array): void {
  if (kind === 'logits') {
    logSoftmaxRows(scores, 1, out.length, out);
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.log(Math.max(0, scores[i]!));
}
