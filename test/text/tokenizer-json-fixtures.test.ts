/**
 * The tokenizer.json reader against an independent encoder: test/fixtures/lm holds a byte-level
 * BPE (GPT-2 layout) and a SentencePiece-style BPE (Llama 2 layout) trained by scripts/lm/bpe.py,
 * and the ids its own Python encoder gives for 38 hostile texts. Every text must give the same
 * ids and decode back to itself.
 *
 * One deliberate difference: the Python encoder (like Hugging Face's default) turns a special
 * token written in the text ("<|endoftext|>", "</s>") into the control token; the gate encodes
 * text as data, so a text cannot smuggle an end-of-text into a measurement. Those texts are
 * checked for the round trip and for holding no special id instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTokenizerJson } from '../../src/text/tokenizer-json';

interface Case {
  text: string;
  ids: number[];
  ids_with_special_tokens: number[];
  decoded: string;
}
interface Expected {
  file: string;
  vocab_size: number;
  eos_id: number;
  bos_id?: number;
  unk_id?: number;
  cases: Case[];
}

const dir = 'test/fixtures/lm';
const expected = JSON.parse(readFileSync(`${dir}/tokenizers.expected.json`, 'utf8')) as Record<'bytelevel' | 'sentencepiece', Expected>;

describe.each([
  { name: 'byte-level BPE', key: 'bytelevel' as const, bos: undefined, unk: undefined, model: 'byte-level BPE' },
  { name: 'SentencePiece-style BPE', key: 'sentencepiece' as const, bos: 1, unk: 0, model: 'BPE with byte fallback' },
])('$name (test/fixtures/lm)', ({ key, bos, unk, model }) => {
  const e = expected[key];
  const file = `${dir}/${e.file}`;
  const json = JSON.parse(readFileSync(file, 'utf8')) as { added_tokens: Array<{ content: string; special?: boolean }> };
  const specials = json.added_tokens.filter((t) => t.special).map((t) => t.content);
  const tokenizer = parseTokenizerJson(readFileSync(file, 'utf8'), file, e.file);
  const holdsSpecial = (text: string) => specials.some((s) => text.includes(s));

  it('size and special ids match the file', () => {
    expect({ size: tokenizer.size, eos: tokenizer.eosId, bos: tokenizer.bosId, unk: tokenizer.unkId, model: tokenizer.model }).toEqual({
      size: e.vocab_size,
      eos: e.eos_id,
      bos,
      unk,
      model,
    });
  });

  const plain = e.cases.filter((c) => !holdsSpecial(c.text));
  it(`covers the fixture's texts (${e.cases.length}, ${plain.length} without a special token)`, () => {
    expect(plain.length).toBeGreaterThanOrEqual(30);
  });

  it.each(plain)('%j: the independent encoder’s ids, and back to the text', (c) => {
    const ids = [...tokenizer.encode(c.text, { file })];
    expect(ids).toEqual(c.ids);
    expect(tokenizer.decode(ids)).toBe(c.text);
    expect(tokenizer.decode(ids)).toBe(c.decoded);
    // With special tokens added, the encoder puts BOS first (Llama) or nothing (GPT-2): what bosId says.
    expect(bos === undefined ? ids : [bos, ...ids]).toEqual(c.ids_with_special_tokens);
  });

  it.each(e.cases.filter((c) => holdsSpecial(c.text)))('%j: a special token in the text is text, and comes back', (c) => {
    const ids = [...tokenizer.encode(c.text, { file })];
    expect(tokenizer.decode(ids)).toBe(c.text);
    expect(ids.filter((id) => id === tokenizer.eosId || id === tokenizer.bosId || id === tokenizer.unkId)).toEqual([]);
    // The independent encoder made the control token of it; these ids are different on purpose.
    expect(ids).not.toEqual(c.ids);
  });
});
