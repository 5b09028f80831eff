/** Loads test/fixtures/lira/expected.json (written by make_expected.py) into the metrics' input types. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MembershipMatrix, ReferenceSignals, SignalMatrix } from '../../src/metrics/reference-signals';

const FILE = join(__dirname, '..', 'fixtures', 'lira', 'expected.json');

export interface Inputs {
  target: SignalMatrix;
  refs: ReferenceSignals;
  memberships: MembershipMatrix;
}

interface RawSet {
  records: number;
  target: number[];
  phi: number[];
  memberships: number[];
}

export interface LiraCase extends RawSet {
  name: string;
  models: number;
  augmentations: number;
  mode: 'online' | 'offline';
  perRecordVarianceFrom: number;
  expected: number[];
  perRecordVariance: number;
}

export interface RmiaCase {
  name: string;
  mode: 'online' | 'offline';
  a: number;
  gamma: number;
  models: number;
  augmentations: number;
  x: RawSet;
  z: RawSet;
  expected: number[];
}

export interface RecipeCase {
  models: number;
  records: number;
  augmentations: number;
  phi: number[];
  memberships: number[];
  members: number[];
  nonMembers: number[];
}

export const fixture = JSON.parse(readFileSync(FILE, 'utf8')) as { lira: LiraCase[]; rmia: RmiaCase[]; recipe: RecipeCase };

export function inputs(set: RawSet, models: number, augmentations: number): Inputs {
  return {
    target: { records: set.records, augmentations, values: Float64Array.from(set.target) },
    refs: { models, records: set.records, augmentations, values: Float64Array.from(set.phi) },
    memberships: { models, records: set.records, values: Int8Array.from(set.memberships) },
  };
}

/** Relative-or-absolute closeness for expected values computed in another float64 order. */
export function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-9): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`index ${i}: ${a}, expected ${e}`);
  }
}
