/**
 * Membership policy checks: score and reference-model attacks cannot run on a label-only surface
 * (an error), reference-model attacks need `reference-models` (whose files must exist inside
 * the allowed roots), and a TPR-at-FPR threshold at or below its FPR is reached by a random guess.
 * The memberships file's content is checked at run time, once the data files' row counts are
 * known, with errors at the policy line of `reference-models.memberships`.
 */
import { basename } from 'node:path';
import type { CheckContext } from '../../policy/check-context';
import { resolvePathValue } from '../../policy/fields';
import { isPlainObject, type PlainObject } from '../../policy/merge';
import { expandGlob, globProblem, isGlob } from '../../policy/model-glob';
import { policyPathProblem } from '../../policy/paths';
import { fieldName, type PolicyPath } from '../../policy/source';
import { pathProblem } from '../../util/paths';
import { isReferenceAttack, LABEL_ONLY_ATTACKS, REFERENCE_ATTACKS, SCORE_ATTACKS } from './settings';

const BASE: PolicyPath = ['probes', 'membership'];

export function membershipChecks(ctx: CheckContext, membership: PlainObject): void {
  const { error } = ctx;
  const attacks = membership['attacks'];
  referenceChecks(ctx, membership);
  if (isPlainObject(membership['max-increase']) && !isPlainObject(ctx.data['baseline'])) {
    error(
      [...BASE, 'max-increase'],
      'key',
      'max-increase limits the increase over the released model, but the policy names none: add baseline: { model: <released .onnx> } (or report: <its privacy-report.json>)',
    );
  }
  if (ctx.scores === 'label' && Array.isArray(attacks)) {
    const needScores = attacks
      .map((a, i) => ({ a, i }))
      .filter(({ a }) => (SCORE_ATTACKS as readonly unknown[]).includes(a) || isReferenceAttack(a));
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

/** Reference attacks need reference models; their files must exist, inside the roots, with distinct names. */
function referenceChecks(ctx: CheckContext, membership: PlainObject): void {
  const attacks = Array.isArray(membership['attacks']) ? (membership['attacks'] as unknown[]) : [];
  const refs = membership['reference-models'];
  const first = attacks.findIndex(isReferenceAttack);
  if (!isPlainObject(refs)) {
    if (first >= 0) {
      ctx.error(
        [...BASE, 'attacks', first],
        'value',
        `attack ${String(attacks[first])} needs reference models: add probes.membership.reference-models with models (a glob or a list of ONNX files trained like the candidate) and memberships (which model trained on which record)`,
      );
    }
    return;
  }
  const base: PolicyPath = [...BASE, 'reference-models'];
  if (first < 0) {
    ctx.warning(
      base,
      'key',
      `reference-models is set, but no attack uses it; add ${REFERENCE_ATTACKS.join(', ')} to probes.membership.attacks, or remove it`,
    );
  }
  ctx.mustExist([...base, 'memberships'], 'memberships file');
  if (isPlainObject(refs['population'])) {
    ctx.mustExist([...base, 'population', 'path'], 'population data file');
    ctx.knownFormat([...base, 'population']);
  }
  const models = refs['models'];
  const files: Array<{ file: string; path: PolicyPath }> = [];
  if (typeof models === 'string') {
    const path: PolicyPath = [...base, 'models'];
    if (!isGlob(models)) {
      ctx.mustExist(path, 'reference model');
      if (!policyPathProblem(ctx.merged, path, ctx.roots)) files.push({ file: resolvePathValue(ctx.merged, path), path });
    } else if (!policyPathProblem(ctx.merged, path, ctx.roots)) {
      const pattern = resolvePathValue(ctx.merged, path);
      const problem = globProblem(pattern);
      const matches = problem ? [] : expandGlob(pattern);
      if (problem) ctx.error(path, 'value', `reference models: ${problem}`);
      else if (matches.length === 0) ctx.error(path, 'value', `no file matches the reference models' glob ${pattern}`);
      for (const file of matches) {
        // A match may be a link out of the roots.
        const outside = pathProblem(file, ctx.roots);
        if (outside) ctx.error(path, 'value', outside);
        else files.push({ file, path });
      }
    }
  } else if (Array.isArray(models)) {
    models.forEach((m, i) => {
      const path: PolicyPath = [...base, 'models', i];
      const outside = typeof m === 'string' ? policyPathProblem(ctx.merged, path, ctx.roots) : undefined;
      if (outside) ctx.error(path, 'value', outside);
      else {
        ctx.mustExist(path, 'reference model');
        if (typeof m === 'string') files.push({ file: resolvePathValue(ctx.merged, path), path });
      }
    });
  }
  // The memberships file names models by file name, so two models may not share one.
  const seen = new Map<string, string>();
  for (const { file, path } of files) {
    const name = basename(file);
    const other = seen.get(name);
    if (other !== undefined && other !== file) {
      ctx.error(
        path,
        'value',
        `two reference models share the file name ${name} (${other} and ${file}); the memberships file names models by file name`,
      );
    }
    seen.set(name, file);
  }
}
