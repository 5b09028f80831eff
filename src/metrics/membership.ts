/**
 * Membership-inference metrics from member and non-member attack scores, each with an
 * interval, all derived from one sort (see {@link buildScoreTable}).
 *
 * Scores: higher = more likely a member; a threshold t predicts "member" when score ≥ t.
 * m = number of member scores, n = number of non-member scores, α = 1 − confidence.
 *
 * - auc: Mann–Whitney AUC with ties ½ and DeLong interval (see ./auc).
 * - advantage: max over thresholds of TPR − FPR (Yeom, Giacomelli, Fredrikson & Jha 2018,
 *   "Privacy Risk in Machine Learning: Analyzing the Connection to Overfitting", CSF), the
 *   attacker's gain over guessing. Its threshold is chosen on the same data, so a pointwise
 *   binomial interval would be too narrow. Instead a uniform band: by the DKW inequality with
 *   Massart's constant (Dvoretzky, Kiefer & Wolfowitz 1956; Massart 1990), with probability
 *   ≥ 1 − a, sup_t |F̂_k(t) − F(t)| ≤ sqrt(ln(2/a) / (2k)) for a sample of size k. With a = α/2
 *   for each of the two samples, every threshold's TPR − FPR is within ε_m + ε_n of the truth
 *   simultaneously, hence so is the maximum: ci = [max(0, v − ε_m − ε_n), min(1, v + ε_m + ε_n)].
 * - tprAtFpr: the low-FPR operating point that Carlini et al. 2022 ("Membership Inference
 *   Attacks From First Principles", IEEE S&P) argue is what matters. The threshold is the
 *   lowest distinct score whose empirical FPR does not exceed the target (a tie is never split,
 *   so the target is never exceeded). Its TPR equals that of the rule "score > y*", y* being
 *   the highest non-member score level whose inclusion would exceed the target, a rule fixed
 *   by the non-member scores alone. When only "predict no one" meets the target the threshold
 *   is +Infinity, TPR = 0 and achievedFpr = 0. CI: two-sided Clopper–Pearson on tp/m (it does
 *   not account for the threshold's own sampling error: read achievedFpr alongside).
 * - ppv: precision at the tprAtFpr threshold under equal priors, TPR / (TPR + FPR) (equal to
 *   TP / (TP + FP) when m = n); null when no one is predicted a member. CI: when m = n,
 *   Clopper–Pearson on tp out of tp + fp; when m ≠ n that count is not the equal-prior
 *   precision, so the interval is the Bonferroni ratio bound [TPR_lo / (TPR_lo + FPR_hi),
 *   TPR_hi / (TPR_hi + FPR_lo)] from two-sided Clopper–Pearson intervals at level α/2 each
 *   (PPV increases with TPR and decreases with FPR). [0, 1] when null.
 * - epsilonLowerBound: Jagielski, Ullman & Oprea 2020, "Auditing Differentially Private
 *   Machine Learning: How Private is Private SGD?", NeurIPS. An (ε, δ)-DP mechanism forces
 *   every test to satisfy TPR ≤ e^ε·FPR + δ and TNR ≤ e^ε·FNR + δ (Kairouz, Oh & Viswanath
 *   2015), so with a lower bound on TPR and an upper bound on FPR,
 *   ε ≥ max( ln((TPR_lo − δ) / FPR_hi), ln((TNR_lo − δ) / FNR_hi) ),
 *   where TNR_lo = 1 − FPR_hi and FNR_hi = 1 − TPR_lo (so two bounds per threshold suffice).
 *   Candidate thresholds: at most maxThresholds distinct scores at the pooled-score quantiles
 *   i/(T+1) (labels unused, deterministic), excluding the lowest score (which predicts everyone
 *   a member and can never give a positive bound). Searching the T candidates for the best one
 *   is paid for by Bonferroni: each of the 2T one-sided Clopper–Pearson bounds is taken at
 *   level α/(2T), so the reported bound holds with probability ≥ 1 − α overall. Candidates
 *   whose point estimate has TPR ≤ FPR cannot give a positive bound and skip the beta
 *   quantiles (they still count in T), as do candidates that provably cannot beat the best
 *   bound found (see epsilonFromTable; the result is that of trying all). The candidates depend on the pooled scores but not on
 *   which side each score came from; like common practice, the union bound treats them as fixed
 *   (Jagielski et al. pick the threshold on separate data, the strictest alternative).
 *   value = max over candidates, floored at 0; threshold = the candidate with the largest
 *   lower bound (ties, e.g. when no bound is positive, go to the larger plug-in estimate);
 *   tail = which of the two logarithms gave it (`high`: TPR/FPR above the threshold, `low`:
 *   TNR/FNR below it), so a report can say where the evidence sits.
 *   ci = [value, plug-in ε at the chosen threshold]; the plug-in uses the Jeffreys posterior
 *   means (k + ½)/(N + 1) for TPR and FPR so it stays finite (no ln 0, no division by 0), is
 *   floored at 0 and never reported below value. The plug-in is an estimate, not an upper bound.
 */
