/**
 * The attribute-inference probe on plain JS models whose dependence on the attribute is known:
 * fully determined by it (accuracy ≈ 1), ignoring it (accuracy = the prior's baseline, lift's
 * interval covers 0), or memorising it for the training records only (a member gap).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { ObservedModel } from '../../src/model/surface';
import type { Classifier, ModelInfo, Regressor } from '../../src/model/types';
import type { AttributeInferenceSettings, SurfaceSettings } from '../../src/policy/types';
import { attributeInferenceProbe } from '../../src/probes/attribute-inference/family';
import type { LabelledData, ProbeContext } from '../../src/probes/types';
import { SignalCache } from '../../src/run/signals';
import { Rng } from '../../src/util/random';

const FEATURES = ['a', 'b', 's'];
const S = 2; // index of the sensitive attribute
const HERE = { file: '/policy.yml', line: 3, column: 5 };

/** Rows of (a, b, s): a, b uniform in [0, 1), s = 1 with probability `rate`; labels from `label`. */
function dataset(role: string, rows: number, seed: number, rate = 0.3, label = (row: Float32Array) => row[S]!): LabelledData {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * 3);
  const classes = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    x[r * 3] = rng.next();
    x[r * 3 + 1] = rng.next();
    x[r * 3 + 2] = rng.next() < rate ? 1 : 0;
    classes[r] = label(x.subarray(r * 3, r * 3 + 3));
  }
  return { role, file: `/${role}.csv`, features: FEATURES, x, labels: [...classes].map(String), rows, rowsInFile: rows, classes };
}

/** A binary classifier from a function row → P(class 1); records every batch size. */
function classifier(p1: (row: Float32Array) => number, classes = 2): Classifier & { batches: number[] } {
  let queries = 0;
  const batches: number[] = [];
  const info: ModelInfo = {
    inputs: [],
    outputs: [],
    input: 'x',
    output: 'p',
    featureCount: 3,
    classCount: classes,
    classLabels: Array.from({ length: classes }, (_, i) => String(i)),
    scoreKind: 'probabilities',
    scoreKindReason: 'test',
  };
  return {
    info,
    batches,
    get queries() {
      return queries;
    },
    async predict(x, rows) {
      queries += rows;
      batches.push(rows);
      const out = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        const p = p1(x.subarray(r * 3, r * 3 + 3));
        out[r * classes] = 1 - p;
        out[r * classes + 1] = p;
      }
      return { kind: 'probabilities', values: out };
    },
  };
}

function regressor(f: (row: Float32Array) => number): Regressor {
  let queries = 0;
  return {
    task: 'regression',
    info: { inputs: [], outputs: [], input: 'x', output: 'y', featureCount: 3 },
    get queries() {
      return queries;
    },
    async predict(x, rows) {
      queries += rows;
      return Float32Array.from({ length: rows }, (_, r) => f(x.subarray(r * 3, r * 3 + 3)));
    },
  };
}

function settings(extra: Partial<AttributeInferenceSettings> = {}): AttributeInferenceSettings {
  return {
    attribute: 's',
    samples: 8,
    observed: 'label',
    prior: 'non-members',
    residualSpread: 'non-members',
    sources: { attribute: HERE, known: HERE, encoding: HERE, values: HERE },
    thresholds: { lift: { fail: 0.05, source: HERE } },
    ...extra,
  };
}

function context(
  model: Classifier | Regressor,
  members: LabelledData,
  nonMembers: LabelledData,
  surface: SurfaceSettings = { scores: 'full', topK: 0 },
): ProbeContext {
  const observed = new ObservedModel(model, surface);
  return { model: observed, members, nonMembers, signals: new SignalCache(observed), seed: 11, confidence: 0.95 };
}

const metric = (result: Awaited<ReturnType<typeof attributeInferenceProbe.run>>, id: string) => result.attacks[0]!.metrics[id]!;

