import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { defaultPadId, parseVocabularyJson, Vocabulary } from '../../src/text/vocab';
import { parseTextRecords } from '../../src/text/records';

const vocab = new Vocabulary(['<pad>', 'a', 'b', ' ', '\n', '—'], 0, 'vocab.json');

describe('Vocabulary', () => {
  it('encodes one token per code point and decodes back, dropping special tokens', () => {
    const ids = vocab.encode('ab —a', { file: 'x.txt' });
    expect([...ids]).toEqual([1, 2, 3, 5, 1]);
    expect(vocab.decode([0, ...ids, 0, 99])).toBe('ab —a');
  });

  it.each([
    {
      name: 'line and column',
      text: 'ab\nabc',
      origin: { file: 'm.txt', line: 7, column: 1 },
      where: 'line 8, column 3',
      line: 8,
      column: 3,
    },
    {
      name: 'column offset on the first line',
      text: 'a c',
      origin: { file: 'm.txt', line: 2, column: 5 },
      where: 'line 2, column 7',
      line: 2,
      column: 7,
    },
    {
      name: 'line only (inside a JSON string): character offset',
      text: 'aaaaz',
      origin: { file: 'm.jsonl', line: 4 },
      where: 'line 4, character 5',
      line: 4,
      column: undefined,
    },
  ])('an unknown character is an InputError at its position: $name', ({ text, origin, where, line, column }) => {
    let error: unknown;
    try {
      vocab.encode(text, origin);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.message).toContain(where);
    expect(e.message).toMatch(/U\+00(63|7A)/);
    expect(e.location).toMatchObject({ file: origin.file, line });
    expect(e.location?.column).toBe(column);
  });

  it('finds a pad token by name', () => {
    expect(defaultPadId(['a', '[PAD]', 'b'])).toBe(1);
    expect(defaultPadId(['a', 'b'])).toBeUndefined();
  });
});

describe('parseVocabularyJson', () => {
  it('reads an array or a token → id object', () => {
    expect(parseVocabularyJson('["<pad>","a","b"]', 'v.json')).toEqual(['<pad>', 'a', 'b']);
    expect(parseVocabularyJson('{"b":1,"a":0}', 'v.json')).toEqual(['a', 'b']);
  });

  it.each([
    { json: '[1, "a"]', error: /entry 0 is 1/ },
    { json: '["a", "a"]', error: /appears twice \(ids 0 and 1\)/ },
    { json: '{"a": 0, "b": 0}', error: /id 0 is given to both/ },
    { json: '{"a": 5}', error: /expected ids 0 to 0/ },
    { json: '"abc"', error: /neither a JSON array/ },
    { json: '[', error: /not valid JSON/ },
  ])('rejects $json', ({ json, error }) => {
    expect(() => parseVocabularyJson(json, 'v.json')).toThrow(error);
  });
});

describe('parseTextRecords', () => {
  it('text: one record per non-empty line, with its line number', () => {
    expect(parseTextRecords('\uFEFFfirst\r\n\nsecond\n', 'f.txt', 'text', 'text')).toEqual([
      { line: 1, text: 'first' },
      { line: 3, text: 'second' },
    ]);
  });

  it('jsonl: strings, id lists, or objects holding either in the field', () => {
    const content = '"plain"\n[1, 2, 3]\n{"text": "field"}\n{"text": [4]}\n';
    expect(parseTextRecords(content, 'f.jsonl', 'jsonl', 'text')).toEqual([
      { line: 1, text: 'plain' },
      { line: 2, ids: [1, 2, 3] },
      { line: 3, text: 'field' },
      { line: 4, ids: [4] },
    ]);
  });

  it.each([
    { content: '"ok"\n{"body": "x"}', error: /line 2 has no "text" field/, line: 2 },
    { content: '{"text": 3}', error: /expected a text .* found a number/, line: 1 },
    { content: '[1, -2]', error: /not a non-negative integer/, line: 1 },
    { content: '\n\n{oops', error: /line 3 is not valid JSON/, line: 3 },
  ])('jsonl errors name the line: $error', ({ content, error, line }) => {
    try {
      parseTextRecords(content, 'f.jsonl', 'jsonl', 'text');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).message).toMatch(error);
      expect((e as InputError).location?.line).toBe(line);
    }
  });
});
