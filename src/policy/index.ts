export { loadPolicy, validatePolicy, checkPolicy, type PolicyCheck, type PolicyOptions } from './load';
export { presetDirectory, presetNames, presetFile, POLICIES_DIR_ENV } from './presets';
export { policySchema, relaxedSchema } from './schema';
export { POLICY_DEFAULTS } from './build';
export { SCORE_ATTACKS, LABEL_ONLY_ATTACKS } from './checks';
export * from './types';
