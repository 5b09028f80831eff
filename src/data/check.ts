/**
 * Members and non-members feed the same model, so they must present the same feature columns
 * in the same order; otherwise every attack compares apples with pears without any error.
 */
import { quoteUserText } from '../util/user-text';
import { InputError } from '../errors';
import type { Dataset } from './types';

export function checkSameFeatures(a: Dataset, b: Dataset): void {
  const n = Math.max(a.features.length, b.features.length);
  for (let i = 0; i < n; i++) {
    const fa = a.features[i];
    const fb = b.features[i];
    if (fa === fb) continue;
    let detail: string;
    // fa === fb was skipped above, so when one is missing the other is set.
    if (fa === undefined) detail = `it has an extra feature ${quoteUserText(fb!)} at position ${i + 1}`;
    else if (fb === undefined) detail = `it lacks feature ${quoteUserText(fa)} at position ${i + 1}`;
    else if (!b.features.includes(fa)) detail = `it lacks feature ${quoteUserText(fa)} (position ${i + 1} there has ${quoteUserText(fb)})`;
    else detail = `position ${i + 1} is ${quoteUserText(fb)} where the ${a.role} have ${quoteUserText(fa)}`;
    throw new InputError(
      `the ${b.role} have different feature columns from the ${a.role} (${a.file}): ${detail}; expected the same ${a.features.length} features in the same order`,
      { file: b.file, field: fb ?? fa },
    );
  }
}
