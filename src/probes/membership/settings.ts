/** Typed membership settings from the policy, with the defaults. */
import { basename } from 'node:path';
import type { BuildContext } from '../../policy/build-context';
import type { PlainObject } from '../../policy/merge';
import { expandGlob, isGlob } from '../../policy/model-glob';
import type { PolicyPath } from '../../policy/source';
import {
  INCREASE_METRICS,
  type IncreaseMetric,
  type MembershipAttack,
  type MembershipSettings,
  type QueryAugmentation,
  type ReferenceModelSettings,
  type Threshold,
} from '../../policy/types';

/** Attacks that need the class scores; the others only need the predicted label. */
export const SCORE_ATTACKS = ['loss', 'confidence', 'entropy', 'modified-entropy'] as const;
export const LABEL_ONLY_ATTACKS = ['gap', 'label-stability'] as const;
/** Attacks that need class scores and reference models (`reference-models`). */
export const REFERENCE_ATTACKS = ['lira', 'lira-offline', 'rmia'] as const;
export type ReferenceAttack = (typeof REFERENCE_ATTACKS)[number];

export function isReferenceAttack(attack: unknown): attack is ReferenceAttack {
  return (REFERENCE_ATTACKS as readonly unknown[]).includes(attack);
}

export const MEMBERSHIP_THRESHOLDS = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;

export const MEMBERSHIP_DEFAULTS = { stability: { queries: 8, noise: 0.05 } } as const;

/** Default attacks when a policy lists none: those the surface allows. */
export function defaultAttacks(scores: string): MembershipAttack[] {
  return scores === 'label' ? [...LABEL_ONLY_ATTACKS] : [...SCORE_ATTACKS];
}

export function buildMembership(ctx: BuildContext): MembershipSettings {
  const m = ctx.settings;
  const stability = (m['stability'] ?? {}) as PlainObject;
  // Replaced in place, so the checks keep the order of MEMBERSHIP_THRESHOLDS.
  const thresholds = ctx.thresholds(MEMBERSHIP_THRESHOLDS) as MembershipSettings['thresholds'];
  const tpr = thresholds['tpr-at-fpr'];
  // The FPR a TPR is read at belongs to the threshold (the schema requires it).
  if (tpr) thresholds['tpr-at-fpr'] = { ...tpr, fpr: ((m['thresholds'] as PlainObject)['tpr-at-fpr'] as PlainObject)['fpr'] as number };
  return {
    attacks: Array.isArray(m['attacks']) ? [...(m['attacks'] as MembershipAttack[])] : defaultAttacks(ctx.surface.scores),
    stability: {
      queries: (stability['queries'] as number | undefined) ?? MEMBERSHIP_DEFAULTS.stability.queries,
      noise: (stability['noise'] as number | undefined) ?? MEMBERSHIP_DEFAULTS.stability.noise,
    },
    ...referenceSettings(ctx),
    ...(m['recipe-level'] === true ? { recipeLevel: true } : {}),
    ...increaseSettings(ctx),
    thresholds,
  };
}

/**
 * `max-increase` → `increases`: each allowance becomes the fail line of the check
 * `<metric>-increase`, located at its key, in the order of INCREASE_METRICS.
 */
function increaseSettings(ctx: BuildContext): Pick<MembershipSettings, 'increases'> {
  const written = ctx.settings['max-increase'] as PlainObject | undefined;
  if (!written) return {};
  const increases: Partial<Record<IncreaseMetric, Threshold>> = {};
  for (const metric of INCREASE_METRICS) {
    const allowance = written[metric];
    if (typeof allowance !== 'number') continue;
    increases[`${metric}-increase`] = { fail: allowance, source: ctx.at([...ctx.base, 'max-increase', metric]) };
  }
  return { increases };
}

/** The reference models (a glob expanded, sorted by file name) and the query augmentations. */
function referenceSettings(ctx: BuildContext): Pick<MembershipSettings, 'referenceModels' | 'augmentations' | 'augmentationsSource'> {
  const refs = ctx.settings['reference-models'] as PlainObject | undefined;
  const queries = ctx.settings['queries'] as PlainObject | undefined;
  const augmentations = (queries?.['augmentations'] as QueryAugmentation[] | undefined) ?? [];
  // Absent unless set, so the settings of a policy without reference attacks read as before.
  const out: Pick<MembershipSettings, 'referenceModels' | 'augmentations' | 'augmentationsSource'> = {};
  if (augmentations.length > 0) {
    out.augmentations = [...augmentations];
    out.augmentationsSource = ctx.at([...ctx.base, 'queries', 'augmentations'], 'value');
  }
  if (refs) {
    const base: PolicyPath = [...ctx.base, 'reference-models'];
    const models = refs['models'];
    const files =
      typeof models === 'string'
        ? isGlob(models)
          ? expandGlob(ctx.file([...base, 'models']))
          : [ctx.file([...base, 'models'])]
        : (models as string[]).map((_, i) => ctx.file([...base, 'models', i]));
    const referenceModels: ReferenceModelSettings = {
      models: sortByFileName(files),
      memberships: ctx.file([...base, 'memberships']),
      membershipsSource: ctx.at([...base, 'memberships'], 'value'),
    };
    if (refs['population'] !== undefined) referenceModels.population = ctx.dataFile([...base, 'population']);
    out.referenceModels = referenceModels;
  }
  return out;
}

/** The memberships matrix's row order: sorted by file name (sortedModelNames). */
function sortByFileName(files: string[]): string[] {
  return [...files].sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0));
}
