/** The probe registry: which probe families exist. Holds no logic. */
import { membershipProbe } from './membership';

export const PROBES = { membership: membershipProbe } as const;

export type ProbeId = keyof typeof PROBES;
