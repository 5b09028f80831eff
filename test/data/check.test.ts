import { describe, expect, it } from 'vitest';
import { checkSameFeatures } from '../../src/data/check';
import type { Dataset } from '../../src/data/types';
import { expectInputError } from './helpers';

const dataset = (role: string, features: string[]): Dataset => ({
  role,
  file: `/data/${role}.csv`,
  features,
  x: new Float32Array(0),
  labels: [],
  rows: 0,
  rowsInFile: 0,
});

describe('checkSameFeatures', () => {
  it('accepts the same features in the same order', () => {
    expect(() => checkSameFeatures(dataset('members', ['a', 'b']), dataset('non-members', ['a', 'b']))).not.toThrow();
  });

  it.each([
    { name: 'another order', b: ['b', 'a'], field: 'b', parts: ['position 1 is "b" where the members have "a"'] },
    { name: 'a missing feature', b: ['a'], field: 'b', parts: ['lacks feature "b" at position 2'] },
    { name: 'an extra feature', b: ['a', 'b', 'c'], field: 'c', parts: ['extra feature "c" at position 3'] },
    { name: 'a renamed feature', b: ['a', 'B'], field: 'B', parts: ['lacks feature "b"'] },
  ])('error: $name', ({ b, field, parts }) => {
    expectInputError(
      () => checkSameFeatures(dataset('members', ['a', 'b']), dataset('non-members', b)),
      { file: '/data/non-members.csv', field },
      [
        'the non-members have different feature columns from the members (/data/members.csv)',
        'expected the same 2 features in the same order',
        ...parts,
      ],
    );
  });
});
