/**
 * The ONNX adapter: the only module that talks to onnxruntime. It reads whatever the model
 * outputs (probabilities, logits, a single sigmoid column, or an sklearn-onnx ZipMap) as rows
 * of class scores, unrounded (the surface decides what is revealed), batches every query and
 * counts them. Every batch's output must have the shape the adapter reads and hold only finite
 * values, else the model is refused (exit 2). Regression models (`model.task: regression`)
 * share the session and batching and hand out one value per row.
 */
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { suggest } from '../data/select';
import { quoteUserText } from '../util/user-text';
import { InputError, RuntimeFailure } from '../errors';
import type { ModelSettings } from '../policy/types';
import { createInferenceSession, describeValue, firstLine, loadRuntime, sessionOptions, type OrtModule, type OrtSession } from './runtime';
import { WorkerLane, type LaneBatch, type LaneOutput } from './worker-lane';
import { exposeZipMapInput } from './onnx-zipmap';
import { NonFiniteOutput } from './non-finite';
import { externalDataFiles, externalTensors } from './onnx-external';
import { detectScoreKind, findNonFinite, toClassScores, type NonFiniteRows } from './scores';
import type { ClassScores, Classifier, ModelInfo, Regressor, RegressorInfo, TensorInfo } from './types';

type Session = OrtSession;

export interface OpenOptions {
  /** Rows per model query batch; onnxruntime is 20–50× slower per row at batch 1. */
  batchSize?: number;
  /**
   * Run batches on one single-thread session per core, the others in worker threads started
   * now (see worker-lane.ts), where the model allows it (lanePlan). For the model that answers
   * most queries (the gate's candidate); others keep one session on every core.
   */
  workers?: boolean;
}

export const DEFAULT_BATCH = 1024;

/** The class-score shapes the adapter reads. */
const CLASS_SHAPES = '[batch, classes], [batch] or [batch, 1] (one score per class, or one binary score per row)';

export async function openOnnxClassifier(settings: ModelSettings, options: OpenOptions = {}): Promise<OnnxClassifier> {
  const { ort, kind } = await loadRuntime();
  let { session, lanes } = await openSession(kind, settings, settings.path, options);
  const inputs = session.inputMetadata.map(describeValue);
  const outputs = session.outputMetadata.map(describeValue);
  const input = pickInput(settings, inputs);
  let output = pickOutput(settings, outputs);
  let classLabels: string[] | undefined;
  const outputName = output.name;
  if (output.type === 'sequence') {
    const exposed = exposeZipMapInput(readFileSync(settings.path), output.name);
    if (!exposed) {
      throw new InputError(
        `model output "${output.name}" is not a tensor, and no ZipMap produces it; set model.output to a tensor of class scores`,
        { file: settings.path, field: 'model.output' },
      );
    }
    ({ session, lanes } = await openSession(kind, settings, exposed.model, options));
    output = session.outputMetadata.map(describeValue).find((o) => o.name === exposed.probabilities)!;
    classLabels = exposed.classLabels;
  }
  const adapter = new OnnxClassifier(ort, session, settings, {
    ...inputPlan(settings, input, options),
    output,
    outputName,
    inputs,
    outputs,
    lanes,
  });
  await adapter.discoverClasses(classLabels);
  adapter.startWorkers();
  return adapter;
}

/**
 * Opens a regression model: its output (model.output, else the first float tensor output)
 * must hold exactly one value per row.
 */
