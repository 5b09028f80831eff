/** The training-data extraction family's registry entry: what it is, where it runs, its policy part and its run. */
import type { ExtractionSettings } from '../../policy/types';
import type { ProbeFamily } from '../types';
import { extractionChecks, extractionVocabularyNeeds } from './checks';
import { runExtraction } from './run';
import { buildExtraction, EXTRACTION_THRESHOLDS } from './settings';

export const extractionProbe: ProbeFamily<ExtractionSettings, 'sequence'> = {
  id: 'extraction',
  description:
    'Training-data extraction from a sequence model: canary exposure, verbatim memorisation, a secret scan of sampled generations and generation extraction (ranked samples matched against the member texts).',
  tasks: ['sequence'],
  split: 'whole',
  needs: 'a sequence model (model.task: sequence, token ids in, next-token scores out)',
  thresholds: EXTRACTION_THRESHOLDS,
  vocabularyNeeds: extractionVocabularyNeeds,
  check: extractionChecks,
  build: buildExtraction,
  run: runExtraction,
};
