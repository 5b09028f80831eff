/**
 * Which parts of a Hugging Face tokenizer.json the JS library (@huggingface/tokenizers) reproduces
 * faithfully, and which it does not. A tokeniser that silently encodes differently from the Rust
 * `tokenizers` the model was trained with measures other token ids than the model saw, so:
 * - a component the library lacks or approximates is refused, naming its place in the file;
 * - a component it reproduces except for some characters yields a "hazard": texts holding such a
 *   character are refused at that character instead of being encoded differently.
 * Lossy encodings (an unknown character without byte fallback, a lowercasing normaliser) are
 * caught per text by the round-trip check in tokenizer-json.ts.
 */

type Json = Record<string, unknown>;

/** Characters whose encoding differs from the Rust tokenizers', and why. */
export interface TokenizerHazard {
  pattern: RegExp;
  reason: string;
}

export interface TokenizerAnalysis {
  /** "byte-level BPE", "BPE with byte fallback (Metaspace)", "Unigram", ... for reports. */
  model: string;
  hazards: TokenizerHazard[];
}

/** Why the library cannot encode this tokenizer.json faithfully (a message naming the JSON path), or its analysis. */
export function analyseTokenizerJson(json: unknown): { problem: string } | TokenizerAnalysis {
  try {
    return analyse(json);
  } catch (error) {
    if (error instanceof Unsupported) return { problem: error.message };
    throw error;
  }
}

class Unsupported extends Error {}

const fail = (path: string, message: string): never => {
  throw new Unsupported(`${path}: ${message}`);
};

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function analyse(json: unknown): TokenizerAnalysis {
  if (!isObject(json))
    fail('the file', 'expected a JSON object with "model", "normalizer", "pre_tokenizer", "post_processor" and "decoder"');
  const root = json as Json;
  const hazards: TokenizerHazard[] = [];
  const model = checkModel(root['model']);
  checkAddedTokens(root['added_tokens']);
  const seen = { byteLevel: false, metaspace: false };
  checkComponent(root['normalizer'], 'normalizer', NORMALIZERS, (c, path) => {
    if (c['type'] === 'Precompiled') {
      fail(
        path,
        'a SentencePiece "Precompiled" normaliser, which the JS library approximates with NFKC; ids could differ from the Rust tokenizers',
      );
    }
  });
  checkComponent(root['pre_tokenizer'], 'pre_tokenizer', PRE_TOKENIZERS, (c, path) => preTokenizer(c, path, hazards, seen));
  checkComponent(root['post_processor'], 'post_processor', POST_PROCESSORS, () => {});
  checkComponent(root['decoder'], 'decoder', DECODERS, () => {});
  const byteFallback = model['byte_fallback'] === true;
  const type = model['type'] as string;
  const description = `${seen.byteLevel ? 'byte-level ' : ''}${type}${byteFallback ? ' with byte fallback' : ''}${seen.metaspace ? ' (Metaspace)' : ''}`;
  return { model: description, hazards };
}

const MODELS = ['BPE', 'Unigram', 'WordPiece'];
const NORMALIZERS = [
  'NFC',
  'NFD',
  'NFKC',
  'NFKD',
  'Lowercase',
  'Strip',
  'StripAccents',
  'Replace',
  'Prepend',
  'Sequence',
  'BertNormalizer',
  'Precompiled',
];
const PRE_TOKENIZERS = [
  'ByteLevel',
  'Metaspace',
  'Split',
  'Sequence',
  'Whitespace',
  'WhitespaceSplit',
  'BertPreTokenizer',
  'Digits',
  'Replace',
];
const POST_PROCESSORS = ['TemplateProcessing', 'ByteLevel', 'RobertaProcessing', 'BertProcessing', 'Sequence'];
const DECODERS = ['ByteLevel', 'WordPiece', 'Metaspace', 'BPEDecoder', 'CTC', 'Sequence', 'Replace', 'Fuse', 'Strip', 'ByteFallback'];

/** Children of a Sequence component, by section. */
const SEQUENCE_KEYS: Record<string, string> = {
  normalizer: 'normalizers',
  pre_tokenizer: 'pretokenizers',
  post_processor: 'processors',
  decoder: 'decoders',
};

function checkModel(model: unknown): Json {
  if (!isObject(model)) fail('model', 'missing or not an object; expected the tokenizer model (BPE, Unigram or WordPiece)');
  const m = model as Json;
  const type = m['type'];
  if (typeof type !== 'string' || !MODELS.includes(type)) {
    fail('model.type', `${type === undefined ? 'missing' : JSON.stringify(type)}; expected ${MODELS.join(', ')}`);
  }
  const vocab = m['vocab'];
  if (type === 'Unigram') {
    if (!Array.isArray(vocab) || vocab.length === 0) fail('model.vocab', 'expected a non-empty list of [piece, score] pairs (Unigram)');
    (vocab as unknown[]).forEach((entry, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') {
        fail(`model.vocab[${i}]`, 'expected a [piece, score] pair');
      }
    });
    const unk = m['unk_id'];
    if (
      unk !== undefined &&
      unk !== null &&
      (!Number.isInteger(unk) || (unk as number) < 0 || (unk as number) >= (vocab as unknown[]).length)
    ) {
      fail('model.unk_id', `${JSON.stringify(unk)} is not an index of model.vocab`);
    }
    return m;
  }
  if (!isObject(vocab) || Object.keys(vocab).length === 0)
    fail('model.vocab', `expected a non-empty object mapping token to id (${type as string})`);
  for (const [token, id] of Object.entries(vocab as Json)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      fail('model.vocab', `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; expected an integer ≥ 0`);
  }
  if (type === 'BPE') {
    if (!Array.isArray(m['merges'])) fail('model.merges', 'expected a list of merges ("a b" strings or [a, b] pairs)');
    (m['merges'] as unknown[]).forEach((merge, i) => {
      const ok =
        (typeof merge === 'string' && merge.split(' ').length === 2) ||
        (Array.isArray(merge) && merge.length === 2 && merge.every((part) => typeof part === 'string'));
      if (!ok) fail(`model.merges[${i}]`, 'expected "a b" or ["a", "b"]');
    });
    const dropout = m['dropout'];
    if (dropout !== undefined && dropout !== null && dropout !== 0) {
      fail(
        'model.dropout',
        `${JSON.stringify(dropout)}: BPE dropout makes encoding random; expected null (the tokenizer a model is evaluated with)`,
      );
    }
    const prefix = m['continuing_subword_prefix'];
    if (typeof prefix === 'string' && prefix !== '') {
      fail(
        'model.continuing_subword_prefix',
        `${JSON.stringify(prefix)}: the JS library ignores a BPE continuing-subword prefix, so ids would differ from the Rust tokenizers`,
      );
    }
  }
  return m;
}

