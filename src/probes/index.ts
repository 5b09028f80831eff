/** The probe registry: which probe families exist. Holds no logic. */
import { attributeInferenceProbe } from './attribute-inference/run';
import { inversionProbe } from './inversion/run';
import { extractionProbe } from './extraction/run';
import { membershipProbe } from './membership/run';

export const PROBES = {
  membership: membershipProbe,
  inversion: inversionProbe,
  'attribute-inference': attributeInferenceProbe,
  extraction: extractionProbe,
} as const;

export type ProbeId = keyof typeof PROBES;
