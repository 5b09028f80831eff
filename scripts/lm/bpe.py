#!/usr/bin/python3
"""A small, readable BPE trainer and encoder that writes Hugging Face `tokenizer.json` files.

Two flavours, as the `tokenizers` library writes them for the two families of real models:

- byte-level BPE, as GPT-2 ships (`train_bytelevel`): text is split by GPT-2's pre-tokenizer
  regex, every piece is turned into bytes shown as printable characters (GPT-2's
  bytes_to_unicode table, so a space is "Ġ"), and merges are learnt inside pieces. Vocabulary: the
  256 byte characters (in GPT-2's order: ids 0..255), then one token per merge, then
  `<|endoftext|>` (the only special token; end of text, also used as padding).
- SentencePiece-style BPE, as Llama-family models ship (`train_sentencepiece`): the normalizer
  prepends "▁" and turns every space into "▁"; no pre-tokenizer (the whole text is one word for
  the BPE model; merges learnt inside "▁"-started pieces never cross one); characters missing from
  the vocabulary fall back to byte tokens `<0x00>`..`<0xFF>`. Vocabulary: `<unk>` 0, `<s>` 1,
  `</s>` 2, the 256 byte tokens 3..258, the training alphabet, then one token per merge. The
  post-processor puts `<s>` in front (Llama's add_bos).

`Tokenizer` is an independent encoder/decoder for exactly these two layouts (it refuses any other
component), used to compute the expected ids the JavaScript reader is compared with. The product
itself never runs Python: it reads the tokenizer.json with @huggingface/tokenizers.

Whitespace (`\\s` in GPT-2's regex) is the set JavaScript's Unicode regexes use (the product reads
the files with a JavaScript library); \\p{L} and \\p{N} are the Unicode general categories L* and N*.

    /usr/bin/python3 scripts/lm/bpe.py bytelevel corpus.txt 512 out/tokenizer.json
    /usr/bin/python3 scripts/lm/bpe.py sentencepiece corpus.txt 512 out/tokenizer.json
"""
import json
import sys
import unicodedata
from collections import Counter, defaultdict

ENDOFTEXT = "<|endoftext|>"
SPIECE = "\u2581"  # "▁"
SP_SPECIALS = ["<unk>", "<s>", "</s>"]
# JavaScript's \s with the u flag (WhiteSpace + LineTerminator); Python's str.isspace() differs
# (it has \x1c-\x1f and \x85, lacks \ufeff).
JS_WHITESPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)
}


# ------------------------------------------------------------------------------ byte level

