"""shingles: documents → (document index, 64-bit hash) of their pairs of content words.

All in numpy on UTF-8 bytes: splitting 10k articles into Python strings alone takes
longer than everything else dedup does. Used by dedup (the whole corpus at once) and
by dedup_update (one edited document, against the last run's statistics).
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from ..models import Document

# Text tokenised per numpy pass, to bound memory: each pass holds ~50 bytes for each
# byte of text (prefix sums, powers, word bounds), so 8 MB passes took dedup to 556 MiB
# at 10k articles where its index was 300; 2 MB passes are quicker too (caches)
CHUNK_BYTES = 1 << 21

_STOPWORDS = """a about after all also an and any are as at be because been before being but by
can could did do does for from had has have he her his how i if in into is it its just more most
no not now of on one only or other our out over s said says she so some such t than that the
their them then there these they this those to too under up us was we were what when where which
while who will with would you your d ll m re ve""".split()
# Crude suffix stripping: a rewrite says "lives"/"living" where the original said "lived".
_SUFFIXES = (b"ing", b"ed", b"es", b"s", b"ly")
_WORD_BYTE = np.array([chr(b).isalnum() or b >= 0x80 for b in range(256)])  # UTF-8 letters too
PUNCTUATION = re.compile(r"[\u00a0-\u00bf\u2000-\u206f\u2190-\u2bff\u3000-\u303f\uff01-\uff0f]")
BLANK = bytes(b if b == 0 or b >= 0x80 or chr(b).isalnum() else 32 for b in range(256))
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_BASE = 0x100000001B3  # odd, so invertible mod 2^64: word hashes come from prefix sums
_U64 = 1 << 64
EMPTY = np.uint64(_U64 - 1)

def shingles(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of unordered pairs of content words at distance 1 and 2.

    Pairs keep rewrites (names and key nouns survive paraphrase; distance 2 and no order
    forgive an inserted or swapped word) where single words are shared by every story
    about the same place. A doc with a single content word gets that word.
    """
    owner, words = _content_words(docs)
    owners, hashes = [], []
    for gap in (1, 2):
        same = owner[gap:] == owner[:-gap]
        a, b = words[:-gap][same], words[gap:][same]
        owners.append(owner[gap:][same])
        hashes.append(mix(np.minimum(a, b) * np.uint64(_BASE) + np.maximum(a, b)))
    lone = (np.bincount(owner, minlength=len(docs)) == 1)[owner]
    return np.concatenate([*owners, owner[lone]]), np.concatenate([*hashes, mix(words[lone])])


def _content_words(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, stemmed-word hash) of every content word, in text order.

    Done on UTF-8 bytes with numpy: splitting 10k articles into Python strings alone takes
    longer than everything else here.
    """
    batches, size = [[]], 0
    for doc in docs:
        text = "\n".join(doc.paragraphs).lower()  # the body only: a title names the site as often as the story
        batches[-1].append((PUNCTUATION.sub(" ", text) if not text.isascii() else text).encode())
        size += len(batches[-1][-1]) + 1
        if size >= CHUNK_BYTES:
            batches.append([])
            size = 0
    longest = max(sum(len(t) + 1 for t in b) for b in batches) + 1
    # hash(buf[s:e]) = (prefix[e] - prefix[s]) * BASE^-s, all mod 2^64 (uint64 wraps)
    power = np.full(longest, _BASE, dtype=np.uint64)
    inverse = np.full(longest, pow(_BASE, -1, _U64), dtype=np.uint64)
    power[0] = inverse[0] = 1
    power, inverse = np.cumprod(power), np.cumprod(inverse)
    owners, hashes, first = [], [], 0
    for batch in batches:
        owner, words = _hash_words(batch, power, inverse)
        owners.append(owner + first)
        hashes.append(words)
        first += len(batch)
    return np.concatenate(owners), np.concatenate(hashes)


def _hash_words(texts: list[bytes], power: np.ndarray, inverse: np.ndarray):
    buf = np.frombuffer(b"\n" + b"\n".join(texts) + b"\n", dtype=np.uint8)
    is_word = _WORD_BYTE[buf]  # the buffer starts and ends with a separator
    start = np.flatnonzero(is_word[1:] & ~is_word[:-1]) + 1
    end = np.flatnonzero(is_word[:-1] & ~is_word[1:]) + 1
    prefix = np.zeros(len(buf) + 1, dtype=np.uint64)
    np.cumsum(buf * power[: len(buf)], out=prefix[1:])
    full = (prefix[end] - prefix[start]) * inverse[start]
    keep = (end - start >= 2) & (_STOP_TABLE[full & np.uint64(_STOP_MASK)] != full)
    start, end = start[keep], end[keep]
    last = [buf[end - k] for k in (1, 2, 3)]  # every kept word has 2 bytes; a 3rd if needed
    stem_end, done = end.copy(), np.zeros(len(end), dtype=bool)
    for suffix in _SUFFIXES:
        hit = ~done & (end - start - len(suffix) >= 3)
        for back, byte in enumerate(reversed(suffix)):
            hit &= last[back] == byte
        stem_end[hit] -= len(suffix)
        done |= hit
    first_word = np.searchsorted(start, np.cumsum([1] + [len(t) + 1 for t in texts[:-1]]))
    owner = np.repeat(np.arange(len(texts)), np.diff(np.r_[first_word, len(start)]))
    return owner, (prefix[stem_end] - prefix[start]) * inverse[start]


def _stop_table() -> np.ndarray:
    """A direct-mapped table: slot = low bits of a word's hash, holding a stopword's hash."""
    table = np.zeros(_STOP_MASK + 1, dtype=np.uint64)
    for word in _STOPWORDS:
        h = sum(byte * pow(_BASE, k, _U64) for k, byte in enumerate(word.encode())) % _U64
        assert table[h & _STOP_MASK] in (0, h), "stopword hashes collide: widen _STOP_MASK"
        table[h & _STOP_MASK] = h
    return table


_STOP_MASK = (1 << 16) - 1
_STOP_TABLE = _stop_table()


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits so that bins and values are independent."""
    x = x.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
