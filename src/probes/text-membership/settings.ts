/** Typed text-membership settings from the policy, with every default filled in. */
import type { BuildContext } from '../../policy/build-context';
import { valueAt, type PlainObject } from '../../policy/merge';
import type { TextMembershipAttack, TextMembershipSettings } from '../../policy/types';

/** The membership probe's metric ids, in its check order: the same thresholds mean the same here. */
export const TEXT_MEMBERSHIP_THRESHOLDS = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;

export const TEXT_MEMBERSHIP_DEFAULTS = { minK: 0.2, fpr: 0.01 } as const;

/** What the attacks can use beside the target's per-token scores. */
export interface AttackInputs {
  /** A tokenizer turns token ids back into text (zlib compresses text). */
  tokenizer: boolean;
  /** Unrounded scores: μ/σ of Min-K%++ and a likelihood difference without −∞ − (−∞). */
  unrounded: boolean;
  /** `model.reference-model` is set. */
  referenceModel: boolean;
}

/** Default attacks when a policy lists none: every one the surface and the policy allow, in the schema's order. */
export function defaultTextAttacks(inputs: AttackInputs): TextMembershipAttack[] {
  const attacks: TextMembershipAttack[] = ['loss'];
  if (inputs.tokenizer) attacks.push('zlib');
  attacks.push('min-k');
  if (inputs.unrounded) attacks.push('min-k-plus-plus');
  if (inputs.unrounded && inputs.referenceModel) attacks.push('reference');
  return attacks;
}

/**
 * What the attacks can use, from the policy document as written (merged, before the builder):
 * so the builder and the policy diff (src/github/base-policy.ts) read the same defaults.
 */
export function attackInputsOf(doc: PlainObject): AttackInputs {
  const scores = valueAt(doc, ['surface', 'scores']) ?? 'full';
  return {
    tokenizer: valueAt(doc, ['model', 'tokenizer']) !== undefined,
    unrounded: scores === 'full' && valueAt(doc, ['surface', 'decimals']) === undefined,
    referenceModel: typeof valueAt(doc, ['model', 'reference-model']) === 'string',
  };
}

/** The FPR the TPR is read at: the threshold's own `fpr`, else the probe's, else the default. */
export function effectiveFpr(settings: PlainObject): number {
  const thresholds = settings['thresholds'] as PlainObject | undefined;
  const tpr = thresholds?.['tpr-at-fpr'] as PlainObject | undefined;
  const own = tpr?.['fpr'];
  if (typeof own === 'number') return own;
  return typeof settings['fpr'] === 'number' ? settings['fpr'] : TEXT_MEMBERSHIP_DEFAULTS.fpr;
}

export function buildTextMembership(ctx: BuildContext): TextMembershipSettings {
  const s = ctx.settings;
  const fpr = effectiveFpr(s);
  // Replaced in place, so the checks keep the order of TEXT_MEMBERSHIP_THRESHOLDS.
  const thresholds = ctx.thresholds(TEXT_MEMBERSHIP_THRESHOLDS) as TextMembershipSettings['thresholds'];
  const tpr = thresholds['tpr-at-fpr'];
  if (tpr) thresholds['tpr-at-fpr'] = { ...tpr, fpr };
  return {
    attacks: Array.isArray(s['attacks'])
      ? [...(s['attacks'] as TextMembershipAttack[])]
      : defaultTextAttacks(attackInputsOf(ctx.merged.data)),
    minK: (s['min-k'] as number | undefined) ?? TEXT_MEMBERSHIP_DEFAULTS.minK,
    fpr,
    allowOverlap: valueAt(ctx.merged.data, ['data', 'allow-overlap']) === true,
    thresholds,
  };
}
