/**
 * The tokenizer.json reader (src/text/tokenizer-json.ts) on hand-written byte-level BPE and
 * SentencePiece-style tokenizers: hostile round trips, ids worked out by hand from the merges,
 * special ids, and everything it refuses (file, line and column in each error).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { loadTokenizerJson, parseTokenizerJson, type JsonTokenizer } from '../../src/text/tokenizer-json';
import type { TextTokenizer } from '../../src/text/tokenizer';
import { Vocabulary } from '../../src/text/vocab';
import { byteLevelJson, noFallbackJson, sentencePieceJson } from './tokenizer-json-builders';

type Json = Record<string, unknown>;

const tokenizerOf = (json: Json, config?: Json): JsonTokenizer =>
  parseTokenizerJson(
    JSON.stringify(json),
    '/w/tokenizer.json',
    'tokenizer.json',
    config && { json: config, file: '/w/tokenizer_config.json' },
  );

const origin = { file: 'members.txt', line: 3, column: 1, what: 'the members file' };

function thrown(f: () => unknown): InputError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

/** Texts a tokeniser must give back exactly. */
const HOSTILE = [
  'Ünïcödé façade — naïve café, Ærøskøbing',
  'family 👩‍👩‍👧‍👦 and flag 🏳️‍🌈 and skin tone 👍🏽',
  'combining e\u0301 a\u0308 o\u0302\u0323 Z\u0324\u0325\u0326\u0327',
  '中文字符和日本語のテキスト，한국어 텍스트',
  '12345678901234567890123456789012345678901234567890 and 0000000000000000000000007',
  'runs a     b\t\t\tc  \n\n\n  d   ',
  'tabs\tand\r\nnewlines\n',
  'the literal <|endoftext|> and <s></s><unk> are text here',
  'x<|endoftext|>y',
  'ascii punctuation !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ and the the cat',
];

describe.each([
  { name: 'byte-level BPE', json: byteLevelJson() },
  { name: 'SentencePiece-style BPE with byte fallback', json: sentencePieceJson() },
])('$name: hostile round trips', ({ json }) => {
  const tokenizer = tokenizerOf(json);
  it.each(HOSTILE)('decode(encode(%j)) is the text, with no special id', (text) => {
    const ids = tokenizer.encode(text, origin);
    expect(tokenizer.decode(ids)).toBe(text);
    for (const id of [tokenizer.eosId, tokenizer.bosId]) if (id !== undefined) expect([...ids]).not.toContain(id);
    expect(Math.max(...ids)).toBeLessThan(tokenizer.size);
  });
});

describe('ids worked out by hand from the merges', () => {
  const bytes = (text: string) => [...new TextEncoder().encode(text)];
  it.each([
    // ids 0-255 bytes, 256 Ġt, 257 he, 258 Ġthe, 259 12, 260 123, 261 <|endoftext|>
    { name: 'byte-level: words and a leading-space word', json: byteLevelJson(), text: 'the the', ids: [116, 257, 258] },
    { name: 'byte-level: digits merge left to right by rank', json: byteLevelJson(), text: '12345', ids: [260, 52, 53] },
    {
      name: 'byte-level: the special token as text is its bytes',
      json: byteLevelJson(),
      text: '<|endoftext|>',
      ids: bytes('<|endoftext|>'),
    },
    { name: 'byte-level: emoji bytes', json: byteLevelJson(), text: '👍', ids: bytes('👍') },
    // 0 <unk>, 1 <s>, 2 </s>, 3+b <0xb>, 259 ▁, 264 c, 269 ▁the, 271 at, 273 ▁cat
    { name: 'SentencePiece-style: Metaspace prepends ▁ and merges across it', json: sentencePieceJson(), text: 'the cat', ids: [269, 273] },
    { name: 'SentencePiece-style: a tab falls back to its byte', json: sentencePieceJson(), text: 'the\tcat', ids: [269, 3 + 9, 264, 271] },
    { name: 'SentencePiece-style: é falls back to two bytes', json: sentencePieceJson(), text: 'é', ids: [259, 3 + 0xc3, 3 + 0xa9] },
  ])('$name', ({ json, text, ids }) => {
    expect([...tokenizerOf(json).encode(text, origin)]).toEqual(ids);
  });
});

