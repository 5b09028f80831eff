/**
 * Membership-probe speed: raw onnxruntime-node throughput on the demo model at batch 1024,
 * the gate's throughput for the membership probe on 100,000 + 100,000 rows resampled from the
 * digits data, their ratio (target ≥ 0.8; median of 3 gate runs, each against the mean of the raw
 * runs just before and after it, the first run cold; and the cold run against the raw loop's own
 * first pass on a fresh session), the raw loop on the gate's layout (one single-thread session per
 * core, the others in worker threads), and start-up to the first model query (target < 0.5 s);
 * then the same raw loop and probe on the WebAssembly fallback (onnxruntime-web, forced with
 * PRIVACY_GATE_RUNTIME=wasm), the runtime of every runner without the bundled native build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createInferenceSession, loadRuntime, RUNTIME_ENV, sessionOptions } from '../src/model/runtime';
import { MAX_LANE_WORKERS } from '../src/model/onnx';
import { WorkerLane } from '../src/model/worker-lane';
import { runGate } from '../src/run/gate';
import { Rng } from '../src/util/random';

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples/digits');
const ROWS = 100_000;
const BATCH = 1024;

/** Worker sessions beside the main one, as the gate opens them for a large run's candidate. */
const LANE_WORKERS = Math.min(availableParallelism() - 1, MAX_LANE_WORKERS);

/** Gate runs per runtime: the first is cold (as in a real run), the median is quoted beside it. */
const RUNS = 3;

export async function bench(): Promise<void> {
  const [load1] = loadavg();
  const raw = await rawLoop(2 * ROWS);
  // Each gate run sits between two raw runs and is compared with their mean, so the ratio holds
  // when a shared machine's speed drifts; each figure is the median of RUNS pairs.
  const pairs: Array<{ raw: number; gate: number; seconds: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await raw.run();
    const gate = await gateThroughput(i === 0);
    const after = await raw.run();
    pairs.push({ raw: (before + after) / 2, gate: gate.rowsPerSecond, seconds: gate.seconds });
  }
  const rawMedian = median(pairs.map((p) => p.raw));
  const ratios = pairs.map((p) => p.gate / p.raw);
  // What the probe spends beyond raw inference: scoring, sorting and metrics in JS.
  const beyond = pairs.map((p) => p.seconds - (2 * ROWS) / p.raw);
  console.log(
    `raw onnxruntime-node, leaky.onnx, batch ${BATCH}: ${fmt(rawMedian)} rows/s (median of ${2 * RUNS} runs around the gate runs)`,
  );
  console.log(
    `ratio gate / raw: ${median(ratios).toFixed(2)} median of ${RUNS} (${ratios.map((r) => r.toFixed(2)).join(', ')}; the first is cold) (target ≥ 0.80); load average ${load1!.toFixed(1)} at the start`,
  );
  console.log(
    `gate time beyond raw inference: ${(median(beyond) * 1000).toFixed(0)} ms median (first run ${(beyond[0]! * 1000).toFixed(0)} ms)`,
  );
  console.log(
    `cold against cold: the gate's first run ${fmt(pairs[0]!.gate)} rows/s, the raw loop's first pass on its fresh session ${fmt(raw.cold)} rows/s: ratio ${(pairs[0]!.gate / raw.cold).toFixed(2)}`,
  );
  const lanes = await (await rawLoop(2 * ROWS, undefined, true)).run();
  console.log(
    `raw onnxruntime-node on the gate's layout (${LANE_WORKERS + 1} single-thread sessions, all but one in worker threads): ${fmt(lanes)} rows/s, ${(lanes / rawMedian).toFixed(2)} × one session on every core`,
  );
  console.log(`start-up to first model query (node dist/cli.js on the demo): ${startup().toFixed(0)} ms (target < 500 ms)`);

  const previous = process.env[RUNTIME_ENV];
  process.env[RUNTIME_ENV] = 'wasm';
  try {
    const wasm = await (await rawLoop(2 * ROWS, await wasmSession())).run();
    console.log(
      `raw onnxruntime-web (the fallback), leaky.onnx, batch ${BATCH}: ${fmt(wasm)} rows/s, ${(wasm / rawMedian).toFixed(2)} × native`,
    );
    const fallback = await gateThroughput(true);
    console.log(`fallback ratio gate / raw onnxruntime-web: ${(fallback.rowsPerSecond / wasm).toFixed(2)}`);
  } finally {
    if (previous === undefined) delete process.env[RUNTIME_ENV];
    else process.env[RUNTIME_ENV] = previous;
  }
}

