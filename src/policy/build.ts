/**
 * The validated, merged document → the typed `Policy`, with every default filled in and every
 * path made absolute (relative to the file that declared it). Only called when validation found
 * no error, so the shapes here are those the schema guarantees.
 */
import { basename, extname } from 'node:path';
import { dataFormat, defaultAttacks, resolvePathValue } from './checks';
import { buildExtraction, buildSequenceModel } from './build-extraction';
import type { MergedPolicy, PlainObject } from './merge';
import type { PolicyPath } from './source';
import { sourceOf, thresholdAt } from './threshold';
import type {
  AttributeInferenceSettings,
  DataFileSettings,
  InversionSettings,
  MembershipAttack,
  MembershipSettings,
  Policy,
  SurfaceSettings,
} from './types';

/** Every default of the policy format, in one place. */
export const POLICY_DEFAULTS = {
  seed: 0,
  task: 'classification',
  modelScores: 'auto',
  maxRows: 5000,
  surfaceScores: 'full',
  stability: { queries: 8, noise: 0.05 },
  confidence: 0.95,
  // Without a preset, as the standard preset: inconclusive checks warn, too little data is an error.
  inconclusive: 'warn',
  insufficient: 'error',
  attributeInference: {
    samples: 16,
    observed: 'label',
    prior: 'non-members',
    residualSpread: 'non-members',
  },
  inversion: {
    start: 'auxiliary-mean',
    gradient: 'auto',
    samples: 50,
    maxQueries: 20_000,
    patience: 20,
    // Past p_c ≈ 0.99 the descent mostly pushes pixels to the range's bounds (an adversarial,
    // saturated image that looks less like the class): on the digits models stopping there
    // gave clearer images at a fraction of the queries (Fredrikson et al. also stop on cost).
    targetConfidence: 0.99,
    stepSize: 0.05,
    // Central differences of 1% of a feature's range are exact to O(h²) on unrounded scores;
    // rounding hides changes below half a unit of the last decimal, so steps must be large
    // enough to cross rounding boundaries (hardened digits model, 2 decimals: similarity gain
    // 0.71 with 0.2, as unrounded, and 0.04 with 0.01): the gate measures the adaptive attacker.
    differenceStep: { exact: 0.01, rounded: 0.2 },
    smoothness: 0,
    channels: 1,
    layout: 'hwc',
  },
} as const;