import { checkConfidence, clopperPearson, clopperPearsonOneSided, type Interval } from './binomial';
import { aucFromTable } from './auc';
import { downsampleIndices, rocFromTable, type RocPoint } from './roc';
import { buildScoreTable, type ScoreTable } from './table';

export interface MembershipOptions {
  /** Target false-positive rate for tprAtFpr and ppv, in [0, 1] (e.g. 0.001). */
  fpr: number;
  /** Confidence level of every interval, in (0, 1) (e.g. 0.95). */
  confidence: number;
  /** δ of the (ε, δ)-DP audit, in [0, 1). Default 0. */
  delta?: number;
  /** Most candidate thresholds for the ε bound (Bonferroni cost grows with it). Default 64. */
  maxThresholds?: number;
}

export interface MembershipMetrics {
  members: number;
  nonMembers: number;
  auc: { value: number; ci: Interval };
  advantage: { value: number; ci: Interval; threshold: number; atOrAbove: AtOrAbove };
  tprAtFpr: { value: number; ci: Interval; fpr: number; threshold: number; achievedFpr: number; atOrAbove: AtOrAbove };
  ppv: { value: number | null; ci: Interval; threshold: number };
  epsilonLowerBound: {
    value: number;
    ci: Interval;
    threshold: number;
    thresholdsTried: number;
    atOrAbove: AtOrAbove;
    /**
     * Which inequality gave the bound: `high` from the records at or above the threshold
     * (TPR against FPR), `low` from those below it (TNR against FNR: non-members the model fits
     * worst, with almost no member among them). null when no bound is positive.
     */
    tail: 'high' | 'low' | null;
  };
  /** The records sharing the highest score: no threshold can separate them (e.g. p_y = 1 in float32). */
  topTie: { score: number } & AtOrAbove;
  /** The ROC curve thinned to at most {@link ROC_PLOT_POINTS} points, log-spaced in FPR. */
  rocPoints: RocPoint[];
}

/** Members and non-members scoring at or above a threshold (the counts behind its rates). */
export interface AtOrAbove {
  members: number;
  nonMembers: number;
}

export const ROC_PLOT_POINTS = 200;
export const DEFAULT_MAX_THRESHOLDS = 64;

/**
 * All membership metrics for one attack.
 * @throws RangeError on empty inputs, NaN / +Infinity scores, or options out of range.
 */
export function membershipMetrics(member: ArrayLike<number>, nonMember: ArrayLike<number>, options: MembershipOptions): MembershipMetrics {
  checkOptions(options);
  return membershipMetricsFromTable(buildScoreTable(member, nonMember), options);
}

/**
 * All membership metrics from an already built table (e.g. the `all` table of
 * {@link buildClassTables}, whose per-class tables feed {@link rankingMetricsFromTable}).
 * @throws RangeError on options out of range.
 */
export function membershipMetricsFromTable(table: ScoreTable, options: MembershipOptions): MembershipMetrics {
  checkOptions(options);
  const { fpr, confidence } = options;
  const delta = options.delta ?? 0;
  const maxThresholds = options.maxThresholds ?? DEFAULT_MAX_THRESHOLDS;
  const { members: m, nonMembers: n, fp } = table;
  const aucEstimate = aucFromTable(table, confidence);
  const { tp: opTp, fp: opFp, ...operating } = tprAtFprFromTable(table, fpr, confidence);
  const rocIdx = downsampleIndices(table.thresholds.length + 1, (r) => (r === 0 ? 0 : fp[r - 1]! / n), ROC_PLOT_POINTS);
  return {
    members: m,
    nonMembers: n,
    auc: { value: aucEstimate.value, ci: aucEstimate.ci },
    advantage: advantageFromTable(table, confidence),
    tprAtFpr: operating,
    ppv: ppvAt(table, opTp, opFp, operating.threshold, confidence),
    epsilonLowerBound: epsilonFromTable(table, confidence, delta, maxThresholds),
    topTie: { score: table.thresholds[0]!, members: table.tp[0]!, nonMembers: table.fp[0]! },
    rocPoints: rocFromTable(table, rocIdx),
  };
}

/** Options are checked before the sort, so a bad option fails fast whatever the scores. */
function checkOptions(options: MembershipOptions): void {
  const { fpr, confidence } = options;
  const delta = options.delta ?? 0;
  const maxThresholds = options.maxThresholds ?? DEFAULT_MAX_THRESHOLDS;
  if (!(fpr >= 0 && fpr <= 1)) throw new RangeError(`fpr must be in [0, 1], got ${fpr}`);
  checkConfidence(confidence);
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`delta must be in [0, 1), got ${delta}`);
  if (!Number.isSafeInteger(maxThresholds) || maxThresholds < 1) {
    throw new RangeError(`maxThresholds must be an integer ≥ 1, got ${maxThresholds}`);
  }
}

