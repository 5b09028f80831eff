/** The membership-inference family's registry entry: what it is, where it runs, its policy part and its run. */
import type { MembershipSettings } from '../../policy/types';
import type { ProbeFamily } from '../types';
import { membershipChecks } from './checks';
import { runMembership } from './run';
import { buildMembership, MEMBERSHIP_THRESHOLDS } from './settings';

export const membershipProbe: ProbeFamily<MembershipSettings> = {
  id: 'membership',
  description: 'Membership inference: tells training records from non-members using the model’s outputs',
  tasks: ['classification'],
  split: 'records',
  needs: "a classifier's class scores",
  thresholds: MEMBERSHIP_THRESHOLDS,
  check: membershipChecks,
  build: buildMembership,
  run: runMembership,
};
