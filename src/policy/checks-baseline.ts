/**
 * `baseline` (the released model to compare with): exactly one of `model` and `report`, a file
 * that exists (inside the allowed roots: pathChecks), and only where a comparison is made: the
 * membership probe of a classifier. A baseline nothing is compared on is a warning, not silence.
 */
import type { CheckContext } from './check-context';
import { isPlainObject, valueAt } from './merge';

export function baselineChecks(ctx: CheckContext): void {
  const baseline = valueAt(ctx.data, ['baseline']);
  if (!isPlainObject(baseline)) return;
  const hasModel = typeof baseline['model'] === 'string';
  const hasReport = typeof baseline['report'] === 'string';
  if (hasModel && hasReport) {
    ctx.error(
      ['baseline', 'report'],
      'key',
      'set baseline.model or baseline.report, not both: with the released model at hand the comparison is paired (the report would be ignored)',
    );
  } else if (!hasModel && !hasReport) {
    ctx.error(['baseline'], 'key', 'baseline needs model (the released ONNX file) or report (an earlier privacy-report.json of it)');
  }
  if (hasModel) ctx.mustExist(['baseline', 'model'], 'baseline model');
  if (hasReport) ctx.mustExist(['baseline', 'report'], 'baseline report');
  if (ctx.task !== 'classification') {
    ctx.error(
      ['baseline'],
      'key',
      `baseline compares the membership probe of a classifier with the released model, but model.task is ${String(ctx.task)}`,
    );
  } else if (!isPlainObject(valueAt(ctx.data, ['probes', 'membership']))) {
    ctx.warning(
      ['baseline'],
      'key',
      'baseline is set but the membership probe does not run, so nothing is compared with the released model',
    );
  }
}
