/**
 * The one sort behind every ranking metric: member and non-member scores grouped by distinct
 * score, from the highest score down, with cumulative counts.
 *
 * Why one shared table: ROC, AUC (with its DeLong variance), advantage, TPR at FPR, PPV and the
 * ε lower bound are all functions of "how many members / non-members score at least t" for the
 * distinct scores t. Building that once costs two typed-array sorts (native, numeric, far faster
 * than sorting indices with a comparator) plus one linear merge, i.e. O(N log N) for N = m + n;
 * every metric after that is a linear scan. Ties are kept together as one level, which is what
 * makes "ties count ½" in the AUC and "never split a tie" in threshold choices exact.
 *
 * Convention: higher score = more likely a member; a threshold t predicts "member" when
 * score ≥ t.
 */

export interface ScoreTable {
  /** m: number of member scores. */
  readonly members: number;
  /** n: number of non-member scores. */
  readonly nonMembers: number;
  /** The distinct scores, strictly decreasing. */
  readonly thresholds: Float64Array;
  /** tp[j]: members with score ≥ thresholds[j] (non-decreasing, ends at m). */
  readonly tp: Float64Array;
  /** fp[j]: non-members with score ≥ thresholds[j] (non-decreasing, ends at n). */
  readonly fp: Float64Array;
}

/**
 * Sorts and groups the scores once.
 * @throws RangeError when either side is empty, or a score is NaN or +Infinity (+Infinity is
 * reserved for the "predict no one" threshold; −Infinity, e.g. the score of an infinite loss, is
 * allowed).
 */
export function buildScoreTable(member: ArrayLike<number>, nonMember: ArrayLike<number>): ScoreTable {
  const x = sortedCopy(member, 'member');
  const y = sortedCopy(nonMember, 'non-member');
  const cap = x.length + y.length;
  const thresholds = new Float64Array(cap);
  const tp = new Float64Array(cap);
  const fp = new Float64Array(cap);
  // Merge from the top of both ascending arrays, one output row per distinct score.
  let i = x.length - 1;
  let k = y.length - 1;
  let ctp = 0;
  let cfp = 0;
  let d = 0;
  while (i >= 0 || k >= 0) {
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
    d++;
  }
  return {
    members: x.length,
    nonMembers: y.length,
    thresholds: thresholds.slice(0, d),
    tp: tp.slice(0, d),
    fp: fp.slice(0, d),
  };
}

function sortedCopy(scores: ArrayLike<number>, name: string): Float64Array {
  const len = scores.length;
  if (len === 0) {
    throw new RangeError(`${name} scores are empty: ranking metrics need at least one member and one non-member score`);
  }
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const v = scores[i]!;
    if (Number.isNaN(v)) throw new RangeError(`${name} score at index ${i} is NaN`);
    if (v === Infinity) {
      throw new RangeError(`${name} score at index ${i} is +Infinity; clip scores to a finite maximum`);
    }
    out[i] = v + 0; // −0 → +0 so equal scores group together
  }
  return out.sort();
}
