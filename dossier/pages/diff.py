"""What a version changed against the canonical text, sentence by sentence.

Each sentence of the canonical is set beside its counterpart in the version: the
same sentence (collapsed to a count on the page), a reworded one (with the word
changes inside that sentence only), one the version dropped, or one it added.
pages/meaning.py then flags the changes an analyst checks by hand: a number, a
date, a name, a negation, a quotation.

Alignment: sentences with the same words (case, quote marks, spacing aside) anchor
it, in order (rapidfuzz's LCS over whole sentences); between two anchors the
remaining sentences are paired by similarity, in order, best total first (a small
dynamic programme over rapidfuzz scores), and what finds no partner scoring PAIR
or more was dropped or added. Runs of sentences far apart in a long file are
paired in bands of BAND along the diagonal, so a megabyte copy costs seconds, not
hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process

from ..text import fold, hunks, sentence_spans
from .meaning import Reading, flags, names_in, read

PAIR = 55  # rapidfuzz score (0-100) from which two sentences are one sentence reworded
BAND = 150  # sentences per side paired at once between two anchors


def sentences(paragraphs) -> list[tuple[int, str]]:
    """(paragraph index, sentence) of a text, in order."""
    return [(i, p[a:b].strip()) for i, p in enumerate(paragraphs) for a, b in sentence_spans(p)]


def _key(sentence: str) -> str:
    """What "the same sentence" compares: case, quote marks and spacing are typography."""
    return " ".join(fold(sentence).casefold().split())


def _sorted_key(key: str) -> str:
    """A key's words sorted: fuzz.ratio of two is fuzz.token_sort_ratio of their keys,
    which sorts each sentence again for every other it meets."""
    return " ".join(sorted(key.split(" ")))  # (a key has no other space)


def align(a: list[str], b: list[str]) -> list[tuple[int | None, int | None]]:
    """(index in a, index in b) pairs in reading order; None on the side that lacks it."""
    return _align([_key(s) for s in a], [_key(s) for s in b])


def _align(ka: list[str], kb: list[str]) -> list[tuple[int | None, int | None]]:
    """align, given the sentences' keys (sentence_diff has them: each is made once)."""
    out: list[tuple[int | None, int | None]] = []
    for same, ra, rb in hunks(ka, kb):
        if same:
            out += zip(ra, rb)
            continue
        for lo_a, hi_a, lo_b, hi_b in _bands(ra, rb):
            out += _pair(ka, kb, range(lo_a, hi_a), range(lo_b, hi_b))
    return out


