/** Maps a dataset's label text to the model's class indices, or says which value is unknown. */
import { quoteUserText } from '../util/user-text';
import type { Dataset } from '../data/types';
import { InputError } from '../errors';
import type { LabelledData } from '../probes/types';

export function labelWithClasses(data: Dataset, classLabels: string[], labelColumn: string): LabelledData {
  const index = new Map(classLabels.map((label, i) => [label, i]));
  const classes = new Int32Array(data.rows);
  for (let r = 0; r < data.rows; r++) {
    const c = index.get(data.labels[r]!);
    if (c === undefined) {
      const shown = classLabels.length > 12 ? `${classLabels.slice(0, 12).join(', ')}, …` : classLabels.join(', ');
      throw new InputError(
        `label ${quoteUserText(String(data.labels[r]))} in column ${quoteUserText(labelColumn)} (row ${r + 1} of the ${data.role} used) is not one of the model's ${classLabels.length} classes (${shown})`,
        { file: data.file, field: labelColumn },
      );
    }
    classes[r] = c;
  }
  return { ...data, classes };
}
