/** The probe registry: which probe families exist. Holds no logic. */
import { attributeInferenceProbe } from './attribute-inference';
import { inversionProbe } from './inversion';
import { extractionProbe } from './extraction';
import { membershipProbe } from './membership';

export const PROBES = {
  membership: membershipProbe,
  inversion: inversionProbe,
  'attribute-inference': attributeInferenceProbe,
  extraction: extractionProbe,
} as const;

export type ProbeId = keyof typeof PROBES;
