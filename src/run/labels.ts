/**
 * Maps a dataset's label text to the model's class indices, or says which value is unknown and
 * what the policy can do about it: name the classes (`data.classes`), or read the model as the
 * regressor it looks like (`model.task: regression`).
 */
import { quoteUserText } from '../util/user-text';
import { suggest } from '../data/select';
import type { Dataset } from '../data/types';
import { InputError } from '../errors';
import type { LabelledData } from '../probes/types';

/** Where the class of each label comes from. */
export interface ClassNames {
  /** The model's class labels, in score-column order (a ZipMap's, else "0".."C-1"). */
  model: string[];
  /** `data.classes`: the label values in class-index order, when the policy names them. */
  policy?: string[];
}

/** A label that is no class: the message says which, and the dataset lets the caller look at the model's answers. */
export class UnknownLabel extends InputError {
  constructor(
    message: string,
    readonly data: Dataset,
    /** The label reads as a number: a regressor's target, probably. */
    readonly numeric: boolean,
    labelColumn: string,
  ) {
    super(message, { file: data.file, field: labelColumn });
  }
}

export function labelWithClasses(data: Dataset, classes: ClassNames, labelColumn: string): LabelledData {
  const names = classes.policy ?? classes.model;
  const index = new Map(names.map((label, i) => [label, i]));
  const out = new Int32Array(data.rows);
  for (let r = 0; r < data.rows; r++) {
    const c = index.get(data.labels[r]!);
    if (c === undefined) throw unknownLabel(data, r, classes, labelColumn);
    out[r] = c;
  }
  return { ...data, classes: out };
}

function unknownLabel(data: Dataset, row: number, classes: ClassNames, labelColumn: string): UnknownLabel {
  const label = String(data.labels[row]);
  const names = classes.policy ?? classes.model;
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  const numeric = label.trim() !== '' && Number.isFinite(Number(label));
  const start = `label ${quoteUserText(label)} in column ${quoteUserText(labelColumn)} (row ${row + 1} of the ${data.role} used)`;
  if (classes.policy) {
    return new UnknownLabel(
      `${start} is not one of data.classes (${shown})${suggest(label, names)}; expected every label to be listed there`,
      data,
      numeric,
      labelColumn,
    );
  }
  const own = isIndexList(classes.model) ? '' : ' (its ZipMap class labels)';
  let hint: string;
  if (!numeric) {
    hint = `${suggest(label, names)}; name the labels in data.classes, in class-index order (e.g. data.classes: [${quoteUserText(label)}, …]), or write them as class indices`;
  } else if (isIndexList(classes.model)) {
    hint = `; labels must be class indices 0 to ${classes.model.length - 1}. If the model predicts a number rather than a class, set model.task: regression`;
  } else {
    hint = suggest(label, names);
  }
  return new UnknownLabel(`${start} is not one of the model's ${names.length} classes${own} (${shown})${hint}`, data, numeric, labelColumn);
}

/** "0", "1", …: the class labels of a model that names none. */
export function isIndexList(labels: readonly string[]): boolean {
  return labels.every((label, i) => label === String(i));
}

/**
 * Why `data.classes` cannot name this model's classes, or undefined: it must list one name per
 * score column, and agree with a ZipMap's own labels.
 */
export function classesProblem(modelLabels: readonly string[], classes: readonly string[] | undefined, output: string): string | undefined {
  if (!classes) return undefined;
  const listed = `data.classes lists ${classes.length} labels (${classes.join(', ')})`;
  if (!isIndexList(modelLabels)) {
    if (modelLabels.length === classes.length && modelLabels.every((label, i) => label === classes[i])) return undefined;
    return `${listed}, but the model's output ${quoteUserText(output)} names its own ${modelLabels.length} classes (a ZipMap), in this order: ${modelLabels.join(', ')}; leave data.classes out to use them, or list them in that order`;
  }
  if (modelLabels.length === classes.length) return undefined;
  return `${listed}, but the model's output ${quoteUserText(output)} scores ${modelLabels.length} classes; expected one label per class, in class-index order`;
}
