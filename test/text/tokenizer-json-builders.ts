/**
 * Small hand-written tokenizer.json documents in the two layouts language models ship (no trainer:
 * a fixed byte alphabet and a few merges written out), for the reader's unit tests:
 * - byte-level BPE as GPT-2 saves it (ByteLevel pre-tokenizer and decoder, <|endoftext|>);
 * - SentencePiece-style BPE as Llama-family tokenizer.json files are (Metaspace with split false,
 *   byte fallback <0x00>…<0xFF>, <unk>/<s>/</s>, a TemplateProcessing that prepends <s>).
 */

type Json = Record<string, unknown>;

/** GPT-2's byte → printable character table (bytes_to_unicode). */
export function gpt2ByteChars(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return out;
}

/** Byte-level BPE: ids 0-255 the bytes, then one token per merge, then <|endoftext|>. */
export function byteLevelJson(
  merges: [string, string][] = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
    ['1', '2'],
    ['12', '3'],
  ],
): Json {
  const vocab: Record<string, number> = {};
  gpt2ByteChars().forEach((char, b) => (vocab[char] = b));
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const eot = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = eot;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: eot, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** Pieces of the SentencePiece-style tokenizer after <unk> <s> </s> and the 256 byte tokens. */
export const SP_PIECES = ['▁', 't', 'h', 'e', 'a', 'c', 'o', 'n', '▁t', 'he', '▁the', '▁a', 'at', '▁c', '▁cat'];
export const SP_MERGES: [string, string][] = [
  ['▁', 't'],
  ['h', 'e'],
  ['▁t', 'he'],
  ['▁', 'a'],
  ['a', 't'],
  ['▁', 'c'],
  ['▁c', 'at'],
];

/** SentencePiece-style BPE: 0 <unk>, 1 <s>, 2 </s>, 3-258 <0x00>-<0xFF>, then SP_PIECES. */
export function sentencePieceJson(): Json {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  for (const piece of SP_PIECES) vocab[piece] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: SP_MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** A character-level BPE without byte fallback: an unknown character can only become <unk>. */
export function noFallbackJson(): Json {
  const json = sentencePieceJson();
  const model = json['model'] as Json;
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (const piece of [...SP_PIECES, '\n']) vocab[piece] = Object.keys(vocab).length;
  model['vocab'] = vocab;
  model['byte_fallback'] = false;
  return json;
}
