/**
 * The gate on a decoder export (test/fixtures/lm/tiny-gpt2-*.onnx): run/sequence.ts opens it with
 * the decoder adapter and the report records the layout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDecoderModel } from '../../src/model/decoder';
import { reportSchemaProblems } from '../../src/report/parse';
import { runGate } from '../../src/run/gate';
import { TEST_ROOTS } from '../policy/helpers';

const fixtures = path.resolve('test/fixtures/lm');

describe('gate run on a decoder export', () => {
  it.each([
    { layout: 'cache', decoder: { cache: true, layers: 2, merged: false, positionIds: true, heads: 2, headDim: 8 } },
    { layout: 'merged', decoder: { cache: true, layers: 2, merged: true, positionIds: true, heads: 2, headDim: 8 } },
    { layout: 'nocache', decoder: { cache: false, layers: 0, merged: false, positionIds: false } },
  ])('tiny-gpt2-$layout.onnx: memorisation measured, report.sequenceModel.decoder recorded', async ({ layout, decoder }) => {
    const model = path.join(fixtures, `tiny-gpt2-${layout}.onnx`);
    // Members are the model's own greedy continuations of 2-token prompts (reproduced exactly);
    // non-members change the third token.
    const adapter = (await openDecoderModel({ path: model, scores: 'auto' }))!;
    const prompts = [
      [34, 64],
      [51, 258],
      [40, 83],
      [7, 9],
    ].map((p) => Int32Array.from(p));
    const greedy = await adapter.generate(prompts, { steps: 2 });
    const members = prompts.map((p, i) => [...p, ...greedy[i]!]);
    const nonMembers = members.map((m) => m.map((t, k) => (k === 2 ? (t + 1) % 357 : t)));
    const dir = mkdtempSync(path.join(tmpdir(), 'decoder-run-'));
    writeFileSync(
      path.join(dir, 'policy.yml'),
      `version: 1
model: { path: ${JSON.stringify(model)}, task: sequence }
data:
  members: { path: members.jsonl }
  non-members: { path: non-members.jsonl }
  text-field: ids
probes:
  extraction:
    memorization: { prefix: 2, suffix: 2 }
    thresholds: { extraction-gap: { fail: 0.5 } }
`,
    );
    writeFileSync(path.join(dir, 'members.jsonl'), members.map((ids) => JSON.stringify({ ids })).join('\n') + '\n');
    writeFileSync(path.join(dir, 'non-members.jsonl'), nonMembers.map((ids) => JSON.stringify({ ids })).join('\n') + '\n');
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    const m = report.probes[0]!.attacks[0]!.metrics;
    expect(m['extraction-rate']).toMatchObject({ value: 1, k: 4, n: 4 });
    expect(m['non-member-rate']).toMatchObject({ value: 0, k: 0, n: 4 });
    expect(report.verdict).toBe('fail');
    expect(report.sequenceModel).toMatchObject({
      input: 'input_ids',
      attentionMask: 'attention_mask',
      output: 'logits',
      vocabSize: 357,
      scoreKind: 'logits',
    });
    expect(report.sequenceModel!.decoder).toEqual(decoder);
    expect(reportSchemaProblems(JSON.parse(JSON.stringify(report)), 5)).toEqual([]);
  });
});

describe('an empty prompt on a decoder export', () => {
  it('the secret scan starts from the tokenizer’s end-of-text id (a decoder takes no empty query)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'decoder-scan-'));
    writeFileSync(path.join(dir, 'members.txt'), 'call me at 555-0100 any day\nthe whale was white\n');
    writeFileSync(path.join(dir, 'non-members.txt'), 'the sea was calm\nwe sailed at dawn\n');
    writeFileSync(
      path.join(dir, 'policy.yml'),
      `version: 1
seed: 3
model:
  path: ${JSON.stringify(path.join(fixtures, 'tiny-gpt2-cache.onnx'))}
  task: sequence
  tokenizer: ${JSON.stringify(path.join(fixtures, 'bytelevel.tokenizer.json'))}
data:
  members: { path: members.txt, format: text }
  non-members: { path: non-members.txt, format: text }
probes:
  extraction:
    secret-scan: { prompts: [""], samples: 4, length: 6, patterns: [phone] }
    thresholds: { secret-matches: { fail: 0 } }
`,
    );
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    const scan = report.probes[0]!.attacks.find((a) => a.attack === 'secret-scan')!;
    expect(scan.metrics['secret-matches']).toBeDefined();
    // 4 samples of 6 tokens after the one-token prompt: 4 rows for the prompt, then 4 per step.
    expect(report.queries).toBeGreaterThanOrEqual(4 * 6);
  });
});
