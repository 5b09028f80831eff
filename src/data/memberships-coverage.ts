/**
 * Does each reference-model attack have the memberships it needs? Pure: returns the problems
 * (empty when every attack can run), so the policy layer can report them at the policy line.
 *
 * - LiRA online: every audited record IN for at least one model and OUT for at least one
 *   (src/metrics/lira.ts throws otherwise).
 * - LiRA offline and RMIA (offline or online): every record OUT for at least one model
 *   (RMIA online falls back to the offline formula for a record with no IN model).
 * - Recipe level: at least 2 models, and with each model held out as the target, the others
 *   still cover every record for the attack (checked for every hold-out).
 */
import { IN, OUT, type MembershipMatrix } from '../metrics/reference-signals';
import { recordName } from './memberships';

export type ReferenceAttackName = 'lira' | 'lira-offline' | 'rmia';

export interface CoverageProblem {
  attack: ReferenceAttackName;
  /** What is missing: no IN model, no OUT model, too few models for a recipe-level estimate. */
  kind: 'no-in' | 'no-out' | 'too-few-models';
  /** Audited record indices concerned (0-based, into members then non-members), at most 20. */
  records: number[];
  /** How many records are concerned in all. */
  count: number;
  /** The model held out as the target when the problem appears (recipe level). */
  heldOut?: number;
  /** One sentence for the user. */
  message: string;
}

export interface CoverageOptions {
  /** Records the attack scores (indices into the matrix); default all. */
  audited?: ArrayLike<number>;
  /** Members rows in the matrix (to name records "members row i"); default: all are called records. */
  members?: number;
  /** Also check that each model can play the target against the others. */
  recipeLevel?: boolean;
}

const SHOWN = 20;

export function checkCoverage(
  matrix: MembershipMatrix,
  attacks: readonly ReferenceAttackName[],
  options: CoverageOptions = {},
): CoverageProblem[] {
  const audited = options.audited ?? Array.from({ length: matrix.records }, (_, i) => i);
  const problems: CoverageProblem[] = [];
  for (const attack of attacks) {
    problems.push(...sideProblems(matrix, attack, audited, options.members, undefined));
    if (!options.recipeLevel) continue;
    if (matrix.models < 2) {
      problems.push({
        attack,
        kind: 'too-few-models',
        records: [],
        count: 0,
        message: `${attack}: a recipe-level estimate needs at least 2 reference models; found ${matrix.models}`,
      });
      continue;
    }
    for (let k = 0; k < matrix.models; k++) {
      const found = sideProblems(matrix, attack, audited, options.members, k);
      if (found.length) {
        problems.push(...found);
        break; // one hold-out is enough to tell the user
      }
    }
  }
  return problems;
}

function sideProblems(
  m: MembershipMatrix,
  attack: ReferenceAttackName,
  audited: ArrayLike<number>,
  members: number | undefined,
  heldOut: number | undefined,
): CoverageProblem[] {
  const needs: Array<{ side: number; kind: 'no-in' | 'no-out' }> = [{ side: OUT, kind: 'no-out' }];
  if (attack === 'lira') needs.unshift({ side: IN, kind: 'no-in' });
  const problems: CoverageProblem[] = [];
  for (const { side, kind } of needs) {
    const lacking: number[] = [];
    let count = 0;
    for (let i = 0; i < audited.length; i++) {
      const r = audited[i]!;
      let found = false;
      for (let k = 0; k < m.models && !found; k++) if (k !== heldOut && m.values[k * m.records + r] === side) found = true;
      if (!found) {
        count++;
        if (lacking.length < SHOWN) lacking.push(r);
      }
    }
    if (count === 0) continue;
    const name = (r: number) => (members === undefined ? `record ${r + 1}` : recordName(r, members));
    const shown = lacking.slice(0, 3).map(name).join(', ') + (count > 3 ? `, and ${count - 3} more` : '');
    const what = kind === 'no-in' ? 'IN (trained on it)' : 'OUT (never saw it)';
    const context = heldOut === undefined ? '' : ` when reference model ${heldOut + 1} plays the target (recipe level)`;
    problems.push({
      attack,
      kind,
      records: lacking,
      count,
      ...(heldOut === undefined ? {} : { heldOut }),
      message: `${attack} needs every audited record ${what} for at least one reference model${context}; ${count} record${count === 1 ? ' is' : 's are'} not: ${shown}`,
    });
  }
  return problems;
}