export function buildPolicy(merged: MergedPolicy): Policy {
  const d = merged.data;
  const file = merged.layers[merged.layers.length - 1]!.file;
  const obj = (value: unknown): PlainObject => (value ?? {}) as PlainObject;

  const model = obj(d['model']);
  const data = obj(d['data']);
  const surface = obj(d['surface']);
  const gate = obj(d['gate']);
  const probes = obj(d['probes']);

  const dataFile = (role: 'members' | 'non-members'): DataFileSettings => {
    const entry = obj(data[role]);
    const out: DataFileSettings = {
      path: resolvePathValue(merged, ['data', role, 'path']),
      format: dataFormat(entry)!,
    };
    if (entry['labels'] !== undefined) out.labels = resolvePathValue(merged, ['data', role, 'labels']);
    if (entry['columns'] !== undefined) out.columns = [...(entry['columns'] as string[])];
    return out;
  };

  const scores = (surface['scores'] as SurfaceSettings['scores'] | undefined) ?? POLICY_DEFAULTS.surfaceScores;
  const surfaceSettings: SurfaceSettings = {
    scores,
    topK: scores === 'top-k' ? (surface['top-k'] as number) : 0,
  };
  // A label-only surface reveals no scores, so decimals (a warning at load time) do not apply.
  if (surface['decimals'] !== undefined && scores !== 'label') {
    surfaceSettings.decimals = surface['decimals'] as number;
  }
  if (surface['precision'] === 'float32' && scores !== 'label') surfaceSettings.precision = 'float32';

  const policy: Policy = {
    file,
    sources: merged.layers.map((l) => l.file),
    version: 1,
    name: (d['name'] as string | undefined) ?? basename(file, extname(file)),
    seed: (d['seed'] as number | undefined) ?? POLICY_DEFAULTS.seed,
    model: {
      path: resolvePathValue(merged, ['model', 'path']),
      task: (model['task'] as Policy['model']['task'] | undefined) ?? POLICY_DEFAULTS.task,
      scores: (model['scores'] as Policy['model']['scores'] | undefined) ?? POLICY_DEFAULTS.modelScores,
    },
    data: {
      members: dataFile('members'),
      nonMembers: dataFile('non-members'),
      label: (data['label'] as string | undefined) ?? 'label',
      maxRows: (data['max-rows'] as number | undefined) ?? POLICY_DEFAULTS.maxRows,
      allowOverlap: (data['allow-overlap'] as boolean | undefined) ?? false,
    },
    surface: surfaceSettings,
    probes: {},
    gate: {
      confidence: (gate['confidence'] as number | undefined) ?? POLICY_DEFAULTS.confidence,
      inconclusive: (gate['inconclusive'] as Policy['gate']['inconclusive'] | undefined) ?? POLICY_DEFAULTS.inconclusive,
      insufficient: (gate['insufficient'] as Policy['gate']['insufficient'] | undefined) ?? POLICY_DEFAULTS.insufficient,
    },
  };
  if (typeof model['input'] === 'string') policy.model.input = model['input'];
  if (typeof model['output'] === 'string') policy.model.output = model['output'];
  if (policy.model.task === 'sequence') {
    Object.assign(policy.model, buildSequenceModel(merged, model));
    policy.data.textField = (data['text-field'] as string | undefined) ?? 'text';
  }
  if (data['features'] !== undefined) {
    const features = data['features'];
    policy.data.features = Array.isArray(features) ? [...(features as string[])] : (features as string);
  }

  if (probes['extraction'] !== undefined) policy.probes.extraction = buildExtraction(merged, obj(probes['extraction']));
  if (probes['membership'] !== undefined) {
    policy.probes.membership = buildMembership(merged, obj(probes['membership']), scores);
  }
  if (probes['inversion'] !== undefined) {
    policy.probes.inversion = buildInversion(merged, obj(probes['inversion']), surfaceSettings);
  }
  if (probes['attribute-inference'] !== undefined) {
    policy.probes['attribute-inference'] = buildAttributeInference(merged, obj(probes['attribute-inference']));
  }
  return policy;
}

function buildAttributeInference(merged: MergedPolicy, m: PlainObject): AttributeInferenceSettings {
  const defaults = POLICY_DEFAULTS.attributeInference;
  const base: PolicyPath = ['probes', 'attribute-inference'];
  const at = (path: PolicyPath) => sourceOf(merged, path);
  const threshold = (key: string) => thresholdAt(merged, [...base, 'thresholds', key]);
  const settings: AttributeInferenceSettings = {
    attribute: m['attribute'] as string,
    samples: (m['samples'] as number | undefined) ?? defaults.samples,
    observed: (m['observed'] as AttributeInferenceSettings['observed'] | undefined) ?? defaults.observed,
    prior: (m['prior'] as AttributeInferenceSettings['prior'] | undefined) ?? defaults.prior,
    residualSpread:
      (m['residual-spread'] as AttributeInferenceSettings['residualSpread'] | undefined) ?? defaults.residualSpread,
    sources: { attribute: at([...base, 'attribute']) },
    thresholds: {},
  };
  const values = m['values'] as Array<number | string> | undefined;
  if (values) settings.sources.values = at([...base, 'values']);
  if (Array.isArray(m['known'])) {
    settings.known = [...(m['known'] as string[])];
    settings.sources.known = at([...base, 'known']);
  }
  const oneHot = (m['encoding'] as PlainObject | undefined)?.['one-hot'] as Array<string | null> | undefined;
  if (oneHot) {
    // The checks guarantee a name for every entry when the list holds null.
    settings.oneHot = oneHot.map((column, i) => ({ value: String(values?.[i] ?? column), column }));
    settings.sources.encoding = at([...base, 'encoding']);
  } else if (values) {
    settings.values = values as number[];
  }
  const auxiliary = m['auxiliary'] as PlainObject | undefined;
  if (auxiliary) {
    settings.auxiliary = { path: resolvePathValue(merged, [...base, 'auxiliary', 'path']), format: dataFormat(auxiliary)! };
    if (auxiliary['labels'] !== undefined) settings.auxiliary.labels = resolvePathValue(merged, [...base, 'auxiliary', 'labels']);
    if (auxiliary['columns'] !== undefined) settings.auxiliary.columns = [...(auxiliary['columns'] as string[])];
  }
  const lift = threshold('lift');
  if (lift) settings.thresholds.lift = lift;
  const accuracy = threshold('member-accuracy');
  if (accuracy) settings.thresholds.memberAccuracy = accuracy;
  const gap = threshold('member-gap');
  if (gap) settings.thresholds.memberGap = gap;
  return settings;
}

