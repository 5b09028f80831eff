/**
 * The sequence runner with `model.tokenizer: <tokenizer.json>` on the bigram fixture (6 token
 * ids): texts are encoded with the tokenizer (the same numbers as the hand-encoded ids), the
 * report records the tokenizer and the digests of its files, and the input errors name the file
 * and position (a text it cannot encode, a tokenizer larger than the model's vocabulary, a broken
 * tokenizer.json, canaries it cannot measure yet).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/run/gate';
import { TEST_ROOTS } from '../policy/helpers';

const model = path.resolve('test/fixtures/models/seq-bigram-mask.onnx');

/** A BPE over the bigram model's 6 ids: a b c d, "ab" (merge a+b), <|endoftext|> (special). */
function tokenizerJson(extra: Record<string, number> = {}): string {
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 5, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: { a: 0, b: 1, c: 2, d: 3, ab: 4, '<|endoftext|>': 5, ...extra },
      merges: ['a b'],
    },
  });
}

// Members follow the model's greedy chain (0→0, 3→4→2→1); non-members break it at the third token.
const MEMBERS = ['aaaa', 'dabcb', 'aaaaa'];
const MEMBER_IDS = [
  [0, 0, 0, 0],
  [3, 4, 2, 1],
  [0, 0, 0, 0, 0],
];
const NON_MEMBERS = ['acdc', 'ddcc', 'cccc'];
const NON_MEMBER_IDS = [
  [0, 2, 3, 2],
  [3, 3, 2, 2],
  [2, 2, 2, 2],
];

