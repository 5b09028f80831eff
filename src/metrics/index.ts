/** Pure statistics for the gate: no I/O, no randomness, every estimate with its interval. */
export { clopperPearson, clopperPearsonOneSided, type BoundSide, type Interval } from './binomial';
export { buildScoreTable, type ScoreTable } from './table';
export { rocCurve, rocFromTable, downsampleRoc, type RocPoint } from './roc';
export { auc, aucWithCi, aucFromTable, type AucEstimate } from './auc';
export {
  membershipMetrics,
  rankingMetrics,
  ROC_PLOT_POINTS,
  DEFAULT_MAX_THRESHOLDS,
  type MembershipOptions,
  type MembershipMetrics,
} from './membership';