describe('size and special ids', () => {
  it('byte-level without a config: end-of-text by name, no BOS or pad', () => {
    const t = tokenizerOf(byteLevelJson());
    expect({ kind: t.kind, size: t.size, eos: t.eosId, bos: t.bosId, pad: t.padId, model: t.model }).toEqual({
      kind: 'tokenizer.json',
      size: 262,
      eos: 261,
      bos: undefined,
      pad: undefined,
      model: 'byte-level BPE',
    });
  });

  it('SentencePiece-style: BOS from the post-processor template, EOS by name', () => {
    const t = tokenizerOf(sentencePieceJson());
    expect({ size: t.size, eos: t.eosId, bos: t.bosId, pad: t.padId, model: t.model }).toEqual({
      size: 274,
      eos: 2,
      bos: 1,
      pad: undefined,
      model: 'BPE with byte fallback (Metaspace)',
    });
  });

  it('tokenizer_config.json wins: strings and {content} objects; null means none', () => {
    const t = tokenizerOf(byteLevelJson(), {
      bos_token: '<|endoftext|>',
      eos_token: { content: '<|endoftext|>', special: true },
      pad_token: null,
    });
    expect([t.bosId, t.eosId, t.padId]).toEqual([261, 261, undefined]);
    const sp = tokenizerOf(sentencePieceJson(), { pad_token: '<unk>', bos_token: '</s>' });
    expect([sp.padId, sp.bosId, sp.eosId]).toEqual([0, 2, 2]);
  });

  it('an added token past the model vocabulary counts in the size', () => {
    const json = byteLevelJson();
    (json['added_tokens'] as Json[]).push({ id: 300, content: '<pad>', special: true });
    const t = tokenizerOf(json);
    expect([t.size, t.padId]).toEqual([301, 300]);
  });

  it('decode drops special ids and ids outside the tokenizer; an empty list is ""', () => {
    const t = tokenizerOf(byteLevelJson());
    expect(t.decode([261, 116, 257, -1, 99999, 261])).toBe('the');
    expect(t.decode([])).toBe('');
    expect(tokenizerOf(sentencePieceJson()).decode([1, 269, 273, 2])).toBe('the cat');
  });

  it('a config naming a token the tokenizer lacks is an input error in the config', () => {
    const error = thrown(() => tokenizerOf(byteLevelJson(), { pad_token: '<pad>' }));
    expect(error.location).toEqual({ file: '/w/tokenizer_config.json', field: 'pad_token' });
    expect(error.message).toMatch(/pad_token is "<pad>", which the tokenizer\.json next to it has no id for/);
  });

  it('the character vocabulary is a TextTokenizer of kind characters', () => {
    const vocab: TextTokenizer = new Vocabulary(['<pad>', 'a', 'b'], 0, 'vocab.json');
    expect([vocab.kind, vocab.size, vocab.padId]).toEqual(['characters', 3, 0]);
    expect(vocab.decode(vocab.encode('abba', origin))).toBe('abba');
  });
});

