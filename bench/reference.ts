/**
 * Reference-model attack speed (LiRA online/offline, RMIA): the gate's own code path (runGate)
 * on the digits deep audit with K = 16 reference models, leaky and hardened (shift-1, 9 queries
 * per record), then the leaky audit at 100,000 + 100,000 rows resampled from the digits data
 * with a synthetic memberships file (each record IN for one model of each complementary pair).
 *
 * Timed from outside: onnxruntime's InferenceSession.create and session.run are wrapped here, so
 * every session the gate opens reports its opening and inference time without a hook in src/.
 * "Outside inference" is the probe's seconds minus the time inside session.run (opening
 * included in "outside"). Figures, not pass/fail; the machine may be shared, so they are noisy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { runGate } from '../src/run/gate';
import { Rng } from '../src/util/random';
import { writeResampledDigits } from './membership';

const root = path.resolve(import.meta.dirname, '..');
const example = path.join(root, 'examples/digits');
const ROWS = 100_000;
const K = 16;

interface SessionTiming {
  file: string;
  openMs: number;
  runMs: number;
  rows: number;
  /** From the start of opening to the end of the last run: the session's wall-clock span. */
  firstMs: number;
  lastMs: number;
}

const sessions: SessionTiming[] = [];

/** Wraps InferenceSession.create (and each session's run) once, recording every session's times. */
function instrumentOnnxRuntime(): void {
  const Session = ort.InferenceSession as unknown as { create: (...args: unknown[]) => Promise<ort.InferenceSession> };
  const create = Session.create.bind(Session);
  Session.create = async (...args: unknown[]) => {
    const opened = performance.now();
    const session = await create(...args);
    const timing: SessionTiming = {
      file: typeof args[0] === 'string' ? args[0] : '(bytes)',
      openMs: performance.now() - opened,
      runMs: 0,
      rows: 0,
      firstMs: opened,
      lastMs: performance.now(),
    };
    sessions.push(timing);
    const run = session.run.bind(session) as (...a: unknown[]) => Promise<ort.InferenceSession.OnnxValueMapType>;
    (session as unknown as { run: typeof run }).run = async (...a: unknown[]) => {
      const started = performance.now();
      const feeds = a[0] as Record<string, ort.Tensor>;
      const first = Object.values(feeds)[0];
      try {
        return await run(...a);
      } finally {
        timing.lastMs = performance.now();
        timing.runMs += timing.lastMs - started;
        timing.rows += first ? Number(first.dims[0]) : 0;
      }
    };
    return session;
  };
}

/**
 * Samples process RSS every 20 ms while `work` runs; returns its result and the peak seen.
 * process.memoryUsage.rss() only reads the resident set size: process.memoryUsage() also walks
 * V8's heap spaces, and every 20 ms on the main thread that cost 2.2 s of CPU in the 100k run
 * (--cpu-prof), which the figures below then counted as the probe's time outside inference.
 */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

