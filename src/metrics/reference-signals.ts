/**
 * The inputs of the reference-model attacks (LiRA, RMIA), as plain typed arrays so the
 * attacks stay pure: per-query signals of the target and of K reference models, and which
 * reference model trained on which record.
 */

/** One signal per (record, query augmentation) of one model, record-major: [records × augmentations]. */
export interface SignalMatrix {
  records: number;
  augmentations: number;
  values: Float64Array;
}

/** The same for K reference models, model-major: [models × records × augmentations]. */
export interface ReferenceSignals {
  models: number;
  records: number;
  augmentations: number;
  values: Float64Array;
}

/** Membership of each record in each reference model's training set: [models × records]. */
export interface MembershipMatrix {
  models: number;
  records: number;
  /** IN (1, trained on), OUT (0, never seen) or NEITHER (−1: e.g. held out for early stopping). */
  values: Int8Array;
}

export const IN = 1;
export const OUT = 0;
export const NEITHER = -1;

/** @throws RangeError when the three inputs do not describe the same records and models. */
export function checkShapes(target: SignalMatrix, refs: ReferenceSignals, memberships: MembershipMatrix): void {
  const { records, augmentations } = target;
  const problems: string[] = [];
  if (target.values.length !== records * augmentations)
    problems.push(`target holds ${target.values.length} values, not ${records} × ${augmentations}`);
  if (refs.records !== records || refs.augmentations !== augmentations) {
    problems.push(
      `reference signals are [${refs.models} × ${refs.records} × ${refs.augmentations}], target [${records} × ${augmentations}]`,
    );
  }
  if (refs.values.length !== refs.models * refs.records * refs.augmentations)
    problems.push(`reference signals hold ${refs.values.length} values, not ${refs.models} × ${refs.records} × ${refs.augmentations}`);
  if (memberships.models !== refs.models || memberships.records !== records) {
    problems.push(`memberships are [${memberships.models} × ${memberships.records}], expected [${refs.models} × ${records}]`);
  }
  if (memberships.values.length !== memberships.models * memberships.records)
    problems.push(`memberships hold ${memberships.values.length} values, not ${memberships.models} × ${memberships.records}`);
  if (augmentations < 1) problems.push('at least one query per record is needed');
  if (problems.length) throw new RangeError(problems.join('; '));
}

/** Records (0-based) in `records`, how many, shortened for a message: "3 records (#0, #5, #9)". */
export function describeRecords(indices: readonly number[]): string {
  const shown = indices
    .slice(0, 5)
    .map((i) => `#${i}`)
    .join(', ');
  const more = indices.length > 5 ? `, … ${indices.length - 5} more` : '';
  return `${indices.length} record${indices.length === 1 ? '' : 's'} (${shown}${more})`;
}
