/**
 * A Hugging Face `tokenizer.json` (byte-level BPE as GPT-2 uses, SentencePiece-style BPE or
 * Unigram as Llama-family and T5 models use) as a TextTokenizer, read with @huggingface/tokenizers
 * (pure JS) rather than a hand-written BPE.
 *
 * Faithful or refused, never approximate: the gate must score the token ids the model was trained
 * on. So
 * - components the library lacks or approximates are refused when the file is read
 *   (tokenizer-json-support.ts), naming their place in the file;
 * - encode adds no special tokens (the probes decide about BOS) and treats the text as data: a
 *   literal "<|endoftext|>" in a text is encoded as the characters it is, never as the control
 *   token, so a text cannot smuggle an end-of-text into a measurement;
 * - every encoding is checked by decoding it: a text whose ids do not decode back to exactly the
 *   text (an unknown character without byte fallback becoming <unk>, a lowercasing normaliser)
 *   is an InputError at the first character that differs, never a silent <unk>.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../errors';
import { jsonErrorOffset } from '../util/json-position';
import { codePointName, lineColumnAt, positionInText } from './text-position';
import type { TextTokenizer } from './tokenizer';
import { analyseTokenizerJson, type TokenizerHazard } from './tokenizer-json-support';
import { findSpecialIds } from './tokenizer-json-special';
import type { TextOrigin } from './origin';

type Json = Record<string, unknown>;

/** The name transformers gives the file of special-token settings next to tokenizer.json. */
export const TOKENIZER_CONFIG = 'tokenizer_config.json';

export interface TokenizerFile {
  path: string;
  bytes: Buffer;
  role: 'tokenizer' | 'tokenizer config';
}

/** Reads `file` (and tokenizer_config.json beside it when present); `source` names it in messages. */
export function loadTokenizerJson(file: string, source: string): { tokenizer: JsonTokenizer; files: TokenizerFile[] } {
  const files: TokenizerFile[] = [{ path: file, bytes: readOrFail(file, 'tokenizer.json'), role: 'tokenizer' }];
  const configPath = join(dirname(file), TOKENIZER_CONFIG);
  let config: { json: Json; file: string } | undefined;
  if (existsSync(configPath)) {
    const bytes = readOrFail(configPath, TOKENIZER_CONFIG);
    files.push({ path: configPath, bytes, role: 'tokenizer config' });
    const json = parseJson(bytes.toString('utf8'), configPath, `the ${TOKENIZER_CONFIG}`);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new InputError(`expected a JSON object (the tokenizer's special-token settings)`, { file: configPath });
    }
    config = { json: json as Json, file: configPath };
  }
  return { tokenizer: parseTokenizerJson(files[0]!.bytes.toString('utf8'), file, source, config), files };
}

/** The tokeniser of a tokenizer.json's text (and its tokenizer_config.json, when given). */
export function parseTokenizerJson(text: string, file: string, source: string, config?: { json: Json; file: string }): JsonTokenizer {
  const json = parseJson(text, file, 'the tokenizer.json');
  const analysis = analyseTokenizerJson(json);
  if ('problem' in analysis) {
    throw new InputError(`this tokenizer.json cannot be encoded faithfully: ${analysis.problem}`, { file });
  }
  return new JsonTokenizer(json as Json, file, source, analysis.model, analysis.hazards, config);
}

export class JsonTokenizer implements TextTokenizer {
  readonly kind = 'tokenizer.json' as const;
  readonly size: number;
  readonly padId: number | undefined;
  readonly eosId: number | undefined;
  readonly bosId: number | undefined;
  /** The unknown token's id, if the model has one. */
  readonly unkId: number | undefined;
  private readonly library: Tokenizer;
  /** Ids of added tokens marked special: never produced by encode, dropped by decode. */
  private readonly specials = new Set<number>();
  private readonly names: string[] = [];

  constructor(
    json: Json,
    readonly file: string,
    readonly source: string,
    /** What kind of tokeniser, e.g. "byte-level BPE", for reports. */
    readonly model: string,
    private readonly hazards: readonly TokenizerHazard[],
    config?: { json: Json; file: string },
  ) {
    const added = ((json['added_tokens'] as Json[] | null | undefined) ?? []).map((t) => ({ ...t }));
    const vocabIds = new Map<string, number>();
    const modelJson = json['model'] as Json;
    if (Array.isArray(modelJson['vocab'])) (modelJson['vocab'] as [string, number][]).forEach(([piece], id) => vocabIds.set(piece, id));
    else for (const [token, id] of Object.entries(modelJson['vocab'] as Json)) vocabIds.set(token, id as number);
    const addedIds = new Map<string, number>();
    const specialByName = new Map<string, number>();
    let maxId = -1;
    for (const id of vocabIds.values()) maxId = Math.max(maxId, id);
    for (const t of added) {
      addedIds.set(t['content'] as string, t['id'] as number);
      if (t['special'] === true) {
        this.specials.add(t['id'] as number);
        specialByName.set(t['content'] as string, t['id'] as number);
      }
      maxId = Math.max(maxId, t['id'] as number);
    }
    this.size = maxId + 1;
    const idOf = (content: string) => addedIds.get(content) ?? vocabIds.get(content);
    const special = findSpecialIds(json, config?.json, config?.file, idOf, specialByName);
    this.padId = special.padId;
    this.eosId = special.eosId;
    this.bosId = special.bosId;
    const unk =
      modelJson['type'] === 'Unigram'
        ? (modelJson['unk_id'] as number | null | undefined)
        : typeof modelJson['unk_token'] === 'string'
          ? idOf(modelJson['unk_token'])
          : undefined;
    this.unkId = unk ?? undefined;
    for (const [name, id] of vocabIds) this.names[id] = name;
    for (const t of added) this.names[t['id'] as number] = t['content'] as string;
    try {
      // Special tokens are left out of the library's added tokens, so text is never split at them.
      this.library = new Tokenizer(
        {
          ...json,
          normalizer: json['normalizer'] ?? null,
          pre_tokenizer: json['pre_tokenizer'] ?? null,
          post_processor: json['post_processor'] ?? null,
          decoder: json['decoder'] ?? null,
          added_tokens: added.filter((t) => t['special'] !== true),
        },
        {},
      );
    } catch (error) {
      throw new InputError(`the tokenizer.json library cannot read this file: ${(error as Error).message}`, { file });
    }
    useFlatCache(this.library);
  }

