"""verify: is a candidate pair one story, and how does each version relate to the best?

dedup proposes pairs (MinHash LSH); this module decides them by aligning sentences
with rapidfuzz, and for each cluster picks the canonical version and says of every
other one whether it is identical, a copy, an excerpt or a rewrite, and why.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process

from ..models import Cluster, Document, Version
from .shingles import BLANK, PUNCTUATION, SENTENCE_END

# rapidfuzz score (best of ratio and token_sort_ratio) for "a close match". The real rewrite
# scores 70-100 on about 60% of its sentences; other stories, even about that town, stay < 65.
CLOSE = 70
VERBATIM = 95  # "the same sentence": punctuation or a typo apart
MIN_MATCHED = 3  # a short item quoting one or two lines of a story is not a version of it
MIN_LONGER_SHARE = 0.3  # ...unless those lines are a good part of the longer document too
MIN_WORDS = 4  # shorter lines ("Image:", "Read more:", "World") would match anything
VERBATIM_SHARE = 0.8  # text share of the smaller doc found verbatim to be a copy, not a rewrite
EDGE_CUT = 0.1  # text share missing at the start or end that makes it an excerpt, not a copy
GAP_CUT = 0.2  # ...or missing anywhere (a cut of a reordered copy); stray captions stay under

_RANK = {"identical": 0, "copy": 1, "excerpt": 2, "rewrite": 3}
MAX_SCORED = 20_000_000  # sentence pairs scored before a sample decides whether it is worth it
SAMPLE, MARGIN = 100, 0.15  # sentences in that sample; how far below the share it must fall


class _Lazy(dict):
    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = value = self.make(key)
        return value


class UnionFind(dict):
    def find(self, i: int) -> int:
        while self.setdefault(i, i) != i:
            self[i] = i = self[self[i]]
        return i

    def union(self, i: int, j: int) -> None:
        self[self.find(i)] = self.find(j)


class Text:
    """What verification needs of one document, computed once and only for candidates."""

    def __init__(self, doc: Document):
        # Sentences, not paragraphs: copies get re-paragraphed, and a one-paragraph item
        # would "contain" any longer story that uses its words.
        text = SENTENCE_END.sub("\0", "\n".join(doc.paragraphs))  # the cleaned body only
        text = text.replace("\n", "\0").lower()
        text = PUNCTUATION.sub(" ", text) if not text.isascii() else text
        # punctuation to spaces, then single spaces: rapidfuzz's default_process, but faster
        text = " ".join(text.encode().translate(BLANK).decode().split())
        self.sentences = [s for s in (p.strip() for p in text.split("\0"))
                          if s.count(" ") + 1 >= MIN_WORDS]
        self.index = frozenset(self.sentences)
        self.weights = np.array([len(s) for s in self.sentences], dtype=float)  # long counts more
        # characters of the body but for whitespace: "longest", and a quick no to "identical"
        self.size = sum(len(p) - p.count(" ") - p.count("\n") - p.count("\t")
                        for p in doc.paragraphs)
        self.doc = doc

    @cached_property
    def sorted_tokens(self) -> list[str]:  # for token_sort_ratio, kept apart to score quickly
        return [" ".join(sorted(s.split())) for s in self.sentences]

    @cached_property
    def body(self) -> str:  # whitespace-normalised, for "identical"
        return " ".join(" ".join(self.doc.paragraphs).split())


def _align(ta: Text, tb: Text, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Best score of each sentence of `ta` against `tb`, and of each of `tb` against `ta`."""
    # Sentences found verbatim on the other side need no fuzzy scoring: most of a copy's.
    best_a = np.array([100.0 if s in tb.index else 0.0 for s in ta.sentences])
    best_b = np.array([100.0 if s in ta.index else 0.0 for s in tb.sentences])
    rest_a, rest_b = np.flatnonzero(best_a == 0), np.flatnonzero(best_b == 0)
    if len(rest_a) * len(tb.sentences) > MAX_SCORED and (
            _hopeless(ta, rest_a, tb, best_a, threshold) if len(best_a) <= len(best_b)
            else _hopeless(tb, rest_b, ta, best_b, threshold)):
        return best_a, best_b  # only what matched verbatim: too little to be one story
    if len(rest_a) and len(tb.sentences):
        scores = _scores(ta, rest_a, tb, np.arange(len(tb.sentences)))
        best_a[rest_a] = scores.max(axis=1)
        np.maximum(best_b, scores.max(axis=0), out=best_b)
    done_a = np.flatnonzero(best_a == 100)
    if len(rest_b) and len(done_a):
        best_b[rest_b] = np.maximum(best_b[rest_b], _scores(tb, rest_b, ta, done_a).max(axis=1))
    return best_a, best_b


