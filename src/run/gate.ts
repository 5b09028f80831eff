/**
 * One gate run: policy → model → data → probes → checks → verdict. Returns the audit record;
 * writing files, comments and exit codes is the publishers' job.
 */
import path from 'node:path';
import { sha256, sha256File } from '../data';
import { describeError, exitCodeOf, InputError } from '../errors';
import { decide } from '../gate/verdict';
import type { PolicyTexts } from '../policy/source';
import type { Policy } from '../policy/types';
import { PROBE_FAMILIES } from '../probes';
import type { AnyProbeFamily, ProbeSettings, TaskContexts } from '../probes/types';
import type { GateReport } from '../result';
import type { AllowedRoots } from '../util/paths';
import { redactDeep, refreshSecrets } from '../util/secrets';
import { TOOL } from '../version';
import { baselineWarnings, compareProbe, readBaselineReport } from './baseline';
import { openFeatureTask } from './features';
import { ONNX_MODELS, type ModelOpener } from './models';
import { loadPolicy } from './policy';
import { runProbe } from './probe';
import { round } from './round';
import { openSequenceTask } from './sequence';

export interface RunOptions {
  /** Paths in the report are written relative to this folder (default: the working directory). */
  relativeTo?: string;
  /** Folders the policy and every file it names must be in (default: the working folder and RUNNER_TEMP). */
  roots?: AllowedRoots;
  /** The policy's texts from elsewhere (the base commit, for policy-from: base); its files are still those on the disk. */
  policyTexts?: PolicyTexts;
  /** A run that does only part of the work, or replays it (src/shard/); absent: the whole run. */
  split?: RunSplit;
}

/**
 * What a sharded run or a merge changes in a run: how models are opened, which families run
 * with which context, and whether the verdict is decided here.
 */
export interface RunSplit {
  models: ModelOpener;
  /** Called once the model and data are open, before any probe; throws to refuse the run (e.g. a merge's hash check). */
  beforeProbes?(report: GateReport, task: keyof TaskContexts): void;
  /** The context a family runs with here, or undefined to skip it in this run. */
  contextFor?<Context>(family: AnyProbeFamily, context: Context): Context | undefined;
  /** Stop after the probes: a shard measures nothing, the merge decides. */
  measureOnly?: boolean;
}

export async function runGate(policyFile: string, options: RunOptions = {}): Promise<GateReport> {
  const started = performance.now();
  refreshSecrets();
  const relative = (p: string) =>
    path
      .relative(options.relativeTo ?? process.cwd(), p)
      .split(path.sep)
      .join('/');
  const report = emptyReport(relative(path.resolve(policyFile)));
  const lap = stopwatch();
  try {
    const policy = loadPolicy(policyFile, { roots: options.roots, texts: options.policyTexts });
    fillPolicyFacts(report, policy, relative, options.policyTexts);
    report.timings.policy = lap();

    const split = options.split;
    const models = split?.models ?? ONNX_MODELS;
    const run =
      policy.model.task === 'sequence'
        ? await openSequenceTask(policy, report, { relative, lap })
        : await openFeatureTask(policy, report, { relative, lap }, models);
    // The models are open, so the runtime is loaded: name it before a shard records the header or a merge checks it.
    report.tool = { ...report.tool, runtime: await models.runtime() };
    split?.beforeProbes?.(report, run.task);
    const released = readBaselineReport(policy, report, relative);
    // One loop for every task: the registry says which families run on it.
    for (const family of PROBE_FAMILIES) {
      const settings = policy.probes[family.id as keyof Policy['probes']] as ProbeSettings | undefined;
      if (!settings || !family.tasks.includes(run.task)) continue;
      const context = split?.contextFor ? split.contextFor(family, run.context) : run.context;
      if (!context) continue;
      const result = await runProbe(family, settings, context);
      compareProbe(result, settings, released, policy.gate.confidence);
      report.probes.push(result);
    }
    run.finish();
    if (split?.measureOnly) return report;
    baselineWarnings(report, released);
    const decision = decide(report.probes, policy.gate);
    report.verdict = decision.verdict;
    report.exitCode = decision.exitCode;
    if (decision.error) report.error = decision.error;
  } catch (error) {
    report.verdict = 'error';
    report.exitCode = exitCodeOf(error);
    const location = error instanceof InputError ? error.location : undefined;
    report.error = {
      message: describeError(error),
      exitCode: report.exitCode,
      ...(location ? { ...location, file: relative(location.file) } : {}),
    };
  }
  // Thresholds are located by absolute path while loading; the audit record keeps paths portable.
  for (const check of report.probes.flatMap((p) => p.checks)) check.source = { ...check.source, file: relative(check.source.file) };
  report.timings.total = round(performance.now() - started);
  // Before any reporter sees it: a data file or message may have carried a secret's value.
  return redactDeep(report);
}

function emptyReport(policyPath: string): GateReport {
  return {
    version: 1,
    verdict: 'error',
    exitCode: 3,
    tool: TOOL,
    policy: { name: '', file: policyPath },
    inputs: { policy: [], data: [] },
    seed: null,
    surface: null,
    confidence: null,
    probes: [],
    queries: 0,
    timings: {},
    warnings: [],
  };
}

function fillPolicyFacts(report: GateReport, policy: Policy, relative: (p: string) => string, texts?: PolicyTexts): void {
  report.policy.name = policy.name;
  report.warnings = (policy.warnings ?? []).map((w) =>
    new InputError(w.message, { ...w.location, file: relative(w.location.file) }).describe(),
  );
  // The digest of the text that was enforced: the base commit's under policy-from: base.
  const digest = (file: string) => {
    const text = texts?.text(file);
    return typeof text === 'string' ? sha256(Buffer.from(text, 'utf8')) : sha256File(file);
  };
  report.inputs.policy = policy.sources.map((file) => ({ path: relative(file), sha256: digest(file) }));
  report.seed = policy.seed;
  const { scores, topK, decimals, precision } = policy.surface;
  report.surface = {
    scores,
    ...(scores === 'top-k' ? { topK } : {}),
    ...(decimals !== undefined ? { decimals } : {}),
    ...(precision ? { precision } : {}),
  };
  report.confidence = policy.gate.confidence;
  report.gate = { inconclusive: policy.gate.inconclusive, insufficient: policy.gate.insufficient };
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = round(now - last);
    last = now;
    return ms;
  };
}
