/**
 * The probe registry: which probe families exist, in the order they run and report. Holds no
 * logic; each entry is declared in its family's folder (src/probes/<family>/family.ts).
 */
import { attributeInferenceProbe } from './attribute-inference/family';
import { extractionProbe } from './extraction/family';
import { inversionProbe } from './inversion/family';
import { membershipProbe } from './membership/family';
import type { AnyProbeFamily } from './types';

export const PROBE_FAMILIES: readonly AnyProbeFamily[] = [membershipProbe, inversionProbe, attributeInferenceProbe, extractionProbe];
