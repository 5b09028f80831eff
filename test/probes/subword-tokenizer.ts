/**
 * A TextTokenizer over a Hugging Face tokenizer.json for the probe tests (helper 14tok writes
 * the product's reader; this is the same library with the same options: no special tokens added
 * on encode, none decoded, no clean-up of spaces).
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextTokenizer } from '../../src/text/tokenizer';

export function fixtureTokenizer(
  path = 'test/fixtures/lm/bytelevel.tokenizer.json',
  ids: { eosId?: number; bosId?: number } = { eosId: 356 },
  /** Replace the BPE model's LRU cache (a Map delete + set per hit, 10^4 entries) by a Map cleared when full: same ids, faster on 10^6 distinct pieces. */
  plainCache = false,
): TextTokenizer {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { model: { vocab: Record<string, number> }; added_tokens?: { id: number }[] };
  const tokenizer = new Tokenizer(json, {});
  if (plainCache) {
    const model = (tokenizer as unknown as { model: { cache: unknown } }).model;
    const map = new Map<string, string[]>();
    model.cache = {
      get: (key: string) => map.get(key),
      put: (key: string, value: string[]) => {
        if (map.size >= 1 << 20) map.clear();
        map.set(key, value);
      },
      clear: () => map.clear(),
    };
  }
  const size = Math.max(...Object.values(json.model.vocab), ...(json.added_tokens ?? []).map((t) => t.id)) + 1;
  return {
    kind: 'tokenizer.json',
    source: path,
    size,
    padId: ids.eosId,
    ...ids,
    encode: (text) => Int32Array.from(tokenizer.encode(text, { add_special_tokens: false }).ids),
    decode: (tokens) => tokenizer.decode(Array.from(tokens), { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
  };
}
