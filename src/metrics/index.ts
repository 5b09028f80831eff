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
export { IN, OUT, NEITHER, type SignalMatrix, type ReferenceSignals, type MembershipMatrix } from './reference-signals';
export { logitConfidence, logSigmoid, PROBABILITY_FLOOR, PHI_LIMIT, type ClassScoreRows } from './logit-confidence';
export { liraScores, PER_RECORD_VARIANCE_FROM, MIN_STD, type LiraMode, type LiraOptions, type LiraResult } from './lira';
export { rmiaScores, logLikelihoodRatios, RMIA_DEFAULT_A, RMIA_DEFAULT_GAMMA, type RmiaMode, type RmiaOptions, type RmiaSamples } from './rmia';
export { recipeLevelScores, sliceModel, withoutModel, withoutModelMemberships, type ReferenceAttack, type PooledScores } from './recipe-level';
