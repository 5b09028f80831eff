/**
 * The output surface. `top-k` with a surface other than `top-k`, and `decimals` or `precision`
 * with `scores: label`, are warnings: the setting is ignored, and what is measured (the surface
 * as declared) is never less than what the ignored setting would reveal, so nothing is measured
 * too leniently. `scores: top-k` without `top-k` is an error: how many scores are revealed
 * changes the result. A regression model reveals a value, not class scores.
 */
import type { CheckContext } from './check-context';
import { isPlainObject, valueAt } from './merge';

export function surfaceChecks(ctx: CheckContext): void {
  const { error, warning, scores } = ctx;
  const surface = valueAt(ctx.data, ['surface']);
  if (isPlainObject(surface)) {
    if (surface['top-k'] !== undefined && scores !== 'top-k') {
      warning(
        ['surface', 'top-k'],
        'key',
        `top-k is ignored because surface.scores is ${String(scores)}, not top-k; set scores: top-k if the deployed model reveals only the top ${typeof surface['top-k'] === 'number' ? surface['top-k'] : 'k'} scores, or remove top-k`,
      );
    }
    if (scores === 'top-k' && surface['top-k'] === undefined) {
      error(
        ['surface', 'scores'],
        'value',
        'surface.scores is top-k but top-k is not set; add e.g. top-k: 3 (how many of the highest scores the deployed model reveals)',
        ['surface', 'top-k'],
      );
    }
    if (surface['decimals'] !== undefined && scores === 'label') {
      warning(
        ['surface', 'decimals'],
        'key',
        'decimals is ignored because surface.scores is label, which reveals no scores; remove decimals, or set scores: full or top-k if the deployed model reveals rounded scores',
      );
    }
    if (surface['precision'] === 'float32' && scores === 'label') {
      warning(
        ['surface', 'precision'],
        'key',
        'precision is ignored because surface.scores is label, which reveals no scores; remove precision, or set scores: full or top-k if the deployed model reveals float32 scores',
      );
    }
  }
  const written = valueAt(ctx.data, ['surface', 'scores']);
  if (ctx.task === 'regression' && (written === 'top-k' || written === 'label')) {
    error(
      ['surface', 'scores'],
      'value',
      `surface.scores ${written} describes class scores, but model.task is regression (set in ${ctx.where(['model', 'task'])}): a regression model reveals its predicted value; use scores: full, with decimals if the deployed model rounds the value`,
    );
  }
}