def bytes_to_unicode():
    """GPT-2's table: every byte gets a printable character (printable Latin-1 bytes keep their own)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}
# Ids 0..255 of a GPT-2 vocabulary: the byte characters in the table's order.
BYTE_ALPHABET = list(BYTE_TO_CHAR.values())


def _is_space(c):
    return c in JS_WHITESPACE


def _is_letter(c):
    return unicodedata.category(c)[0] == "L"


def _is_number(c):
    return unicodedata.category(c)[0] == "N"


def _is_other(c):
    return not (_is_space(c) or _is_letter(c) or _is_number(c))


def gpt2_split(text):
    """GPT-2's pre-tokenizer, the regex
        's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
    written out as a scanner (Python's re module has no \\p{...}); alternatives in the regex's order."""
    pieces = []
    i, n = 0, len(text)
    while i < n:
        end = None
        if text[i] == "'":
            for suffix in ("s", "t", "re", "ve", "m", "ll", "d"):
                if text.startswith(suffix, i + 1):
                    end = i + 1 + len(suffix)
                    break
        if end is None:
            for cls in (_is_letter, _is_number, _is_other):
                start = i + 1 if text[i] == " " and i + 1 < n and cls(text[i + 1]) else i
                if cls(text[start]):
                    end = start + 1
                    while end < n and cls(text[end]):
                        end += 1
                    break
        if end is None:  # whitespace: \s+(?!\S) leaves the last space to the next piece, else \s+
            end = i
            while end < n and _is_space(text[end]):
                end += 1
            if end < n and end - 1 > i:
                end -= 1
        pieces.append(text[i:end])
        i = end
    return pieces


def to_byte_chars(piece):
    return "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))


# ---------------------------------------------------------------------------------- training

def learn_merges(word_counts, alphabet, n_merges):
    """Classic BPE (Sennrich et al. 2016) over {word (tuple of symbols): count}: repeatedly merge the
    most frequent adjacent pair; ties go to the smallest pair in code-point order (deterministic).
    Pair counts are updated incrementally for the words that hold the merged pair."""
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())
    pair_counts = Counter()
    where = defaultdict(set)  # pair -> indices of words holding it
    for wi, (w, c) in enumerate(zip(words, counts)):
        for pair in zip(w, w[1:]):
            pair_counts[pair] += c
            where[pair].add(wi)
    merges = []
    known = set(alphabet)
    while len(merges) < n_merges:
        best = None
        for pair, c in pair_counts.items():
            if c > 0 and (best is None or c > best[1] or (c == best[1] and pair < best[0])):
                best = (pair, c)
        if best is None:
            break
        (a, b), _ = best
        merged = a + b
        merges.append((a, b))
        known.add(merged)
        for wi in sorted(where.pop((a, b), ())):
            w, c = words[wi], counts[wi]
            for pair in zip(w, w[1:]):
                pair_counts[pair] -= c
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = out
            for pair in zip(out, out[1:]):
                pair_counts[pair] += c
                where[pair].add(wi)
        pair_counts.pop((a, b), None)
    return merges


def train_bytelevel(texts, vocab_size):
    """Byte-level BPE as GPT-2: 256 byte characters, vocab_size - 257 merges, then <|endoftext|>."""
    word_counts = Counter()
    for text in texts:
        for piece in gpt2_split(text):
            word_counts[tuple(to_byte_chars(piece))] += 1
    merges = learn_merges(word_counts, BYTE_ALPHABET, vocab_size - len(BYTE_ALPHABET) - 1)
    vocab = {c: i for i, c in enumerate(BYTE_ALPHABET)}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab[ENDOFTEXT] = len(vocab)
    return bytelevel_json(vocab, merges)


def train_sentencepiece(texts, vocab_size):
    """SentencePiece-style BPE with byte fallback, as Llama: specials, 256 byte tokens, the
    training alphabet (most frequent first), then merges until vocab_size."""
    word_counts = Counter()
    for text in texts:
        normalized = sp_normalize(text)
        for piece in normalized.replace(SPIECE, "\0" + SPIECE).split("\0"):
            if piece:
                word_counts[tuple(piece)] += 1
    chars = Counter()
    for w, c in word_counts.items():
        for ch in w:
            chars[ch] += c
    alphabet = sorted(chars, key=lambda ch: (-chars[ch], ch))
    vocab = {t: i for i, t in enumerate(SP_SPECIALS + [f"<0x{b:02X}>" for b in range(256)] + alphabet)}
    merges = learn_merges(word_counts, alphabet, max(0, vocab_size - len(vocab)))
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    return sentencepiece_json(vocab, merges)


# ---------------------------------------------------------------------------- tokenizer.json

def _added(id_, content, normalized):
    return {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": normalized, "special": True}


def _bpe_model(vocab, merges, unk, byte_fallback):
    return {"type": "BPE", "dropout": None, "unk_token": unk, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": byte_fallback, "byte_fallback": byte_fallback,
            "ignore_merges": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]}


def bytelevel_json(vocab, merges):
    """The layout of GPT-2's tokenizer.json (tokenizers 0.x)."""
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [_added(vocab[ENDOFTEXT], ENDOFTEXT, True)],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": dict(byte_level, trim_offsets=False),
        "decoder": byte_level,
        "model": _bpe_model(vocab, merges, None, False),
    }


def sentencepiece_json(vocab, merges):
    """The layout of Llama 2's tokenizer.json (tokenizers 0.x, "legacy" normalizer form)."""
    bos = {"id": "<s>", "type_id": 0}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [_added(vocab[t], t, False) for t in SP_SPECIALS],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": SPIECE},
            {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE},
        ]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": bos}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": bos}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": dict(bos, type_id=1)}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [vocab["<s>"]], "tokens": ["<s>"]}},
        },
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": SPIECE}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": _bpe_model(vocab, merges, "<unk>", True),
    }


def sp_normalize(text):
    return SPIECE + text.replace(" ", SPIECE)


