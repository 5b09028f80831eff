/**
 * The sequence path of the runner (src/run/sequence.ts) on small fixtures: pre-tokenised JSONL
 * without a vocabulary on a symbolic-context model with an attention mask, and the input errors
 * that name the file and position.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/run/gate';
import { TEST_ROOTS } from '../policy/helpers';

const fixtures = path.resolve('test/fixtures/models');
const W = (JSON.parse(readFileSync(path.join(fixtures, 'sequence.expected.json'), 'utf8')) as { W: number[][] }).W;
const argmax = (row: number[]) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);

/** The bigram model's greedy chain from `start`: what it reproduces exactly. */
function chain(start: number, length: number): number[] {
  const out = [start];
  while (out.length < length) out.push(argmax(W[out.at(-1)!]!));
  return out;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'extraction-runner-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('sequence runner', () => {
  it('pre-tokenised JSONL, no vocabulary, symbolic context with a mask: memorisation measured from token ids', async () => {
    // Members follow the model's greedy chain (reproduced exactly); non-members break it at token 3.
    const members = [1, 2, 3, 4].map((s) => chain(s, 4));
    const nonMembers = [1, 2, 3].map((s) => {
      const c = chain(s, 4);
      c[2] = (c[2]! + 1) % 6;
      return c;
    });
    const dir = folder({
      'policy.yml': `version: 1
model: { path: ${JSON.stringify(path.join(fixtures, 'seq-bigram-mask.onnx'))}, task: sequence }
data:
  members: { path: members.jsonl }
  non-members: { path: non-members.jsonl }
  text-field: ids
probes:
  extraction:
    memorization: { prefix: 2, suffix: 2 }
    thresholds: { extraction-gap: { fail: 0.5 } }
`,
      'members.jsonl': members.map((ids) => JSON.stringify({ ids })).join('\n') + '\n',
      'non-members.jsonl': nonMembers.map((ids) => JSON.stringify(ids)).join('\n') + '\n',
    });
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    const m = report.probes[0]!.attacks[0]!.metrics;
    expect(m['extraction-rate']).toMatchObject({ value: 1, k: 4, n: 4 });
    expect(m['non-member-rate']).toMatchObject({ value: 0, k: 0, n: 3 });
    expect(report.verdict).toBe('fail');
    expect(report.sequenceModel).toMatchObject({
      input: 'input_ids',
      attentionMask: 'attention_mask',
      context: null,
      fixedContext: false,
      vocabSize: 6,
      scoreKind: 'probabilities',
    });
    expect(report.sequenceModel!.vocabulary).toBeUndefined();
    // 7 prompts × 2 greedy steps.
    expect(report.queries).toBe(14);
  });

  it.each([
    {
      name: 'an unknown character in a text data file: file, line and column',
      edit: (dir: string) =>
        writeFileSync(path.join(dir, 'data/non-members.txt'), 'Call me Ishmael.\nSome years ago — never mind how long précisely\n'),
      file: /data\/non-members\.txt$/,
      line: 2,
      column: 40,
      message: /unknown character "é" \(U\+00E9\) at line 2, column 40/,
    },
    {
      name: 'a vocabulary larger than the model’s output',
      edit: (dir: string) =>
        writeFileSync(
          path.join(dir, 'vocab.json'),
          JSON.stringify([...JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8')), 'é']),
        ),
      file: /policy\.yml$/,
      line: undefined,
      column: undefined,
      message: /the vocabulary has 77 tokens but the model scores only 76/,
    },
  ])('$name is an input error (exit 2)', async ({ edit, file, line, column, message }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'extraction-runner-'));
    cpSync('examples/charlm', dir, { recursive: true });
    edit(dir);
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.verdict).toBe('error');
    expect(report.exitCode).toBe(2);
    expect(report.error!.message).toMatch(message);
    expect(report.error!.file).toMatch(file);
    expect(report.error!.line).toBe(line);
    expect(report.error!.column).toBe(column);
  });

  it('a token id the model does not score is an input error at its line', async () => {
    const dir = folder({
      'policy.yml': `version: 1
model: { path: ${JSON.stringify(path.join(fixtures, 'seq-bigram-mask.onnx'))}, task: sequence }
data:
  members: { path: members.jsonl }
  non-members: { path: members.jsonl }
probes:
  extraction:
    thresholds: { extraction-rate: { fail: 0.5 } }
`,
      'members.jsonl': '[1, 2, 3]\n[4, 9, 1]\n',
    });
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.exitCode).toBe(2);
    expect(report.error).toMatchObject({
      line: 2,
      message: expect.stringMatching(/line 2 has token id 9, but the model scores ids 0 to 5/),
    });
  });
});