function buildInversion(merged: MergedPolicy, m: PlainObject, surface: SurfaceSettings): InversionSettings {
  const defaults = POLICY_DEFAULTS.inversion;
  const threshold = (key: string) => thresholdAt(merged, ['probes', 'inversion', 'thresholds', key]);
  const settings: InversionSettings = {
    start: (m['start'] as InversionSettings['start'] | undefined) ?? defaults.start,
    gradient: (m['gradient'] as InversionSettings['gradient'] | undefined) ?? defaults.gradient,
    samples: (m['samples'] as number | undefined) ?? defaults.samples,
    maxQueries: (m['max-queries'] as number | undefined) ?? defaults.maxQueries,
    patience: (m['patience'] as number | undefined) ?? defaults.patience,
    targetConfidence: (m['target-confidence'] as number | undefined) ?? defaults.targetConfidence,
    stepSize: (m['step-size'] as number | undefined) ?? defaults.stepSize,
    differenceStep:
      (m['difference-step'] as number | undefined) ??
      (surface.decimals !== undefined ? defaults.differenceStep.rounded : defaults.differenceStep.exact),
    smoothness: (m['smoothness'] as number | undefined) ?? defaults.smoothness,
    thresholds: {},
  };
  const image = m['image'] as PlainObject | undefined;
  if (image) {
    settings.image = {
      height: image['height'] as number,
      width: image['width'] as number,
      channels: (image['channels'] as number | undefined) ?? defaults.channels,
      layout: (image['layout'] as 'hwc' | 'chw' | undefined) ?? defaults.layout,
      source: sourceOf(merged, ['probes', 'inversion', 'image']),
    };
  }
  const identification = threshold('identification-rate');
  if (identification) settings.thresholds.identificationRate = identification;
  const gain = threshold('similarity-gain');
  if (gain) settings.thresholds.similarityGain = gain;
  return settings;
}

function buildMembership(merged: MergedPolicy, m: PlainObject, scores: string): MembershipSettings {
  const stability = (m['stability'] ?? {}) as PlainObject;
  const thresholds = (m['thresholds'] ?? {}) as PlainObject;
  const base: PolicyPath = ['probes', 'membership', 'thresholds'];
  const threshold = (key: string) => thresholdAt(merged, [...base, key]);
  const settings: MembershipSettings = {
    attacks: Array.isArray(m['attacks']) ? [...(m['attacks'] as MembershipAttack[])] : defaultAttacks(scores),
    stability: {
      queries: (stability['queries'] as number | undefined) ?? POLICY_DEFAULTS.stability.queries,
      noise: (stability['noise'] as number | undefined) ?? POLICY_DEFAULTS.stability.noise,
    },
    thresholds: {},
  };
  const auc = threshold('auc');
  if (auc) settings.thresholds.auc = auc;
  const advantage = threshold('advantage');
  if (advantage) settings.thresholds.advantage = advantage;
  const tpr = threshold('tpr-at-fpr');
  if (tpr) {
    settings.thresholds.tprAtFpr = { ...tpr, fpr: (thresholds['tpr-at-fpr'] as PlainObject)['fpr'] as number };
  }
  const epsilon = threshold('epsilon-lower-bound');
  if (epsilon) settings.thresholds.epsilonLowerBound = epsilon;
  return settings;
}