describe('texts it cannot encode losslessly are input errors at the character', () => {
  it.each([
    {
      name: 'an unknown character without byte fallback (never a silent <unk>)',
      json: noFallbackJson(),
      text: 'the\ncat thé',
      where: { line: 4, column: 7 },
      message:
        /cannot encode "é" \(U\+00E9\) at line 4, column 7 of the members file losslessly: the tokenizer has no token for it and no byte fallback, so it would become the unknown token "<unk>"/,
    },
    {
      name: 'a normaliser that lowercases',
      json: { ...sentencePieceJson(), normalizer: { type: 'Lowercase' } },
      text: 'the Cat',
      where: { line: 3, column: 5 },
      message: /cannot encode "C" \(U\+0043\) at line 3, column 5 .*decode back to "cat"/,
    },
    {
      name: 'a character the JS library splits differently from the Rust tokenizers (U+FEFF in byte-level BPE)',
      json: byteLevelJson(),
      text: 'ab\u00a0c\uFEFFd',
      where: { line: 3, column: 5 },
      message: /cannot encode "\uFEFF" \(U\+FEFF\) at line 3, column 5 .*ByteLevel pattern uses JavaScript \\s/,
    },
    {
      name: 'a non-ASCII digit with the Digits pre-tokenizer (the library splits ASCII digits only)',
      json: {
        ...byteLevelJson(),
        pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevelJson()['pre_tokenizer']] },
      },
      text: 'year 2024 or \u0662\u0660',
      where: { line: 3, column: 14 },
      message: /cannot encode "\u0662" \(U\+0662\) at line 3, column 14 .*splits only ASCII digits/,
    },
    {
      name: 'a non-ASCII letter with the Whitespace pre-tokenizer (ASCII-only \\w in the library)',
      json: { ...sentencePieceJson(), pre_tokenizer: { type: 'Whitespace' } },
      text: 'the café',
      where: { line: 3, column: 8 },
      message: /cannot encode "é" \(U\+00E9\) at line 3, column 8 .*ASCII-only \\w/,
    },
    {
      name: 'a leading space that the SentencePiece decoder strips',
      json: sentencePieceJson(),
      text: ' the cat',
      where: { line: 3, column: 1 },
      message: /cannot encode " " \(U\+0020\) at line 3, column 1 .*decode back to "the cat"/,
    },
  ])('$name', ({ json, text, where, message }) => {
    const error = thrown(() => tokenizerOf(json).encode(text, origin));
    expect(error.location).toEqual({ file: 'members.txt', ...where });
    expect(error.message).toMatch(message);
    expect(error.message).toContain('the tokenizer is tokenizer.json');
  });

  it('a text inside a JSON string (line only) is located by character', () => {
    const error = thrown(() => tokenizerOf(noFallbackJson()).encode('thé', { file: 'm.jsonl', line: 2 }));
    expect(error.location).toEqual({ file: 'm.jsonl', line: 2 });
    expect(error.message).toMatch(/at line 2, character 3/);
  });
});

const mutate = (json: Json, edit: (j: Json) => void): Json => {
  const copy = JSON.parse(JSON.stringify(json)) as Json;
  edit(copy);
  return copy;
};
const model = (j: Json) => j['model'] as Json;

