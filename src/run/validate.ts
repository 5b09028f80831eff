/**
 * `privacy-gate validate`: the policy's own checks, then the policy against what it names, without
 * running an attack: the model's declared inputs and outputs (one all-zero query only when the
 * class count is not declared) and the data files' headers (column names, never the rows).
 * Every mismatch is an error at the policy field that causes it (file:line:column), naming the
 * model or data file and the close matches, so a wrong `model.input`, a label column in the wrong
 * case or a feature glob of the wrong width shows here instead of at `run`. A sequence policy's
 * tokenizer, model and reference model are loaded as the run loads them (validate-sequence.ts).
 *
 * These checks run even when the policy has other errors (a broken `extends` included), on every
 * value of the expected type, so one validate shows every problem.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { checkColumns, type DataFileSpec } from '../data';
import { readDataHeader } from '../data/header';
import { InputError, PolicyError } from '../errors';
import { describeOnnxModel, type ModelInterface } from '../model/describe';
import { noSuchName, openOnnxClassifier, openOnnxRegressor } from '../model/onnx';
import type { ModelSettings, PolicyCheck, PolicyOptions } from '../policy';
import { dataFormat, resolvePathValue } from '../policy/fields';
import { isPlainObject, valueAt, type MergedPolicy, type PlainObject } from '../policy/merge';
import { policyPathProblem } from '../policy/paths';
import { fieldName, type PolicyPath } from '../policy/source';
import { sortByPosition } from '../policy/load';
import { quoteUserText } from '../util/user-text';
import { allowedRoots, defaultRoots, type AllowedRoots } from '../util/paths';
import { classesProblem } from './labels';
import { inspectPolicy } from './policy';
import { sequenceInputProblems } from './validate-sequence';

/** Every problem of the policy and of the model and data it names; `warnings` are the policy's. */
export async function validateWithInputs(file: string, options: PolicyOptions = {}): Promise<PolicyCheck> {
  const inspection = inspectPolicy(file, options);
  const { merged, warnings } = inspection;
  if (!merged) return { errors: inspection.errors, warnings };
  const roots = options.roots ? allowedRoots(options.roots) : defaultRoots();
  const found = await inputProblems(merged, roots);
  const order = [...merged.layers].reverse().map((l) => l.file);
  return { errors: sortByPosition([...inspection.errors, ...found], order), warnings };
}

/** What the data checks need of the model: its input and how many features it takes. */
interface ModelFacts {
  input: string;
  featureCount: number;
}

async function inputProblems(merged: MergedPolicy, roots: AllowedRoots): Promise<PolicyError[]> {
  const task = valueAt(merged.data, ['model', 'task']) ?? 'classification';
  const report = new Problems(merged);
  if (task === 'sequence') {
    // Sequence models read text through a tokenizer, not feature columns: validate-sequence.ts.
    await sequenceInputProblems(merged, report, (path) => usableFile(merged, path, roots));
    return report.errors;
  }
  if (task !== 'classification' && task !== 'regression') return [];
  const model = await modelFacts(merged, roots, task, report);
  dataFacts(merged, roots, model, report);
  return report.errors;
}

/** Errors at policy fields, with the same problem in both data files said once. */
class Problems {
  readonly errors: PolicyError[] = [];
  private readonly seen = new Map<string, { error: PolicyError; files: string[]; text: (files: string) => string }>();

  constructor(readonly merged: MergedPolicy) {}

  /** An error at the value written at `path` (or at its key, or the nearest written parent). */
  at(path: PolicyPath, message: string, field: PolicyPath = path): void {
    this.errors.push(this.error(path, message, field));
  }

