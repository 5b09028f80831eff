/**
 * Loads onnxruntime on first use, not at import, so `--help` and a `validate` that stops at the
 * policy start fast. The native build (onnxruntime-node) ships in dist/ for linux-x64 only; on
 * any other runner (ubuntu ARM, macOS, Windows), or when the native library cannot be loaded, the
 * same models run on onnxruntime-web (WebAssembly, threaded where the platform allows) with a
 * notice: slower, same numbers. `PRIVACY_GATE_RUNTIME` forces one of them, for tests and diagnosis.
 */
import { availableParallelism } from 'node:os';
import { InputError, RuntimeFailure } from '../errors';
import type { TensorInfo } from './types';

export type OrtModule = typeof import('onnxruntime-node');
export type OrtSession = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

/** The platforms whose native onnxruntime build ships in dist/ (see scripts/bundle.mjs). */
export const BUNDLED_PLATFORMS = ['linux-x64'];

/** `native`: onnxruntime-node only; `wasm`: onnxruntime-web only; unset or `auto`: native, else wasm. */
export const RUNTIME_ENV = 'PRIVACY_GATE_RUNTIME';
const CHOICES = ['auto', 'native', 'wasm'] as const;

/** Which onnxruntime the numbers come from. */
export type RuntimeKind = 'native' | 'wasm';

/** Where the fallback notice goes; the action sends it to `core.notice`, the CLI to stderr. */
let notify: (message: string) => void = (message) => process.stderr.write(`privacy-gate: notice: ${message}\n`);

export function setRuntimeNotice(handler: (message: string) => void): void {
  notify = handler;
}

/** One load per setting of RUNTIME_ENV: a second model must not print the notice again. */
const loaded = new Map<string, Promise<{ ort: OrtModule; kind: RuntimeKind }>>();

export async function loadOnnxRuntime(): Promise<OrtModule> {
  return (await loadRuntime()).ort;
}

/** The runtime in use (loading it if needed): the bench and the tests ask which one ran. */
export function loadRuntime(): Promise<{ ort: OrtModule; kind: RuntimeKind }> {
  const choice = (process.env[RUNTIME_ENV] ?? '').trim() || 'auto';
  let runtime = loaded.get(choice);
  if (!runtime) {
    runtime = chooseRuntime(choice);
    loaded.set(choice, runtime);
    // A failed load is not remembered: the error is thrown to this caller and the next one alike.
    runtime.catch(() => loaded.delete(choice));
  }
  return runtime;
}

/** The runtime in use and its version, for the audit record (`tool.runtime`). */
export async function runtimeFacts(): Promise<{ kind: RuntimeKind; version: string }> {
  const { ort, kind } = await loadRuntime();
  // Both packages may share one onnxruntime-common, whose `versions` then names both: read the one that ran.
  const versions = ort.env.versions as { common?: string; node?: string; web?: string };
  return { kind, version: (kind === 'native' ? versions.node : versions.web) ?? versions.common ?? 'unknown' };
}

/**
 * A session on the chosen runtime, with the options every model here runs with (on `threads`
 * intra-op threads, every core unless the caller runs sessions side by side). The execution
 * provider pins that runtime: both packages register a "cpu" backend, and where they share one
 * onnxruntime-common (both loaded as CommonJS) the native one would win.
 */
export async function createInferenceSession(model: string | Uint8Array, threads = availableParallelism()): Promise<OrtSession> {
  const { ort, kind } = await loadRuntime();
  const options = sessionOptions(kind, threads);
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** The options of every session, worker sessions' too, so that whichever session answers a batch gives the same numbers. */
export function sessionOptions(kind: RuntimeKind, threads: number) {
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    logSeverityLevel: 3,
    executionProviders: [kind === 'wasm' ? 'wasm' : 'cpu'],
  } as const;
}

async function chooseRuntime(choice: string): Promise<{ ort: OrtModule; kind: RuntimeKind }> {
  if (!(CHOICES as readonly string[]).includes(choice)) {
    throw new InputError(`${RUNTIME_ENV} is ${JSON.stringify(choice.slice(0, 40))}; expected one of ${CHOICES.join(', ')} (or unset)`, {
      file: 'environment',
      field: RUNTIME_ENV,
    });
  }
  const platform = `${process.platform}-${process.arch}`;
  let nativeError: unknown;
  if (choice !== 'wasm') {
    try {
      return { ort: await importNative(), kind: 'native' };
    } catch (error) {
      if (choice === 'native') throw cannotLoad(`cannot load onnxruntime-node on ${platform}: ${nativeHint(platform)}`, error);
      nativeError = error;
    }
  }
  let ort: OrtModule;
  try {
    ort = await importWeb();
  } catch (error) {
    const native = nativeError ? `onnxruntime-node failed (${nativeHint(platform)}: ${firstLine(nativeError)}), and ` : '';
    throw cannotLoad(`cannot load onnxruntime on ${platform}: ${native}onnxruntime-web (WebAssembly) failed too`, error);
  }
  notify(
    nativeError
      ? `onnxruntime-node is not available on ${platform} (${nativeHint(platform)}); running the models on onnxruntime-web (WebAssembly, ${threads(ort)}): 2–4× slower, the same results up to float32 rounding`
      : `${RUNTIME_ENV}=wasm: running the models on onnxruntime-web (WebAssembly, ${threads(ort)})`,
  );
  return { ort, kind: 'wasm' };
}

async function importNative(): Promise<OrtModule> {
  const module = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
  return module.InferenceSession ? module : module.default!;
}

/**
 * onnxruntime-web's Node build: it loads its .wasm from beside its own script (dist/node_modules
 * in the bundle), and runs threads as worker_threads, so it may use every core.
 */
async function importWeb(): Promise<OrtModule> {
  const module = (await import('onnxruntime-web')) as unknown as OrtModule & { default?: OrtModule };
  const ort = module.InferenceSession ? module : module.default!;
  ort.env.wasm.numThreads = availableParallelism();
  return ort;
}

function threads(ort: OrtModule): string {
  const n = ort.env.wasm.numThreads ?? 1;
  return n > 1 ? `${n} threads` : 'one thread';
}

function nativeHint(platform: string): string {
  return BUNDLED_PLATFORMS.includes(platform)
    ? 'the native library could not be loaded (glibc 2.28 or newer is required)'
    : `the action bundles the native build only for ${BUNDLED_PLATFORMS.join(', ')}`;
}

function cannotLoad(message: string, error: unknown): RuntimeFailure {
  return new RuntimeFailure(`${message} (${firstLine(error)})`, { cause: error });
}

/**
 * A model's input or output as the adapters read it. Both runtimes describe a named symbolic
 * dimension by its name, but an unnamed one differs: onnxruntime-node says "", onnxruntime-web
 * 4294967295 (−1 read as unsigned), which would read as a fixed batch of 4 billion rows.
 */
export function describeValue(meta: {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}): TensorInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'sequence', shape: [] };
  const shape = (meta.shape ?? []).map((d) => (typeof d === 'number' && d >= 0x80000000 ? '' : d));
  return { name: meta.name, type: meta.type ?? 'unknown', shape };
}

/** The first line of an error's message: onnxruntime appends stack-like detail after it. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