  /** Ids of `text`, no special tokens added; an InputError at the first character it cannot encode losslessly. */
  encode(text: string, origin: TextOrigin): Int32Array {
    for (const hazard of this.hazards) {
      const match = hazard.pattern.exec(text);
      if (match) throw this.refusal(text, match.index, origin, hazard.reason);
    }
    const ids = this.library.encode(text, { add_special_tokens: false }).ids as Array<number | undefined>;
    const decoded = this.decode(ids.filter((id): id is number => id !== undefined));
    if (decoded === text && !ids.includes(undefined)) return Int32Array.from(ids as number[]);
    const at = firstDifference(text, decoded);
    const reason = this.unknown(text, at)
      ? `the tokenizer has no token for it${this.model.includes('byte fallback') ? '' : ' and no byte fallback'}, so it would ${this.unkId !== undefined ? `become the unknown token ${JSON.stringify(this.names[this.unkId] ?? '')}` : 'be dropped'}`
      : `its token ids decode back to ${JSON.stringify(decoded.slice(at, at + 12))}${decoded.length > at + 12 ? '…' : ''} (the tokenizer's normaliser or decoder changes the text)`;
    throw this.refusal(text, at, origin, reason);
  }

  /** Text of `ids`: special tokens and ids outside the tokenizer decode to nothing. */
  decode(ids: ArrayLike<number>): string {
    const kept: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (Number.isInteger(id) && id >= 0 && id < this.size && !this.specials.has(id) && this.library.id_to_token(id) !== undefined)
        kept.push(id);
    }
    if (kept.length === 0) return '';
    return this.library.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** Whether the character at `index` on its own has no token: it becomes <unk>, or nothing. */
  private unknown(text: string, index: number): boolean {
    if (index >= text.length) return false;
    const ids = this.library.encode(String.fromCodePoint(text.codePointAt(index)!), { add_special_tokens: false }).ids as Array<
      number | undefined
    >;
    return ids.length === 0 || ids.some((id) => id === undefined || id === this.unkId);
  }

  /** The token string of `id` as the file writes it (e.g. "Ġthe", "▁the", "<0x0A>"), for messages. */
  tokenName(id: number): string | undefined {
    return this.names[id];
  }

  private refusal(text: string, index: number, origin: TextOrigin, reason: string): InputError {
    const { where, location } = positionInText(text, index, origin);
    const what =
      index < text.length
        ? `${JSON.stringify(String.fromCodePoint(text.codePointAt(index)!))} (${codePointName(text, index)})`
        : 'the end of the text';
    return new InputError(
      `cannot encode ${what} at ${where}${origin.what ? ` of ${origin.what}` : ''} losslessly: ${reason}; the tokenizer is ${this.source}. Remove it from the text, or give the tokenizer the model was trained with`,
      location,
    );
  }
}

/** Pieces the BPE cache holds before it starts again (about 100 MB at most for short pieces). */
const CACHE_PIECES = 1 << 20;

/**
 * The library's BPE cache is an LRU of 10^4 pieces that deletes and re-inserts on every hit; a
 * canary format's 10^6 fillings are 10^6 distinct pieces, so it thrashes and encoding runs at half
 * speed. A plain map cleared when full gives the same ids (the cache only memoises the BPE of a
 * piece) at twice the rate. Left alone if a library version has no such cache.
 */
function useFlatCache(library: Tokenizer): void {
  const model = (library as unknown as { model?: { cache?: { get?: unknown; put?: unknown } } }).model;
  if (!model?.cache || typeof model.cache.get !== 'function' || typeof model.cache.put !== 'function') return;
  const pieces = new Map<string, unknown>();
  model.cache = {
    get: (key: string) => pieces.get(key),
    put: (key: string, value: unknown) => {
      if (pieces.size >= CACHE_PIECES) pieces.clear();
      pieces.set(key, value);
    },
    clear: () => pieces.clear(),
  } as typeof model.cache;
}

/** UTF-16 index of the first code point where `a` and `b` differ (a's length when b extends a). */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.codePointAt(i) === b.codePointAt(i)) i += a.codePointAt(i)! > 0xffff ? 2 : 1;
  return Math.min(i, a.length);
}

function readOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError(`cannot read the ${what}: ${(error as Error).message}`, { file });
  }
}

/** JSON.parse with the syntax error's line and column in the file. */
function parseJson(text: string, file: string, what: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    let at: number | undefined;
    try {
      at = jsonErrorOffset(body);
    } catch {
      // Nesting deeper than the stack: no position, the message still names the file.
    }
    throw new InputError(
      `${what} is not valid JSON: ${message}; expected ${what === 'the tokenizer.json' ? 'a Hugging Face tokenizer.json (one JSON object, as tokenizers and transformers save it)' : 'one JSON object'}`,
      at === undefined ? { file } : { file, ...lineColumnAt(body, at) },
    );
  }
}
