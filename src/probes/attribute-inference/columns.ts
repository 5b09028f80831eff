/**
 * Where the sensitive attribute lives in the model's input and what each record's true value
 * is: one feature column holding numbers, or several one-hot columns. Also which features the
 * attacker knows. Column names can only be checked once the data is loaded, so mistakes are
 * reported here, at the policy line that names the column.
 */
import { quoteUserText } from '../../util/user-text';
import { suggest } from '../../data/select';
import type { Dataset } from '../../data/types';
import { InputError, type SourceLocation } from '../../errors';
import type { AttributeInferenceSettings, ThresholdSource } from '../../policy/types';

/** More distinct values than this in a plain column means it is not a categorical attribute. */
export const MAX_CANDIDATES = 32;

export interface AttributePlan {
  /** The attribute's name (the column, or the one-hot group's name). */
  name: string;
  /** Display names of the candidate values, in candidate order. */
  candidates: string[];
  /** Feature indices that hold the attribute (one for a plain column). */
  columns: number[];
  /** candidates × columns: what is written into the attribute's columns for each candidate. */
  encodings: Float32Array;
  /** Feature indices neither known to the attacker nor the attribute's: filled in from samples. */
  unknown: number[];
}

/**
 * Resolves the policy's attribute against the features. `datasets` supply the default candidate
 * values of a plain column (the distinct values seen in them).
 */
export function planAttribute(settings: AttributeInferenceSettings, features: string[], datasets: Dataset[]): AttributePlan {
  const field = 'probes.attribute-inference';
  const index = new Map(features.map((name, i) => [name, i]));
  const columnOf = (name: string, source: ThresholdSource, key: string): number => {
    const i = index.get(name);
    if (i === undefined) {
      throw new InputError(
        `${quoteUserText(name)} is not one of the model's ${features.length} feature columns${suggest(name, features)}; the sensitive attribute must be a model input (features: ${shortList(features)})`,
        at(source, `${field}.${key}`),
      );
    }
    return i;
  };

  let plan: Omit<AttributePlan, 'unknown'>;
  if (settings.oneHot) {
    const source = settings.sources.encoding ?? settings.sources.attribute;
    const present = settings.oneHot.filter((l) => l.column !== null);
    const columns = present.map((l) => columnOf(l.column!, source, 'encoding.one-hot'));
    const encodings = new Float32Array(settings.oneHot.length * columns.length);
    settings.oneHot.forEach((level, k) => {
      if (level.column !== null) encodings[k * columns.length + present.indexOf(level)] = 1;
    });
    plan = { name: settings.attribute, candidates: settings.oneHot.map((l) => l.value), columns, encodings };
  } else {
    const column = columnOf(settings.attribute, settings.sources.attribute, 'attribute');
    const values = settings.values ?? distinctValues(datasets, column, settings);
    plan = {
      name: settings.attribute,
      candidates: values.map((v) => String(v)),
      columns: [column],
      encodings: Float32Array.from(values),
    };
  }

  const attribute = new Set(plan.columns);
  let unknown: number[] = [];
  if (settings.known) {
    const known = new Set(settings.known.map((name) => columnOf(name, settings.sources.known!, 'known')));
    for (const c of known) {
      if (attribute.has(c)) {
        throw new InputError(
          `${quoteUserText(features[c]!)} holds the sensitive attribute, which is what the attacker wants to learn; remove it from known`,
          at(settings.sources.known!, `${field}.known`),
        );
      }
    }
    unknown = features.map((_, i) => i).filter((i) => !known.has(i) && !attribute.has(i));
  }
  return { ...plan, unknown };
}

/**
 * Each record's true value as a candidate index. A record that matches no candidate (a value
 * left out of `values`, or a one-hot row with no or several 1s) is a data or policy mistake.
 */
export function trueValues(plan: AttributePlan, data: Dataset, settings: AttributeInferenceSettings): Int32Array {
  const f = data.features.length;
  const width = plan.columns.length;
  const k = plan.candidates.length;
  const out = new Int32Array(data.rows);
  for (let r = 0; r < data.rows; r++) {
    let found = -1;
    for (let c = 0; c < k && found < 0; c++) {
      let match = true;
      for (let j = 0; j < width && match; j++) match = data.x[r * f + plan.columns[j]!] === plan.encodings[c * width + j];
      if (match) found = c;
    }
    if (found < 0) {
      const cells = plan.columns.map((col) => `${data.features[col]}=${data.x[r * f + col]}`).join(', ');
      const expected = settings.oneHot
        ? `exactly one of the one-hot columns 1 and the others 0${settings.oneHot.some((l) => l.column === null) ? ' (or all 0 for the reference level)' : ''}`
        : `one of the candidate values [${plan.candidates.join(', ')}]; add the value to values, or leave values out to use every value seen in the data`;
      throw new InputError(`row ${r + 1} of the ${data.role} used has ${cells}; the attribute ${plan.name} expects ${expected}`, {
        file: data.file,
        field: plan.columns.length === 1 ? data.features[plan.columns[0]!]! : plan.name,
      });
    }
    out[r] = found;
  }
  return out;
}

function distinctValues(datasets: Dataset[], column: number, settings: AttributeInferenceSettings): number[] {
  const seen = new Set<number>();
  for (const d of datasets) {
    const f = d.features.length;
    for (let r = 0; r < d.rows; r++) seen.add(d.x[r * f + column]!);
  }
  if (seen.size > MAX_CANDIDATES || seen.size < 2) {
    throw new InputError(
      seen.size < 2
        ? `the column ${quoteUserText(settings.attribute)} holds a single value (${quoteUserText([...seen].join(''))}) in the data, so there is nothing to infer; choose a column that varies, or list the candidate values in values`
        : `the column ${quoteUserText(settings.attribute)} holds ${seen.size} distinct values in the data; attribute inference guesses among a few categories (at most ${MAX_CANDIDATES}), so list the candidate values in values or choose a categorical column`,
      at(settings.sources.attribute, 'probes.attribute-inference.attribute'),
    );
  }
  return [...seen].sort((a, b) => a - b);
}

function at(source: ThresholdSource, field: string): SourceLocation {
  return { file: source.file, line: source.line, column: source.column, field };
}

function shortList(names: string[]): string {
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
}