export type RankingMetrics = Pick<MembershipMetrics, 'members' | 'nonMembers' | 'auc' | 'advantage'>;

/**
 * Just AUC and advantage, for breakdowns (per class) where the operating-point metrics and the
 * ε search would cost more than they tell on a small subset.
 */
export function rankingMetrics(member: ArrayLike<number>, nonMember: ArrayLike<number>, confidence: number): RankingMetrics {
  checkConfidence(confidence);
  return rankingMetricsFromTable(buildScoreTable(member, nonMember), confidence);
}

/** {@link rankingMetrics} from an already built table (e.g. a class's table from {@link buildClassTables}). */
export function rankingMetricsFromTable(table: ScoreTable, confidence: number): RankingMetrics {
  checkConfidence(confidence);
  const aucEstimate = aucFromTable(table, confidence);
  return {
    members: table.members,
    nonMembers: table.nonMembers,
    auc: { value: aucEstimate.value, ci: aucEstimate.ci },
    advantage: advantageFromTable(table, confidence),
  };
}

/** Max of TPR − FPR over all thresholds (the endpoints give 0) with the DKW band. */
function advantageFromTable(table: ScoreTable, confidence: number): MembershipMetrics['advantage'] {
  const { members: m, nonMembers: n, thresholds, tp, fp } = table;
  // Compare tp·n − fp·m in exact integer arithmetic (< 2^53), so ties pick the strictest threshold.
  let best = 0;
  let threshold = Infinity;
  const atOrAbove: AtOrAbove = { members: 0, nonMembers: 0 };
  for (let j = 0; j < thresholds.length; j++) {
    const gain = tp[j]! * n - fp[j]! * m;
    if (gain > best) {
      best = gain;
      threshold = thresholds[j]!;
      atOrAbove.members = tp[j]!;
      atOrAbove.nonMembers = fp[j]!;
    }
  }
  const value = best / (m * n);
  const a = (1 - confidence) / 2;
  const band = Math.sqrt(Math.log(2 / a) / (2 * m)) + Math.sqrt(Math.log(2 / a) / (2 * n));
  return { value, ci: [Math.max(0, value - band), Math.min(1, value + band)], threshold, atOrAbove };
}

type OperatingPoint = MembershipMetrics['tprAtFpr'] & { tp: number; fp: number };

function tprAtFprFromTable(table: ScoreTable, target: number, confidence: number): OperatingPoint {
  const { members: m, nonMembers: n, thresholds, tp, fp } = table;
  // Largest false-positive count allowed; the tiny slack absorbs rounding in target·n (0.29·100).
  const allowed = Math.floor(target * n + 1e-9);
  let j = -1; // −1: only "predict no one" meets the target
  while (j + 1 < thresholds.length && fp[j + 1]! <= allowed) j++;
  const tpj = j < 0 ? 0 : tp[j]!;
  const fpj = j < 0 ? 0 : fp[j]!;
  return {
    value: tpj / m,
    ci: clopperPearson(tpj, m, confidence),
    fpr: target,
    threshold: j < 0 ? Infinity : thresholds[j]!,
    achievedFpr: fpj / n,
    atOrAbove: { members: tpj, nonMembers: fpj },
    tp: tpj,
    fp: fpj,
  };
}

function ppvAt(table: ScoreTable, tp: number, fp: number, threshold: number, confidence: number): MembershipMetrics['ppv'] {
  const { members: m, nonMembers: n } = table;
  if (tp + fp === 0) return { value: null, ci: [0, 1], threshold };
  const tpr = tp / m;
  const fpr = fp / n;
  const value = tpr / (tpr + fpr);
  if (m === n) return { value, ci: clopperPearson(tp, tp + fp, confidence), threshold };
  const half = 1 - (1 - confidence) / 2;
  const [tLo, tHi] = clopperPearson(tp, m, half);
  const [fLo, fHi] = clopperPearson(fp, n, half);
  const lo = tLo + fHi > 0 ? tLo / (tLo + fHi) : 0;
  const hi = tHi + fLo > 0 ? tHi / (tHi + fLo) : 1;
  return { value, ci: [lo, hi], threshold };
}