async function timeGate(label: string, policy: string, roots: string[]): Promise<void> {
  const before = sessions.length;
  const started = performance.now();
  const { result: report, peakRss } = await withPeakRss(() => runGate(policy, { roots }));
  const totalS = (performance.now() - started) / 1000;
  if (report.verdict === 'error') throw new Error(`${label}: ${report.error?.message}`);
  const probe = report.probes.find((p) => p.id === 'membership') ?? report.probes[0]!;
  const opened = sessions.slice(before);
  const refs = opened.filter((s) => s.file.includes(`${path.sep}refs${path.sep}`));
  const inferenceS = opened.reduce((a, s) => a + s.runMs, 0) / 1000;
  const openS = opened.reduce((a, s) => a + s.openMs, 0) / 1000;
  const rows = opened.reduce((a, s) => a + s.rows, 0);
  const mean = (f: (s: SessionTiming) => number) => refs.reduce((a, s) => a + f(s), 0) / Math.max(refs.length, 1);
  const outside = probe.seconds - inferenceS;
  console.log(`${label}: verdict ${report.verdict}, ${refs.length} reference models, ${probe.queries} queries in the report`);
  console.log(
    `  total runGate ${totalS.toFixed(2)} s (data ${((report.timings.data ?? 0) / 1000).toFixed(2)} s); membership probe ${probe.seconds.toFixed(2)} s`,
  );
  console.log(
    `  per reference model: ${mean((s) => s.openMs + s.runMs).toFixed(0)} ms opening + inference ` +
      `(open ${mean((s) => s.openMs).toFixed(0)} ms, inference ${mean((s) => s.runMs).toFixed(0)} ms, ` +
      `${fmt(mean((s) => s.rows))} rows); wall span ${mean((s) => s.lastMs - s.firstMs).toFixed(0)} ms`,
  );
  console.log(
    `  inside session.run ${inferenceS.toFixed(2)} s, opening ${openS.toFixed(2)} s, probe outside inference ${outside.toFixed(2)} s ` +
      `= ${((100 * outside) / probe.seconds).toFixed(1)}% (target < 10%)`,
  );
  console.log(
    `  ${fmt(rows)} rows through onnxruntime: ${fmt(rows / probe.seconds)} rows/s over the probe, ${fmt(rows / inferenceS)} rows/s inside run; ` +
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
}

export async function bench(): Promise<void> {
  instrumentOnnxRuntime();
  const roots = [root];
  await timeGate('digits leaky, deep audit (1797 records × 1 query)', path.join(example, 'deep-audit.policy.yml'), roots);
  await timeGate(
    'digits hardened, deep audit (1797 records × 9 queries, shift-1)',
    path.join(example, 'deep-audit.hardened.policy.yml'),
    roots,
  );

  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-bench-refs-'));
  try {
    const policy = writeLargeExample(dir);
    await timeGate(`leaky, ${fmt(ROWS)} + ${fmt(ROWS)} resampled rows, synthetic memberships, full gate`, policy, [root, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resampled data files, a synthetic memberships file (models 2j and 2j + 1 complementary) and a policy. */
function writeLargeExample(dir: string): string {
  writeResampledDigits(dir, ROWS, 3);
  const rng = new Rng(4);
  const records = 2 * ROWS;
  const rows: string[] = [['model', ...Array.from({ length: records }, (_, i) => `m${i}`)].join(',')];
  const cells = Array.from({ length: K }, () => new Array<number>(records));
  for (let r = 0; r < records; r++) {
    for (let pair = 0; pair < K / 2; pair++) {
      const first = rng.int(2);
      cells[2 * pair]![r] = first;
      cells[2 * pair + 1]![r] = 1 - first;
    }
  }
  for (let k = 0; k < K; k++) rows.push([`ref-${String(k).padStart(2, '0')}.onnx`, ...cells[k]!].join(','));
  writeFileSync(path.join(dir, 'memberships.csv'), rows.join('\n') + '\n');
  const policy = path.join(dir, 'policy.yml');
  writeFileSync(
    policy,
    [
      'version: 1',
      'name: reference-model bench',
      'seed: 1',
      'model:',
      `  path: ${JSON.stringify(path.join(example, 'leaky.onnx'))}`,
      '  task: classification',
      '  input: x',
      '  output: probabilities',
      '  scores: auto',
      'data:',
      '  members: { path: members.csv }',
      '  non-members: { path: non-members.csv }',
      '  label: digit',
      '  features: "pixel_*"',
      `  max-rows: ${ROWS}`,
      'surface:',
      '  scores: full',
      'probes:',
      '  membership:',
      '    attacks: [loss, confidence, lira, lira-offline, rmia]',
      '    reference-models:',
      `      models: ${JSON.stringify(path.join(example, 'refs/leaky/ref-*.onnx'))}`,
      '      memberships: memberships.csv',
      '    thresholds:',
      '      auc: { warn: 0.55, fail: 0.60 }',
      '',
    ].join('\n'),
  );
  return policy;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
