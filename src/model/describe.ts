/**
 * A model's declared interface without running it: its inputs and outputs (names, element types,
 * shapes) and the class labels of any ZipMap output. For `privacy-gate validate`, which checks a
 * policy's model settings against the model before any query.
 */
import { readFileSync } from 'node:fs';
import { createSession } from './onnx';
import { exposeZipMapInput } from './onnx-zipmap';
import { describeValue, loadOnnxRuntime } from './runtime';
import type { TensorInfo } from './types';

export interface ModelInterface {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Class labels of each output a ZipMap produces, by output name. */
  zipMapLabels: Record<string, string[]>;
}

export async function describeOnnxModel(path: string): Promise<ModelInterface> {
  await loadOnnxRuntime();
  const session = await createSession({ path }, path);
  const inputs = session.inputMetadata.map(describeValue);
  const outputs = session.outputMetadata.map(describeValue);
  await session.release();
  const zipMapLabels: Record<string, string[]> = {};
  const sequences = outputs.filter((o) => o.type === 'sequence');
  if (sequences.length > 0) {
    const bytes = readFileSync(path);
    for (const output of sequences) {
      const exposed = exposeZipMapInput(bytes, output.name);
      if (exposed) zipMapLabels[output.name] = exposed.classLabels;
    }
  }
  return { inputs, outputs, zipMapLabels };
}
