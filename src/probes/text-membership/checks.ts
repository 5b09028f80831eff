/**
 * Text-membership policy checks: what the schema cannot express.
 *
 * Every attack reads the probability the model gives each token of a text, so the surface must
 * reveal all of them (`surface.scores: full`): under top-k the tokens outside the k most likely
 * are hidden (NaN), and a label-only surface reveals none. Min-K%++ standardises by μ and σ of
 * the whole next-token distribution, and the reference attack subtracts two log-likelihoods that
 * rounding can both make −∞: both need unrounded scores. The reference attack needs
 * `model.reference-model`.
 */
import type { CheckContext } from '../../policy/check-context';
import { isPlainObject, valueAt, type PlainObject } from '../../policy/merge';
import { fieldName, type PolicyPath } from '../../policy/source';
import { effectiveFpr } from './settings';

const BASE: PolicyPath = ['probes', 'text-membership'];

/** Attacks that need every score unrounded, and why. */
const UNROUNDED: Record<string, string> = {
  'min-k-plus-plus': 'standardises each token by the mean and deviation of every next-token probability',
  reference: 'subtracts two log-likelihoods, and a probability rounded to 0 makes both −∞',
};

/** Why these settings need a tokenizer: zlib compresses the text itself. */
export function textMembershipVocabularyNeeds(settings: PlainObject): string[] {
  const attacks = settings['attacks'];
  return Array.isArray(attacks) && attacks.includes('zlib') ? ['the zlib attack compresses each text, so token ids must become text'] : [];
}

export function textMembershipChecks(ctx: CheckContext, settings: PlainObject): void {
  const { error, scores } = ctx;
  if (scores !== 'full') {
    const why =
      scores === 'label'
        ? 'a label-only surface reveals no probability'
        : 'a top-k surface hides the probability of every token outside the k most likely, and a hidden score must not be read as a number';
    error(
      BASE,
      'key',
      `text membership scores each text by the probability the model gives every one of its tokens, but surface.scores is ${String(scores)} (set in ${ctx.where(['surface', 'scores'])}): ${why}; describe the surface as full if the deployed API returns the log-probabilities of a given text (as "logprobs" APIs do), or remove probes.text-membership`,
    );
  }
  const attacks = Array.isArray(settings['attacks']) ? (settings['attacks'] as unknown[]) : [];
  const decimals = valueAt(ctx.data, ['surface', 'decimals']);
  attacks.forEach((attack, i) => {
    const path: PolicyPath = [...BASE, 'attacks', i];
    const why = typeof attack === 'string' ? UNROUNDED[attack] : undefined;
    if (why && typeof decimals === 'number') {
      error(
        path,
        'value',
        `attack ${String(attack)} ${why}, so it needs unrounded scores, but surface.decimals is ${decimals} (set in ${ctx.where(['surface', 'decimals'])}); remove ${String(attack)}, or surface.decimals if the API returns full-precision log-probabilities`,
      );
    }
    if (attack === 'reference' && typeof valueAt(ctx.data, ['model', 'reference-model']) !== 'string') {
      error(
        path,
        'value',
        'attack reference compares the target with a reference model, but the policy names none: add model.reference-model (e.g. the base model before fine-tuning, with the same tokenizer), or remove reference',
      );
    }
  });
  fprChecks(ctx, settings);
}

/** The two places an FPR can be written must agree, and a TPR line at or below it is reached by guessing. */
function fprChecks(ctx: CheckContext, settings: PlainObject): void {
  const thresholds = settings['thresholds'];
  const t = isPlainObject(thresholds) ? thresholds['tpr-at-fpr'] : undefined;
  if (!isPlainObject(t)) return;
  const base: PolicyPath = [...BASE, 'thresholds', 'tpr-at-fpr'];
  if (typeof t['fpr'] === 'number' && typeof settings['fpr'] === 'number' && t['fpr'] !== settings['fpr']) {
    ctx.error(
      [...base, 'fpr'],
      'value',
      `${fieldName([...base, 'fpr'])} is ${t['fpr']} but ${fieldName([...BASE, 'fpr'])} is ${settings['fpr']} (set in ${ctx.where([...BASE, 'fpr'])}); the TPR is read at one FPR: give it once, or the same in both`,
    );
    return;
  }
  const fpr = effectiveFpr(settings);
  for (const level of ['warn', 'fail'] as const) {
    const value = t[level];
    if (typeof value === 'number' && value <= fpr) {
      ctx.error(
        [...base, level],
        'key',
        `${level} (${value}) must be above the FPR (${fpr}) for ${fieldName(base)}: a random guess already reaches TPR = FPR`,
      );
    }
  }
}
