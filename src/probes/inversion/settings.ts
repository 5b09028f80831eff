/** Typed class-reconstruction settings from the policy, with the defaults. */
import type { BuildContext } from '../../policy/build-context';
import type { PlainObject } from '../../policy/merge';
import type { InversionSettings } from '../../policy/types';

export const INVERSION_THRESHOLDS = ['identification-rate', 'similarity-gain'] as const;

export const INVERSION_DEFAULTS = {
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
} as const;

export function buildInversion(ctx: BuildContext): InversionSettings {
  const m = ctx.settings;
  const defaults = INVERSION_DEFAULTS;
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
      (ctx.surface.decimals !== undefined ? defaults.differenceStep.rounded : defaults.differenceStep.exact),
    smoothness: (m['smoothness'] as number | undefined) ?? defaults.smoothness,
    thresholds: ctx.thresholds(INVERSION_THRESHOLDS),
  };
  const image = m['image'] as PlainObject | undefined;
  if (image) {
    settings.image = {
      height: image['height'] as number,
      width: image['width'] as number,
      channels: (image['channels'] as number | undefined) ?? defaults.channels,
      layout: (image['layout'] as 'hwc' | 'chw' | undefined) ?? defaults.layout,
      source: ctx.at([...ctx.base, 'image']),
    };
  }
  return settings;
}
