/**
 * The composition root of the policy: the policy layer's loader bound to the registered probe
 * families. Everything that reads a policy file (the run, `privacy-gate validate`) imports these.
 */
import { policyLoader } from '../policy';
import { PROBE_FAMILIES } from '../probes';

export const { loadPolicy, validatePolicy, checkPolicy, inspectPolicy } = policyLoader(PROBE_FAMILIES);
