/**
 * `privacy-gate validate` on sequence policies (`model.task: sequence`): the tokenizer is read,
 * the model and the reference model opened and compared as a run does at load time, and every
 * refusal reported at the policy field (file:line:column) with exit 2. Real models throughout:
 * the tinygpt and charlm examples and the tiny GPT-2 exports of test/fixtures/lm.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../helpers/cli';

const root = path.resolve(__dirname, '../..');
const tinygpt = path.join(root, 'examples/tinygpt');
const charlm = path.join(root, 'examples/charlm');
const lm = path.join(root, 'test/fixtures/lm');

/** A folder holding `files` (text, or a file to copy: { copy: path }) and policy.yml. */
function policy(yaml: string, files: Record<string, string | { copy: string }> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-validate-sequence-'));
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(path.join(dir, name), content);
    else copyFileSync(content.copy, path.join(dir, name));
  }
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * A sequence policy on tinygpt's data; line 3 is model.path (value at column 9), line 5
 * model.tokenizer (column 14), line 6 model.reference-model (column 20), line 8 data.members.
 */
const TEXT_POLICY = ({
  model = `${tinygpt}/leaky.onnx`,
  tokenizer = `${tinygpt}/tokenizer.json`,
  reference = `${tinygpt}/base.onnx`,
  members = `${tinygpt}/data/members.txt`,
  extra = '',
} = {}) => `version: 1
model:
  path: ${model}
  task: sequence
  tokenizer: ${tokenizer}
  reference-model: ${reference}${extra}
data:
  members: { path: ${members} }
  non-members: { path: ${tinygpt}/data/non-members.txt }
probes:
  text-membership: { attacks: [loss, reference], thresholds: { auc: { fail: 0.7 } } }
`;

/** The charlm policy with a character vocabulary file; line 7 is vocab-file (column 17), line 8 pad-id (column 13). */
const CHARACTER_POLICY = (padId: number) => `version: 1
model:
  path: ${charlm}/leaky.onnx
  task: sequence
  input: ids
  tokenizer:
    vocab-file: vocab.json
    pad-id: ${padId}
data:
  members: { path: ${charlm}/data/members.txt }
  non-members: { path: ${charlm}/data/non-members.txt }
probes:
  text-membership: { attacks: [loss], thresholds: { auc: { fail: 0.7 } } }
`;

const byteLevel = readFileSync(path.join(lm, 'bytelevel.tokenizer.json'), 'utf8');
const charlmVocab = JSON.parse(readFileSync(path.join(charlm, 'vocab.json'), 'utf8')) as string[];

/** One broken input: the policy, the files beside it, where the one error must be and what it says. */
interface Case {
  name: string;
  yaml: string;
  files?: Record<string, string | { copy: string }>;
  at: string;
  message: RegExp;
}

