/**
 * The reference attacks compute what they share once (online and offline LiRA fit the OUT side
 * once per input arrays; RMIA scores its population once when it is the audited set). These
 * tests hold that sharing never changes a score: the same numbers as from fresh copies, in
 * either order, and no reuse across different membership matrices.
 */
import { describe, expect, it } from 'vitest';
import { liraScores } from '../../src/metrics/lira';
import { rmiaScores } from '../../src/metrics/rmia';
import { expectClose, fixture, inputs, type Inputs } from './reference-fixture';

const copy = (x: Inputs): Inputs => ({
  target: { ...x.target, values: x.target.values.slice() },
  refs: { ...x.refs, values: x.refs.values.slice() },
  memberships: { ...x.memberships, values: x.memberships.values.slice() },
});

describe('LiRA online and offline on the same arrays', () => {
  it.each(fixture.lira)('$name: the other mode first, then this one, gives the numpy values', (c) => {
    const shared = inputs(c, c.models, c.augmentations);
    const other = c.mode === 'online' ? 'offline' : 'online';
    const options = { perRecordVarianceFrom: c.perRecordVarianceFrom };
    const first = liraScores(shared.target, shared.refs, shared.memberships, { mode: other, ...options }).scores;
    expectClose(liraScores(shared.target, shared.refs, shared.memberships, { mode: c.mode, ...options }).scores, c.expected);
    const fresh = copy(shared);
    expectClose(first, Array.from(liraScores(fresh.target, fresh.refs, fresh.memberships, { mode: other, ...options }).scores), 0);
  });

  it('the same signals with another memberships matrix are fitted anew', () => {
    // 4 models, 1 record: φ = 2, 4, −1, 1. Models 0 and 1 IN, then models 2 and 3 IN.
    const refs = { models: 4, records: 1, augmentations: 1, values: Float64Array.from([2, 4, -1, 1]) };
    const target = { records: 1, augmentations: 1, values: Float64Array.from([3]) };
    const a = { models: 4, records: 1, values: Int8Array.from([1, 1, 0, 0]) };
    const b = { models: 4, records: 1, values: Int8Array.from([0, 0, 1, 1]) };
    const offline = (m: typeof a) => liraScores(target, refs, m, { mode: 'offline' }).scores[0]!;
    // OUT μ 0 then μ 3; the global σ is 1 both times.
    expect(offline(a)).toBeCloseTo(3, 12);
    expect(offline(b)).toBeCloseTo(0, 12);
    expect(offline(a)).toBeCloseTo(3, 12);
  });
});

describe('RMIA with the audited records as the population', () => {
  it.each(fixture.rmia)('$name: the same object twice scores as two copies', (c) => {
    const x = inputs(c.x, c.models, c.augmentations);
    const options = { mode: c.mode, a: c.a, gamma: c.gamma };
    expectClose(rmiaScores(x, x, options), Array.from(rmiaScores(x, copy(x), options)), 0);
  });
});
