/** The audit record's digest of an ONNX model: the .onnx file and each external data file it names. */
import { readFileSync } from 'node:fs';
import { sha256, sha256File } from '../data/hash';
import { externalDataFiles } from '../model/onnx-external';
import type { ModelDigest } from '../result';

export function modelDigest(file: string, relative: (p: string) => string): ModelDigest {
  const bytes = readFileSync(file);
  const external = externalDataFiles(file, bytes);
  const digest: ModelDigest = { path: relative(file), sha256: sha256(bytes) };
  if (external.length > 0) digest.externalData = external.map((f) => ({ path: relative(f), sha256: sha256File(f) }));
  return digest;
}
