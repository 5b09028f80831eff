/**
 * The special ids a probe may need (pad, end-of-text, beginning-of-text) of a tokenizer.json, in
 * order of authority: tokenizer_config.json's `pad_token` / `eos_token` / `bos_token` (what
 * transformers uses); for BOS, the token the post-processor template puts first; else an added
 * special token with a conventional name. A token the config names but the tokenizer lacks is an
 * InputError: a guessed id would be silently wrong.
 */
import { InputError } from '../errors';

type Json = Record<string, unknown>;

export interface SpecialIds {
  padId?: number;
  eosId?: number;
  bosId?: number;
}

/** Conventional names, most common first. */
const NAMES = {
  pad: ['<pad>', '[PAD]', '<|pad|>', '<PAD>', '<|padding|>'],
  eos: ['<|endoftext|>', '</s>', '<|end_of_text|>', '<eos>', '<|eos|>', '[EOS]'],
  bos: ['<s>', '<|begin_of_text|>', '<|startoftext|>', '<bos>', '<|bos|>', '[BOS]'],
} as const;

const CONFIG_FIELDS = { pad: 'pad_token', eos: 'eos_token', bos: 'bos_token' } as const;

/**
 * @param idOf the id of a token's content (added tokens first, then the model's vocabulary).
 * @param specialIds content → id of the added tokens marked special.
 */
export function findSpecialIds(
  json: Json,
  config: Json | undefined,
  configFile: string | undefined,
  idOf: (content: string) => number | undefined,
  specialIds: ReadonlyMap<string, number>,
): SpecialIds {
  const out: SpecialIds = {};
  for (const role of ['pad', 'eos', 'bos'] as const) {
    const id = fromConfig(role, config, configFile, idOf) ?? (role === 'bos' ? fromTemplate(json) : undefined) ?? byName(role, specialIds);
    if (id !== undefined) out[`${role}Id`] = id;
  }
  return out;
}

function fromConfig(
  role: keyof typeof CONFIG_FIELDS,
  config: Json | undefined,
  configFile: string | undefined,
  idOf: (content: string) => number | undefined,
): number | undefined {
  if (!config || !configFile) return undefined;
  const field = CONFIG_FIELDS[role];
  const value = config[field];
  if (value === undefined || value === null) return undefined;
  const content =
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && typeof (value as Json)['content'] === 'string'
        ? ((value as Json)['content'] as string)
        : undefined;
  if (content === undefined) {
    throw new InputError(`${field} is ${JSON.stringify(value)}; expected a token (a string, or an object with "content")`, {
      file: configFile,
      field,
    });
  }
  const id = idOf(content);
  if (id === undefined) {
    throw new InputError(
      `${field} is ${JSON.stringify(content)}, which the tokenizer.json next to it has no id for; expected a token of its vocabulary or added tokens`,
      {
        file: configFile,
        field,
      },
    );
  }
  return id;
}

/** The special token a TemplateProcessing post-processor puts before a single text, if any. */
function fromTemplate(json: Json): number | undefined {
  const post = json['post_processor'] as Json | null | undefined;
  const templates = post?.['type'] === 'Sequence' ? ((post['processors'] as Json[] | undefined) ?? []) : post ? [post] : [];
  for (const template of templates) {
    if (template?.['type'] !== 'TemplateProcessing') continue;
    const first = (template['single'] as Json[] | undefined)?.[0]?.['SpecialToken'] as Json | undefined;
    if (!first) continue;
    const ids = ((template['special_tokens'] as Json | undefined)?.[first['id'] as string] as Json | undefined)?.['ids'];
    if (Array.isArray(ids) && ids.length === 1 && Number.isInteger(ids[0])) return ids[0] as number;
  }
  return undefined;
}

function byName(role: keyof typeof NAMES, specialIds: ReadonlyMap<string, number>): number | undefined {
  for (const name of NAMES[role]) {
    const id = specialIds.get(name);
    if (id !== undefined) return id;
  }
  return undefined;
}