export async function openOnnxRegressor(settings: ModelSettings, options: OpenOptions = {}): Promise<OnnxRegressor> {
  const { ort, kind } = await loadRuntime();
  const { session, lanes } = await openSession(kind, settings, settings.path, options);
  const inputs = session.inputMetadata.map(describeValue);
  const outputs = session.outputMetadata.map(describeValue);
  const input = pickInput(settings, inputs);
  const output = settings.output ? byName(settings, outputs, settings.output, 'output') : outputs.find((o) => o.type.startsWith('float'));
  if (!output || !output.type.startsWith('float')) {
    throw new InputError(
      `${output ? `model output "${output.name}" has type ${output.type}` : `none of the model's outputs (${outputs.map((o) => `${o.name}: ${o.type}`).join('; ')}) is a float tensor`}; model.task is regression, so the gate expects a float tensor with one predicted value per row`,
      { file: settings.path, field: 'model.output' },
    );
  }
  const plan: Plan = { ...inputPlan(settings, input, options), output, outputName: output.name, inputs, outputs, lanes };
  const regressor = new OnnxRegressor(ort, session, settings, plan);
  await regressor.checkWidth();
  regressor.startWorkers();
  return regressor;
}

/** How rows are fed to the model input: its type, feature count and batch size. */
function inputPlan(
  settings: ModelSettings,
  input: TensorInfo,
  options: OpenOptions,
): Pick<Plan, 'input' | 'inputType' | 'featureCount' | 'batchSize' | 'fixedBatch'> {
  const inputType = input.type === 'float64' ? 'float64' : 'float32';
  if (input.type !== 'float32' && input.type !== 'float64') {
    throw new InputError(`model input "${input.name}" has type ${input.type}; expected a float32 or float64 tensor of features`, {
      file: settings.path,
      field: 'model.input',
    });
  }
  const featureDims = input.shape.slice(1);
  const fixedBatch = typeof input.shape[0] === 'number' && input.shape[0] > 0 ? input.shape[0] : undefined;
  const featureCount = featureDims.every((d) => typeof d === 'number' && d > 0)
    ? featureDims.reduce<number>((a, d) => a * (d as number), 1)
    : -1;
  if (featureCount < 0) {
    throw new InputError(
      `model input "${input.name}" has shape [${input.shape.join(', ')}]; expected fixed feature dimensions after the batch axis`,
      { file: settings.path, field: 'model.input' },
    );
  }
  return { input, inputType, featureCount, batchSize: fixedBatch ?? options.batchSize ?? DEFAULT_BATCH, fixedBatch };
}

/** The runtime is loaded by the caller first, so a failure here is the model's. */
export async function createSession(settings: Pick<ModelSettings, 'path'>, model: string | Uint8Array): Promise<Session> {
  checkedExternalData(settings, model);
  return loadSession(settings, model);
}

/**
 * A classifier's or regressor's main session, on one thread when worker sessions run beside it
 * (lanePlan); the model's external data is scanned once for both.
 */
async function openSession(
  kind: 'native' | 'wasm',
  settings: ModelSettings,
  model: string | Uint8Array,
  options: OpenOptions,
): Promise<{ session: Session; lanes: LanePlan | undefined }> {
  const external = checkedExternalData(settings, model);
  const lanes = lanePlan(kind, model, external.length > 0, options);
  return { session: await loadSession(settings, model, lanes?.threads), lanes };
}

/**
 * The external data files the model names, checked before onnxruntime reads them (the names come
 * from the model itself); a model edited in memory cannot reach any, so it is refused if it has them.
 */
function checkedExternalData(settings: Pick<ModelSettings, 'path'>, model: string | Uint8Array): string[] {
  if (typeof model === 'string') return externalDataFiles(model);
  if (externalTensors(model).length > 0) {
    throw new InputError(
      'the model keeps tensors in external data files, which its in-memory edit (the ZipMap output exposed) cannot reach; save it with its weights inside (onnx.save_model without save_as_external_data)',
      { file: settings.path, field: 'model.path' },
    );
  }
  return [];
}

async function loadSession(settings: Pick<ModelSettings, 'path'>, model: string | Uint8Array, threads?: number): Promise<Session> {
  try {
    return await createInferenceSession(model, threads);
  } catch (error) {
    throw new InputError(`cannot load the ONNX model: ${firstLine(error)}; expected an ONNX model file (opset ≤ 26, IR ≤ 13)`, {
      file: settings.path,
      field: 'model.path',
    });
  }
}

