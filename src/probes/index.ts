/** The probe registry: which probe families exist. Holds no logic. */
import { inversionProbe } from './inversion';
import { membershipProbe } from './membership';

export const PROBES = { membership: membershipProbe, inversion: inversionProbe } as const;

export type ProbeId = keyof typeof PROBES;
