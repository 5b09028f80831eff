import { describe, expect, it } from 'vitest';
import { liraScores } from '../../src/metrics/lira';
import { recipeLevelScores, sliceModel, withoutModel, withoutModelMemberships } from '../../src/metrics/recipe-level';
import { expectClose, fixture } from './reference-fixture';

describe('recipeLevelScores', () => {
  const c = fixture.recipe;
  const refs = { models: c.models, records: c.records, augmentations: c.augmentations, values: Float64Array.from(c.phi) };
  const memberships = { models: c.models, records: c.records, values: Int8Array.from(c.memberships) };

  it('pools LiRA online over every model as the target, as make_expected.py does', () => {
    const pooled = recipeLevelScores(refs, memberships, (t, r, m) => liraScores(t, r, m, { mode: 'online' }).scores);
    expectClose(pooled.members, c.members);
    expectClose(pooled.nonMembers, c.nonMembers);
    expect(pooled.rounds.reduce((s, r) => s + r.members, 0)).toBe(c.members.length);
    expect(pooled.rounds).toHaveLength(c.models);
  });

  it('hands the attack model k as target, the other K − 1 as references, and k itself', () => {
    const seen: number[] = [];
    recipeLevelScores(refs, memberships, (t, r, m, held) => {
      seen.push(held);
      expect(Array.from(t.values)).toEqual(Array.from(sliceModel(refs, held).values));
      expect(r.models).toBe(c.models - 1);
      expect(m.models).toBe(c.models - 1);
      const next = held + 1 < c.models ? held + 1 : held - 1;
      const at = next > held ? next - 1 : next; // index of model `next` among the others
      expect(Array.from(r.values.subarray(at * c.records * c.augmentations, (at + 1) * c.records * c.augmentations))).toEqual(
        Array.from(sliceModel(refs, next).values),
      );
      expect(Array.from(m.values.subarray(at * c.records, (at + 1) * c.records))).toEqual(
        Array.from(memberships.values.subarray(next * c.records, (next + 1) * c.records)),
      );
      return new Float64Array(t.records);
    });
    expect(seen).toEqual([...Array(c.models).keys()]);
  });

  it("leaves records neither IN nor OUT for the round's target out of that round", () => {
    const m = { models: 2, records: 3, values: Int8Array.from([1, 0, -1, -1, 1, 0]) };
    const r = { models: 2, records: 3, augmentations: 1, values: Float64Array.from([10, 11, 12, 20, 21, 22]) };
    const pooled = recipeLevelScores(r, m, (t) => t.values);
    expect(Array.from(pooled.members)).toEqual([10, 21]);
    expect(Array.from(pooled.nonMembers)).toEqual([11, 22]);
    expect(withoutModelMemberships(m, 0).values).toEqual(Int8Array.from([-1, 1, 0]));
    expect(withoutModel(r, 1).values).toEqual(Float64Array.from([10, 11, 12]));
  });

  it('needs two models and matching memberships', () => {
    const r = { models: 1, records: 1, augmentations: 1, values: new Float64Array(1) };
    expect(() => recipeLevelScores(r, { models: 1, records: 1, values: new Int8Array(1) }, (t) => t.values)).toThrow(
      /at least 2 reference models, got 1/,
    );
    expect(() => recipeLevelScores(refs, { models: 2, records: c.records, values: new Int8Array(2 * c.records) }, (t) => t.values)).toThrow(
      /memberships are \[2 × 9\]/,
    );
  });
});
