/** Typed extraction settings from the policy, with every default filled in. */
import type { BuildContext } from '../../policy/build-context';
import type { PlainObject } from '../../policy/merge';
import type { PolicyPath } from '../../policy/source';
import type { ExtractionSettings } from '../../policy/types';

export const EXTRACTION_THRESHOLDS = ['max-exposure', 'extraction-rate', 'extraction-gap', 'secret-matches', 'extracted-samples'] as const;

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
  /** Carlini et al. 2021 sample with top-k 40 and inspect the top 100 of each ranking. */
  generation: { prompts: [''], samples: 256, length: 64, temperature: 1, topK: 40, topP: 1, matchTokens: 32, inspect: 100 },
} as const;

export function buildExtraction(ctx: BuildContext): ExtractionSettings {
  const e = ctx.settings;
  const base = ctx.base;
  const at = (path: PolicyPath) => ctx.at(path, 'value');
  const thresholds = (e['thresholds'] ?? {}) as PlainObject;
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
      ...(typeof exposure['exact-limit'] === 'number' ? { policyExactLimit: exposure['exact-limit'] } : {}),
    },
    thresholds: ctx.thresholds(EXTRACTION_THRESHOLDS),
  };
  // Memorisation runs when configured, or when one of its thresholds is set.
  // A section's prompts, each located at its own line; the defaults at `defaultsAt` (the section, or the threshold that turned it on).
  const prompts = (section: PlainObject, key: string, defaults: readonly string[], defaultsAt: PolicyPath) =>
    Array.isArray(section['prompts'])
      ? (section['prompts'] as string[]).map((text, i) => ({ text, source: at([...base, key, 'prompts', i]) }))
      : defaults.map((text) => ({ text, source: at(defaultsAt) }));
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
    settings.secretScan = {
      prompts: prompts(s, 'secret-scan', d.prompts, [...base, 'secret-scan']),
      samples: (s['samples'] as number | undefined) ?? d.samples,
      length: (s['length'] as number | undefined) ?? d.length,
      temperature: (s['temperature'] as number | undefined) ?? d.temperature,
      topK: (s['top-k'] as number | undefined) ?? d.topK,
      patterns: Array.isArray(s['patterns']) ? [...(s['patterns'] as string[])] : [...d.patterns],
      regexes: Array.isArray(s['regexes']) ? [...(s['regexes'] as string[])] : [],
    };
  }
  const generation = e['generation'] as PlainObject | undefined;
  if (generation || thresholds['extracted-samples']) {
    const g = generation ?? {};
    const d = EXTRACTION_DEFAULTS.generation;
    settings.generation = {
      prompts: prompts(g, 'generation', d.prompts, generation ? [...base, 'generation'] : [...base, 'thresholds', 'extracted-samples']),
      samples: (g['samples'] as number | undefined) ?? d.samples,
      length: (g['length'] as number | undefined) ?? d.length,
      temperature: (g['temperature'] as number | undefined) ?? d.temperature,
      topK: (g['top-k'] as number | undefined) ?? d.topK,
      topP: (g['top-p'] as number | undefined) ?? d.topP,
      matchTokens: (g['match-tokens'] as number | undefined) ?? d.matchTokens,
      inspect: (g['inspect'] as number | undefined) ?? d.inspect,
    };
  }
  return settings;
}
