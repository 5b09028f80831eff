/**
 * The probe registry: which probe families exist, in the order they run and report. Holds no
 * logic; each entry is declared in its family's folder (src/probes/<family>/family.ts).
 */
import { attributeInferenceProbe } from './attribute-inference/family';
import { extractionProbe } from './extraction/family';
import { inversionProbe } from './inversion/family';
import { membershipProbe } from './membership/family';
import { textMembershipProbe } from './text-membership/family';
import type { AnyProbeFamily } from './types';

// text-membership before extraction: on a sequence model the membership question leads the
// report, as membership does for a classifier, and its one scoring pass is the cheap part.
export const PROBE_FAMILIES: readonly AnyProbeFamily[] = [
  membershipProbe,
  textMembershipProbe,
  inversionProbe,
  attributeInferenceProbe,
  extractionProbe,
];
