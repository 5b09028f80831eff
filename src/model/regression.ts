/**
 * Regression models (`model.task: regression`): what their surface reveals and how their data's
 * label column becomes numeric targets. Pure; the ONNX side lives in onnx.ts.
 *
 * A regression API reveals the predicted value itself; the only surface setting that applies is
 * `decimals` (rounding). `top-k` and `label` describe class scores and are rejected by the
 * policy checks for regression models.
 */
import type { Dataset } from '../data/types';
import { InputError } from '../errors';
import type { SurfaceSettings } from '../policy/types';
import { roundToDecimals } from './reveal';
import type { Classifier, Regressor, Target } from './types';

export function isRegressor(model: Target): model is Regressor {
  return (model as Regressor).task === 'regression';
}

export function isClassifier(model: Target): model is Classifier {
  return !isRegressor(model);
}

/** The predicted values as the surface reveals them: rounded to `decimals` when it is set. */
export function observeValues(values: Float32Array, surface: SurfaceSettings): Float32Array {
  const out = values.slice();
  if (surface.decimals === undefined) return out;
  const decimals = surface.decimals;
  for (let i = 0; i < out.length; i++) out[i] = roundToDecimals(out[i]!, decimals);
  return out;
}

/**
 * The label column of a regression dataset as numbers (the true targets). A cell that is not a
 * finite number is the user's mistake, reported with its row.
 */
export function numericTargets(data: Dataset, labelColumn: string): Float64Array {
  const targets = new Float64Array(data.rows);
  for (let r = 0; r < data.rows; r++) {
    const text = data.labels[r]!.trim();
    const value = text === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) {
      throw new InputError(
        `label "${data.labels[r]}" in column "${labelColumn}" (row ${r + 1} of the ${data.role} used) is not a number; a regression model (model.task: regression) needs a numeric target in every row`,
        { file: data.file, field: labelColumn },
      );
    }
    targets[r] = value;
  }
  return targets;
}
