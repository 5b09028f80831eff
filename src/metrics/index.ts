/** Pure statistics for the gate: no I/O, no randomness, every estimate with its interval. */
export { clopperPearson, clopperPearsonOneSided, type BoundSide, type Interval } from './binomial';
export { buildScoreTable, buildClassTables, type ClassTables, type ScoreTable } from './table';
export { sortFloat64, splitByLabel, type Groups } from './sort';
export { rocCurve, rocFromTable, downsampleRoc, type RocPoint } from './roc';
export { auc, aucWithCi, aucFromTable, type AucEstimate } from './auc';
export {
  membershipMetrics,
  membershipMetricsFromTable,
  rankingMetrics,
  rankingMetricsFromTable,
  ROC_PLOT_POINTS,
  DEFAULT_MAX_THRESHOLDS,
  type MembershipOptions,
  type MembershipMetrics,
  type RankingMetrics,
} from './membership';
