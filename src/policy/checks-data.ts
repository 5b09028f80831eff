/** The data files: they must exist, their format must be known, npy-only keys, the label column, classes only for classifiers. */
import type { CheckContext } from './check-context';
import { dataFormat } from './fields';
import { isPlainObject, valueAt } from './merge';

export function dataChecks(ctx: CheckContext): void {
  const { data, error, mustExist } = ctx;
  mustExist(['model', 'path'], 'model file');

  let allNpyWithLabels = true;
  let anyDataFile = false;
  for (const role of ['members', 'non-members']) {
    const entry = valueAt(data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    anyDataFile = true;
    mustExist(['data', role, 'path'], `${role} data file`);
    ctx.knownFormat(['data', role]);
    const format = dataFormat(entry);
    if (format !== undefined && format !== 'npy') {
      for (const key of ['labels', 'columns']) {
        if (entry[key] !== undefined) {
          error(
            ['data', role, key],
            'key',
            `${key} is only for .npy data; data.${role} is ${format}, whose ${key === 'labels' ? 'labels are the label column' : 'columns are named in the file'}`,
          );
        }
      }
    }
    if (format === 'npy' && typeof entry['labels'] === 'string') {
      mustExist(['data', role, 'labels'], `${role} labels file`);
    }
    if (!(format === 'npy' && entry['labels'] !== undefined)) allNpyWithLabels = false;
  }
  if (valueAt(data, ['data', 'classes']) !== undefined && ctx.task !== 'classification') {
    error(
      ['data', 'classes'],
      'key',
      `data.classes names a classifier's classes, but model.task is ${String(ctx.task)}${ctx.task === 'regression' ? ': its labels are the values to predict' : ''}; remove data.classes`,
    );
  }
  if (anyDataFile && valueAt(data, ['data', 'label']) === undefined && !allNpyWithLabels && ctx.task !== 'sequence') {
    error(
      ['data'],
      'key',
      'missing required key "label" in data (the name of the label column; only .npy files with a separate labels file can leave it out)',
      ['data', 'label'],
    );
  }
}
