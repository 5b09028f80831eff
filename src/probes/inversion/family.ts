/** The class-reconstruction family's registry entry: what it is, where it runs, its policy part and its run. */
import type { InversionSettings } from '../../policy/types';
import type { ProbeFamily } from '../types';
import { inversionChecks } from './checks';
import { runInversion } from './run';
import { buildInversion, INVERSION_THRESHOLDS } from './settings';

export const inversionProbe: ProbeFamily<InversionSettings> = {
  id: 'inversion',
  description: 'Class reconstruction (model inversion): rebuilds what each class’s training records look like from the model’s answers',
  tasks: ['classification'],
  split: 'whole',
  needs: "a classifier's class scores",
  thresholds: INVERSION_THRESHOLDS,
  check: inversionChecks,
  build: buildInversion,
  run: runInversion,
};
