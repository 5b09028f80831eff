/** The attribute-inference family's registry entry: what it is, where it runs, its policy part and its run. */
import type { AttributeInferenceSettings } from '../../policy/types';
import type { ProbeFamily } from '../types';
import { attributeInferenceChecks } from './checks';
import { runAttributeInference } from './run';
import { ATTRIBUTE_INFERENCE_THRESHOLDS, buildAttributeInference } from './settings';

export const attributeInferenceProbe: ProbeFamily<AttributeInferenceSettings, 'classification' | 'regression'> = {
  id: 'attribute-inference',
  description: 'Attribute inference: guesses a sensitive input attribute from the other attributes and the model’s output',
  tasks: ['classification', 'regression'],
  split: 'records',
  needs: "a classifier's scores or labels, or a regression model's predicted value",
  thresholds: ATTRIBUTE_INFERENCE_THRESHOLDS,
  check: attributeInferenceChecks,
  build: buildAttributeInference,
  run: runAttributeInference,
};
