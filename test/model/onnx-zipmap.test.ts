import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposeZipMapInput } from '../../src/model/onnx-zipmap';

const model = (file: string) => readFileSync(path.resolve(__dirname, '../fixtures/models', file));

describe('exposeZipMapInput', () => {
  it.each([
    { file: 'zipmap.onnx', labels: ['10', '20', '30'] },
    { file: 'zipmap-strings.onnx', labels: ['setosa', 'versicolor', 'virginica'] },
  ])('reads the class labels of $file and appends exactly one graph output', ({ file, labels }) => {
    const bytes = model(file);
    const exposed = exposeZipMapInput(bytes, 'output_probability')!;
    expect(exposed.classLabels).toEqual(labels);
    const name = Buffer.from(exposed.probabilities);
    // ValueInfoProto{name} inside GraphProto.output (field 12): tag 0x62, length, then the nested name field.
    const added = Buffer.concat([Buffer.from([0x62, name.length + 2, 0x0a, name.length]), name]);
    expect(exposed.model.length - bytes.length).toBeGreaterThanOrEqual(added.length);
    expect(Buffer.from(exposed.model).includes(added)).toBe(true);
  });

  it.each([
    { file: 'zipmap.onnx', output: 'output_label' },
    { file: 'probabilities.onnx', output: 'probs' },
  ])('returns undefined when no ZipMap produces $output', ({ file, output }) => {
    expect(exposeZipMapInput(model(file), output)).toBeUndefined();
  });
});