describe('tokenizer.json files it refuses', () => {
  it.each([
    {
      name: 'a syntax error: line and column',
      text: '{\n  "model": {\n    "type": "BPE",,\n',
      line: 3,
      column: 19,
      message: /^the tokenizer\.json is not valid JSON: .*; expected a Hugging Face tokenizer\.json/,
    },
    {
      name: 'a truncated file: the end',
      text: '{\n  "model": {',
      line: 2,
      column: 13,
      message: /^the tokenizer\.json is not valid JSON/,
    },
    { name: 'not an object', text: '[1, 2]', message: /the file: expected a JSON object with "model"/ },
    {
      name: 'no model',
      json: mutate(byteLevelJson(), (j) => delete j['model']),
      message: /model: missing or not an object; expected the tokenizer model \(BPE, Unigram or WordPiece\)/,
    },
    {
      name: 'an unknown model type',
      json: mutate(byteLevelJson(), (j) => (model(j)['type'] = 'WordLevel')),
      message: /model\.type: "WordLevel"; expected BPE, Unigram, WordPiece/,
    },
    {
      name: 'BPE dropout',
      json: mutate(byteLevelJson(), (j) => (model(j)['dropout'] = 0.1)),
      message: /model\.dropout: 0\.1: BPE dropout makes encoding random/,
    },
    {
      name: 'a continuing-subword prefix the library ignores',
      json: mutate(byteLevelJson(), (j) => (model(j)['continuing_subword_prefix'] = '##')),
      message: /model\.continuing_subword_prefix: "##"/,
    },
    {
      name: 'a bad merge',
      json: mutate(byteLevelJson(), (j) => ((model(j)['merges'] as unknown[])[1] = 'a b c')),
      message: /model\.merges\[1\]: expected "a b" or \["a", "b"\]/,
    },
    {
      name: 'a precompiled SentencePiece normaliser (approximated by the library)',
      json: mutate(
        sentencePieceJson(),
        (j) =>
          (j['normalizer'] = { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Precompiled', precompiled_charsmap: 'AA==' }] }),
      ),
      message: /normalizer\.normalizers\[1\]: a SentencePiece "Precompiled" normaliser/,
    },
    {
      name: 'Metaspace that splits (the library does not)',
      json: mutate(sentencePieceJson(), (j) => ((j['pre_tokenizer'] as Json)['split'] = true)),
      message: /pre_tokenizer\.split: true: the JS library does not split words at the replacement character/,
    },
    {
      name: 'an old Metaspace without split',
      json: mutate(sentencePieceJson(), (j) => (j['pre_tokenizer'] = { type: 'Metaspace', replacement: '▁', add_prefix_space: true })),
      message: /pre_tokenizer\.split: missing \(true in the Rust tokenizers\)/,
    },
    {
      name: 'a Split behaviour the library does not reproduce',
      json: mutate(
        byteLevelJson(),
        (j) =>
          (j['pre_tokenizer'] = {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: '\\d' }, behavior: 'MergedWithPrevious', invert: false },
              j['pre_tokenizer'],
            ],
          }),
      ),
      message:
        /pre_tokenizer\.pretokenizers\[0\]\.behavior: "MergedWithPrevious" is not reproduced by the JS library; expected Isolated or Removed/,
    },
    {
      name: 'Punctuation (the library groups what the Rust tokenizers isolate)',
      json: mutate(byteLevelJson(), (j) => (j['pre_tokenizer'] = { type: 'Punctuation', behavior: 'Isolated' })),
      message: /pre_tokenizer\.type: "Punctuation" is not supported; expected one of ByteLevel, /,
    },
    {
      name: 'an unknown decoder',
      json: mutate(byteLevelJson(), (j) => (j['decoder'] = { type: 'Magic' })),
      message: /decoder\.type: "Magic" is not supported/,
    },
    {
      name: 'an added token with an id that is no id',
      json: mutate(byteLevelJson(), (j) => ((j['added_tokens'] as Json[])[0]!['id'] = -3)),
      message: /added_tokens\[0\]\.id: -3; expected an integer ≥ 0/,
    },
    {
      name: 'a regex the library cannot translate',
      json: mutate(
        byteLevelJson(),
        (j) => (j['pre_tokenizer'] = { type: 'Split', pattern: { Regex: '[[:alpha:]&&[' }, behavior: 'Isolated', invert: false }),
      ),
      message: /^the tokenizer\.json library cannot read this file: /,
    },
  ])('$name', ({ text, json, line, column, message }) => {
    const error = thrown(() => parseTokenizerJson(text ?? JSON.stringify(json), '/w/tokenizer.json', 'tokenizer.json'));
    expect(error.location).toEqual(line === undefined ? { file: '/w/tokenizer.json' } : { file: '/w/tokenizer.json', line, column });
    expect(error.message).toMatch(message);
  });
});

describe('loadTokenizerJson', () => {
  it('reads tokenizer_config.json beside the file and returns both for the audit record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenizer-json-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(byteLevelJson()));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|endoftext|>' }));
    const { tokenizer, files } = loadTokenizerJson(join(dir, 'tokenizer.json'), 'lm/tokenizer.json');
    expect(tokenizer.bosId).toBe(261);
    expect(tokenizer.source).toBe('lm/tokenizer.json');
    expect(files.map((f) => [f.role, f.path])).toEqual([
      ['tokenizer', join(dir, 'tokenizer.json')],
      ['tokenizer config', join(dir, 'tokenizer_config.json')],
    ]);
  });

  it('a broken tokenizer_config.json is an input error at its line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenizer-json-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(byteLevelJson()));
    writeFileSync(join(dir, 'tokenizer_config.json'), '{\n  "bos_token": nope\n}');
    const error = thrown(() => loadTokenizerJson(join(dir, 'tokenizer.json'), 'tokenizer.json'));
    expect(error.location).toEqual({ file: join(dir, 'tokenizer_config.json'), line: 2, column: 17 });
    expect(error.message).toMatch(/^the tokenizer_config\.json is not valid JSON/);
  });

  it('a missing file is an input error naming it', () => {
    const error = thrown(() => loadTokenizerJson('/nonexistent/tokenizer.json', 'tokenizer.json'));
    expect(error.location).toEqual({ file: '/nonexistent/tokenizer.json' });
    expect(error.message).toMatch(/^cannot read the tokenizer\.json: /);
  });
});
