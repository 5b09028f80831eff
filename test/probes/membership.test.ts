import { describe, expect, it } from 'vitest';
import { ObservedModel } from '../../src/model/surface';
import type { Classifier, ModelInfo } from '../../src/model/types';
import type { MembershipSettings, SurfaceSettings } from '../../src/policy/types';
import { membershipProbe } from '../../src/probes/membership/family';
import type { LabelledData, ProbeContext } from '../../src/probes/types';
import { SignalCache } from '../../src/run/signals';
import { Rng } from '../../src/util/random';

const CLASSES = 3;
const FEATURES = 4;

/** Rows of seeded random features with labels 0..2. */
function dataset(role: string, rows: number, seed: number): LabelledData {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * FEATURES }, () => rng.next());
  const classes = Int32Array.from({ length: rows }, (_, i) => i % CLASSES);
  return {
    role,
    file: `${role}.csv`,
    features: ['a', 'b', 'c', 'd'],
    x,
    labels: [...classes].map(String),
    rows,
    rowsInFile: rows,
    classes,
  };
}

/**
 * A model that has memorised its members: on a member row it is sure of the true label; on any
 * other row it puts `elsewhere` on the label the row's first feature points at. With
 * `memorised: false` it treats every row alike, so no attack should beat chance.
 */
function classifier(members: LabelledData, memorised: boolean, onlyClass?: number): Classifier {
  const known = new Map<string, number>();
  for (let r = 0; r < members.rows; r++) {
    // onlyClass: the model memorised the members of that class alone.
    if (onlyClass !== undefined && members.classes[r] !== onlyClass) continue;
    known.set(members.x.subarray(r * FEATURES, (r + 1) * FEATURES).join(), members.classes[r]!);
  }
  let queries = 0;
  const info: ModelInfo = {
    inputs: [],
    outputs: [],
    input: 'x',
    output: 'p',
    featureCount: FEATURES,
    classCount: CLASSES,
    classLabels: ['0', '1', '2'],
    scoreKind: 'probabilities',
    scoreKindReason: 'test',
  };
  return {
    info,
    get queries() {
      return queries;
    },
    async predict(x, rows) {
      queries += rows;
      const out = new Float32Array(rows * CLASSES);
      for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * FEATURES, (r + 1) * FEATURES);
        const member = memorised ? known.get(row.join()) : undefined;
        const top = member ?? Math.min(CLASSES - 1, Math.floor(row[0]! * CLASSES));
        const confidence = member === undefined ? 0.5 + 0.3 * row[1]! : 0.99;
        for (let c = 0; c < CLASSES; c++) out[r * CLASSES + c] = c === top ? confidence : (1 - confidence) / (CLASSES - 1);
      }
      return { kind: 'probabilities', values: out };
    },
  };
}

const settings: MembershipSettings = {
  attacks: ['loss', 'confidence', 'entropy', 'modified-entropy', 'gap', 'label-stability'],
  stability: { queries: 4, noise: 0.05 },
  thresholds: { auc: { fail: 0.6, source: { file: 'p.yml', line: 1, column: 1 } } },
};

function context(memorised: boolean, surface: SurfaceSettings = { scores: 'full', topK: 3 }): ProbeContext {
  const members = dataset('members', 600, 1);
  const nonMembers = dataset('non-members', 600, 2);
  const model = new ObservedModel(classifier(members, memorised), surface);
  return { model, members, nonMembers, signals: new SignalCache(model), seed: 7, confidence: 0.95 };
}

describe('membership probe', () => {
  it('separates members of a model that memorised them (AUC near 1 for every score attack)', async () => {
    const result = await membershipProbe.run(context(true), settings);
    const auc = Object.fromEntries(result.attacks.map((a) => [a.attack, a.metrics.auc!.value]));
    for (const attack of ['loss', 'confidence', 'entropy', 'modified-entropy']) expect(auc[attack]).toBeGreaterThan(0.95);
    // Members are always right; non-members only when the first feature happens to match the label.
    expect(auc.gap).toBeGreaterThan(0.75);
  });

  it('finds nothing on a model that treats members like anyone else: every AUC interval covers 0.5', async () => {
    const result = await membershipProbe.run(context(false), settings);
    for (const a of result.attacks) {
      const { ci } = a.metrics.auc!;
      expect(ci[0], a.attack).toBeLessThanOrEqual(0.5);
      expect(ci[1], a.attack).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('queries each set once for all score attacks, plus the batched noisy copies', async () => {
    const ctx = context(true);
    await membershipProbe.run(ctx, settings);
    expect(ctx.model.queries).toBe(1200 + 1200 * settings.stability.queries);
  });

  it('gives the same numbers for the same seed', async () => {
    const a = await membershipProbe.run(context(true), settings);
    const b = await membershipProbe.run(context(true), settings);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('still works on a label-only surface with label-only attacks', async () => {
    const result = await membershipProbe.run(context(true, { scores: 'label', topK: 3 }), {
      ...settings,
      attacks: ['gap', 'label-stability'],
    });
    expect(result.attacks.map((a) => a.attack)).toEqual(['gap', 'label-stability']);
    expect(result.attacks[1]!.metrics.auc!.value).toBeGreaterThan(0.6);
  });

  it('reports per-class results and the worst class', async () => {
    const result = await membershipProbe.run(context(true), { ...settings, attacks: ['loss'] });
    const details = result.attacks[0]!.details!;
    expect(details.perClass).toHaveLength(CLASSES);
    expect([0, 1, 2]).toContain(details.worstClass!.class);
  });

  // The worst class is the one that leaks most: the HIGHEST AUC (picking the lowest would hide it).
  it.each([0, 1, 2])('the worst class is the one whose members were memorised (class %i), with the highest AUC', async (leaking) => {
    const ctx = context(true);
    const model = new ObservedModel(classifier(ctx.members, true, leaking), { scores: 'full', topK: 3 });
    const result = await membershipProbe.run({ ...ctx, model, signals: new SignalCache(model) }, { ...settings, attacks: ['loss'] });
    const details = result.attacks[0]!.details!;
    const aucs = details.perClass!.map((c) => c.auc.value ?? 0);
    expect(details.worstClass!.class).toBe(leaking);
    expect(details.worstClass!.auc.value).toBe(Math.max(...aucs));
    expect(details.worstClass!.auc.value).toBeGreaterThan(0.9);
    expect(Math.min(...aucs)).toBeLessThan(0.7);
  });
});