/** The membership probe on 100k + 100k resampled digits rows, on whichever runtime is chosen. */
async function gateThroughput(verbose: boolean): Promise<{ seconds: number; rowsPerSecond: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-bench-'));
  try {
    const policy = writeResampledExample(dir);
    const started = performance.now();
    // The policy is written to a temporary folder: allow it beside the repository.
    const report = await runGate(policy, { roots: [dir, process.cwd()] });
    const total = (performance.now() - started) / 1000;
    const probe = report.probes[0]!;
    if (report.verdict === 'error') throw new Error(report.error?.message ?? probe.error);
    const rowsPerSecond = (2 * ROWS) / probe.seconds;
    const runtime = (await loadRuntime()).kind === 'wasm' ? 'onnxruntime-web' : 'onnxruntime-node';
    if (!verbose) return { seconds: probe.seconds, rowsPerSecond };
    console.log(
      `gate on ${runtime}, membership probe (4 attacks, per-class metrics), ${ROWS} + ${ROWS} rows: ${probe.seconds.toFixed(3)} s, ` +
        `${fmt(rowsPerSecond)} rows/s, ${probe.queries} queries`,
    );
    console.log(`whole run incl. loading 2 × ${ROWS}-row CSVs: ${total.toFixed(2)} s (data ${(report.timings.data! / 1000).toFixed(2)} s)`);
    return { seconds: probe.seconds, rowsPerSecond };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A session on onnxruntime-web with the adapter's options (PRIVACY_GATE_RUNTIME=wasm is set). */
async function wasmSession(): Promise<Session> {
  await loadRuntime();
  return createInferenceSession(path.join(example, 'leaky.onnx'));
}

type Session = Awaited<ReturnType<typeof ort.InferenceSession.create>>;

/**
 * The adapter's session options, queried directly (native unless a session is given): one
 * session on every core, or with `lanes` one single-thread session per core (the others in
 * worker threads, as the gate runs its candidate). The first pass is timed as `cold`, then
 * `run()` times one pass over `rows` rows and returns rows per second.
 */
async function rawLoop(rows: number, given?: Session, lanes = false): Promise<{ cold: number; run: () => Promise<number> }> {
  const model = path.join(example, 'leaky.onnx');
  const threads = lanes ? 1 : availableParallelism();
  const session = given ?? (await ort.InferenceSession.create(model, sessionOptions('native', threads)));
  const workers = lanes ? Array.from({ length: LANE_WORKERS }, () => WorkerLane.start(model, sessionOptions('native', 1))!) : [];
  for (const worker of workers) if (!(await worker.ready)) throw new Error('a worker session did not open');
  const x = resampledFeatures(rows);
  const batch = (start: number) => {
    const n = Math.min(BATCH, rows - start);
    return { feed: 'x', type: 'float32' as const, data: x.subarray(start * 64, (start + n) * 64), dims: [n, 64], fetch: 'probabilities' };
  };
  const pass = async () => {
    let next = 0;
    const drain = async (run: (start: number) => Promise<unknown>) => {
      while (next < rows) {
        const start = next;
        next += BATCH;
        await run(start);
      }
    };
    await Promise.all([
      drain(async (start) => {
        const { feed, type, data, dims } = batch(start);
        await session.run({ [feed]: new ort.Tensor(type, data, dims) });
      }),
      ...workers.map((worker) => drain((start) => worker.run(batch(start)))),
    ]);
  };
  const started = performance.now();
  await pass();
  const cold = rows / ((performance.now() - started) / 1000);
  return {
    cold,
    run: async () => {
      const started = performance.now();
      await pass();
      return rows / ((performance.now() - started) / 1000);
    },
  };
}

function resampledFeatures(rows: number): Float32Array {
  const lines = readFileSync(path.join(example, 'data/members.csv'), 'utf8').trim().split('\n').slice(1);
  const rng = new Rng(1);
  const x = new Float32Array(rows * 64);
  for (let r = 0; r < rows; r++) {
    const cells = lines[rng.int(lines.length)]!.split(',');
    for (let j = 0; j < 64; j++) x[r * 64 + j] = Number(cells[j]);
  }
  return x;
}

/** members.csv and non-members.csv in `dir`: `rows` digits rows each, drawn with replacement (seeded). */
export function writeResampledDigits(dir: string, rows: number, seed: number): void {
  const rng = new Rng(seed);
  for (const set of ['members', 'non-members']) {
    const [header, ...lines] = readFileSync(path.join(example, `data/${set}.csv`), 'utf8')
      .trim()
      .split('\n');
    const out = [header];
    for (let r = 0; r < rows; r++) out.push(lines[rng.int(lines.length)]!);
    writeFileSync(path.join(dir, `${set}.csv`), out.join('\n') + '\n');
  }
}

function writeResampledExample(dir: string): string {
  writeResampledDigits(dir, ROWS, 2);
  return writeMembershipPolicy(dir, 'membership bench', ['members: { path: members.csv }', 'non-members: { path: non-members.csv }'], ROWS);
}

/** The leaky digits model's four threshold attacks on the data files in `dir`, read to `rows` rows each. */
export function writeMembershipPolicy(dir: string, name: string, dataFiles: [members: string, nonMembers: string], rows: number): string {
  const policy = path.join(dir, 'policy.yml');
  writeFileSync(
    policy,
    [
      'version: 1',
      `name: ${name}`,
      'extends: standard',
      'seed: 1',
      `model: { path: ${JSON.stringify(path.join(example, 'leaky.onnx'))} }`,
      'data:',
      `  ${dataFiles[0]}`,
      `  ${dataFiles[1]}`,
      '  label: digit',
      `  max-rows: ${rows}`,
      'probes:',
      '  membership:',
      '    attacks: [loss, confidence, entropy, modified-entropy]',
      '',
    ].join('\n'),
  );
  return policy;
}

/** Milliseconds from process start to the first model query, in a fresh `node dist/cli.js`. */
function startup(): number {
  const out = mkdtempSync(path.join(tmpdir(), 'privacy-gate-startup-'));
  try {
    spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'run', '--policy', path.join(example, 'policy.yml'), '--out', out]);
    const report = JSON.parse(readFileSync(path.join(out, 'privacy-report.json'), 'utf8'));
    return report.timings.firstQueryFromProcessStart;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
