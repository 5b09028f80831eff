/**
 * One gate run: policy → model → data → probes → checks → verdict. Returns the audit record;
 * writing files, comments and exit codes is the publishers' job.
 */
import path from 'node:path';
import { checkSameFeatures, findOverlap, loadDatasetWithHashes, rowPlace, sha256File, type DataFileSpec, type Dataset } from '../data';
import { describeError, exitCodeOf, InputError } from '../errors';
import { checksFor, decide } from '../gate/verdict';
import { openOnnxClassifier, openOnnxRegressor } from '../model/onnx';
import { isRegressor, numericTargets } from '../model/regression';
import { ObservedModel } from '../model/surface';
import type { Target } from '../model/types';
import { loadPolicy } from '../policy';
import type { DataFileSettings, Policy } from '../policy/types';
import { PROBES } from '../probes';
import type { ProbeContext, ProbeDefinition } from '../probes/types';
import type { GateReport, ProbeResult } from '../result';
import type { AllowedRoots } from '../util/paths';
import { redactDeep, refreshSecrets } from '../util/secrets';
import { TOOL } from '../version';
import { labelWithClasses } from './labels';
import { SignalCache } from './signals';
import { runSequenceGate } from './sequence';

export interface RunOptions {
  /** Paths in the report are written relative to this folder (default: the working directory). */
  relativeTo?: string;
  /** Folders the policy and every file it names must be in (default: the working folder and RUNNER_TEMP). */
  roots?: AllowedRoots;
}