  /** An error about one data file; the same error about the other file joins it ("a.csv and b.csv: ..."). */
  aboutFile(path: PolicyPath, file: string, text: (files: string) => string, field: PolicyPath = path): void {
    const key = `${fieldName(path)}\u0000${text('\u0000')}`;
    const earlier = this.seen.get(key);
    if (earlier) {
      if (earlier.files.includes(file)) return;
      earlier.files.push(file);
      const index = this.errors.indexOf(earlier.error);
      earlier.error = this.error(path, text(earlier.files.join(' and ')), field);
      this.errors[index] = earlier.error;
      return;
    }
    const error = this.error(path, text(file), field);
    this.seen.set(key, { error, files: [file], text });
    this.errors.push(error);
  }

  private error(path: PolicyPath, message: string, field: PolicyPath): PolicyError {
    const written = valueAt(this.merged.data, path) !== undefined;
    const where = this.merged.locate(path, written ? 'value' : 'key');
    return new PolicyError(message, { file: where.source.file, line: where.line, column: where.column, field: fieldName(field) });
  }

  /** A path as messages show it: relative to the policy file's folder when that is shorter. */
  shown(file: string): string {
    const policy = this.merged.layers[this.merged.layers.length - 1]!.file;
    const rel = relative(dirname(policy), file);
    return rel && rel.length < file.length ? rel : file;
  }
}

