/** Typed attribute-inference settings from the policy, with the defaults. */
import type { BuildContext } from '../../policy/build-context';
import type { PlainObject } from '../../policy/merge';
import type { AttributeInferenceSettings } from '../../policy/types';

export const ATTRIBUTE_INFERENCE_THRESHOLDS = ['lift', 'member-accuracy', 'member-gap'] as const;

export const ATTRIBUTE_INFERENCE_DEFAULTS = {
  samples: 16,
  observed: 'label',
  prior: 'non-members',
  residualSpread: 'non-members',
} as const;

export function buildAttributeInference(ctx: BuildContext): AttributeInferenceSettings {
  const m = ctx.settings;
  const defaults = ATTRIBUTE_INFERENCE_DEFAULTS;
  const base = ctx.base;
  const settings: AttributeInferenceSettings = {
    attribute: m['attribute'] as string,
    samples: (m['samples'] as number | undefined) ?? defaults.samples,
    observed: (m['observed'] as AttributeInferenceSettings['observed'] | undefined) ?? defaults.observed,
    prior: (m['prior'] as AttributeInferenceSettings['prior'] | undefined) ?? defaults.prior,
    residualSpread: (m['residual-spread'] as AttributeInferenceSettings['residualSpread'] | undefined) ?? defaults.residualSpread,
    sources: { attribute: ctx.at([...base, 'attribute']) },
    thresholds: ctx.thresholds(ATTRIBUTE_INFERENCE_THRESHOLDS),
  };
  const values = m['values'] as Array<number | string> | undefined;
  if (values) settings.sources.values = ctx.at([...base, 'values']);
  if (Array.isArray(m['known'])) {
    settings.known = [...(m['known'] as string[])];
    settings.sources.known = ctx.at([...base, 'known']);
  }
  const oneHot = (m['encoding'] as PlainObject | undefined)?.['one-hot'] as Array<string | null> | undefined;
  if (oneHot) {
    // The checks guarantee a name for every entry when the list holds null.
    settings.oneHot = oneHot.map((column, i) => ({ value: String(values?.[i] ?? column), column }));
    settings.sources.encoding = ctx.at([...base, 'encoding']);
  } else if (values) {
    settings.values = values as number[];
  }
  if (m['auxiliary']) settings.auxiliary = ctx.dataFile([...base, 'auxiliary']);
  return settings;
}
