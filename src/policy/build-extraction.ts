/**
 * Typed settings for sequence models (`model.task: sequence`) and the extraction probe, with
 * every default filled in. Called by build.ts only when validation found no error.
 */
import { resolvePathValue } from './checks';
import type { MergedPolicy, PlainObject } from './merge';
import type { PolicyPath } from './source';
import { sourceOf, thresholdAt } from './threshold';
import type { ExtractionSettings, ModelSettings, ThresholdSource, TokenizerSettings } from './types';

export const EXTRACTION_DEFAULTS = {
  /** Exact enumeration up to 10^7 candidates (a {digits:7} space): about 1.1 M rows in the worst case. */
  exactLimit: 10_000_000,
  samples: 10_000,
  memorization: { prefix: 32, suffix: 32 },
  secretScan: {
    prompts: [''],
    samples: 32,
    length: 64,
    temperature: 1,
    topK: 0,
    patterns: ['email', 'phone', 'id-number'],
  },
} as const;

type At = (path: PolicyPath) => ThresholdSource;

function locator(merged: MergedPolicy): At {
  return (path) => sourceOf(merged, path, 'value');
}

/** model.attention-mask, model.context and model.tokenizer. */
export function buildSequenceModel(merged: MergedPolicy, model: PlainObject): Partial<ModelSettings> {
  const out: Partial<ModelSettings> = {};
  if (typeof model['attention-mask'] === 'string') out.attentionMask = model['attention-mask'];
  if (typeof model['context'] === 'number') out.context = model['context'];
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

export function buildExtraction(merged: MergedPolicy, e: PlainObject): ExtractionSettings {
  const base: PolicyPath = ['probes', 'extraction'];
  const at = locator(merged);
  const thresholds = (e['thresholds'] ?? {}) as PlainObject;
  const threshold = (key: string) => thresholdAt(merged, [...base, 'thresholds', key]);
  const canaries = ((e['canaries'] ?? []) as PlainObject[]).map((c, i) => ({
    format: c['format'] as string,
    inserted: [...((c['inserted'] ?? []) as string[])],
    controls: [...((c['controls'] ?? []) as string[])],
    source: at([...base, 'canaries', i, 'format']),
  }));
  const exposure = (e['exposure'] ?? {}) as PlainObject;
  const settings: ExtractionSettings = {
    canaries,
    exposure: {
      exactLimit: (exposure['exact-limit'] as number | undefined) ?? EXTRACTION_DEFAULTS.exactLimit,
      samples: (exposure['samples'] as number | undefined) ?? EXTRACTION_DEFAULTS.samples,
    },
    thresholds: {},
  };
  // Memorisation runs when configured, or when one of its thresholds is set.
  const memorization = e['memorization'] as PlainObject | undefined;
  if (memorization || thresholds['extraction-rate'] || thresholds['extraction-gap']) {
    const m = memorization ?? {};
    settings.memorization = {
      prefix: (m['prefix'] as number | undefined) ?? EXTRACTION_DEFAULTS.memorization.prefix,
      suffix: (m['suffix'] as number | undefined) ?? EXTRACTION_DEFAULTS.memorization.suffix,
    };
  }
  const scan = e['secret-scan'] as PlainObject | undefined;
  if (scan || thresholds['secret-matches']) {
    const s = scan ?? {};
    const d = EXTRACTION_DEFAULTS.secretScan;
    const prompts = Array.isArray(s['prompts'])
      ? (s['prompts'] as string[]).map((text, i) => ({ text, source: at([...base, 'secret-scan', 'prompts', i]) }))
      : d.prompts.map((text) => ({ text, source: at([...base, 'secret-scan']) }));
    settings.secretScan = {
      prompts,
      samples: (s['samples'] as number | undefined) ?? d.samples,
      length: (s['length'] as number | undefined) ?? d.length,
      temperature: (s['temperature'] as number | undefined) ?? d.temperature,
      topK: (s['top-k'] as number | undefined) ?? d.topK,
      patterns: Array.isArray(s['patterns']) ? [...(s['patterns'] as string[])] : [...d.patterns],
      regexes: Array.isArray(s['regexes']) ? [...(s['regexes'] as string[])] : [],
    };
  }
  const keys = [
    ['max-exposure', 'maxExposure'],
    ['extraction-rate', 'extractionRate'],
    ['extraction-gap', 'extractionGap'],
    ['secret-matches', 'secretMatches'],
  ] as const;
  for (const [key, field] of keys) {
    const t = threshold(key);
    if (t) settings.thresholds[field] = t;
  }
  return settings;
}
