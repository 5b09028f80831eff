/**
 * A small image world for the inversion probe's tests: 4×4 grey images of three classes, each a
 * bar (left column, top row, main diagonal) on a dark background plus noise, and plain JS models
 * (no ONNX) behind the real output surface.
 */
import { ObservedModel } from '../../src/model/surface';
import type { Classifier, ModelInfo } from '../../src/model/types';
import type { InversionSettings, SurfaceSettings } from '../../src/policy/types';
import type { LabelledData, ProbeContext } from '../../src/probes/types';
import { SignalCache } from '../../src/run/signals';
import { Rng } from '../../src/util/random';

export const SIDE = 4;
export const D = SIDE * SIDE;
export const CLASSES = 3;
const LABELS = ['left', 'top', 'diagonal'];

/** The noiseless picture of each class: 16 on the bar, 0 elsewhere. */
export function template(c: number): Float64Array {
  const t = new Float64Array(D);
  for (let i = 0; i < SIDE; i++) {
    const [h, w] = c === 0 ? [i, 0] : c === 1 ? [0, i] : [i, i];
    t[h * SIDE + w] = 16;
  }
  return t;
}

export function dataset(role: string, rows: number, seed: number, classCount = CLASSES): LabelledData {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * D);
  const classes = Int32Array.from({ length: rows }, (_, r) => r % classCount);
  for (let r = 0; r < rows; r++) {
    const t = template(classes[r]!);
    for (let j = 0; j < D; j++) x[r * D + j] = Math.min(16, Math.max(0, t[j]! + 3 * rng.normal()));
  }
  return {
    role,
    file: `${role}.csv`,
    features: Array.from({ length: D }, (_, j) => `pixel_${j}`),
    x,
    labels: Array.from(classes, (c) => LABELS[c]!),
    rows,
    rowsInFile: rows,
    classes,
  };
}

/** A classifier from a function of one row to class probabilities; counts its queries. */
export function classifier(probabilities: (row: Float32Array) => number[]): Classifier {
  let queries = 0;
  const info: ModelInfo = {
    inputs: [],
    outputs: [],
    input: 'x',
    output: 'p',
    featureCount: D,
    classCount: CLASSES,
    classLabels: LABELS,
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
      for (let r = 0; r < rows; r++) out.set(probabilities(x.subarray(r * D, (r + 1) * D)), r * CLASSES);
      return { kind: 'probabilities', values: out };
    },
  };
}

/** Softmax regression whose class weights are the class templates, centred: a template matcher. */
export function templateModel(scale = 0.05): Classifier {
  const mean = new Float64Array(D);
  for (let c = 0; c < CLASSES; c++) template(c).forEach((v, j) => (mean[j]! += v / CLASSES));
  const w = Array.from({ length: CLASSES }, (_, c) => template(c).map((v, j) => scale * (v - mean[j]!)));
  return classifier((row) => {
    const z = w.map((wc) => wc.reduce((s, v, j) => s + v * row[j]!, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

/** A model that ignores its input. */
export function constantModel(): Classifier {
  return classifier(() => [0.5, 0.3, 0.2]);
}

export function settings(over: Partial<InversionSettings> = {}): InversionSettings {
  return {
    image: { height: SIDE, width: SIDE, channels: 1, layout: 'hwc', source: { file: 'policy.yml', line: 30, column: 5 } },
    start: 'auxiliary-mean',
    gradient: 'auto',
    samples: 20,
    maxQueries: 3000,
    patience: 20,
    targetConfidence: 0.99,
    stepSize: 0.05,
    differenceStep: 0.01,
    smoothness: 0,
    thresholds: { 'identification-rate': { fail: 0.5, source: { file: 'policy.yml', line: 33, column: 7 } } },
    ...over,
  };
}

export function context(model: Classifier, surface: SurfaceSettings = { scores: 'full', topK: 0 }, memberClasses = CLASSES): ProbeContext {
  const members = dataset('members', 150, 1, memberClasses);
  const nonMembers = dataset('non-members', 150, 2);
  const observed = new ObservedModel(model, surface);
  return { model: observed, members, nonMembers, signals: new SignalCache(observed), seed: 11, confidence: 0.95 };
}
