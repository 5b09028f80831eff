/** The data layer's public surface: load a file into a Dataset, check two agree, hash. */
export type { Dataset } from './types';
export { formatFromPath, loadDataset, loadDatasetWithHashes } from './load';
export type { DataFileSpec, DataFormat, LoadOptions, LoadedDataset } from './load';
export { checkSameFeatures } from './check';
export { findOverlap } from './overlap';
export { rowPlace } from './origin';
export { sha256, sha256File } from './hash';
export { parseCsv } from './csv';
export { parseJsonl } from './jsonl';
export { parseNpy, npyTable, float32ToString } from './npy';
export type { NpyArray, NpyTableOptions } from './npy';
export { checkColumns, selectColumns, readRows, suggest } from './select';
export type { ColumnCheck, ColumnChoice } from './select';
export type { RawTable } from './table';
export { parseMemberships, parseMembershipsCsv, parseMembershipsNpy, sortedModelNames, recordName } from './memberships';
export type { Memberships, MembershipsExpectation } from './memberships';
export { checkCoverage } from './memberships-coverage';
export type { CoverageProblem, CoverageOptions, ReferenceAttackName } from './memberships-coverage';
