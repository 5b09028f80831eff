/**
 * Attribute-inference policy checks. Settings that cannot be used are errors when they change
 * what is measured (a missing auxiliary file, names that do not match the encoding) and
 * warnings when they are merely ignored (as with top-k). Column names are checked against the
 * data when the probe runs.
 */
import type { CheckContext } from '../../policy/check-context';
import { valueAt, isPlainObject, type PlainObject } from '../../policy/merge';
import type { PolicyPath } from '../../policy/source';
import { quoteUserText } from '../../util/user-text';

export function attributeInferenceChecks(ctx: CheckContext, probe: PlainObject): void {
  const { error, warning } = ctx;
  const base: PolicyPath = ['probes', 'attribute-inference'];
  const oneHot = valueAt(probe, ['encoding', 'one-hot']);
  const values = probe['values'];
  if (Array.isArray(oneHot)) {
    if (Array.isArray(values) && values.length !== oneHot.length) {
      error(
        [...base, 'values'],
        'key',
        `values names ${values.length} values but encoding.one-hot lists ${oneHot.length} columns; give one name per column, in the same order`,
      );
    }
    const reference = oneHot.indexOf(null);
    if (reference >= 0 && !Array.isArray(values)) {
      error(
        [...base, 'encoding', 'one-hot', reference],
        'value',
        'a null entry (the reference level, every listed column 0) has no column to name it; add values with a name for each entry, e.g. values: [white, hispanic, other]',
      );
    }
  } else if (Array.isArray(values)) {
    const named = values.findIndex((v) => typeof v !== 'number');
    if (named >= 0) {
      error(
        [...base, 'values', named],
        'value',
        `${quoteUserText(String(values[named]))} is not a number; the values of a plain attribute column are the numbers in the data (e.g. [0, 1]); for named categories spread over several columns, add encoding: { one-hot: [...] }`,
      );
    }
  }
  const known = probe['known'];
  if (Array.isArray(known)) {
    const attributeColumns = Array.isArray(oneHot) ? oneHot : [probe['attribute']];
    known.forEach((column, i) => {
      if (!attributeColumns.includes(column)) return;
      error(
        [...base, 'known', i],
        'value',
        `${quoteUserText(String(column))} holds the sensitive attribute, which is what the attacker wants to learn; remove it from known`,
      );
    });
  } else if (probe['samples'] !== undefined) {
    warning(
      [...base, 'samples'],
      'key',
      'samples is ignored because known is not set, so the attacker knows every feature but the attribute and no feature needs filling in; list the known columns in known, or remove samples',
    );
  }
  const auxiliary = probe['auxiliary'];
  for (const key of ['prior', 'residual-spread']) {
    if (probe[key] === 'auxiliary' && auxiliary === undefined) {
      error(
        [...base, key],
        'value',
        `${key} is auxiliary but no auxiliary file is set; add auxiliary: { path: ... } (the attacker's own records, same columns as the member data), or use ${key === 'prior' ? 'non-members or uniform' : 'non-members or training'}`,
      );
    }
  }
  if (isPlainObject(auxiliary)) {
    ctx.mustExist([...base, 'auxiliary', 'path'], 'auxiliary data file');
    ctx.knownFormat([...base, 'auxiliary']);
  }
  if (probe['residual-spread'] !== undefined && ctx.task !== 'regression') {
    warning(
      [...base, 'residual-spread'],
      'key',
      "residual-spread is ignored because model.task is classification: a classifier's likelihood comes from its scores; remove residual-spread, or set model.task: regression for a regression model",
    );
  }
}