def write_json(obj, path):
    """Byte-stable JSON (keys in insertion order, UTF-8, no trailing spaces)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------- encoding

class Tokenizer:
    """Encode/decode with a tokenizer.json written by this module (either flavour)."""

    def __init__(self, spec):
        model = spec["model"]
        if model["type"] != "BPE":
            raise ValueError(f"model.type {model['type']!r}: only BPE")
        self.vocab = dict(model["vocab"])
        self.ranks = {tuple(m.split(" ")): i for i, m in enumerate(model["merges"])}
        self.byte_fallback = bool(model.get("byte_fallback"))
        self.unk = model.get("unk_token")
        self.specials = {t["content"]: t["id"] for t in spec["added_tokens"]}
        for content, id_ in self.specials.items():
            self.vocab[content] = id_
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        pre = spec["pre_tokenizer"]
        if pre is not None and pre["type"] != "ByteLevel":
            raise ValueError(f"pre_tokenizer {pre['type']!r}: only ByteLevel or null")
        self.bytelevel = pre is not None
        if not self.bytelevel and spec["normalizer"] is None:
            raise ValueError("a tokenizer without pre_tokenizer must have the SentencePiece normalizer")
        post = spec["post_processor"]
        self.prefix_ids = []
        if post is not None and post["type"] == "TemplateProcessing":
            self.prefix_ids = [self.vocab[item["SpecialToken"]["id"]] for item in post["single"] if "SpecialToken" in item]
        self._cache = {}

    def bpe(self, word):
        """Apply the merges in rank order to one word (GPT-2's algorithm: the lowest-ranked
        adjacent pair first, every occurrence left to right)."""
        if word in self._cache:
            return self._cache[word]
        symbols = list(word)
        while len(symbols) > 1:
            pairs = set(zip(symbols, symbols[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == best[0] and symbols[i + 1] == best[1]:
                    out.append(best[0] + best[1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        if len(word) < 256:
            self._cache[word] = symbols
        return symbols

    def _split_specials(self, text):
        """Split out special tokens (longest first at each position), as the library does before
        normalising and pre-tokenising."""
        sections, start, i = [], 0, 0
        names = sorted(self.specials, key=len, reverse=True)
        while i < len(text):
            hit = next((s for s in names if text.startswith(s, i)), None)
            if hit:
                sections.append(text[start:i])
                sections.append(hit)
                i += len(hit)
                start = i
            else:
                i += 1
        sections.append(text[start:])
        return [s for s in sections if s]

    def encode(self, text, add_special_tokens=False):
        ids = list(self.prefix_ids) if add_special_tokens else []
        for section in self._split_specials(text):
            if section in self.specials:
                ids.append(self.specials[section])
                continue
            if self.bytelevel:
                words = [to_byte_chars(p) for p in gpt2_split(section)]
            else:
                words = [sp_normalize(section)]
            for word in words:
                for token in self.bpe(word):
                    if token in self.vocab:
                        ids.append(self.vocab[token])
                    elif self.byte_fallback:
                        ids.extend(self.vocab[f"<0x{b:02X}>"] for b in token.encode("utf-8"))
                    else:
                        ids.append(self.vocab[self.unk])
        return ids

    def decode(self, ids):
        tokens = [self.id_to_token[i] for i in ids]
        if self.bytelevel:
            out, pending = [], []
            for t in tokens:
                if t in self.specials:
                    out.append(bytes(pending).decode("utf-8", "replace"))
                    pending = []
                    out.append(t)
                else:
                    pending.extend(CHAR_TO_BYTE[c] for c in t)
            out.append(bytes(pending).decode("utf-8", "replace"))
            return "".join(out)
        out, pending = [], []
        for t in (t.replace(SPIECE, " ") for t in tokens):
            if len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
                pending.append(int(t[3:5], 16))
                continue
            if pending:
                out.append(bytes(pending).decode("utf-8", "replace"))
                pending = []
            out.append(t)
        if pending:
            out.append(bytes(pending).decode("utf-8", "replace"))
        text = "".join(out)
        return text[1:] if text.startswith(" ") else text


def load(path):
    with open(path, encoding="utf-8") as f:
        return Tokenizer(json.load(f))


def main(argv):
    if len(argv) != 5 or argv[1] not in ("bytelevel", "sentencepiece"):
        sys.exit(__doc__)
    flavour, corpus, size, out = argv[1], argv[2], int(argv[3]), argv[4]
    with open(corpus, encoding="utf-8") as f:
        texts = [line for line in f.read().split("\n") if line.strip()]
    spec = (train_bytelevel if flavour == "bytelevel" else train_sentencepiece)(texts, size)
    write_json(spec, out)
    print(f"{out}: {len(spec['model']['vocab'])} tokens, {len(spec['model']['merges'])} merges")


if __name__ == "__main__":
    main(sys.argv)