function checkAddedTokens(added: unknown): void {
  if (added === undefined || added === null) return;
  if (!Array.isArray(added)) fail('added_tokens', 'expected a list of {id, content, special, ...}');
  (added as unknown[]).forEach((token, i) => {
    const path = `added_tokens[${i}]`;
    if (!isObject(token)) fail(path, 'expected an object {id, content, special, ...}');
    const t = token as Json;
    if (!Number.isInteger(t['id']) || (t['id'] as number) < 0) fail(`${path}.id`, `${JSON.stringify(t['id'])}; expected an integer ≥ 0`);
    if (typeof t['content'] !== 'string' || t['content'] === '') fail(`${path}.content`, 'expected a non-empty string');
    if (t['special'] !== true && t['single_word'] === true) {
      fail(
        `${path}.single_word`,
        'true: the JS library matches added tokens inside words too, so ids would differ from the Rust tokenizers',
      );
    }
  });
}

function checkComponent(value: unknown, path: string, known: readonly string[], visit: (component: Json, path: string) => void): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) fail(path, 'expected null or an object with a "type"');
  const c = value as Json;
  const type = c['type'];
  if (typeof type !== 'string' || !known.includes(type)) {
    fail(`${path}.type`, `${type === undefined ? 'missing' : JSON.stringify(type)} is not supported; expected one of ${known.join(', ')}`);
  }
  if (type === 'Sequence') {
    const key = SEQUENCE_KEYS[path.replace(/[.[].*$/, '')]!;
    const children = c[key];
    if (!Array.isArray(children)) fail(`${path}.${key}`, 'expected a list');
    (children as unknown[]).forEach((child, i) => checkComponent(child, `${path}.${key}[${i}]`, known, visit));
    return;
  }
  visit(c, path);
}

/** Split behaviours the library reproduces (its README: MergedWithPrevious/Next and Contiguous are not). */
const SPLIT_BEHAVIOURS = ['Isolated', 'Removed'];

function preTokenizer(c: Json, path: string, hazards: TokenizerHazard[], seen: { byteLevel: boolean; metaspace: boolean }): void {
  switch (c['type']) {
    case 'ByteLevel':
      seen.byteLevel = true;
      if (c['use_regex'] !== false) {
        // The library splits with JS \s, which holds U+FEFF and lacks U+0085; Oniguruma's \s is the reverse.
        hazards.push({
          pattern: /[\u0085\uFEFF]/u,
          reason: 'the JS library splits words around it differently from the Rust tokenizers (its ByteLevel pattern uses JavaScript \\s)',
        });
      }
      return;
    case 'Metaspace':
      seen.metaspace = true;
      if (c['split'] !== false) {
        fail(
          `${path}.split`,
          `${c['split'] === undefined ? 'missing (true in the Rust tokenizers)' : JSON.stringify(c['split'])}: the JS library does not split words at the replacement character, so ids could differ; expected split: false (as Llama-family tokenizer.json files have)`,
        );
      }
      return;
    case 'Split': {
      const behavior = c['behavior'];
      if (typeof behavior !== 'string' || !SPLIT_BEHAVIOURS.includes(behavior)) {
        fail(
          `${path}.behavior`,
          `${JSON.stringify(behavior)} is not reproduced by the JS library; expected ${SPLIT_BEHAVIOURS.join(' or ')}`,
        );
      }
      const pattern = c['pattern'];
      if (!isObject(pattern) || (typeof pattern['Regex'] !== 'string' && typeof pattern['String'] !== 'string')) {
        fail(`${path}.pattern`, 'expected {"Regex": "..."} or {"String": "..."}');
      }
      return;
    }
    case 'Digits':
      hazards.push({
        pattern: /(?![0-9])\p{N}/u,
        reason: 'the JS library splits only ASCII digits where the Rust tokenizers split every numeric character',
      });
      return;
    case 'Whitespace':
      hazards.push({
        pattern: /[\u0080-\u{10FFFF}]/u,
        reason: 'the JS library splits words with ASCII-only \\w where the Rust tokenizers use Unicode word characters',
      });
      return;
    case 'WhitespaceSplit':
      hazards.push({
        pattern: /[\u0085\uFEFF]/u,
        reason: 'the JS library splits at JavaScript whitespace, which differs from Unicode White_Space for this character',
      });
      return;
    default:
      return;
  }
}