describe('privacy-gate validate on a sequence policy loads what a run loads', () => {
  it.each<Case>([
    {
      name: 'a tokenizer.json that is not JSON: its own line and column in the message',
      yaml: TEXT_POLICY({ tokenizer: 'tokenizer.json' }),
      files: { 'tokenizer.json': '{\n  "version": "1.0",\n  "model": { "type": "BPE",, "vocab": {} }\n}\n' },
      at: ':5:14 (model.tokenizer): ',
      message: /: tokenizer\.json:3:28: the tokenizer\.json is not valid JSON: .*; expected a Hugging Face tokenizer\.json/,
    },
    {
      name: 'a tokenizer.json of a model type the reader does not support',
      yaml: TEXT_POLICY({ model: `${lm}/tiny-gpt2-nocache.onnx`, tokenizer: 'tokenizer.json', reference: `${lm}/tiny-gpt2-cache.onnx` }),
      files: { 'tokenizer.json': byteLevel.replace('"type": "BPE"', '"type": "WordLevel"') },
      at: ':5:14 (model.tokenizer): ',
      message:
        /: tokenizer\.json: this tokenizer\.json cannot be encoded faithfully: model\.type: "WordLevel"; expected BPE, Unigram, WordPiece/,
    },
    {
      name: "a broken tokenizer_config.json beside the tokenizer: the config's line",
      yaml: TEXT_POLICY({ tokenizer: 'tokenizer.json' }),
      files: { 'tokenizer.json': { copy: `${tinygpt}/tokenizer.json` }, 'tokenizer_config.json': '{\n  "pad_token": \n}\n' },
      at: ':5:14 (model.tokenizer): ',
      message: /: tokenizer_config\.json:3:1: the tokenizer_config\.json is not valid JSON/,
    },
    {
      name: 'a tokenizer_config.json naming a pad token the tokenizer does not have',
      yaml: TEXT_POLICY({ tokenizer: 'tokenizer.json' }),
      files: { 'tokenizer.json': { copy: `${tinygpt}/tokenizer.json` }, 'tokenizer_config.json': '{ "pad_token": "<pad>" }\n' },
      at: ':5:14 (model.tokenizer): ',
      message: /: tokenizer_config\.json: pad_token is "<pad>", which the tokenizer\.json next to it has no id for/,
    },
    {
      name: "a tokenizer with more tokens than the model's vocabulary",
      yaml: TEXT_POLICY({
        model: `${lm}/tiny-gpt2-nocache.onnx`,
        tokenizer: `${lm}/sentencepiece.tokenizer.json`,
        reference: `${lm}/tiny-gpt2-cache.onnx`,
      }),
      at: ':5:14 (model.tokenizer): ',
      message:
        /the tokenizer \(.*sentencepiece\.tokenizer\.json\) has 420 tokens but the model scores only 357 \(its output "logits" in .*tiny-gpt2-nocache\.onnx\); the tokenizer must be the one the model was trained with/,
    },
    {
      name: 'a reference model with another vocabulary size',
      yaml: TEXT_POLICY({ reference: `${lm}/tiny-gpt2-cache.onnx` }),
      at: ':6:20 (model.reference-model): ',
      message:
        /the reference model .*tiny-gpt2-cache\.onnx scores 357 tokens \(its output "logits"\) but the model .*leaky\.onnx scores 1024 \(its output "logits"\); a reference model must share the target's tokenizer and vocabulary/,
    },
    {
      name: 'a model path that is not an ONNX file',
      yaml: TEXT_POLICY({ model: 'model.onnx' }),
      files: { 'model.onnx': 'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 3800000\n' },
      at: ':3:9 (model.path): ',
      message: /model model\.onnx: cannot load the ONNX model: .*; expected an ONNX model file/,
    },
    {
      name: 'a reference model that is not an ONNX file',
      yaml: TEXT_POLICY({ reference: 'base.onnx' }),
      files: { 'base.onnx': 'not a model\n' },
      at: ':6:20 (model.reference-model): ',
      message: /reference model base\.onnx: cannot load the ONNX model: .*; expected an ONNX model file/,
    },
    {
      name: 'a model input the decoder does not have',
      yaml: TEXT_POLICY({ extra: '\n  input: token_ids' }),
      at: ':7:10 (model.input): ',
      message: /model .*leaky\.onnx: .*"token_ids"/,
    },
    {
      name: 'a vocabulary file shorter than the pad id',
      yaml: CHARACTER_POLICY(80),
      files: { 'vocab.json': { copy: `${charlm}/vocab.json` } },
      at: ':8:13 (model.tokenizer.pad-id): ',
      message: /model\.tokenizer\.pad-id is 80, but the vocabulary \(vocab\.json\) has 76 tokens/,
    },
    {
      name: 'a vocabulary file that is not a list of tokens',
      yaml: CHARACTER_POLICY(0),
      files: { 'vocab.json': '{"<pad>": 0, "a": 2}' },
      at: ':7:17 (model.tokenizer.vocab-file): ',
      message: /: vocab\.json: vocabulary token "a" has id 2; expected ids 0 to 1, each used once/,
    },
    {
      name: "a vocabulary file with more characters than the model's vocabulary",
      yaml: CHARACTER_POLICY(0),
      files: { 'vocab.json': JSON.stringify([...charlmVocab, 'é', 'ü']) },
      at: ':6:3 (model.tokenizer): ',
      message: /the vocabulary has 78 tokens but the model scores only 76 \(its output "logits" in .*leaky\.onnx\); the vocabulary must be/,
    },
    {
      name: 'a JSON Lines data file whose first line is not JSON',
      yaml: TEXT_POLICY({ members: 'members.jsonl' }),
      files: { 'members.jsonl': '{"text": "call me Ishmael"\n{"text": "some years ago"}\n' },
      at: ':8:20 (data.members.path): ',
      message: /: members\.jsonl:1:1: line 1 is not valid JSON: /,
    },
    {
      name: 'a text data file with no records',
      yaml: TEXT_POLICY({ members: 'members.txt' }),
      files: { 'members.txt': '\n\n' },
      at: ':8:20 (data.members.path): ',
      message: /: members\.txt: the members file holds no records; expected one text per line/,
    },
    {
      name: 'a JSON Lines file larger than what validate reads: a broken line within its first 64 KiB',
      yaml: TEXT_POLICY({ members: 'members.jsonl' }),
      files: {
        // 3000 lines of about 50 bytes (150 kB): read up to the last whole line before 64 KiB.
        'members.jsonl': Array.from({ length: 3000 }, (_, i) =>
          i === 999 ? '{"txt": "a misspelt field"}' : JSON.stringify({ text: `record ${i + 1} of the corpus, padded to fifty` }),
        ).join('\n'),
      },
      at: ':8:20 (data.members.path): ',
      message:
        /: members\.jsonl:1000:1: line 1000 has no "text" field; expected each object to hold the record's text or token ids in "text" \(data\.text-field\)/,
    },
  ])('$name', async ({ yaml, files, at, message }) => {
    const file = policy(yaml, files);
    const result = await run('validate', '--policy', file);
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`privacy-gate: ${file}${at}`);
    expect(lines[0]).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each(['tinygpt/policy.yml', 'tinygpt/hardened.policy.yml', 'charlm/policy.yml'])(
    '%s is valid: its tokenizer, model and reference model load and agree',
    async (example) => {
      const result = await run('validate', path.join(root, 'examples', example));
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/: valid\n$/);
      expect(result.code).toBe(0);
    },
  );
});