interface Plan {
  input: TensorInfo;
  output: TensorInfo;
  /** The output as the policy names it (a ZipMap's, when its input tensor is what runs). */
  outputName: string;
  inputType: 'float32' | 'float64';
  featureCount: number;
  batchSize: number;
  fixedBatch?: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Sessions side by side in worker threads, when the model is run that way (see lanePlan). */
  lanes: LanePlan | undefined;
}

/** How a model runs on several sessions at once: the main session and `workers` more, each on `threads` threads. */
interface LanePlan {
  model: string | Uint8Array;
  threads: number;
  workers: number;
  options: object;
}

/** Models up to this size run on one session per core; a larger one keeps a single copy in memory, on every core. */
const LANE_MODEL_LIMIT = 256 * 1024 * 1024;

/**
 * At most this many worker sessions beside the main one (GitHub's standard runners have 4 cores):
 * a container may report its host's cores, and each session holds its own copy of the model.
 */
export const MAX_LANE_WORKERS = 3;

/**
 * One single-thread session per core when asked for and possible: the native runtime
 * (onnxruntime-web threads inside its own session), two cores or more, a model small enough to
 * hold once per core, and its weights inside the .onnx (external data stays with one session).
 * Why not the main session on every core beside the workers: it then competes with them (the
 * digits MLP on two cores: 270–330k rows/s, against 380–455k for two single-thread sessions and
 * 295k for one session on both).
 */
function lanePlan(kind: 'native' | 'wasm', model: string | Uint8Array, externalData: boolean, options: OpenOptions): LanePlan | undefined {
  const cores = availableParallelism();
  if (!options.workers || externalData || kind !== 'native' || cores < 2) return undefined;
  const bytes = typeof model === 'string' ? statSync(model).size : model.length;
  if (bytes > LANE_MODEL_LIMIT) return undefined;
  return { model, threads: 1, workers: Math.min(cores - 1, MAX_LANE_WORKERS), options: sessionOptions(kind, 1) };
}

/** What every ONNX model here shares: one session, batched runs, and the count of rows queried. */
abstract class BatchedOnnxModel {
  private queryCount = 0;
  private readonly workers: WorkerLane[] = [];
  /** Rows answered by worker sessions (the rest by the main one). */
  workerRows = 0;
  /** Milliseconds from process start to the first model query (the start-up cost users wait for). */
  firstQueryAt: number | undefined;

  constructor(
    protected readonly ort: OrtModule,
    protected readonly session: Session,
    protected readonly settings: ModelSettings,
    protected readonly plan: Plan,
  ) {}

  get queries(): number {
    return this.queryCount;
  }

  /** What every model's info says: its tensors and the input and output the gate uses. */
  protected baseInfo() {
    return {
      inputs: this.plan.inputs,
      outputs: this.plan.outputs,
      input: this.plan.input.name,
      output: this.plan.outputName,
      featureCount: this.plan.featureCount,
    };
  }

