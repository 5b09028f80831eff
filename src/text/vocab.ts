/**
 * A character vocabulary: token id ↔ character. Entries of one code point are characters;
 * longer entries (e.g. "<pad>") are special tokens that text never produces and that decode to
 * nothing. Unknown characters are an InputError at their position, never silently dropped:
 * a tokeniser that skips characters would measure a different text than the one trained on.
 */
import { InputError } from '../errors';
import type { TextOrigin } from './origin';
import { codePointName, positionInText } from './text-position';
import type { TextTokenizer } from './tokenizer';

/** Names a pad token usually goes by; the first one found is the default pad id. */
const PAD_NAMES = ['<pad>', '[PAD]', '<|pad|>', '<PAD>'];

export type { TextOrigin } from './origin';

export class Vocabulary implements TextTokenizer {
  readonly kind = 'characters' as const;
  private readonly index = new Map<string, number>();

  /**
   * @param tokens entries in id order.
   * @param padId id used to left-pad prompts for a fixed-context model (undefined: none).
   * @param source where the vocabulary came from, for messages.
   */
  constructor(
    readonly tokens: readonly string[],
    readonly padId: number | undefined,
    readonly source: string,
  ) {
    tokens.forEach((token, id) => {
      if (isCharacter(token) && !this.index.has(token)) this.index.set(token, id);
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a character, or undefined. */
  idOf(char: string): number | undefined {
    return this.index.get(char);
  }

  has(char: string): boolean {
    return this.index.has(char);
  }

  /** Token ids of `text`, one per code point; throws InputError at the first unknown character. */
  encode(text: string, origin: TextOrigin): Int32Array {
    const chars = [...text];
    const ids = new Int32Array(chars.length);
    let at = 0;
    chars.forEach((char, i) => {
      const id = this.index.get(char);
      if (id === undefined) throw this.unknown(text, at, origin);
      ids[i] = id;
      at += char.length;
    });
    return ids;
  }

  /** Text of token ids; special tokens and ids outside the vocabulary decode to nothing. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const token = this.tokens[ids[i]!];
      if (token !== undefined && isCharacter(token)) out += token;
    }
    return out;
  }

  /** The error for the character at UTF-16 index `at` of `text`, at its line and column in the file. */
  private unknown(text: string, at: number, origin: TextOrigin): InputError {
    const char = String.fromCodePoint(text.codePointAt(at)!);
    const { where, location } = positionInText(text, at, origin);
    return new InputError(
      `unknown character ${JSON.stringify(char)} (${codePointName(text, at)}) at ${where}${origin.what ? ` of ${origin.what}` : ''}: the vocabulary (${this.source}) has no token for it; add it to the vocabulary or remove it from the text`,
      location,
    );
  }
}

export function isCharacter(token: string): boolean {
  return token.length > 0 && [...token].length === 1;
}

/** The default pad id: the first entry named like a pad token. */
export function defaultPadId(tokens: readonly string[]): number | undefined {
  for (const name of PAD_NAMES) {
    const id = tokens.indexOf(name);
    if (id >= 0) return id;
  }
  return undefined;
}

/**
 * Parses a vocabulary file: a JSON array of tokens in id order, or an object mapping token →
 * id (ids 0..n−1, each once). Errors name the file and what was expected.
 */
export function parseVocabularyJson(text: string, file: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the vocabulary file is not valid JSON: ${(error as Error).message}`, { file });
  }
  if (Array.isArray(value)) {
    value.forEach((token, i) => {
      if (typeof token !== 'string' || token.length === 0) {
        throw new InputError(
          `vocabulary entry ${i} is ${JSON.stringify(token)}; expected a non-empty string (a character or a special token such as "<pad>")`,
          { file },
        );
      }
    });
    checkUnique(value as string[], file);
    return value as string[];
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const tokens: string[] = new Array(entries.length);
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= entries.length) {
        throw new InputError(
          `vocabulary token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; expected ids 0 to ${entries.length - 1}, each used once`,
          { file },
        );
      }
      if (tokens[id as number] !== undefined) {
        throw new InputError(
          `vocabulary id ${id as number} is given to both ${JSON.stringify(tokens[id as number])} and ${JSON.stringify(token)}; expected each id once`,
          { file },
        );
      }
      tokens[id as number] = token;
    }
    return tokens;
  }
  throw new InputError('the vocabulary file holds neither a JSON array of tokens (in id order) nor an object mapping token → id', { file });
}

function checkUnique(tokens: string[], file: string): void {
  const seen = new Map<string, number>();
  tokens.forEach((token, i) => {
    const first = seen.get(token);
    if (first !== undefined) {
      throw new InputError(`vocabulary token ${JSON.stringify(token)} appears twice (ids ${first} and ${i}); expected each token once`, {
        file,
      });
    }
    seen.set(token, i);
  });
}
