/**
 * The text-membership probe end to end through the real gate and onnxruntime, on the charlm
 * example's character LSTM (examples/charlm): the leaky model is the target, the hardened one
 * the reference model. Its member texts are told apart by every likelihood attack, so the gate
 * fails; the report has the classifier attacks' shape, validates against the report schema and
 * renders in Markdown (a golden file), HTML, SARIF and annotations. A reference model over
 * another vocabulary is refused, naming both models.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors';
import { selectAnnotations } from '../../src/report/annotations';
import { renderHtml } from '../../src/report/html';
import { renderJson } from '../../src/report/json';
import { renderMarkdown } from '../../src/report/markdown';
import { reportSchemaProblems } from '../../src/report/parse';
import { renderSarif } from '../../src/report/sarif';
import type { GateReport } from '../../src/result';
import { runGate } from '../../src/run/gate';
import { compareGolden } from './golden-files';
import { zeroTimings } from './helpers';

const POLICY = 'test/fixtures/text-membership/charlm.policy.yml';
const GOLDEN = path.resolve('test/report/golden/text-membership-summary.md');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let report: GateReport;

beforeAll(async () => {
  report = await runGate(POLICY);
  zeroTimings(report);
}, 240_000);

const attack = (name: string) => report.probes[0]!.attacks.find((a) => a.attack === name)!;

describe('text-membership on the charlm LSTM (onnxruntime)', () => {
  it('fails: the leaky model’s member texts are told apart by every likelihood attack', () => {
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe('fail');
    expect(report.exitCode).toBe(EXIT.leak);
    const probe = report.probes[0]!;
    expect(probe.id).toBe('text-membership');
    expect(probe.status).toBe('ok');
    expect(probe.attacks.map((a) => a.attack)).toEqual(['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference']);
    // train.py measured 2.19 bits per character on members and 2.87 on non-members.
    for (const name of ['loss', 'min-k', 'min-k-plus-plus']) {
      expect(attack(name).metrics['auc']!.value, name).toBeGreaterThan(0.85);
      expect(attack(name).metrics['auc']!.ci[0], name).toBeGreaterThan(0.6);
    }
    // The hardened reference trained on the same members: the likelihood ratio cancels the memorisation.
    expect(attack('reference').metrics['auc']!.value).toBeLessThan(0.6);
    const statuses = Object.fromEntries(probe.checks.map((c) => [c.attack, c.status]));
    expect(statuses).toMatchObject({ loss: 'fail', 'min-k': 'fail', 'min-k-plus-plus': 'fail' });
    expect(probe.checks.every((c) => c.source.line === 26 && c.source.file.endsWith('charlm.policy.yml'))).toBe(true);
  });

  it('records the reference model’s digest and counts its queries', () => {
    expect(report.inputs.referenceModel).toEqual({
      path: 'examples/charlm/hardened.onnx',
      sha256: sha256('examples/charlm/hardened.onnx'),
    });
    // Both models scored the same tokens: the reference's queries equal the target's.
    expect(report.queries).toBe(2 * report.probes[0]!.queries);
  });

  it('the report validates against the report schema', () => {
    expect(reportSchemaProblems(JSON.parse(renderJson(report)), 10)).toEqual([]);
  });

  it('renders like the classifier membership attacks: Markdown (golden), HTML, SARIF, annotations', () => {
    const copy: GateReport = {
      ...report,
      inputs: { ...report.inputs, policy: report.inputs.policy.map((d) => ({ ...d, sha256: '0'.repeat(64) })) },
    };
    const markdown = renderMarkdown(copy);
    compareGolden(GOLDEN, markdown);
    expect(markdown).toContain('min-k-plus-plus');
    expect(markdown).toContain('examples/charlm/hardened.onnx');

    const html = renderHtml(report);
    for (const name of ['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference']) expect(html).toContain(name);
    expect(html).toContain('reference model');

    const ctx = { root: process.cwd(), cwd: process.cwd() };
    const sarif = renderSarif(report, ctx);
    const results = sarif.runs[0]!.results!;
    expect(results.some((r) => r.message.text!.includes('text-membership'))).toBe(true);
    const annotations = selectAnnotations(report, ctx);
    expect(annotations.some((a) => a.level === 'error' && a.message.includes('min-k-plus-plus'))).toBe(true);
  });
});

describe('model.reference-model over another vocabulary', () => {
  it('is refused (exit 2), naming both models and their vocabulary sizes', { timeout: 60_000 }, async () => {
    const mismatch = await runGate('test/fixtures/text-membership/vocab-mismatch.policy.yml');
    expect(mismatch.exitCode).toBe(EXIT.invalidInput);
    expect(mismatch.error).toMatchObject({ field: 'model.reference-model', file: expect.stringContaining('vocab-mismatch.policy.yml') });
    expect(mismatch.error!.message).toMatch(
      /the reference model test\/fixtures\/models\/seq-window-logits\.onnx scores 6 tokens \(its output "logits"\) but the model examples\/charlm\/leaky\.onnx scores 76/,
    );
  });
});