def _hopeless(short: Text, rest: np.ndarray, long_: Text, best: np.ndarray, threshold: float) -> bool:
    """Two long documents: scoring every sentence against every other would take
    minutes. Score an evenly spread sample of the shorter one's unmatched sentences
    first; when even with a wide margin they cannot make up the share of the shorter
    one that the verdict needs (see _verified), the pair is not one story. Its scores
    then count only what matched verbatim."""
    sample = rest[np.linspace(0, len(rest) - 1, SAMPLE).astype(np.int64)]
    close = float((_scores(short, sample, long_, np.arange(len(long_.sentences))).max(axis=1) >= CLOSE).mean())
    verbatim = float((best == 100).mean())
    return verbatim + close * len(rest) / len(best) + MARGIN < threshold


def _scores(ta: Text, rows: np.ndarray, tb: Text, cols: np.ndarray) -> np.ndarray:
    """Best of ratio (a reworded sentence) and ratio on sorted words (clauses swapped around);
    the second only for rows the first left without a close match."""
    scores = process.cdist([ta.sentences[i] for i in rows], [tb.sentences[i] for i in cols],
                           scorer=fuzz.ratio, dtype=np.uint8, score_cutoff=CLOSE, workers=1)
    weak = np.flatnonzero(scores.max(axis=1) < CLOSE)
    # a few unmatched lines (a copy's boilerplate) decide nothing: spare them the second pass
    if len(weak) > max(2, 0.1 * len(ta.sentences)):
        scores[weak] = np.maximum(scores[weak], process.cdist(
            [ta.sorted_tokens[i] for i in rows[weak]], [tb.sorted_tokens[i] for i in cols],
            scorer=fuzz.ratio, dtype=np.uint8, score_cutoff=CLOSE, workers=1))
    return scores


def _verified(a: np.ndarray, b: np.ndarray, threshold: float) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    matched = int((short >= CLOSE).sum())
    return bool(len(short)) and matched / len(short) >= threshold and (
        matched >= MIN_MATCHED or matched >= MIN_LONGER_SHARE * len(long_))


def _share(scores: np.ndarray, weights: np.ndarray, cut: float = VERBATIM) -> float:
    return float(weights[scores >= cut].sum() / weights.sum()) if weights.sum() else 0.0


def _is_verbatim(a: np.ndarray, b: np.ndarray, ta: Text, tb: Text) -> bool:
    """Is the smaller document (by text) nearly all found word for word in the other?"""
    small = (a, ta.weights) if ta.weights.sum() <= tb.weights.sum() else (b, tb.weights)
    return _share(*small) >= VERBATIM_SHARE


def _relate(a: np.ndarray, b: np.ndarray, tm: Text, tc: Text, via: str | None):
    """(relation, similarity, reason) of member `tm` (scores `a`) to canonical `tc` (`b`)."""
    # similarity: text of both with a close match, weighted by its score, over all their text
    total = tm.weights.sum() + tc.weights.sum()
    hit = sum(float((w * s * (s >= CLOSE)).sum()) for w, s in ((tm.weights, a), (tc.weights, b)))
    sim = round(float(hit / (100 * total)), 3) if total else 0.0
    link = f"; it joined the story through {via}" if via else ""
    if _is_verbatim(a, b, tm, tc):
        own = _share(a, tm.weights)
        for who, scores, weights in (("the canonical's", b, tc.weights), ("its", a, tm.weights)):
            hits, whole = np.flatnonzero(scores >= VERBATIM), weights.sum()
            start = weights[: hits[0]].sum() / whole if len(hits) else 1.0
            end = weights[hits[-1] + 1:].sum() / whole if len(hits) else 0.0
            edge, where = max((start, "at the start"), (end, "at the end"))
            gap = 1 - _share(scores, weights)
            if edge >= EDGE_CUT or gap >= GAP_CUT:
                loss, where = (edge, where) if edge >= EDGE_CUT else (gap, "here and there")
                return "excerpt", sim, (
                    f"{own:.0%} of its text is near-verbatim in the canonical (rapidfuzz ≥ "
                    f"{VERBATIM}), but {loss:.0%} of {who} text {where} has no counterpart{link}.")
        return "copy", sim, (f"{own:.0%} of its text is near-verbatim in the canonical (rapidfuzz "
                             f"≥ {VERBATIM}), differing only in scattered lines or their order{link}.")
    close_m, close_c = (float((s >= CLOSE).mean()) if len(s) else 0.0 for s in (a, b))
    verbatim = float((a >= VERBATIM).mean()) if len(a) else 0.0
    return "rewrite", sim, (
        f"{close_m:.0%} of its sentences and {close_c:.0%} of the canonical's have a close match "
        f"in the other (rapidfuzz ≥ {CLOSE}), but only {verbatim:.0%} are near-verbatim{link}.")


