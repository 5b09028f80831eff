/**
 * The gate's path for models over feature rows (classifiers and regressors): ONNX model →
 * member / non-member rows labelled with the model's classes (or numeric targets) → the context
 * every probe of these tasks gets. Fills the audit record's model and data facts.
 */
import { existsSync, statSync } from 'node:fs';
import { checkSameFeatures, findOverlap, loadDatasetWithHashes, rowPlace, type DataFileSpec, type Dataset } from '../data';
import { InputError } from '../errors';
import { isClassifier, isRegressor, numericTargets } from '../model/regression';
import { ObservedModel } from '../model/surface';
import type { Classifier, Target } from '../model/types';
import type { DataFileSettings, Policy } from '../policy/types';
import type { ProbeContext } from '../probes/types';
import type { GateReport } from '../result';
import { openBaselineModel } from './baseline-model';
import { classesProblem, labelWithClasses, UnknownLabel } from './labels';
import type { ModelOpener } from './models';
import { openReferences } from './references';
import { round } from './round';
import { SignalCache } from './signals';
import type { TaskRun, TaskTools } from './task';
import { modelDigest } from './model-digest';

/**
 * Data files this large (both sets) mean queries long enough for the candidate's worker sessions
 * (~100 ms to open) to pay off; on the small examples they would only slow the start.
 */
const WORKER_DATA_BYTES = 4 * 1024 * 1024;

function dataBytes(policy: Policy): number {
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return size(policy.data.members.path) + size(policy.data.nonMembers.path);
}

/** Classifiers and regressors: models over feature rows, probed with member and non-member rows. */
export async function openFeatureTask(
  policy: Policy,
  report: GateReport,
  { relative, lap }: TaskTools,
  models: ModelOpener,
): Promise<TaskRun> {
  const candidate = { kind: 'candidate', workers: dataBytes(policy) >= WORKER_DATA_BYTES } as const;
  const model: Target & { firstQueryAt?: number } =
    policy.model.task === 'regression' ? await models.regressor(policy.model, candidate) : await models.classifier(policy.model, candidate);
  report.inputs.model = modelDigest(policy.model.path, relative);
  report.timings.model = lap();

  const released = isRegressor(model) ? undefined : await openBaselineModel(policy, model, report, relative, models);
  if (isClassifier(model)) {
    const problem = classesProblem(model.info.classLabels, policy.data.classes, model.info.output);
    if (problem) throw new InputError(problem, { file: policy.file, field: 'data.classes' });
  }
  let loaded: ReturnType<typeof loadContext>;
  try {
    loaded = loadContext(policy, model, report, relative, models);
  } catch (error) {
    throw await withOutputEvidence(error, model);
  }
  const { context, referenceQueries } = loaded;
  if (released) context.baseline = released.baseline;
  report.timings.data = lap();

  return {
    task: policy.model.task === 'regression' ? 'regression' : 'classification',
    context,
    finish: () => {
      // The reference models' queries count too: each is a query an auditor makes.
      report.queries = model.queries + referenceQueries() + (released?.queries() ?? 0);
      if (model.firstQueryAt !== undefined) report.timings.firstQueryFromProcessStart = round(model.firstQueryAt);
      // After the probes: with `scores: auto` the first batch decides what the output holds.
      report.model = modelFacts(model);
    },
  };
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
  models: ModelOpener,
): { context: ProbeContext; referenceQueries: () => number } {
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
      report.inputs.data.push({
        role: `${role} labels`,
        path: relative(file.labels),
        sha256: sha256.labels,
        rows: data.rows,
        rowsInFile: data.rowsInFile,
      });
    }
    // A regression model has no classes: its labels are numeric targets.
    if (isRegressor(model)) return { ...data, classes: new Int32Array(data.rows), targets: numericTargets(data, policy.data.label) };
    return labelWithClasses(data, { model: model.info.classLabels, policy: policy.data.classes }, policy.data.label);
  };
  const members = load(policy.data.members, 'members');
  const nonMembers = load(policy.data.nonMembers, 'non-members');
  checkSameFeatures(members, nonMembers);
  checkOverlap(policy, members, nonMembers, report, relative);
  const observed = new ObservedModel(model, policy.surface);
  const refs = isRegressor(model) ? undefined : openReferences(policy, members, nonMembers, { report, relative, candidate: model, models });
  const context: ProbeContext = {
    model: observed,
    members,
    nonMembers,
    signals: new SignalCache(observed),
    loadData: (file, role) => load(file, role),
    seed: policy.seed,
    confidence: policy.gate.confidence,
  };
  if (refs) context.references = refs.references;
  return { context, referenceQueries: refs ? refs.queries : () => 0 };
}

/** Rows of a dataset the model is asked about when a label is no class: enough to see what its output holds. */
const EVIDENCE_ROWS = 64;

/**
 * A numeric label that is no class, from a model with one score column: that column's values on
 * the first rows. Outside [0, 1] they are no probability, and the model is most likely a
 * regressor read as a binary classifier; the message then says so, with the values.
 */
async function withOutputEvidence(error: unknown, model: Target): Promise<unknown> {
  if (!(error instanceof UnknownLabel) || !error.numeric || !isClassifier(model) || !singleScoreColumn(model.info)) return error;
  const rows = Math.min(EVIDENCE_ROWS, error.data.rows);
  const width = error.data.features.length;
  const scores = await model.predict(error.data.x.subarray(0, rows * width), rows);
  let low = Infinity;
  let high = -Infinity;
  for (let r = 0; r < rows; r++) {
    const value = scores.values[2 * r + 1]!;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (low >= 0 && high <= 1) return error;
  const range = `${Number(low.toPrecision(4))} to ${Number(high.toPrecision(4))}`;
  return new InputError(
    `${error.message}. The model's output "${model.info.output}" has one column, and on the first ${rows} ${error.data.role} it holds values from ${range}, outside [0, 1]: not a class probability but a predicted number, so set model.task: regression`,
    error.location,
  );
}

/** One score per row: the output is read as a binary classifier's P(class 1) or logit. */
function singleScoreColumn(info: Classifier['info']): boolean {
  const output = info.outputs.find((o) => o.name === info.output);
  if (!output || output.type === 'sequence') return false;
  return output.shape.length === 1 || (output.shape.length === 2 && output.shape[1] === 1);
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
    {
      file: nonMembers.file,
      ...(nonMembers.origin?.lines?.[first.nonMember] ? { line: nonMembers.origin.lines[first.nonMember] } : {}),
      field: 'data.non-members',
    },
  );
}
