"""Python replica of ArtifactSearch's default hashed character-n-gram embedder.

Definition (see NOTES.md):

1. text -> Unicode NFKC -> ``str.lower()``;
2. words = maximal runs of alphanumeric code points (``str.isalnum()``, i.e. general
   category L* or N*); words in the bm25s English stop-word list are dropped;
3. for each word w, with b = "<" + w + ">": every code-point n-gram of b for n = 3, 4, 5
   (none of size n when len(b) < n), plus b itself once more (the word feature);
4. c = number of times each distinct feature string occurs over the whole text (the word
   feature and an n-gram that happen to be the same string count together); weight
   = 1 + ln(c);
5. h = FNV-1a 64 over the feature's UTF-8 bytes; bucket = h % dim; sign = -1 if h >> 63
   else +1; v[bucket] += sign * weight;
6. L2-normalise (a zero vector stays zero); cosine = dot product.

`embed_reference` is the literal definition; `HashedEmbedder` computes the same vectors
faster (features cached per distinct word, counts aggregated per distinct word).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Dict, Iterable, List, Sequence

import numpy as np

# bm25s 0.3.16 `stopwords="en"` (bm25s.stopwords.STOPWORDS_EN): Lucene's classic English
# stop set, 33 words. Copied, so the embedder does not depend on bm25s being installed.
STOPWORDS_EN = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
    "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
    "there", "these", "they", "this", "to", "was", "will", "with",
))

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = 0xFFFFFFFFFFFFFFFF
NGRAM_SIZES = (3, 4, 5)

# [^\W_] is exactly str.isalnum() (\w is isalnum plus "_"), checked over all code points.
_WORD = re.compile(r"[^\W_]+")


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for byte in data:
        h ^= byte
        h = (h * FNV_PRIME) & MASK64
    return h


def words(text: str, stopwords=STOPWORDS_EN) -> List[str]:
    t = unicodedata.normalize("NFKC", text).lower()
    return [w for w in _WORD.findall(t) if w not in stopwords]


def word_features(word: str) -> List[str]:
    b = "<" + word + ">"
    out = []
    for n in NGRAM_SIZES:
        for i in range(len(b) - n + 1):
            out.append(b[i:i + n])
    out.append(b)
    return out


def embed_reference(text: str, dim: int, stopwords=STOPWORDS_EN) -> np.ndarray:
    """The definition, step by step (slow; used to check the fast path)."""
    # step 2 (word split) in the most literal form
    t = unicodedata.normalize("NFKC", text).lower()
    ws, cur = [], []
    for ch in t:
        if ch.isalnum():
            cur.append(ch)
        elif cur:
            ws.append("".join(cur))
            cur = []
    if cur:
        ws.append("".join(cur))
    counts: Counter = Counter()
    for w in ws:
        if w in stopwords:
            continue
        counts.update(word_features(w))
    v = [0.0] * dim
    for feat, c in counts.items():
        h = fnv1a64(feat.encode("utf-8"))
        sign = -1.0 if h >> 63 else 1.0
        v[h % dim] += sign * (1.0 + math.log(c))
    norm = math.sqrt(sum(x * x for x in v))
    if norm > 0:
        v = [x / norm for x in v]
    return np.asarray(v, dtype=np.float32)


class HashedEmbedder:
    """Fast exact replica: identifier, dimension, batch `embed`."""

    def __init__(self, dim: int, stopwords=STOPWORDS_EN):
        self.dim = dim
        self.stopwords = stopwords
        self.identifier = f"hashed-ngram-v1/fnv1a64/n3-5+word/dim{dim}"
        self._feat_id: Dict[str, int] = {}
        self._n = 0                                   # features seen so far
        self._bucket = np.zeros(1024, dtype=np.int64)  # grows by doubling
        self._sign = np.zeros(1024, dtype=np.float64)
        self._word: Dict[str, List[int]] = {}

    def _fids(self, word: str) -> List[int]:
        fids = self._word.get(word)
        if fids is None:
            fids = []
            for f in word_features(word):
                i = self._feat_id.get(f)
                if i is None:
                    h = fnv1a64(f.encode("utf-8"))
                    i = self._n
                    if i == len(self._bucket):
                        self._bucket = np.concatenate([self._bucket, np.zeros_like(self._bucket)])
                        self._sign = np.concatenate([self._sign, np.zeros_like(self._sign)])
                    self._feat_id[f] = i
                    self._bucket[i] = h % self.dim
                    self._sign[i] = -1.0 if h >> 63 else 1.0
                    self._n = i + 1
                fids.append(i)
            self._word[word] = fids
        return fids

    def embed_one(self, text: str) -> np.ndarray:
        counts: Dict[int, int] = {}
        get = counts.get
        for w, n in Counter(words(text, self.stopwords)).items():
            for i in self._fids(w):
                counts[i] = get(i, 0) + n
        out = np.zeros(self.dim, dtype=np.float64)
        if counts:
            ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            c = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            out = np.bincount(self._bucket[ids], weights=self._sign[ids] * (1.0 + np.log(c)),
                              minlength=self.dim)
            norm = math.sqrt(float(out @ out))
            if norm > 0:
                out /= norm
        return out.astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        m = np.empty((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            m[r] = self.embed_one(t)
        return m


def _self_test() -> None:
    assert fnv1a64(b"") == 0xCBF29CE484222325
    assert fnv1a64(b"a") == 0xAF63DC4C8601EC8C
    assert fnv1a64(b"foobar") == 0x85944171F73967E8
    assert word_features("a") == ["<a>", "<a>"]
    assert word_features("ab") == ["<ab", "ab>", "<ab>", "<ab>"]
    assert words("The ﬁne Ｃａｔ, multi-agent_x 38.101 İ") == ["fine", "cat", "multi", "agent", "x", "38", "101", "i"]  # "İ".lower() = "i" + U+0307 (Mn, not alnum)
    samples = ["", "the of and", "???", "Café CAFÉ café", "getUserById atomic_write_json",
               "日本語のテキスト", "x", "naïve naïve naïve résumé", "0-dimensional biomaterials"]
    for dim in (7, 256, 1024):
        e = HashedEmbedder(dim)
        for s in samples:
            a, b = embed_reference(s, dim), e.embed_one(s)
            assert np.allclose(a, b, atol=1e-6), (dim, s)
    assert not HashedEmbedder(256).embed_one("the of and").any()


if __name__ == "__main__":
    _self_test()
    print("hashed_embedder self-test passed")
