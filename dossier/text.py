"""Small text helpers shared by stages: sentence spans and quote-insensitive matching."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Hashable, Sequence

from rapidfuzz.distance import Indel

# Curly quotes and apostrophes become straight ones, one character for one, so that
# offsets found in the folded text are offsets in the original.
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "′": "'", "`": "'"})
_ASCII_FOLDED = tuple(chr(c) for c in _FOLD if c < 128)

# the stop, then what closes with it and the space after. (It starts with the stop, not a
# lookbehind for it: re then skips from stop to stop, and the split takes a third less time)
_SENTENCE_END = re.compile(r"[.!?…]([’”\"')\]]*)\s+(?=[“\"‘'(\[]?[A-Z0-9])")


_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Col|Lt|No|vs|U\.S)\.$")


def ascii_words(keep: str = "") -> bytes:
    """A bytes.translate table for ASCII text: letters, digits and the characters of
    `keep` stay, every other byte becomes a space, so that split() gives their runs
    (what a regex's findall would, without a match object or a string per run)."""
    return bytes(b if chr(b).isalnum() or chr(b) in keep else 0x20 for b in range(128)) + b" " * 128


def fold(text: str) -> str:
    # str.translate looks every character up: an ASCII text without a character it
    # changes (most paragraphs and sentences) is its own fold
    if text.isascii() and not any(map(text.__contains__, _ASCII_FOLDED)):
        return text
    return text.translate(_FOLD)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; good enough for news prose, never empty for text."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        stop = m.start() + 1
        if _ABBREVIATION.search(paragraph, max(0, stop - 5), stop):
            continue  # "Mr. Jia" is one sentence
        spans.append((start, m.end(1)))
        start = m.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return [(a, b) for a, b in spans if paragraph[a:b].strip()]


@lru_cache(maxsize=1 << 16)
def _spans(paragraph: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    # cached: an entity page asks for every mention in one paragraph, and a scraped
    # "paragraph" can be megabytes long (one huge line): splitting it per mention is
    # quadratic. Large: the pages of each person, place and event come back to the
    # same paragraphs, and a 4,000-article dossier has ~40,000 of them.
    spans = sentence_spans(paragraph) or [(0, len(paragraph))]
    return tuple(s for s, _ in spans), tuple(e for _, e in spans)


def sentence_at(paragraph: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding [start, end) (extended if the match crosses one)."""
    starts, ends = _spans(paragraph)
    i = bisect_right(starts, start) - 1  # the last sentence starting at or before `start`
    a = starts[i] if i >= 0 and start < ends[i] else 0
    j = bisect_left(ends, end)  # the first sentence ending at or after `end`
    b = ends[j] if j < len(ends) and starts[j] < end else len(paragraph)
    return a, max(b, end)


def hunks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[bool, range, range]]:
    """a → b as (same, range of a, range of b) runs, a change's deletions and insertions
    in one run (rapidfuzz's LCS: bit-parallel, linear in practice for text this size)."""
    out: list[tuple[bool, range, range]] = []
    for op in Indel.opcodes(a, b):
        same = op.tag == "equal"
        ra, rb = range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)
        if out and not same and not out[-1][0]:
            ra, rb = range(out[-1][1].start, ra.stop), range(out[-1][2].start, rb.stop)
            out.pop()
        out.append((same, ra, rb))
    return out