describe('attribute-inference probe', () => {
  const members = dataset('members', 400, 1);
  const nonMembers = dataset('non-members', 400, 2);

  it('recovers an attribute that fully determines the output: accuracy 1, lift = 1 − baseline', async () => {
    const model = classifier((row) => (row[S] === 1 ? 0.95 : 0.05));
    const result = await attributeInferenceProbe.run(context(model, members, nonMembers), settings());
    expect(metric(result, 'member-accuracy').value).toBe(1);
    expect(metric(result, 'non-member-accuracy').value).toBe(1);
    const baseline = metric(result, 'baseline-accuracy').value!;
    expect(baseline).toBeCloseTo(1 - [...members.classes].filter((c) => c === 1).length / 400, 12);
    expect(metric(result, 'lift').value).toBeCloseTo(1 - baseline, 12);
    expect(metric(result, 'lift').ci[0]).toBeGreaterThan(0.2);
    expect(metric(result, 'auc').value).toBe(1);
    // Every candidate of every record in one batch: 400 records × 2 candidates per set.
    expect(model.batches).toEqual([800, 800]);
  });

  it('finds nothing on a model that ignores the attribute: accuracy = baseline and lift’s interval covers 0', async () => {
    const labels = (row: Float32Array) => (row[0]! > 0.5 ? 1 : 0);
    const m = dataset('members', 400, 1, 0.3, labels);
    const n = dataset('non-members', 400, 2, 0.3, labels);
    const model = classifier((row) => 0.1 + 0.8 * row[0]!);
    const result = await attributeInferenceProbe.run(context(model, m, n), settings());
    expect(metric(result, 'member-accuracy').value).toBe(metric(result, 'baseline-accuracy').value);
    expect(metric(result, 'lift').value).toBe(0);
    const [lo, hi] = metric(result, 'lift').ci;
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0);
    expect(metric(result, 'auc').value).toBe(0.5);
    const details = result.attacks[0]!.details!;
    expect(details.prior).toMatchObject({ source: 'non-members', mode: '0' });
  });

  it('shows a member gap when the model only reveals the attribute of its training records', async () => {
    const key = (row: Float32Array) => `${row[0]},${row[1]}`;
    const memorised = new Map<string, number>();
    for (let r = 0; r < members.rows; r++) memorised.set(key(members.x.subarray(r * 3, r * 3 + 3)), members.x[r * 3 + S]!);
    // On a training record with its true s: sure of the label; anywhere else: P(class 1) = 0.2.
    const model = classifier((row) => (memorised.get(key(row)) === row[S] ? (row[S] === 1 ? 0.99 : 0.01) : 0.2));
    const result = await attributeInferenceProbe.run(context(model, members, nonMembers), settings());
    expect(metric(result, 'member-accuracy').value).toBe(1);
    expect(metric(result, 'non-member-accuracy').value).toBeCloseTo(metric(result, 'baseline-accuracy').value!, 1);
    expect(metric(result, 'member-gap').ci[0]).toBeGreaterThan(0.15);
  });

  it('works through a label-only surface, with a note that the attack is weaker', async () => {
    const model = classifier((row) => (row[S] === 1 ? 0.9 : 0.1));
    const result = await attributeInferenceProbe.run(context(model, members, nonMembers, { scores: 'label', topK: 0 }), settings());
    expect(metric(result, 'member-accuracy').value).toBe(1);
    expect(result.notes.join('\n')).toMatch(/reveals only the label.*weaker/);
  });

  it('reads a hidden observed label under top-k as the evenly spread hidden mass', async () => {
    // 3 classes, top-1: the observed class 2 is never shown; class 1 is shown with 0.6 (s = 1) or
    // 0.9 (s = 0), so the hidden mass (0.4 vs 0.1, split over 2 classes) still favours s = 1.
    const three: Classifier = {
      ...classifier(() => 0),
      info: { ...classifier(() => 0).info, classCount: 3, classLabels: ['0', '1', '2'] },
      async predict(x, rows) {
        const out = new Float32Array(rows * 3);
        for (let r = 0; r < rows; r++) {
          const top = x[r * 3 + S] === 1 ? 0.6 : 0.9;
          out.set([(1 - top) / 2, top, (1 - top) / 2], r * 3);
        }
        return { kind: 'probabilities', values: out };
      },
    };
    const m = dataset('members', 200, 3, 0.5, () => 2);
    const n = dataset('non-members', 200, 4, 0.5, () => 2);
    const result = await attributeInferenceProbe.run(context(three, m, n, { scores: 'top-k', topK: 1 }), settings({ prior: 'uniform' }));
    expect(metric(result, 'member-accuracy').value).toBeCloseTo([...m.x].filter((_, i) => i % 3 === S && m.x[i] === 1).length / 200, 12);
    expect(result.attacks[0]!.details!.perValue).toMatchObject([
      { value: '0', members: { accuracy: { value: 0 } } },
      { value: '1', members: { accuracy: { value: 1 } } },
    ]);
    expect(result.notes.join('\n')).toMatch(/top 1 scores/);
  });

  it('observes the model output instead of the true label when asked', async () => {
    // Labels are pure noise, but the model's own prediction reveals s exactly.
    const noise = new Rng(5);
    const m = dataset('members', 300, 1, 0.3, () => (noise.next() < 0.5 ? 1 : 0));
    const n = dataset('non-members', 300, 2, 0.3, () => (noise.next() < 0.5 ? 1 : 0));
    const model = classifier((row) => (row[S] === 1 ? 0.8 : 0.2));
    const byLabel = await attributeInferenceProbe.run(context(model, m, n), settings());
    const byOutput = await attributeInferenceProbe.run(context(model, m, n), settings({ observed: 'model-output' }));
    expect(metric(byOutput, 'member-accuracy').value).toBe(1);
    expect(metric(byLabel, 'member-accuracy').value!).toBeLessThan(0.8);
  });

  it('infers a one-hot attribute with a reference level, per value', async () => {
    // Features: a, g_b, g_c; g = a (both 0), b or c. P(class 1) = 0.1, 0.5, 0.9 for a, b, c.
    const rng = new Rng(9);
    const make = (role: string, rows: number): LabelledData => {
      const x = new Float32Array(rows * 3);
      const classes = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const g = Math.floor(rng.next() * 3);
        x.set([rng.next(), g === 1 ? 1 : 0, g === 2 ? 1 : 0], r * 3);
        classes[r] = g === 2 ? 1 : 0;
      }
      return {
        role,
        file: `/${role}.csv`,
        features: ['a', 'g_b', 'g_c'],
        x,
        labels: [...classes].map(String),
        rows,
        rowsInFile: rows,
        classes,
      };
    };
    const model = classifier((row) => (row[2] === 1 ? 0.9 : row[1] === 1 ? 0.5 : 0.1));
    const result = await attributeInferenceProbe.run(
      context(model, make('members', 300), make('non-members', 300)),
      settings({
        attribute: 'g',
        oneHot: [
          { value: 'a', column: null },
          { value: 'b', column: 'g_b' },
          { value: 'c', column: 'g_c' },
        ],
      }),
    );
    const perValue = result.attacks[0]!.details!.perValue!;
    expect(perValue.map((v) => v.value)).toEqual(['a', 'b', 'c']);
    // Label 1 singles out c; label 0 leaves a (likelihood 0.9) against b (0.5): a wins.
    expect(perValue.map((v) => v.members.accuracy.value)).toEqual([1, 0, 1]);
    expect(result.attacks[0]!.metrics['auc']).toBeUndefined();
  });

  it('marginalises unknown features over samples from the attacker data, seeded', async () => {
    const model = classifier((row) => (row[S] === 1 ? 0.95 : 0.05) * 0.5 + 0.5 * row[1]!);
    const ctx = () => context(model, members, nonMembers);
    const s = settings({ known: ['a'], samples: 5 });
    const first = await attributeInferenceProbe.run(ctx(), s);
    const again = await attributeInferenceProbe.run(ctx(), s);
    expect(first).toEqual(again);
    expect(first.attacks[0]!.details!.queriesPerRecord).toBe(10);
    expect(first.attacks[0]!.details!.unknownFeatures).toEqual(['b']);
    expect(metric(first, 'member-accuracy').value!).toBeGreaterThan(0.9);
    expect(first.notes.join('\n')).toMatch(/does not know 1 feature\(s\) \(b\)/);
  });

  it('regression: a Gaussian residual with σ from the non-members recovers an attribute that shifts the value', async () => {
    const noise = new Rng(21);
    const f = (row: Float32Array) => 3 * row[S]! + row[0]!;
    const withTargets = (d: LabelledData): LabelledData => ({
      ...d,
      classes: new Int32Array(d.rows),
      targets: Float64Array.from({ length: d.rows }, (_, r) => f(d.x.subarray(r * 3, r * 3 + 3)) + 0.5 * noise.normal()),
    });
    const result = await attributeInferenceProbe.run(context(regressor(f), withTargets(members), withTargets(nonMembers)), settings());
    const sigma = result.attacks[0]!.details!.residualSpread!;
    expect(sigma.from).toBe('non-members');
    expect(sigma.value).toBeGreaterThan(0.4);
    expect(sigma.value).toBeLessThan(0.6);
    expect(metric(result, 'member-accuracy').value!).toBeGreaterThan(0.97);
    expect(metric(result, 'lift').ci[0]).toBeGreaterThan(0.2);
  });

  it('regression: a model that ignores the attribute gives lift 0', async () => {
    const noise = new Rng(22);
    const f = (row: Float32Array) => row[0]! * 4;
    const withTargets = (d: LabelledData): LabelledData => ({
      ...d,
      targets: Float64Array.from({ length: d.rows }, (_, r) => f(d.x.subarray(r * 3, r * 3 + 3)) + noise.normal()),
    });
    const result = await attributeInferenceProbe.run(context(regressor(f), withTargets(members), withTargets(nonMembers)), settings());
    expect(metric(result, 'lift').value).toBe(0);
    expect(metric(result, 'lift').ci[0]).toBeLessThan(0);
  });

  it('names the policy line when the attribute is not a model input', async () => {
    const model = classifier(() => 0.5);
    const error = await attributeInferenceProbe
      .run(context(model, members, nonMembers), settings({ attribute: 'z' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ ...HERE, field: 'probes.attribute-inference.attribute' });
    expect((error as InputError).message).toMatch(/"z" is not one of the model's 3 feature columns/);
  });

  it('names the row whose value is not a candidate', async () => {
    const model = classifier(() => 0.5);
    const error = await attributeInferenceProbe
      .run(context(model, members, nonMembers), settings({ values: [0, 2] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^row \d+ of the members used has s=1; the attribute s expects one of the candidate values \[0, 2\]/,
    );
    expect((error as InputError).location).toEqual({ file: '/members.csv', field: 's' });
  });
});
