/**
 * Membership policy checks: score attacks cannot run on a label-only surface (an error), and a
 * TPR-at-FPR threshold at or below its FPR is reached by a random guess.
 */
import type { CheckContext } from '../../policy/check-context';
import { isPlainObject, type PlainObject } from '../../policy/merge';
import { fieldName, type PolicyPath } from '../../policy/source';
import { LABEL_ONLY_ATTACKS, SCORE_ATTACKS } from './settings';

export function membershipChecks(ctx: CheckContext, membership: PlainObject): void {
  const { error } = ctx;
  const attacks = membership['attacks'];
  if (ctx.scores === 'label' && Array.isArray(attacks)) {
    const needScores = attacks.map((a, i) => ({ a, i })).filter(({ a }) => (SCORE_ATTACKS as readonly unknown[]).includes(a));
    if (needScores.length > 0) {
      const names = needScores.map(({ a }) => a).join(', ');
      error(
        ['probes', 'membership', 'attacks', needScores[0]!.i],
        'value',
        `attack${needScores.length > 1 ? 's' : ''} ${names} need${needScores.length > 1 ? '' : 's'} class scores, but surface.scores is label (set in ${ctx.where(['surface', 'scores'])}): the label-only surface reveals no scores; use the label-only attacks ${LABEL_ONLY_ATTACKS.join(' and ')}, or describe the surface as full or top-k if the deployed model reveals scores`,
      );
    }
  }
  const thresholds = membership['thresholds'];
  const t = isPlainObject(thresholds) ? thresholds['tpr-at-fpr'] : undefined;
  if (isPlainObject(t) && typeof t['fpr'] === 'number') {
    const base: PolicyPath = ['probes', 'membership', 'thresholds', 'tpr-at-fpr'];
    for (const level of ['warn', 'fail'] as const) {
      const value = t[level];
      if (typeof value === 'number' && value <= t['fpr']) {
        error(
          [...base, level],
          'key',
          `${level} (${value}) must be above fpr (${t['fpr']}) for ${fieldName(base)}: a random guess already reaches TPR = FPR`,
        );
      }
    }
  }
}
