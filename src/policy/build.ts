/**
 * The validated, merged document → the typed `Policy`, with every default filled in and every
 * path made absolute (relative to the file that declared it). Only called when validation found
 * no error, so the shapes here are those the schema guarantees.
 */
import { basename, extname } from 'node:path';
import { buildContext } from './build-context';
import type { PolicyFamily } from './family';
import { dataFileAt, resolvePathValue } from './fields';
import type { MergedPolicy, PlainObject } from './merge';
import { sourceOf } from './threshold';
import type { BaselineSettings, ModelSettings, Policy, SurfaceSettings, TokenizerSettings } from './types';

/** Every default of the policy format outside the probes (each family keeps its own, in its settings.ts). */
export const POLICY_DEFAULTS = {
  seed: 0,
  task: 'classification',
  modelScores: 'auto',
  maxRows: 5000,
  surfaceScores: 'full',
  confidence: 0.95,
  // Without a preset, as the standard preset: inconclusive checks warn, too little data is an error.
  inconclusive: 'warn',
  insufficient: 'error',
} as const;

export function buildPolicy(merged: MergedPolicy, families: readonly PolicyFamily[]): Policy {
  const d = merged.data;
  const file = merged.layers[merged.layers.length - 1]!.file;
  const obj = (value: unknown): PlainObject => (value ?? {}) as PlainObject;

  const model = obj(d['model']);
  const data = obj(d['data']);
  const surface = obj(d['surface']);
  const gate = obj(d['gate']);
  const probes = obj(d['probes']);

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
      members: dataFileAt(merged, ['data', 'members']),
      nonMembers: dataFileAt(merged, ['data', 'non-members']),
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
  if (Array.isArray(data['classes'])) policy.data.classes = (data['classes'] as unknown[]).map(String);
  if (data['features'] !== undefined) {
    const features = data['features'];
    policy.data.features = Array.isArray(features) ? [...(features as string[])] : (features as string);
  }

  const baseline = d['baseline'];
  if (baseline !== undefined) policy.baseline = buildBaseline(merged, obj(baseline));

  for (const family of families) {
    if (probes[family.id] === undefined) continue;
    (policy.probes as Record<string, unknown>)[family.id] = family.build(buildContext(merged, family.id, surfaceSettings));
  }
  return policy;
}

/** `baseline`: the released model or report, paths made absolute (the checks allow exactly one). */
function buildBaseline(merged: MergedPolicy, baseline: PlainObject): BaselineSettings {
  const out: BaselineSettings = { source: sourceOf(merged, ['baseline']) };
  if (typeof baseline['model'] === 'string') out.model = resolvePathValue(merged, ['baseline', 'model']);
  if (typeof baseline['report'] === 'string') out.report = resolvePathValue(merged, ['baseline', 'report']);
  return out;
}

/** model.attention-mask, model.context, model.reference-model and model.tokenizer. */
export function buildSequenceModel(merged: MergedPolicy, model: PlainObject): Partial<ModelSettings> {
  const out: Partial<ModelSettings> = {};
  if (typeof model['attention-mask'] === 'string') out.attentionMask = model['attention-mask'];
  if (typeof model['context'] === 'number') out.context = model['context'];
  if (typeof model['reference-model'] === 'string') out.referenceModel = resolvePathValue(merged, ['model', 'reference-model']);
  if (typeof model['tokenizer'] === 'string') {
    out.tokenizer = { file: resolvePathValue(merged, ['model', 'tokenizer']), source: sourceOf(merged, ['model', 'tokenizer']) };
    return out;
  }
  const t = model['tokenizer'] as PlainObject | undefined;
  if (t) {
    const tokenizer: TokenizerSettings = { source: sourceOf(merged, ['model', 'tokenizer']) };
    if (typeof t['vocab'] === 'string') tokenizer.vocab = [...t['vocab']];
    else if (Array.isArray(t['vocab'])) tokenizer.vocab = [...(t['vocab'] as string[])];
    if (typeof t['vocab-file'] === 'string') tokenizer.vocabFile = resolvePathValue(merged, ['model', 'tokenizer', 'vocab-file']);
    if (typeof t['pad-id'] === 'number') tokenizer.padId = t['pad-id'];
    out.tokenizer = tokenizer;
  }
  return out;
}
