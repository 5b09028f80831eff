/**
 * The runner's reference models (src/run/references.ts): each is opened behind the candidate's
 * own output surface, so what the surface hides or rounds is hidden or rounded for the
 * references too, and their queries are counted. Real onnxruntime runs of the committed digits
 * reference models; the policy lives under the repository's .tmp/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDatasetWithHashes, type DataFileSpec } from '../../src/data';
import { openOnnxClassifier } from '../../src/model/onnx';
import type { LabelledData } from '../../src/probes/types';
import type { GateReport } from '../../src/result';
import { labelWithClasses } from '../../src/run/labels';
import { loadPolicy } from '../../src/run/policy';
import { openReferences } from '../../src/run/references';

const root = path.resolve(__dirname, '../..');
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'references-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const digits = path.join(root, 'examples/digits');

describe('openReferences', () => {
  it('queries a reference model through the top-k, rounded surface of the candidate, and counts the queries', async () => {
    const file = path.join(dir, 'policy.yml');
    writeFileSync(
      file,
      `version: 1
model: { path: ${digits}/leaky.onnx }
data:
  members: { path: ${digits}/data/members.csv }
  non-members: { path: ${digits}/data/non-members.csv }
  label: digit
  features: "pixel_*"
surface: { scores: top-k, top-k: 2, decimals: 2 }
probes:
  membership:
    attacks: [lira]
    reference-models: { models: ${digits}/refs/leaky/ref-*.onnx, memberships: ${digits}/refs/leaky/memberships.csv }
    thresholds: { auc: { fail: 0.6 } }
`,
    );
    const policy = loadPolicy(file, { roots: [root] });
    const candidate = await openOnnxClassifier(policy.model);
    const load = (spec: DataFileSpec, role: string): LabelledData => {
      const { dataset } = loadDatasetWithHashes(spec, { role, label: 'digit', features: policy.data.features, maxRows: 5000, seed: 0 });
      return labelWithClasses(dataset, { model: candidate.info.classLabels }, 'digit');
    };
    const members = load(policy.data.members as DataFileSpec, 'members');
    const nonMembers = load(policy.data.nonMembers as DataFileSpec, 'non-members');
    const report = { inputs: { policy: [], data: [] } } as unknown as GateReport;
    const opened = openReferences(policy, members, nonMembers, { report, relative: (p) => p, candidate })!;
    expect(opened.references.names).toHaveLength(16);
    expect(report.inputs.references?.models).toHaveLength(16);

    const rows = 20;
    const obs = await opened.references.query(5, members.x.subarray(0, rows * 64), rows, { probe: 'test' });
    const scores = obs.scores!;
    expect(scores.scale).toBe('probability');
    for (let r = 0; r < rows; r++) {
      const row = Array.from(scores.values.subarray(r * 10, (r + 1) * 10));
      const shown = row.filter((_, c) => scores.hidden?.[r * 10 + c] !== 1);
      expect(shown).toHaveLength(2);
      for (const v of shown) expect(Math.abs(v * 100 - Math.round(v * 100))).toBeLessThan(1e-9);
    }
    expect(opened.queries()).toBe(rows);
  });
});
