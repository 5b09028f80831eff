/**
 * A second onnxruntime-node session of the same model in a worker thread, so that two batches
 * run at once. Why: on a small model onnxruntime's own intra-op threads gain little (the digits
 * MLP: 1 thread 263k rows/s, 2 threads 295k), while two single-thread sessions side by side reach
 * ~380k on the same two cores. onnxruntime-node runs a session synchronously on the calling
 * thread, so a second session only helps from another thread.
 *
 * The worker holds nothing but the session: the main thread sends it a batch (copied, then
 * transferred) and gets the output back (transferred). An idle worker never keeps the process
 * alive, and a worker that cannot start is simply not used: batches then run on the
 * main session, with the same numbers.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { moduleDirectory } from '../util/module-dir';
import { firstLine } from './runtime';

/** The worker's code: CommonJS evaluated as is (no bundling, no TypeScript), so source, tests and dist/ run the same. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.runtime);
ort.InferenceSession.create(workerData.model, workerData.options).then(
  (session) => {
    parentPort.on('message', ({ id, feed, type, data, dims, fetch }) => {
      session.run({ [feed]: new ort.Tensor(type, data, dims) }, [fetch]).then(
        (result) => {
          const out = result[fetch];
          parentPort.postMessage({ id, data: out.data, dims: out.dims, input: data.buffer }, [out.data.buffer, data.buffer]);
        },
        (error) => parentPort.postMessage({ id, error: String((error && error.message) || error), input: data.buffer }, [data.buffer]),
      );
    });
    parentPort.postMessage({ ready: true });
  },
  (error) => parentPort.postMessage({ failed: String((error && error.message) || error) }),
);
`;

/**
 * At most this many worker sessions in the whole process: an idle one stays open until the
 * process ends (a run opens one candidate; a process running many gates, like the tests, stops
 * adding workers here and runs later models on their main session alone).
 */
const MAX_WORKERS = 8;
let started = 0;

/** What one batch needs: the input tensor and the output to fetch. */
export interface LaneBatch {
  feed: string;
  type: 'float32' | 'float64';
  data: Float32Array | Float64Array;
  dims: readonly number[];
  fetch: string;
}

export interface LaneOutput {
  data: Float32Array | Float64Array;
  dims: readonly number[];
}

export class WorkerLane {
  private readonly pending = new Map<number, { resolve: (out: LaneOutput) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  /**
   * Input buffers the worker has sent back, for the next batches: a fresh 256 KiB buffer per
   * batch cost more in first-touch page faults than the worker saved.
   */
  private readonly spare: ArrayBuffer[] = [];
  /** Resolves true once the worker's session is open, false if the worker could not start. */
  readonly ready: Promise<boolean>;

  private constructor(private readonly worker: Worker) {
    this.ready = new Promise((resolve) => {
      worker.on(
        'message',
        (message: { ready?: true; failed?: string; id?: number; error?: string; input?: ArrayBuffer } & Partial<LaneOutput>) => {
          if (message.ready || message.failed !== undefined) {
            this.idle();
            return resolve(message.ready === true);
          }
          if (message.input) this.spare.push(message.input);
          const waiting = this.pending.get(message.id!);
          if (!waiting) return;
          this.pending.delete(message.id!);
          this.idle();
          if (message.error !== undefined) waiting.reject(new Error(message.error));
          else waiting.resolve({ data: message.data!, dims: message.dims! });
        },
      );
      worker.on('error', (error) => {
        resolve(false);
        this.failAll(error);
      });
      worker.on('exit', () => {
        resolve(false);
        this.failAll(new Error('the onnxruntime worker thread exited'));
      });
    });
  }

  /**
   * An idle worker must not keep the process alive; a busy one must, or the process would
   * exit while a batch is out. (Adding a 'message' listener refs the port, so this comes after.)
   */
  private idle(): void {
    if (this.pending.size === 0) this.worker.unref();
  }

  /**
   * A worker session on `model` (a path or the model's bytes) with the given session options,
   * or undefined when the process already runs MAX_WORKERS of them or onnxruntime-node cannot be
   * found for the worker to load.
   */
  static start(model: string | Uint8Array, options: object): WorkerLane | undefined {
    if (started >= MAX_WORKERS) return undefined;
    const runtime = nativeRuntimePath();
    if (!runtime) return undefined;
    started++;
    return new WorkerLane(new Worker(WORKER_SOURCE, { eval: true, workerData: { runtime, model, options } }));
  }

  /** Runs one batch in the worker; the input is copied (into a buffer the worker returns), so the caller keeps its array. */
  run(batch: LaneBatch): Promise<LaneOutput> {
    const id = this.nextId++;
    const data = this.copy(batch.data);
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...batch, id, data }, [data.buffer]);
    });
  }

  private copy(values: Float32Array | Float64Array): Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer> {
    const at = this.spare.findIndex((buffer) => buffer.byteLength === values.byteLength);
    const buffer = at >= 0 ? this.spare.splice(at, 1)[0]! : new ArrayBuffer(values.byteLength);
    const copy = values instanceof Float32Array ? new Float32Array(buffer) : new Float64Array(buffer);
    copy.set(values);
    return copy;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(new Error(`onnxruntime worker: ${firstLine(error)}`));
    this.pending.clear();
  }
}

/** onnxruntime-node's entry as the main thread would load it: dist/node_modules in the bundle, node_modules from source. */
function nativeRuntimePath(): string | undefined {
  try {
    const here = moduleDirectory() ?? process.cwd();
    return createRequire(path.join(here, 'index.js')).resolve('onnxruntime-node');
  } catch {
    return undefined;
  }
}