function epsilonFromTable(
  table: ScoreTable,
  confidence: number,
  delta: number,
  maxThresholds: number,
): MembershipMetrics['epsilonLowerBound'] {
  const { members: m, nonMembers: n, thresholds, tp, fp } = table;
  const candidates = candidateLevels(table, maxThresholds);
  const T = candidates.length;
  if (T === 0) {
    return { value: 0, ci: [0, 0], threshold: Infinity, thresholdsTried: 0, atOrAbove: { members: 0, nonMembers: 0 }, tail: null };
  }
  const perBound = 1 - (1 - confidence) / (2 * T);
  const bounds = new Float64Array(T).fill(-Infinity);
  const tails: Array<'high' | 'low'> = new Array<'high' | 'low'>(T).fill('high');
  const plugIns = candidates.map((j) => epsilonFromRates((tp[j]! + 0.5) / (m + 1), (fp[j]! + 0.5) / (n + 1), delta));
  // The beta quantiles are the costly part. A lower bound is below its point estimate and an
  // upper bound above it, so ε computed from the point estimates TPR = k1/m, FPR = k0/n is a
  // ceiling on the candidate's bound. Visiting candidates by falling ceiling, the search stops
  // at the first one whose ceiling is below the best bound found: it and all after it lose on
  // the bound. The slack (far below the gap between an exact bound and its point estimate)
  // covers rounding, so the result is exactly that of trying every candidate.
  const open: number[] = [];
  const ceilings = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const k1 = tp[candidates[i]!]!;
    const k0 = fp[candidates[i]!]!;
    if (k1 * n <= k0 * m) continue; // TPR ≤ FPR: no positive bound; the bound stays −Infinity
    ceilings[i] = k0 === 0 || k1 === m ? Infinity : epsilonFromRates(k1 / m, k0 / n, delta);
    open.push(i);
  }
  open.sort((a, b) => ceilings[b]! - ceilings[a]! || a - b);
  let best = -Infinity;
  const loses = (ceiling: number) => ceiling + 1e-9 * (1 + Math.abs(best)) < best;
  for (const i of open) {
    if (loses(ceilings[i]!)) break;
    const k0 = fp[candidates[i]!]!;
    const tprLo = clopperPearsonOneSided(tp[candidates[i]!]!, m, perBound, 'lower');
    // With the TPR bound known, the FPR point estimate gives a tighter ceiling.
    if (k0 > 0 && loses(epsilonFromRates(tprLo, k0 / n, delta))) continue;
    const fprHi = clopperPearsonOneSided(k0, n, perBound, 'upper');
    bounds[i] = epsilonFromRates(tprLo, fprHi, delta);
    if (bounds[i]! > highTail(tprLo, fprHi, delta)) tails[i] = 'low';
    best = Math.max(best, bounds[i]!);
  }
  // The largest bound wins, ties go to the larger plug-in, then to the first candidate.
  let pick = 0;
  for (let i = 1; i < T; i++) {
    if (bounds[i]! > bounds[pick]! || (bounds[i] === bounds[pick] && plugIns[i]! > plugIns[pick]!)) pick = i;
  }
  const value = Math.max(0, bounds[pick]!);
  const level = candidates[pick]!;
  return {
    value,
    ci: [value, Math.max(value, plugIns[pick]!)],
    threshold: thresholds[level]!,
    thresholdsTried: T,
    atOrAbove: { members: tp[level]!, nonMembers: fp[level]! },
    tail: value > 0 ? tails[pick]! : null,
  };
}

/** ln((TPR − δ)/FPR): the bound from the records at or above the threshold; −Infinity when undefined. */
function highTail(tpr: number, fpr: number, delta: number): number {
  return tpr - delta > 0 && fpr > 0 ? Math.log((tpr - delta) / fpr) : -Infinity;
}

/** max(ln((TPR − δ)/FPR), ln((1 − FPR − δ)/(1 − TPR))); −Infinity when neither is defined. */
function epsilonFromRates(tpr: number, fpr: number, delta: number): number {
  let e = highTail(tpr, fpr, delta);
  // The low tail: TNR against FNR, the same inequality for the records below the threshold.
  if (1 - fpr - delta > 0 && 1 - tpr > 0) e = Math.max(e, Math.log((1 - fpr - delta) / (1 - tpr)));
  return e;
}

/**
 * Table levels at the pooled-score quantiles i/(T+1), i = 1..T: level j is picked for rank r
 * when it is the first level holding at least r of the pooled scores (counted from the top).
 * Distinct, increasing, never the last level (the lowest score).
 */
function candidateLevels(table: ScoreTable, maxThresholds: number): number[] {
  const { tp, fp } = table;
  const last = tp.length - 1;
  const total = table.members + table.nonMembers;
  const out: number[] = [];
  let j = 0;
  for (let i = 1; i <= maxThresholds; i++) {
    const rank = Math.ceil((i * total) / (maxThresholds + 1));
    while (j < last && tp[j]! + fp[j]! < rank) j++;
    if (j >= last) break;
    if (out.length === 0 || out[out.length - 1] !== j) out.push(j);
  }
  return out;
}
