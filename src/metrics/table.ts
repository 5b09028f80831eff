/**
 * The one sort behind every ranking metric: member and non-member scores grouped by distinct
 * score, from the highest score down, with cumulative counts.
 *
 * Why one shared table: ROC, AUC (with its DeLong variance), advantage, TPR at FPR, PPV and the
 * ε lower bound are all functions of "how many members / non-members score at least t" for the
 * distinct scores t. Building that once costs two radix sorts (./sort: linear, with classes
 * carried along when per-class tables are wanted) plus one linear merge; every metric after that
 * is a linear scan. Ties are kept together as one level, which is what makes "ties count ½" in the
 * AUC and "never split a tie" in threshold choices exact.
 *
 * Convention: higher score = more likely a member; a threshold t predicts "member" when
 * score ≥ t.
 */
import { scratch } from './scratch';
import { sortFloat64, splitByLabel } from './sort';

export interface ScoreTable {
  /** m: number of member scores. */
  readonly members: number;
  /** n: number of non-member scores. */
  readonly nonMembers: number;
  /** The distinct scores, strictly decreasing. */
  readonly thresholds: Float64Array;
  /** tp[j]: members with score ≥ thresholds[j] (non-decreasing, ends at m). Counts fit 32 bits: half the memory of float64. */
  readonly tp: Uint32Array;
  /** fp[j]: non-members with score ≥ thresholds[j] (non-decreasing, ends at n). */
  readonly fp: Uint32Array;
}

/**
 * Sorts and groups the scores once.
 * @throws RangeError when either side is empty, or a score is NaN or +Infinity (+Infinity is
 * reserved for the "predict no one" threshold; −Infinity, e.g. the score of an infinite loss, is
 * allowed).
 */
export function buildScoreTable(member: ArrayLike<number>, nonMember: ArrayLike<number>): ScoreTable {
  const x = checkedCopy(member, 'member', scratch('table:member', Float64Array, member.length));
  const y = checkedCopy(nonMember, 'non-member', scratch('table:non-member', Float64Array, nonMember.length));
  sortFloat64(x);
  sortFloat64(y);
  return mergeSorted(x, y);
}

/** The table of all scores and one table per class, every one as {@link buildScoreTable} would build it. */
export interface ClassTables {
  all: ScoreTable;
  /** By class; undefined when the class has no member or no non-member score. */
  byClass: Array<ScoreTable | undefined>;
}

/**
 * The overall table plus each class's table (the scores whose class is c), from one sort per
 * side: the scores are sorted with their classes carried along, and a stable split by class
 * then yields every class's scores already sorted, so no class is sorted again.
 * @throws RangeError as {@link buildScoreTable}, or when a class is not an integer in
 * [0, classCount) or the class arrays' lengths differ from the scores'.
 */
export function buildClassTables(
  member: ArrayLike<number>,
  memberClasses: Int32Array,
  nonMember: ArrayLike<number>,
  nonMemberClasses: Int32Array,
  classCount: number,
): ClassTables {
  const x = checkedCopy(member, 'member', scratch('table:member', Float64Array, member.length));
  const y = checkedCopy(nonMember, 'non-member', scratch('table:non-member', Float64Array, nonMember.length));
  if (memberClasses.length !== x.length || nonMemberClasses.length !== y.length) {
    throw new RangeError('every score needs exactly one class');
  }
  const xc = scratch('table:member-classes', Int32Array, x.length);
  xc.set(memberClasses);
  const yc = scratch('table:non-member-classes', Int32Array, y.length);
  yc.set(nonMemberClasses);
  sortFloat64(x, xc);
  sortFloat64(y, yc);
  const xs = splitByLabel(x, xc, classCount, scratch('table:member-split', Float64Array, x.length));
  const ys = splitByLabel(y, yc, classCount, scratch('table:non-member-split', Float64Array, y.length));
  const byClass: Array<ScoreTable | undefined> = [];
  for (let c = 0; c < classCount; c++) {
    const xg = xs.values.subarray(xs.starts[c]!, xs.starts[c + 1]!);
    const yg = ys.values.subarray(ys.starts[c]!, ys.starts[c + 1]!);
    byClass.push(xg.length > 0 && yg.length > 0 ? mergeSorted(xg, yg) : undefined);
  }
  return { all: mergeSorted(x, y), byClass };
}

/**
 * Groups two ascending, non-empty, NaN-free arrays (no −0) into the table. The levels are
 * counted first so the table's arrays are allocated at their final size: fresh memory costs a
 * page fault per 4 KiB on first touch, more than the extra pass over sorted data.
 */
function mergeSorted(x: Float64Array, y: Float64Array): ScoreTable {
  const levels = countLevels(x, y);
  const thresholds = new Float64Array(levels);
  const tp = new Uint32Array(levels);
  const fp = new Uint32Array(levels);
  // Merge from the top of both ascending arrays, one output row per distinct score.
  let i = x.length - 1;
  let k = y.length - 1;
  let ctp = 0;
  let cfp = 0;
  for (let d = 0; d < levels; d++) {
    const v = i < 0 ? y[k]! : k < 0 ? x[i]! : Math.max(x[i]!, y[k]!);
    while (i >= 0 && x[i] === v) {
      i--;
      ctp++;
    }
    while (k >= 0 && y[k] === v) {
      k--;
      cfp++;
    }
    thresholds[d] = v;
    tp[d] = ctp;
    fp[d] = cfp;
  }
  return { members: x.length, nonMembers: y.length, thresholds, tp, fp };
}

/** Distinct values in the union of two ascending arrays. */
function countLevels(x: Float64Array, y: Float64Array): number {
  let i = x.length - 1;
  let k = y.length - 1;
  let levels = 0;
  while (i >= 0 || k >= 0) {
    const v = i < 0 ? y[k]! : k < 0 ? x[i]! : Math.max(x[i]!, y[k]!);
    while (i >= 0 && x[i] === v) i--;
    while (k >= 0 && y[k] === v) k--;
    levels++;
  }
  return levels;
}

/** A copy to sort (into `out`), checked for NaN and +Infinity, with −0 read as +0 so equal scores group together. */
function checkedCopy(scores: ArrayLike<number>, name: string, out: Float64Array): Float64Array {
  const len = scores.length;
  if (len === 0) {
    throw new RangeError(`${name} scores are empty: ranking metrics need at least one member and one non-member score`);
  }
  for (let i = 0; i < len; i++) {
    const v = scores[i]!;
    if (Number.isNaN(v)) throw new RangeError(`${name} score at index ${i} is NaN`);
    if (v === Infinity) {
      throw new RangeError(`${name} score at index ${i} is +Infinity; clip scores to a finite maximum`);
    }
    out[i] = v + 0;
  }
  return out;
}
