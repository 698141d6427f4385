"""Byte-level BPE tokenizer (GPT-2 byte-to-unicode mapping) matching llama.cpp's
`tokenizer.ggml.model=gpt2` + `tokenizer.ggml.pre=smollm` pre-tokenizer.

llama.cpp (llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_SMOLLM) applies two regexes in
sequence; each later regex only sees the pieces produced by the earlier one
(matched and unmatched pieces are both kept):
    1. "\\p{N}"                      -> every number code point is its own piece
    2. the GPT-2 regex              -> applied inside every piece separately
"smollm" also sets tokenizer_clean_spaces=false, so detokenization is exact.
"""
import collections
import json
import os

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
DIGIT_PATTERN = r"(\p{N})"
LLAMA_CPP_PRE = "smollm"

EOT = "<|endoftext|>"
FIM_PREFIX = "<fim_prefix>"
FIM_SUFFIX = "<fim_suffix>"
FIM_MIDDLE = "<fim_middle>"
FIM_PAD = "<fim_pad>"
SPECIALS = [EOT, FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, FIM_PAD]

_gpt2_re = regex.compile(GPT2_PATTERN)
_digit_re = regex.compile(DIGIT_PATTERN)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character mapping."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENC = bytes_to_unicode()
BYTE_DEC = {v: k for k, v in BYTE_ENC.items()}


def pretokenize(text):
    """Split text into pre-token strings exactly like llama.cpp's smollm pre-tokenizer."""
    out = []
    for seg in _digit_re.split(text):
        if not seg:
            continue
        if len(seg) == 1:
            out.append(seg)
        else:
            out.extend(_gpt2_re.findall(seg))
    return out


def byte_encode(word):
    return "".join(BYTE_ENC[b] for b in word.encode("utf-8"))


def train_bpe(word_counts, vocab_size, log=print):
    """Learn merges from a {pre-token string: count} dict.

    Returns (tokens, merges): tokens = 256 byte symbols, merged symbols, then SPECIALS.
    """
    n_target = vocab_size - len(SPECIALS)
    words = []
    counts = []
    for w, c in sorted(word_counts.items()):
        words.append(list(byte_encode(w)))
        counts.append(c)
    tokens = [BYTE_ENC[b] for b in range(256)]
    token_set = set(tokens)
    merges = []
    pair_counts = collections.Counter()
    pair_where = collections.defaultdict(set)
    for i, w in enumerate(words):
        c = counts[i]
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += c
            pair_where[(a, b)].add(i)
    while len(tokens) < n_target and pair_counts:
        # most frequent pair; ties broken deterministically by the pair itself
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))
        (a, b), cnt = best
        if cnt < 2:
            break
        merged = a + b
        merges.append((a, b))
        if merged not in token_set:
            tokens.append(merged)
            token_set.add(merged)
        for i in list(pair_where[(a, b)]):
            w = words[i]
            c = counts[i]
            # remove old pair counts of this word
            for p in zip(w, w[1:]):
                pair_counts[p] -= c
                if pair_counts[p] <= 0:
                    del pair_counts[p]
            nw = []
            j = 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    nw.append(merged)
                    j += 2
                else:
                    nw.append(w[j])
                    j += 1
            words[i] = nw
            for p in zip(nw, nw[1:]):
                pair_counts[p] += c
                pair_where[p].add(i)
        pair_where.pop((a, b), None)
        pair_counts.pop((a, b), None)
        if len(merges) % 500 == 0:
            log(f"  bpe: {len(merges)} merges, vocab {len(tokens)}")
    return tokens + SPECIALS, merges


class Tokenizer:
    def __init__(self, tokens, merges):
        self.tokens = list(tokens)
        self.merges = [tuple(m) for m in merges]
        self.id_of = {t: i for i, t in enumerate(self.tokens)}
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.cache = {}
        self.eot = self.id_of[EOT]
        self.fim_prefix = self.id_of[FIM_PREFIX]
        self.fim_suffix = self.id_of[FIM_SUFFIX]
        self.fim_middle = self.id_of[FIM_MIDDLE]
        self.fim_pad = self.id_of[FIM_PAD]
        self.special_ids = {self.id_of[s] for s in SPECIALS}

    @property
    def vocab_size(self):
        return len(self.tokens)

    def save(self, path):
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"pre": LLAMA_CPP_PRE, "pattern": [DIGIT_PATTERN, GPT2_PATTERN],
                       "tokens": self.tokens, "merges": [" ".join(m) for m in self.merges]}, f,
                      ensure_ascii=False)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return cls(d["tokens"], [tuple(m.split(" ")) for m in d["merges"]])

    def _bpe(self, word):
        ids = self.cache.get(word)
        if ids is not None:
            return ids
        parts = list(byte_encode(word))
        ranks = self.ranks
        while len(parts) > 1:
            best = None
            best_rank = None
            for p in zip(parts, parts[1:]):
                r = ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            a, b = best
            nw = []
            j = 0
            while j < len(parts):
                if j + 1 < len(parts) and parts[j] == a and parts[j + 1] == b:
                    nw.append(a + b)
                    j += 2
                else:
                    nw.append(parts[j])
                    j += 1
            parts = nw
        ids = [self.id_of[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        """Plain text -> ids (special-token strings are NOT parsed: like llama.cpp special=false)."""
        out = []
        for w in pretokenize(text):
            out.extend(self._bpe(w))
        return out

    def decode_bytes(self, ids):
        bs = bytearray()
        for i in ids:
            t = self.tokens[i]
            if i in self.special_ids:
                bs += t.encode("utf-8")
            else:
                bs += bytes(BYTE_DEC[c] for c in t)
        return bytes(bs)

    def decode(self, ids):
        return self.decode_bytes(ids).decode("utf-8", errors="replace")