/** The file a path field names, when it is a string inside the roots naming an existing file (the policy checks report the rest). */
function usableFile(merged: MergedPolicy, path: PolicyPath, roots: AllowedRoots): string | undefined {
  if (typeof valueAt(merged.data, path) !== 'string' || policyPathProblem(merged, path, roots)) return undefined;
  const file = resolvePathValue(merged, path);
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

async function modelFacts(merged: MergedPolicy, roots: AllowedRoots, task: string, report: Problems): Promise<ModelFacts | undefined> {
  const path = usableFile(merged, ['model', 'path'], roots);
  if (!path) return undefined;
  const shown = report.shown(path);
  const stringAt = (key: string) => {
    const value = valueAt(merged.data, ['model', key]);
    return typeof value === 'string' ? value : undefined;
  };
  let described: ModelInterface;
  try {
    described = await describeOnnxModel(path);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    report.at(['model', 'path'], `model ${shown}: ${error.message}`);
    return undefined;
  }
  let input = stringAt('input');
  let output = stringAt('output');
  if (input !== undefined && !described.inputs.some((i) => i.name === input)) {
    report.at(['model', 'input'], `the model ${shown} has no input ${noSuchName(input, described.inputs, 'input')}`);
    // With one input the width is known all the same, so the data checks still run.
    if (described.inputs.length !== 1) return undefined;
    input = undefined;
  }
  const outputOk = output === undefined || described.outputs.some((o) => o.name === output);
  if (!outputOk) {
    report.at(['model', 'output'], `the model ${shown} has no output ${noSuchName(output!, described.outputs, 'output')}`);
    output = undefined;
  }

  // Open the model as the run does (a misspelt name left out), for its feature count and classes.
  const scores = stringAt('scores');
  const settings: ModelSettings = {
    path,
    task: task as ModelSettings['task'],
    scores: scores === 'probabilities' || scores === 'logits' ? scores : 'auto',
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
  };
  try {
    if (task === 'regression') {
      const info = (await openOnnxRegressor(settings)).info;
      return { input: info.input, featureCount: info.featureCount };
    }
    const info = (await openOnnxClassifier(settings)).info;
    const classes = valueAt(merged.data, ['data', 'classes']);
    const problem = Array.isArray(classes) && outputOk ? classesProblem(info.classLabels, classes.map(String), info.output) : undefined;
    if (problem) report.at(['data', 'classes'], problem);
    return { input: info.input, featureCount: info.featureCount };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const field = error.location?.field === 'model.input' || error.location?.field === 'model.output' ? error.location.field : 'model.path';
    const key = field.slice('model.'.length);
    const path: PolicyPath = valueAt(merged.data, ['model', key]) !== undefined ? ['model', key] : ['model'];
    report.at(path, `model ${shown}: ${error.message}`, ['model', key]);
    return undefined;
  }
}

function dataFacts(merged: MergedPolicy, roots: AllowedRoots, model: ModelFacts | undefined, report: Problems): void {
  const data = merged.data;
  const labelValue = valueAt(data, ['data', 'label']);
  const featuresValue = valueAt(data, ['data', 'features']);
  const features =
    typeof featuresValue === 'string' || (Array.isArray(featuresValue) && featuresValue.every((f) => typeof f === 'string'))
      ? (featuresValue as string | string[])
      : undefined;
  if (featuresValue !== undefined && features === undefined) return;
  for (const role of ['members', 'non-members']) {
    const entry = valueAt(data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    const spec = dataSpec(merged, role, entry, roots);
    if (!spec) continue;
    // Without a label column name only .npy data with a labels file is valid (the policy checks say so).
    if (typeof labelValue !== 'string' && spec.labels === undefined) continue;
    const label = typeof labelValue === 'string' ? labelValue : 'label';
    const shown = report.shown(spec.path);
    let columns: string[];
    try {
      columns = readDataHeader(spec, label).columns;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      report.at(['data', role, 'path'], `${shown}: ${error.message}`);
      continue;
    }
    const checked = checkColumns({ file: spec.path, columns }, label, features);
    if (checked.labelError) {
      const message = checked.labelError.message;
      report.aboutFile(['data', 'label'], shown, (files) => `${files}: ${message}`);
    }
    if (checked.featureError) {
      const message = checked.featureError.message;
      report.aboutFile(['data', 'features'], shown, (files) => `${files}: ${message}`);
    }
    const names = checked.features;
    // All-but-the-label counts the real label column when the label is misspelt: no width then.
    if (!model || !names || (checked.labelError && features === undefined) || names.length === model.featureCount) continue;
    const rest = columns.filter((c) => c !== label).length;
    report.aboutFile(['data', 'features'], shown, (files) => widthMessage(features, names, files, model, rest));
  }
}

/** `features` selecting a number of columns other than the model input's width: how many, which, and what would fit. */
function widthMessage(features: string | string[] | undefined, names: string[], files: string, model: ModelFacts, rest: number): string {
  const listed =
    names.length > 12 ? `${names.slice(0, 12).map(quoteUserText).join(', ')}, … (${names.length})` : names.map(quoteUserText).join(', ');
  const selection =
    features === undefined
      ? `every column but the label (data.features is not set) gives ${names.length} columns of ${files}`
      : `data.features ${typeof features === 'string' ? quoteUserText(features) : `lists ${names.length} columns and`} selects ${names.length} column${names.length === 1 ? '' : 's'} of ${files}`;
  const fits =
    features !== undefined && rest === model.featureCount ? `; every column but the label would give ${rest}: leave data.features out` : '';
  return `${selection} (${listed}), but the model's input ${quoteUserText(model.input)} takes ${model.featureCount} features; expected data.features to select ${model.featureCount} columns, in the order the model was trained on${fits}`;
}

/** The data file at data.<role> as the loader would read it, when its files are usable (the policy checks report the rest). */
function dataSpec(merged: MergedPolicy, role: string, entry: PlainObject, roots: AllowedRoots): DataFileSpec | undefined {
  const format = dataFormat(entry);
  if (format !== 'csv' && format !== 'jsonl' && format !== 'npy') return undefined;
  const path = usableFile(merged, ['data', role, 'path'], roots);
  if (!path) return undefined;
  const spec: DataFileSpec = { path, format };
  if (format !== 'npy') return entry['labels'] === undefined && entry['columns'] === undefined ? spec : undefined;
  if (entry['labels'] !== undefined) {
    const labels = usableFile(merged, ['data', role, 'labels'], roots);
    if (!labels) return undefined;
    spec.labels = labels;
  }
  const columns = entry['columns'];
  if (columns !== undefined) {
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return undefined;
    spec.columns = columns as string[];
  }
  return spec;
}
