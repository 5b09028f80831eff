/**
 * What every sequence probe needs from a tokeniser: text → token ids and back. Two kinds
 * implement it: the character vocabulary (text/vocab.ts, `model.tokenizer.vocab-file`) and a
 * Hugging Face `tokenizer.json` (byte-level BPE as GPT-2 uses, SentencePiece-style as Llama-family
 * models use; `model.tokenizer: path`), read with @huggingface/tokenizers.
 */
import type { TextOrigin } from './origin';

export interface TextTokenizer {
  readonly kind: 'characters' | 'tokenizer.json';
  /** Where it came from (a path relative to the workspace, or the policy field), for messages. */
  readonly source: string;
  /** Number of token ids. */
  readonly size: number;
  readonly padId: number | undefined;
  /** End-of-text / beginning-of-text ids when the tokeniser names them. */
  readonly eosId?: number | undefined;
  readonly bosId?: number | undefined;
  /** Ids of `text`, without special tokens added; throws InputError naming `origin` when it cannot. */
  encode(text: string, origin: TextOrigin): Int32Array;
  /** Text of ids; special tokens decode to nothing. */
  decode(ids: ArrayLike<number>): string;
}
