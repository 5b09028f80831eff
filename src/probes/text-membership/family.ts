/** The text-membership family's registry entry: what it is, where it runs, its policy part and its run. */
import type { TextMembershipSettings } from '../../policy/types';
import type { ProbeFamily } from '../types';
import { textMembershipChecks, textMembershipVocabularyNeeds } from './checks';
import { runTextMembership } from './run';
import { buildTextMembership, TEXT_MEMBERSHIP_THRESHOLDS } from './settings';

export const textMembershipProbe: ProbeFamily<TextMembershipSettings, 'sequence'> = {
  id: 'text-membership',
  description:
    'Membership inference for language models: tells training texts from non-members by the likelihood the model gives their tokens (loss, zlib, Min-K%, Min-K%++, reference model).',
  tasks: ['sequence'],
  // Every text's score comes from that text alone (and the reference model's on it).
  split: 'records',
  needs: 'a sequence model (model.task: sequence) whose surface reveals every token probability',
  thresholds: TEXT_MEMBERSHIP_THRESHOLDS,
  vocabularyNeeds: textMembershipVocabularyNeeds,
  check: textMembershipChecks,
  build: buildTextMembership,
  run: runTextMembership,
};