export async function runGate(policyFile: string, options: RunOptions = {}): Promise<GateReport> {
  const started = performance.now();
  refreshSecrets();
  const relative = (p: string) => path.relative(options.relativeTo ?? process.cwd(), p).split(path.sep).join('/');
  const report = emptyReport(relative(path.resolve(policyFile)));
  const lap = stopwatch();
  try {
    const policy = loadPolicy(policyFile, { roots: options.roots });
    fillPolicyFacts(report, policy, relative);
    report.timings.policy = lap();

    if (policy.model.task === 'sequence') await runSequenceGate(policy, report, { relative, lap, runProbe });
    else await runFeatureGate(policy, report, { relative, lap });
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

/** Classifiers and regressors: models over feature rows, probed with member and non-member rows. */
async function runFeatureGate(
  policy: Policy,
  report: GateReport,
  { relative, lap }: { relative: (p: string) => string; lap: () => number },
): Promise<void> {
  const model: Target & { firstQueryAt?: number } =
    policy.model.task === 'regression' ? await openOnnxRegressor(policy.model) : await openOnnxClassifier(policy.model);
  report.inputs.model = { path: relative(policy.model.path), sha256: sha256File(policy.model.path) };
  report.timings.model = lap();

  const context = loadContext(policy, model, report, relative);
  report.timings.data = lap();

  for (const [id, settings] of Object.entries(policy.probes)) {
    if (!settings) continue;
    // Probes of sequence models (extraction) never get here: the policy allows them only with task: sequence.
    report.probes.push(await runProbe(PROBES[id as Exclude<keyof typeof PROBES, 'extraction'>], settings, context));
  }
  report.queries = model.queries;
  if (model.firstQueryAt !== undefined) report.timings.firstQueryFromProcessStart = round(model.firstQueryAt);
  // After the probes: with `scores: auto` the first batch decides what the output holds.
  report.model = modelFacts(model);
}

function modelFacts(model: Target): GateReport['model'] {
  const info = model.info;
  return isRegressor(model)
    ? {
        input: info.input,
        output: info.output,
        featureCount: info.featureCount,
        classes: [],
        scoreKind: 'value',
        scoreKindReason: 'regression model (model.task: regression): one predicted value per row',
      }
    : {
        input: info.input,
        output: info.output,
        featureCount: info.featureCount,
        classes: model.info.classLabels,
        scoreKind: model.info.scoreKind,
        scoreKindReason: model.info.scoreKindReason,
      };
}

function loadContext(
  policy: Policy,
  model: Target,
  report: GateReport,
  relative: (p: string) => string,
): ProbeContext {
  const info = model.info;
  const load = (file: DataFileSettings, role: string) => {
    // Text files are for sequence models only (a policy error otherwise), so this is a table file.
    const { dataset: data, sha256 } = loadDatasetWithHashes(file as DataFileSpec, {
      role,
      label: policy.data.label,
      features: policy.data.features,
      maxRows: policy.data.maxRows,
      seed: policy.seed,
    });
    if (data.features.length !== info.featureCount) {
      throw new InputError(
        `${data.features.length} feature columns selected, but the model's input "${info.input}" takes ${info.featureCount}; check data.features`,
        { file: data.file, field: 'data.features' },
      );
    }
    report.inputs.data.push({ role, path: relative(file.path), sha256: sha256.data, rows: data.rows, rowsInFile: data.rowsInFile });
    if (file.labels && sha256.labels) {
      report.inputs.data.push({ role: `${role} labels`, path: relative(file.labels), sha256: sha256.labels, rows: data.rows, rowsInFile: data.rowsInFile });
    }
    // A regression model has no classes: its labels are numeric targets.
    if (isRegressor(model)) return { ...data, classes: new Int32Array(data.rows), targets: numericTargets(data, policy.data.label) };
    return labelWithClasses(data, model.info.classLabels, policy.data.label);
  };
  const members = load(policy.data.members, 'members');
  const nonMembers = load(policy.data.nonMembers, 'non-members');
  checkSameFeatures(members, nonMembers);
  checkOverlap(policy, members, nonMembers, report, relative);
  const observed = new ObservedModel(model, policy.surface);
  return {
    model: observed,
    members,
    nonMembers,
    signals: new SignalCache(observed),
    loadData: (file, role) => load(file, role),
    seed: policy.seed,
    confidence: policy.gate.confidence,
  };
}

/**
 * Records in both sets: an error (the sets are probably one file, or split wrongly, and every
 * attack would read "no leak"), or with data.allow-overlap a warning in the report.
 */
function checkOverlap(policy: Policy, members: Dataset, nonMembers: Dataset, report: GateReport, relative: (p: string) => string): void {
  const { count, first } = findOverlap(members, nonMembers);
  if (count === 0 || !first) return;
  const both = `${count} of the ${nonMembers.rows} non-member records used ${count === 1 ? 'is' : 'are'} also among the members (same features and label; first: ${rowPlace(nonMembers, first.nonMember)} of ${relative(nonMembers.file)} is ${rowPlace(members, first.member)} of ${relative(members.file)})`;
  if (policy.data.allowOverlap) {
    report.warnings.push(`${both}; allowed by data.allow-overlap, but these records cannot tell members from non-members`);
    return;
  }
  throw new InputError(
    `${both}; a record cannot be both, so the two sets are probably the same file or were split wrongly, and every attack would read "no leak". Remove the repeated records, or set data.allow-overlap: true if they are genuine duplicates (the gate then warns)`,
    { file: nonMembers.file, ...(nonMembers.origin?.lines?.[first.nonMember] ? { line: nonMembers.origin.lines[first.nonMember] } : {}), field: 'data.non-members' },
  );
}

export async function runProbe<S, C extends { model: { queries: number }; confidence: number } = ProbeContext>(
  probe: ProbeDefinition<S, C>,
  settings: S,
  context: C,
): Promise<ProbeResult> {
  const started = performance.now();
  const queriesBefore = context.model.queries;
  const result: ProbeResult = {
    id: probe.id,
    description: probe.description,
    status: 'ok',
    attacks: [],
    checks: [],
    notes: [],
    queries: 0,
    seconds: 0,
  };
  try {
    const measured = await probe.run(context, settings);
    result.attacks = measured.attacks;
    result.notes = measured.notes;
    result.checks = checksFor(probe.id, measured.attacks, probe.thresholds(settings), context.confidence);
  } catch (error) {
    if (error instanceof InputError) throw error;
    result.status = 'error';
    result.error = describeError(error);
  }
  result.queries = context.model.queries - queriesBefore;
  result.seconds = round((performance.now() - started) / 1000, 3);
  return result;
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

function fillPolicyFacts(report: GateReport, policy: Policy, relative: (p: string) => string): void {
  report.policy.name = policy.name;
  report.warnings = (policy.warnings ?? []).map((w) => new InputError(w.message, { ...w.location, file: relative(w.location.file) }).describe());
  report.inputs.policy = policy.sources.map((file) => ({ path: relative(file), sha256: sha256File(file) }));
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

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