class Checker:
    """Sentence alignments of document pairs, each computed once while both documents
    stay as they are, and the decisions made on them. Documents by id."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.docs: dict[str, Document] = {}
        self.texts = _Lazy(lambda i: Text(self.docs[i]))  # only candidates are ever split up
        self.matches = _Lazy(lambda ij: _align(self.texts[ij[0]], self.texts[ij[1]], threshold))

    def put(self, doc: Document) -> None:
        """A new or changed document: what was worked out for the old one goes."""
        self.drop(doc.id)
        self.docs[doc.id] = doc

    def drop(self, i: str) -> None:
        if self.docs.pop(i, None) is not None:
            self.texts.pop(i, None)
            for key in [k for k in self.matches if i in k]:
                del self.matches[key]

    def match(self, i: str, j: str) -> tuple[np.ndarray, np.ndarray]:
        return self.matches[j, i][::-1] if (j, i) in self.matches else self.matches[i, j]

    def identical(self, i: str, j: str) -> bool:
        ti, tj = self.texts[i], self.texts[j]
        return ti.size == tj.size and bool(ti.body) and ti.body == tj.body

    def same_story(self, i: str, j: str) -> bool:
        return self.identical(i, j) or _verified(*self.match(i, j), self.threshold)

    def verbatim(self, i: str, j: str) -> bool:
        return self.identical(i, j) or (self.same_story(i, j) and _is_verbatim(
            *self.match(i, j), self.texts[i], self.texts[j]))

    def cluster(self, members: list[str], edges: list[tuple[str, str]]) -> Cluster:
        docs, texts = self.docs, self.texts
        if len(members) == 1:
            return Cluster(members[0], (Version(members[0], "canonical", 1.0, "No other document tells this story."),))
        canon, support = self.canonical(members, edges)
        versions = []
        for i in (m for m in members if m != canon):
            if self.identical(i, canon):
                versions.append(Version(i, "identical", 1.0,
                                        "Same text as the canonical once whitespace is normalised."))
                continue
            via = None
            if not self.same_story(i, canon):  # joined through another version
                via = min((b if a == i else a for a, b in edges if i in (a, b) and self.same_story(a, b)),
                          default=None)
            versions.append(Version(i, *_relate(*self.match(i, canon), texts[i], texts[canon], via)))
        versions.sort(key=lambda v: (_RANK[v.relation], -v.similarity, v.source))
        c, size = docs[canon], texts[canon].size
        reason = (f"The longest {c.kind} ({size:,} characters) of the {support} near-verbatim "
                  f"versions of this story." if support > 1 else f"No version copies another "
                  f"word for word, so the longest {c.kind} ({size:,} characters) stands for the story.")
        return Cluster(c.id, (Version(c.id, "canonical", 1.0, reason), *versions))

    def canonical(self, members: list[str], edges: list[tuple[str, str]]) -> tuple[str, int]:
        """The longest article of the largest near-verbatim group, and that group's size.

        A rewrite has no copies of its own, so the group of copies marks the original (a note
        pasting an article backs it too); a note is chosen only when the story has no article.
        """
        groups, verbatim = {}, UnionFind()
        for i, j in edges:
            if self.verbatim(i, j):
                verbatim.union(i, j)
        for i in members:
            groups.setdefault(verbatim.find(i), []).append(i)
        kind = "article" if any(self.docs[i].kind == "article" for i in members) else "note"
        ranked = []
        for group in groups.values():
            eligible = [i for i in group if self.docs[i].kind == kind]
            if eligible:
                best = min(eligible, key=lambda i: (-self.texts[i].size, i))
                ranked.append((-len(group), -self.texts[best].size, best))
        top = min(ranked)
        return top[2], -top[0]
