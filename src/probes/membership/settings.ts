/** Typed membership settings from the policy, with the defaults. */
import type { BuildContext } from '../../policy/build-context';
import type { PlainObject } from '../../policy/merge';
import type { MembershipAttack, MembershipSettings } from '../../policy/types';

/** Attacks that need the class scores; the others only need the predicted label. */
export const SCORE_ATTACKS = ['loss', 'confidence', 'entropy', 'modified-entropy'] as const;
export const LABEL_ONLY_ATTACKS = ['gap', 'label-stability'] as const;

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
    thresholds,
  };
}
