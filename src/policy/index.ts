export {
  policyLoader,
  readPolicyDocument,
  type PolicyCheck,
  type PolicyDocument,
  type PolicyInspection,
  type PolicyLoader,
  type PolicyOptions,
} from './load';
export type { PolicyFamily, ModelTask } from './family';
export type { BuildContext } from './build-context';
export type { CheckContext } from './check-context';
export { presetDirectory, presetNames, presetFile, POLICIES_DIR_ENV } from './presets';
export { policySchema, relaxedSchema } from './schema-json';
export { POLICY_DEFAULTS } from './build';
export type { PolicyTexts } from './source';
export * from './types';