function policy(
  tokenizer: string | undefined,
  data: { members: string; nonMembers: string },
  probes = '    memorization: { prefix: 2, suffix: 2 }\n    thresholds: { extraction-gap: { fail: 0.5 } }\n',
): string {
  return `version: 1
model:
  path: ${JSON.stringify(model)}
  task: sequence
${tokenizer ? `  tokenizer: ${tokenizer}\n` : ''}data:
  members: { path: ${data.members} }
  non-members: { path: ${data.nonMembers} }
  text-field: ids
probes:
  extraction:
${probes}`;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'runner-tokenizer-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('sequence runner with a tokenizer.json', () => {
  it('encodes the texts with it: the same measurement as the hand-encoded ids, and the report says which tokenizer', async () => {
    const dir = folder({
      'policy.yml': policy('tokenizer.json', { members: 'members.txt', nonMembers: 'non-members.txt' }),
      'tokenizer.json': tokenizerJson(),
      'tokenizer_config.json': JSON.stringify({ eos_token: '<|endoftext|>', pad_token: { content: '<|endoftext|>' } }),
      'members.txt': MEMBERS.join('\n') + '\n',
      'non-members.txt': NON_MEMBERS.join('\n') + '\n',
      'ids.yml': policy(undefined, { members: 'members.jsonl', nonMembers: 'non-members.jsonl' }),
      'members.jsonl': MEMBER_IDS.map((ids) => JSON.stringify({ ids })).join('\n') + '\n',
      'non-members.jsonl': NON_MEMBER_IDS.map((ids) => JSON.stringify({ ids })).join('\n') + '\n',
    });
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    const metrics = report.probes[0]!.attacks[0]!.metrics;
    expect(metrics['extraction-rate']).toMatchObject({ value: 1, k: 3, n: 3 });
    expect(metrics['non-member-rate']).toMatchObject({ value: 0, k: 0, n: 3 });
    const byIds = await runGate(path.join(dir, 'ids.yml'), TEST_ROOTS);
    expect(byIds.probes[0]!.attacks[0]!.metrics).toEqual(metrics);

    expect(report.sequenceModel!.tokenizer).toEqual({
      kind: 'tokenizer.json',
      source: expect.stringMatching(/runner-tokenizer-\w+\/tokenizer\.json$/),
      tokens: 6,
      model: 'BPE',
      padId: 5,
      eosId: 5,
    });
    expect(report.sequenceModel!.vocabulary).toBeUndefined();
    const roles = report.inputs.data.map((d) => [d.role, d.sha256, d.rows]);
    expect(roles.slice(0, 2)).toEqual([
      ['tokenizer', sha256(path.join(dir, 'tokenizer.json')), 6],
      ['tokenizer config', sha256(path.join(dir, 'tokenizer_config.json')), 0],
    ]);
  });

  it('the secret scan encodes its prompts and decodes its generations with the tokenizer', async () => {
    const dir = folder({
      'policy.yml': policy(
        'tokenizer.json',
        { members: 'members.txt', nonMembers: 'non-members.txt' },
        '    secret-scan: { samples: 4, length: 6, prompts: ["dab"], patterns: [], regexes: ["cb"] }\n    thresholds: { secret-matches: { fail: 0 } }\n',
      ),
      'tokenizer.json': tokenizerJson(),
      'members.txt': MEMBERS.join('\n') + '\n',
      'non-members.txt': NON_MEMBERS.join('\n') + '\n',
    });
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    const scan = report.probes[0]!.attacks.find((a) => a.attack === 'secret-scan')!;
    // "cb" occurs in the member "dabcb" and in the model's likeliest continuation of "dab" (4 → 2 → 1).
    expect(scan.metrics['secret-matches']).toMatchObject({ generations: 4 });
    expect(scan.metrics['secret-matches']!.value).toBe(1);
  });

  it.each([
    {
      name: 'a character the tokenizer cannot encode: file, line and column',
      files: { 'non-members.txt': 'acdc\nddcce\n' },
      file: /non-members\.txt$/,
      line: 2,
      column: 5,
      message:
        /cannot encode "e" \(U\+0065\) at line 2, column 5 of the non-members file losslessly: the tokenizer has no token for it and no byte fallback, so it would be dropped/,
    },
    {
      name: 'a tokenizer larger than the model’s vocabulary: names both',
      files: { 'tokenizer.json': tokenizerJson({ e: 6 }) },
      file: /policy\.yml$/,
      line: undefined,
      column: undefined,
      message:
        /the tokenizer \(.*tokenizer\.json\) has 7 tokens but the model scores only 6 \(its output "probs" in .*seq-bigram-mask\.onnx\)/,
    },
    {
      name: 'a tokenizer.json that is not JSON: its line and column',
      files: { 'tokenizer.json': '{\n  "model": {\n    "type": "BPE"\n  }\n  "decoder": null\n}' },
      file: /tokenizer\.json$/,
      line: 5,
      column: 3,
      message: /: the tokenizer\.json is not valid JSON/,
    },
    {
      name: 'a canary format the tokenizer cannot encode',
      policy: policy(
        'tokenizer.json',
        { members: 'members.txt', nonMembers: 'non-members.txt' },
        '    canaries:\n      - format: "pin {digits:4}"\n        inserted: ["1234"]\n    thresholds: { max-exposure: { fail: 10 } }\n',
      ),
      file: /policy\.yml$/,
      line: 13,
      column: undefined,
      message: /cannot encode "p" \(U\+0070\) at line 13, character 1 of the canary format losslessly/,
    },
  ])('$name is an input error (exit 2)', async ({ files, policy: text, file, line, column, message }) => {
    const dir = folder({
      'policy.yml': text ?? policy('tokenizer.json', { members: 'members.txt', nonMembers: 'non-members.txt' }),
      'tokenizer.json': tokenizerJson(),
      'members.txt': MEMBERS.join('\n') + '\n',
      'non-members.txt': NON_MEMBERS.join('\n') + '\n',
      ...files,
    });
    const report = await runGate(path.join(dir, 'policy.yml'), TEST_ROOTS);
    expect(report.verdict).toBe('error');
    expect(report.exitCode).toBe(2);
    expect(report.error!.message).toMatch(message);
    expect(report.error!.file).toMatch(file);
    expect(report.error!.line).toBe(line);
    expect(report.error!.column).toBe(column);
  });
});