  /**
   * Runs `rows` rows in batches of the plan's size, handing each batch's raw output on, then
   * refuses the model if any row's output (of `width` values) held NaN or ±Infinity: every batch
   * is run first, so the error can say how many rows. The first batch runs alone (it decides the
   * score kind, which must not depend on which session answers first); the rest are spread over
   * the worker sessions, if the model has them, and the main one, so `use` sees them in any order.
   */
  protected async forEachBatch(
    x: Float32Array,
    rows: number,
    width: number,
    use: (raw: Float32Array, start: number, n: number) => void,
  ): Promise<void> {
    const { featureCount, batchSize } = this.plan;
    if (x.length !== rows * featureCount) {
      throw new RuntimeFailure(`predict: expected ${rows}×${featureCount} values, got ${x.length}`);
    }
    if (rows === 0) return;
    let bad: NonFiniteRows | undefined;
    const take = (raw: Float32Array, start: number, n: number) => {
      const found = findNonFinite(raw, n, width);
      if (!found) return use(raw, start, n);
      if (!bad) bad = { ...found, first: start + found.first };
      else {
        bad.count += found.count;
        if (start + found.first < bad.first) Object.assign(bad, { first: start + found.first, value: found.value });
      }
    };
    const part = (start: number) => x.subarray(start * featureCount, Math.min(rows, start + batchSize) * featureCount);
    const first = Math.min(batchSize, rows);
    take(await this.runBatch(part(0), first), 0, first);
    let next = first;
    let failed = false;
    const drain = async (run: (x: Float32Array, n: number) => Promise<Float32Array>) => {
      while (next < rows && !failed) {
        const start = next;
        const n = Math.min(batchSize, rows - start);
        next += n;
        try {
          take(await run(part(start), n), start, n);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all([
      drain((rowsOf, n) => this.runBatch(rowsOf, n)),
      ...this.workers.map(async (lane) => {
        if (await lane.ready) await drain((rowsOf, n) => this.runBatch(rowsOf, n, lane));
      }),
    ]);
    if (bad) throw new NonFiniteOutput(this.settings.path, this.plan.outputName, bad, rows);
  }

  /** Starts the worker sessions of the lane plan, if any: they open the model while the caller loads its data. */
  startWorkers(): void {
    const plan = this.plan.lanes;
    if (!plan || this.workers.length > 0) return;
    for (let i = 0; i < plan.workers; i++) {
      const lane = WorkerLane.start(plan.model, plan.options);
      if (lane) this.workers.push(lane);
    }
  }

  /** One batch, on the main session or on a worker's. */
  protected async runBatch(x: Float32Array, rows: number, lane?: WorkerLane): Promise<Float32Array> {
    this.firstQueryAt ??= performance.now();
    const batch = inputBatch(this.plan, x, rows);
    let out: LaneOutput;
    try {
      out = lane ? await lane.run(batch) : await runOnnx(this.ort, this.session, batch);
    } catch (error) {
      throw new RuntimeFailure(`onnxruntime failed on a batch of ${rows} rows: ${firstLine(error)}`, { cause: error });
    }
    this.checkShape(out.dims, this.plan.fixedBatch ?? rows);
    this.queryCount += rows;
    if (lane) this.workerRows += rows;
    const width = out.dims.slice(1).reduce((a, d) => a * d, 1);
    const data32 = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data);
    return data32.subarray(0, rows * width);
  }

  /** Refuses an output whose real shape is not one the adapter reads (exit 2, with the shape). */
  protected abstract checkShape(dims: readonly number[], batch: number): void;

  protected wrongShape(dims: readonly number[], batch: number, expected: string): InputError {
    return new InputError(
      `model output "${this.plan.outputName}" has shape [${dims.join(', ')}] on a batch of ${batch} rows (declared [${this.plan.output.shape.join(', ')}]); expected ${expected}: set model.output to such an output, or reshape it in the model`,
      { file: this.settings.path, field: 'model.output' },
    );
  }
}

export class OnnxClassifier extends BatchedOnnxModel implements Classifier {
  /** Scores per row in the raw output (1 for a single sigmoid column). */
  private width = 0;
  private classLabels: string[] = [];
  private scoreKind: ModelInfo['scoreKind'] | undefined;
  private scoreKindReason = '';

  get info(): ModelInfo {
    if (this.width === 0) throw new RuntimeFailure('model classes were not discovered yet');
    return {
      ...this.baseInfo(),
      classCount: this.classLabels.length,
      classLabels: this.classLabels,
      scoreKind: this.scoreKind ?? 'probabilities',
      scoreKindReason: this.scoreKindReason,
    };
  }

  /**
   * Learns the class count: ZipMap attributes name the classes; a tensor output declares the
   * count in its shape, or else reveals it when run, so one all-zero row is queried.
   */
  async discoverClasses(zipMapLabels?: string[]): Promise<void> {
    const declared = this.plan.output.shape;
    if (!zipMapLabels && declared.length > 2) {
      throw new InputError(
        `model output "${this.plan.outputName}" is declared with shape [${declared.join(', ')}]; expected ${CLASS_SHAPES}: set model.output to such an output, or reshape it in the model`,
        { file: this.settings.path, field: 'model.output' },
      );
    }
    let width = declared.at(-1);
    if (zipMapLabels) width = zipMapLabels.length;
    else if (typeof width !== 'number' || width < 1) {
      // width 0 until known: checkShape then accepts any [1, w] or [1].
      const raw = await this.runBatch(new Float32Array(this.plan.featureCount), 1);
      width = raw.length;
    }
    if (width < 1) {
      throw new InputError('model output is empty; expected one score per class', {
        file: this.settings.path,
        field: 'model.output',
      });
    }
    this.width = width;
    const classes = width === 1 ? 2 : width;
    this.classLabels = zipMapLabels ?? Array.from({ length: classes }, (_, i) => String(i));
    if (zipMapLabels) this.scoreKindReason = `read from the tensor "${this.plan.output.name}" that feeds the ZipMap; `;
    if (this.settings.scores !== 'auto') {
      this.scoreKind = this.settings.scores;
      this.scoreKindReason += 'set by the policy (model.scores)';
    }
  }

  async predict(x: Float32Array, rows: number): Promise<ClassScores> {
    const classes = this.classLabels.length;
    // Several scores per row are the model's float32 values as they are, kept in float32: half
    // the memory, and fresh memory is slow to touch. One binary score becomes [1 − p, p], which
    // needs float64.
    const out = this.width > 1 ? new Float32Array(rows * classes) : new Float64Array(rows * classes);
    await this.forEachBatch(x, rows, this.width, (raw, start, n) => {
      this.decideScoreKind(raw, n);
      toClassScores(raw, n, this.width, this.scoreKind!, out.subarray(start * classes, (start + n) * classes));
    });
    return { kind: this.scoreKind ?? 'probabilities', values: out };
  }

  /**
   * Class scores are read as [batch, classes], or [batch] / [batch, 1] for one binary score;
   * anything else (e.g. [batch, 10, 1]) would be misread, so it is refused.
   */
  protected checkShape(dims: readonly number[], batch: number): void {
    const width = this.width;
    const ok =
      dims[0] === batch && ((dims.length === 2 && (width === 0 ? dims[1]! >= 1 : dims[1] === width)) || (dims.length === 1 && width <= 1));
    if (!ok) {
      throw this.wrongShape(dims, batch, width > 1 ? `${CLASS_SHAPES}, here [batch, ${width}]` : CLASS_SHAPES);
    }
  }

  /** With `scores: auto`, the first batch decides: rows of non-negative values summing to 1 are probabilities. */
  private decideScoreKind(raw: Float32Array, rows: number): void {
    if (this.scoreKind) return;
    const verdict = detectScoreKind(raw, rows, this.width);
    this.scoreKind = verdict.kind;
    this.scoreKindReason += `detected on the first batch (${verdict.reason}); set model.scores to override`;
  }
}

/** A regression model: one float per row, batched and counted like the classifier. */
export class OnnxRegressor extends BatchedOnnxModel implements Regressor {
  readonly task = 'regression' as const;
  private widthKnown = false;

  get info(): RegressorInfo {
    return this.baseInfo();
  }

  /** The declared shape, or one all-zero row when it is symbolic, must give one value per row. */
  async checkWidth(): Promise<void> {
    const dims = this.plan.output.shape.slice(1);
    let width = dims.every((d) => typeof d === 'number' && d > 0) ? dims.reduce<number>((a, d) => a * (d as number), 1) : -1;
    if (width < 0) width = (await this.runBatch(new Float32Array(this.plan.featureCount), 1)).length;
    this.widthKnown = true;
    if (width !== 1) {
      throw new InputError(
        `model output "${this.plan.output.name}" has ${width} values per row (shape [${this.plan.output.shape.join(', ')}]); model.task is regression, so the gate expects one predicted value per row: set model.output, or model.task: classification for class scores`,
        { file: this.settings.path, field: 'model.output' },
      );
    }
  }

  async predict(x: Float32Array, rows: number): Promise<Float32Array> {
    const out = new Float32Array(rows);
    await this.forEachBatch(x, rows, 1, (raw, start) => out.set(raw, start));
    return out;
  }

  /** One predicted value per row: [batch] or [batch, 1] (checkWidth explains a wrong width first). */
  protected checkShape(dims: readonly number[], batch: number): void {
    if (!this.widthKnown) return;
    if (dims[0] !== batch || dims.length > 2 || (dims.length === 2 && dims[1] !== 1)) {
      throw this.wrongShape(dims, batch, '[batch] or [batch, 1] (one predicted value per row)');
    }
  }
}

/** The input tensor for `rows` rows: padded to a fixed batch when the model demands one, widened for a float64 input. */
function inputBatch(plan: Plan, x: Float32Array, rows: number): LaneBatch {
  const { input, output, inputType, fixedBatch } = plan;
  const batch = fixedBatch ?? rows;
  let data: Float32Array | Float64Array = x;
  if (fixedBatch && rows !== fixedBatch) {
    data = new Float32Array(fixedBatch * plan.featureCount);
    data.set(x);
  }
  if (inputType === 'float64') data = Float64Array.from(data);
  return { feed: input.name, type: inputType, data, dims: [batch, ...(input.shape.slice(1) as number[])], fetch: output.name };
}

/** One run of the main session. */
async function runOnnx(ort: OrtModule, session: Session, batch: LaneBatch): Promise<LaneOutput> {
  const result = await session.run({ [batch.feed]: new ort.Tensor(batch.type, batch.data, batch.dims) }, [batch.fetch]);
  return result[batch.fetch] as unknown as LaneOutput;
}

function pickInput(settings: ModelSettings, inputs: TensorInfo[]): TensorInfo {
  if (settings.input) return byName(settings, inputs, settings.input, 'input');
  if (inputs.length === 1) return inputs[0]!;
  throw new InputError(
    `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); set model.input to the one that takes the features`,
    { file: settings.path, field: 'model.input' },
  );
}

/**
 * The first output that can hold class scores: sklearn-onnx puts its label output first and the
 * probabilities second, so "the first output" alone would pick the wrong one.
 */
function pickOutput(settings: ModelSettings, outputs: TensorInfo[]): TensorInfo {
  if (settings.output) return byName(settings, outputs, settings.output, 'output');
  const scores = outputs.find((o) => o.type === 'sequence' || (o.type.startsWith('float') && o.shape.length >= 2));
  if (scores) return scores;
  throw new InputError(
    `none of the model's outputs (${outputs.map((o) => `${o.name}: ${o.type}[${o.shape.join(', ')}]`).join('; ')}) holds class scores; set model.output`,
    { file: settings.path, field: 'model.output' },
  );
}

function byName(settings: ModelSettings, values: TensorInfo[], name: string, kind: 'input' | 'output'): TensorInfo {
  const found = values.find((v) => v.name === name);
  if (found) return found;
  throw new InputError(`the model has no ${kind} ${noSuchName(name, values, kind)}`, {
    file: settings.path,
    field: `model.${kind}`,
  });
}

/** `"X" (did you mean "x"?); its inputs are: "x" (float32 [?, 64])`: for a name the model does not have. */
export function noSuchName(name: string, values: readonly TensorInfo[], kind: 'input' | 'output'): string {
  return `${quoteUserText(name)}${suggest(
    name,
    values.map((v) => v.name),
  )}; its ${kind}s are: ${values.map(describeTensor).join(', ')}`;
}

/** `x: float32 [batch, 64]`, or `output_probability: a ZipMap (sequence of maps)`. */
export function describeTensor(value: TensorInfo): string {
  if (value.type === 'sequence') return `${quoteUserText(value.name)} (a sequence, e.g. a ZipMap)`;
  return `${quoteUserText(value.name)} (${value.type} [${value.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : d || '?')).join(', ')}])`;
}