def _bands(ra: range, rb: range):
    """The hunk cut into pieces of at most BAND sentences a side, along its diagonal."""
    n = max(1, -(-max(len(ra), len(rb)) // BAND))
    cut_a = [ra.start + len(ra) * k // n for k in range(n + 1)]
    cut_b = [rb.start + len(rb) * k // n for k in range(n + 1)]
    return [(cut_a[k], cut_a[k + 1], cut_b[k], cut_b[k + 1]) for k in range(n)]


def _pair(ka, kb, ra: range, rb: range) -> list[tuple[int | None, int | None]]:
    """Pairs of ka[ra] and kb[rb] (keys) in order with the best total score ≥ PAIR each;
    the rest alone."""
    if not len(ra) or not len(rb):
        return [(i, None) for i in ra] + [(None, j) for j in rb]
    left, right = [ka[i] for i in ra], [kb[j] for j in rb]  # (a sentence is in one band only)
    scores = np.maximum(_scores(left, right), _scores(list(map(_sorted_key, left)), list(map(_sorted_key, right))))
    scores = np.where(scores >= PAIR, scores.astype(np.int32), 0)
    m, n = scores.shape
    best = np.zeros((m + 1, n + 1), dtype=np.int32)
    for i in range(m):  # rows as numpy ops: a row's running max is the only sequential part
        diag = best[i, :-1] + scores[i]
        row = np.maximum(best[i, 1:], diag)
        best[i + 1, 1:] = np.maximum.accumulate(row)
    scores, best = scores.tolist(), best.tolist()  # read cell by cell below: numpy scalars are slow
    out, i, j = [], m, n
    while i and j:
        if scores[i - 1][j - 1] and best[i][j] == best[i - 1][j - 1] + scores[i - 1][j - 1]:
            out.append((ra[i - 1], rb[j - 1]))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i][j - 1]:  # (read backwards: a dropped sentence before an added one)
            out.append((None, rb[j - 1]))
            j -= 1
        else:
            out.append((ra[i - 1], None))
            i -= 1
    out += [(ra[k], None) for k in range(i - 1, -1, -1)] + [(None, rb[k]) for k in range(j - 1, -1, -1)]
    return out[::-1]


def _scores(left: list[str], right: list[str]) -> np.ndarray:
    # fuzz.ratio as a uint8; a score under PAIR - 1 is 0 however the uint8 rounds, and
    # counts as 0 in _pair anyway: the cutoff lets rapidfuzz give up early on sentences far apart
    return process.cdist(left, right, scorer=fuzz.ratio, dtype=np.uint8, workers=1, score_cutoff=PAIR - 1)


def word_runs(a: str, b: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The canonical sentence as ("eq"|"del", words) runs and the version's as ("eq"|"ins",
    words): a reworded sentence's word changes, inside the sentence only."""
    wa, wb = a.split(), b.split()
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    for same, ra, rb in hunks(_words(a), _words(b)):
        for runs, words, r, op in ((left, wa, ra, "del"), (right, wb, rb, "ins")):
            text, op = " ".join(words[r.start:r.stop]), "eq" if same else op
            if not text:
                continue
            if runs and runs[-1][0] == op:  # two equal runs either side of the other's change
                runs[-1] = (op, f"{runs[-1][1]} {text}")
            else:
                runs.append((op, text))
    return left, right


def _words(sentence: str) -> list[str]:
    """Its words as the word diff compares them: case and quote marks are typography.
    (Neither fold nor casefold makes or unmakes a space, checked over every code point:
    the words of the sentence folded are its words folded.)"""
    return [w.strip("\"'") for w in fold(sentence).casefold().split()]


def sentence_diff(canonical, version) -> dict:
    """The rows of the rewrite view and their counts. `canonical` and `version` are a
    document's paragraphs. Rows: {"op": "same", "count", "from", "to"} (a run of
    unchanged sentences, as canonical paragraph numbers), or {"op": "changed" |
    "dropped" | "added", "canonical": runs, "version": runs, "paragraph", "flags"}."""
    return Rewrites(canonical).against(version)


@dataclass(frozen=True)
class _Side:
    """A text as the diff reads it: its sentences, the paragraph of each, their keys,
    and its names (names_in)."""
    sentences: list[str]
    paragraph: list[int]
    keys: list[str]
    names: frozenset[str]

    @classmethod
    def of(cls, paragraphs) -> "_Side":
        placed = sentences(paragraphs)
        texts = [s for _, s in placed]
        return cls(texts, [p for p, _ in placed], [_key(s) for s in texts], names_in(texts))


class Rewrites:
    """A story's canonical text, set against each of its versions in turn
    (`against`: sentence_diff's rows). Read once for all of them, with the Reading
    of every sentence met: the canonical's reworded and dropped sentences are read
    again against each version, and a copy of a rewrite repeats its sentences. Made
    for one story's page and dropped with it."""

    def __init__(self, canonical):
        self.paragraphs = canonical
        self.readings: dict[str, Reading] = {}

    @cached_property
    def canonical(self) -> _Side:
        return _Side.of(self.paragraphs)

    def read(self, sentence: str) -> Reading:
        found = self.readings.get(sentence)
        if found is None:
            found = self.readings[sentence] = read(sentence)
        return found

    def against(self, version) -> dict:
        """sentence_diff(canonical, version)."""
        c, v = self.canonical, _Side.of(version)
        known = c.names | v.names
        rows: list[dict] = []
        counts = {"same": 0, "changed": 0, "dropped": 0, "added": 0, "flagged": 0, "reworded_flagged": 0}
        last_para = 0
        for i, j in _align(c.keys, v.keys):
            if i is not None:
                last_para = c.paragraph[i]
            if i is not None and j is not None and c.keys[i] == v.keys[j]:
                counts["same"] += 1
                if rows and rows[-1]["op"] == "same":
                    rows[-1]["count"] += 1
                    rows[-1]["to"] = last_para + 1
                else:
                    rows.append({"op": "same", "count": 1, "from": last_para + 1, "to": last_para + 1})
                continue
            old, new = (c.sentences[i] if i is not None else ""), (v.sentences[j] if j is not None else "")
            op = "changed" if old and new else "dropped" if old else "added"
            left, right = word_runs(old, new) if op == "changed" else (
                [("del", old)] if old else [], [("ins", new)] if new else [])
            found = flags(self.read(old), self.read(new), known)
            counts[op] += 1
            counts["flagged"] += bool(found)
            counts["reworded_flagged"] += bool(found) and op == "changed"
            rows.append({"op": op, "canonical": [{"op": o, "text": t} for o, t in left],
                         "version": [{"op": o, "text": t} for o, t in right],
                         "paragraph": last_para + 1, "flags": found, "id": f"s{len(rows) + 1}"})
        return {"rows": rows, "counts": counts}

