"""Group the documents that tell one story, and say how each version relates to the best one.

Two stages, because neither alone is both fast and exact. MinHash LSH over pairs of
neighbouring content words proposes candidate pairs without ever looking at all pairs (plus,
for notes, the docs that hold much of a note: a few pasted paragraphs are invisible to
Jaccard); each candidate is then checked by aligning sentences with rapidfuzz, and only
checked pairs are joined (union-find). Words are too coarse to tell "the same story,
reworded" from "another story about the same town"; sentences are not.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from inspect import signature
from typing import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from rapidfuzz import fuzz, process

from .models import Cluster, Document, Version
from .shingles import BLANK, EMPTY, PUNCTUATION, SENTENCE_END, mix, shingles

__all__ = ["dedup", "DEFAULT_THRESHOLD"]

# Share of the shorter document's sentences that need a close match in the other before two
# documents count as one story. The real rewrite seed has about 60%; another story about the
# same town has none; unrelated synthetic articles built from one small vocabulary reach 15%.
DEFAULT_THRESHOLD = 0.5

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

# 64 bands of 2 rows: a pair is proposed with probability 1-(1-J^2)^64: 0.77 at Jaccard 0.15,
# 0.93 at 0.2, 0.997 at 0.3. The real rewrite seed sits near 0.23, synthetic synonym rewrites
# above 0.3, strangers near 0.01 once shingles common to many documents are left out.
NUM_PERM, BANDS = 128, 64
BUCKET_CAP = 50  # a bigger bucket is linked as a star: one much-copied story, not n^2 pairs
MIN_ESTIMATE = 0.08  # estimated Jaccard below which a proposed pair is not worth checking
COMMON_SHARE, COMMON_FLOOR = 0.05, 50  # shingles in more docs than this say "topic", not "story"
MIN_SHINGLES = 8  # a doc left with fewer after that keeps all of its own
PASTED_SHARE, PASTED_MIN = 0.3, 20  # shingles of a note found in one doc to check the pair

_RANK = {"identical": 0, "copy": 1, "excerpt": 2, "rewrite": 3}
# One-permutation MinHash values are not datasketch's affine32 ones, but its 2.0 scheme label
# only guards against mixing kinds, and our index never sees another kind; 1.x has no label.
_SCHEME = {"scheme": "affine32"} if "scheme" in signature(LeanMinHash.__init__).parameters else {}


def dedup(docs: Sequence[Document], threshold: float = DEFAULT_THRESHOLD) -> tuple[Cluster, ...]:
    """Cluster documents that tell the same story; every document lands in exactly one cluster.

    `threshold` is the share of the shorter document's sentences that must have a close match
    (rapidfuzz >= CLOSE) in the other for a candidate pair to be joined.
    """
    return Run(docs, threshold).clusters


class Run:
    """One dedup of a corpus, with what `dedup_update` needs to redo part of it: the
    sketches and LSH index, the candidate pairs in each cluster, the alignments made."""

    def __init__(self, docs: Sequence[Document], threshold: float = DEFAULT_THRESHOLD):
        if len({d.id for d in docs}) != len(docs):
            raise ValueError("dedup: document ids must be unique")
        if not 0 < threshold <= 1:
            raise ValueError(f"dedup: threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self.check = check = _Checker(sorted(docs, key=lambda d: d.id), threshold)  # input order must not matter
        self.members, self.edges, self.found, self.clusters = {}, {}, {}, ()
        if not docs:
            return
        docs, texts, joined = check.docs, check.texts, _UnionFind()
        self.sketches = _signatures(docs, np.array([d.kind == "note" for d in docs], dtype=bool))
        self.lsh, candidates = _candidates(self.sketches)
        pairs: list[tuple[int, int]] = []
        # Items too short to shingle ("TBC", a bare link) can still be exact copies of each other.
        first_with_body: dict[str, int] = {}
        for i in np.flatnonzero(self.sketches.sizes == 0).tolist():
            if texts[i].body:
                j = first_with_body.setdefault(texts[i].body, i)
                if j != i:
                    pairs.append((j, i))
                    joined.union(i, j)
        for i, j in candidates:
            pairs.append((i, j))
            if joined.find(i) != joined.find(j) and check.same_story(i, j):
                joined.union(i, j)
        self.members: dict[int, list[int]] = {}  # cluster (its union-find root) → its docs
        for i in range(len(docs)):
            self.members.setdefault(joined.find(i), []).append(i)
        # The candidate pairs inside a cluster are all that the canonical choice looks at; pairs
        # skipped above because they were already joined are aligned then, and only then.
        self.edges: dict[int, list[tuple[int, int]]] = {}  # cluster → its candidate pairs
        for i, j in pairs:
            if joined.find(i) == joined.find(j):
                self.edges.setdefault(joined.find(i), []).append((i, j))
        self.found = {root: check.cluster(m, self.edges.get(root, [])) for root, m in self.members.items()}
        self.clusters = tuple(sorted(self.found.values(), key=lambda c: c.canonical))


class _Lazy(dict):
    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = value = self.make(key)
        return value


class _UnionFind(dict):
    def find(self, i: int) -> int:
        while self.setdefault(i, i) != i:
            self[i] = i = self[self[i]]
        return i

    def union(self, i: int, j: int) -> None:
        self[self.find(i)] = self.find(j)


# --------------------------------------------------------------------------- candidates
def _candidates(sk: "Sketches") -> tuple[MinHashLSH, list[tuple[int, int]]]:
    """The LSH index, and the pairs (i < j) worth checking, likeliest first, from its buckets."""
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, NUM_PERM // BANDS))
    for i in np.flatnonzero(sk.sizes):
        lsh.insert(int(i), minhash(sk.sig[i]), check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for key, count in table.itemcounts().items():
            if count > 1:
                members = sorted(table.get(key))
                if count > BUCKET_CAP:
                    pairs.update((members[0], m) for m in members[1:])
                else:
                    pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    if not pairs | sk.pasted:
        return lsh, []
    left, right = np.array(sorted(pairs | sk.pasted), dtype=np.int64).T
    jaccard = (sk.sig[left] == sk.sig[right]).mean(axis=1)
    keep = np.flatnonzero((jaccard >= MIN_ESTIMATE) | [p in sk.pasted for p in zip(left, right)])
    keep = keep[np.lexsort((right[keep], left[keep], -jaccard[keep]))]
    return lsh, list(zip(left[keep].tolist(), right[keep].tolist()))


def minhash(hashvalues: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=1, hashvalues=hashvalues, **_SCHEME)


@dataclass
class Sketches:
    """Each doc's shingle set (`owner`, `shingle`: sorted by shingle, common ones dropped),
    its size and MinHash; the shingles dropped as common; the pasted-note pairs."""

    sig: np.ndarray
    sizes: np.ndarray
    pasted: set[tuple[int, int]]
    owner: np.ndarray
    shingle: np.ndarray
    common: np.ndarray  # sorted: the shingles in more than max(COMMON_FLOOR, COMMON_SHARE * n) docs
    bits: int  # low bits of each shingle hash given up to the doc index in the one sort


def _signatures(docs: Sequence[Document], notes: np.ndarray) -> Sketches:
    """One-permutation MinHash (densified) of each doc's set of shingles, the set sizes, and
    the pairs in which another doc holds much of a note's set.

    One hash per shingle instead of one per shingle and permutation, all in numpy: the
    per-shingle `MinHash.update` route took 7.9 s for 4k docs.
    """
    n = len(docs)
    owner, shingle = shingles(docs)
    bits = n.bit_length()
    if not len(shingle):
        empty = np.zeros(0, dtype=np.uint64)
        return Sketches(np.zeros((n, NUM_PERM), dtype=np.uint64), np.zeros(n, dtype=np.int64), set(),
                        np.zeros(0, dtype=np.int64), empty, empty, bits)
    # One sort gives both the set of shingles per doc and, per shingle, how many docs have it.
    key = np.sort(((shingle >> np.uint64(bits)) << np.uint64(bits)) | owner.astype(np.uint64))
    key = key[np.r_[True, key[1:] != key[:-1]]]
    owner = (key & np.uint64((1 << bits) - 1)).astype(np.int64)
    shingle = key >> np.uint64(bits)
    runs = np.diff(np.r_[np.flatnonzero(np.r_[True, shingle[1:] != shingle[:-1]]), len(key)])
    keep = np.repeat(runs, runs) <= max(COMMON_FLOOR, COMMON_SHARE * n)
    common = np.unique(shingle[~keep])
    keep |= (np.bincount(owner, weights=keep, minlength=n) < MIN_SHINGLES)[owner]
    owner, shingle = owner[keep], shingle[keep]
    sizes = np.bincount(owner, minlength=n)
    pasted = _pasted(owner, shingle, sizes, notes)
    return Sketches(sketch(owner, shingle, n), sizes, pasted, owner, shingle, common, bits)


def sketch(owner: np.ndarray, shingle: np.ndarray, n: int) -> np.ndarray:
    """The (n, NUM_PERM) MinHash signatures of the shingle sets given as (owner, shingle)."""
    shingle = mix(shingle)
    sig = np.full(n * NUM_PERM, EMPTY, dtype=np.uint64)
    np.minimum.at(sig, owner * NUM_PERM + (shingle % np.uint64(NUM_PERM)).astype(np.int64),
                  shingle >> np.uint64(32))
    sig = sig.reshape(n, NUM_PERM)
    # An empty bin borrows the value of a fixed other bin (the same in every doc), so two docs
    # still agree on a bin with probability ~Jaccard (Shrivastava's densification).
    out, need = sig.copy(), sig == EMPTY
    for offset in _OFFSETS:
        if not need.any():
            break
        borrowed = sig[:, (np.arange(NUM_PERM) + offset) % NUM_PERM]
        take = need & (borrowed != EMPTY)
        out[take] = borrowed[take]
        need &= ~take
    return out


_OFFSETS = np.random.RandomState(7).permutation(np.arange(1, NUM_PERM))


def _pasted(owner, shingle, sizes, notes) -> set[tuple[int, int]]:
    """Pairs (i < j) where one is a note and the other holds PASTED_SHARE of its shingles.

    A note pasting a few paragraphs of a long story has a Jaccard the LSH cannot see; the
    shingles (sorted, each doc once, common ones dropped) are their own inverted index.
    """
    starts = np.flatnonzero(np.r_[True, shingle[1:] != shingle[:-1]])
    length = np.diff(np.r_[starts, len(shingle)])
    run = np.repeat(np.arange(len(starts)), length)
    mine = np.flatnonzero(notes[owner] & (length[run] > 1))
    reps = length[run[mine]]
    at = np.repeat(starts[run[mine]] - np.cumsum(reps) + reps, reps) + np.arange(reps.sum())
    note, other = np.repeat(owner[mine], reps), owner[at]
    key = np.sort(note[note != other] * len(sizes) + other[note != other])
    if not len(key):
        return set()
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    shared, key = np.diff(np.r_[first, len(key)]), key[first]
    note, other = key // len(sizes), key % len(sizes)
    hit = (shared >= PASTED_SHARE * sizes[note]) & (shared >= PASTED_MIN)
    return {(min(a, b), max(a, b)) for a, b in zip(note[hit].tolist(), other[hit].tolist())}


# --------------------------------------------------------------------------- verification
class _Text:
    """What verification needs of one document, computed once and only for candidates."""

    def __init__(self, doc: Document):
        # Sentences, not paragraphs: copies get re-paragraphed, and a one-paragraph item
        # would "contain" any longer story that uses its words.
        text = SENTENCE_END.sub("\0", "\n".join((doc.title, *doc.paragraphs)))
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


def _align(ta: _Text, tb: _Text) -> tuple[np.ndarray, np.ndarray]:
    """Best score of each sentence of `ta` against `tb`, and of each of `tb` against `ta`."""
    # Sentences found verbatim on the other side need no fuzzy scoring: most of a copy's.
    best_a = np.array([100.0 if s in tb.index else 0.0 for s in ta.sentences])
    best_b = np.array([100.0 if s in ta.index else 0.0 for s in tb.sentences])
    rest_a, rest_b = np.flatnonzero(best_a == 0), np.flatnonzero(best_b == 0)
    if len(rest_a) and len(tb.sentences):
        scores = _scores(ta, rest_a, tb, np.arange(len(tb.sentences)))
        best_a[rest_a] = scores.max(axis=1)
        np.maximum(best_b, scores.max(axis=0), out=best_b)
    done_a = np.flatnonzero(best_a == 100)
    if len(rest_b) and len(done_a):
        best_b[rest_b] = np.maximum(best_b[rest_b], _scores(tb, rest_b, ta, done_a).max(axis=1))
    return best_a, best_b


def _scores(ta: _Text, rows: np.ndarray, tb: _Text, cols: np.ndarray) -> np.ndarray:
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


def _is_verbatim(a: np.ndarray, b: np.ndarray, ta: _Text, tb: _Text) -> bool:
    """Is the smaller document (by text) nearly all found word for word in the other?"""
    small = (a, ta.weights) if ta.weights.sum() <= tb.weights.sum() else (b, tb.weights)
    return _share(*small) >= VERBATIM_SHARE


def _relate(a: np.ndarray, b: np.ndarray, tm: _Text, tc: _Text, via: str | None):
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


# --------------------------------------------------------------------------- clusters
class _Checker:
    """Sentence alignments of document pairs, each computed once, and the decisions on them."""

    def __init__(self, docs: list[Document], threshold: float):
        self.docs, self.threshold = docs, threshold
        self.texts = _Lazy(lambda i: _Text(docs[i]))  # only candidates are ever split up
        self.matches = _Lazy(lambda ij: _align(self.texts[ij[0]], self.texts[ij[1]]))

    def match(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        return self.matches[j, i][::-1] if (j, i) in self.matches else self.matches[i, j]

    def identical(self, i: int, j: int) -> bool:
        ti, tj = self.texts[i], self.texts[j]
        return ti.size == tj.size and bool(ti.body) and ti.body == tj.body

    def same_story(self, i: int, j: int) -> bool:
        return self.identical(i, j) or _verified(*self.match(i, j), self.threshold)

    def verbatim(self, i: int, j: int) -> bool:
        return self.identical(i, j) or (self.same_story(i, j) and _is_verbatim(
            *self.match(i, j), self.texts[i], self.texts[j]))

    def cluster(self, members: list[int], edges: list[tuple[int, int]]) -> Cluster:
        docs, texts = self.docs, self.texts
        if len(members) == 1:
            d = docs[members[0]]
            return Cluster(d.id, (Version(d.id, "canonical", 1.0, "No other document tells this story."),))
        canon, support = self.canonical(members, edges)
        versions = []
        for i in (m for m in members if m != canon):
            if self.identical(i, canon):
                versions.append(Version(docs[i].id, "identical", 1.0,
                                        "Same text as the canonical once whitespace is normalised."))
                continue
            via = None
            if not self.same_story(i, canon):  # joined through another version
                via = min((docs[b if a == i else a].id for a, b in edges if i in (a, b)
                           and self.same_story(a, b)), default=None)
            versions.append(Version(docs[i].id, *_relate(*self.match(i, canon), texts[i],
                                                         texts[canon], via)))
        versions.sort(key=lambda v: (_RANK[v.relation], -v.similarity, v.source))
        c, size = docs[canon], texts[canon].size
        reason = (f"The longest {c.kind} ({size:,} characters) of the {support} near-verbatim "
                  f"versions of this story." if support > 1 else f"No version copies another "
                  f"word for word, so the longest {c.kind} ({size:,} characters) stands for the story.")
        return Cluster(c.id, (Version(c.id, "canonical", 1.0, reason), *versions))

    def canonical(self, members: list[int], edges: list[tuple[int, int]]) -> tuple[int, int]:
        """The longest article of the largest near-verbatim group, and that group's size.

        A rewrite has no copies of its own, so the group of copies marks the original (a note
        pasting an article backs it too); a note is chosen only when the story has no article.
        """
        groups, verbatim = {}, _UnionFind()
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
                best = min(eligible, key=lambda i: (-self.texts[i].size, self.docs[i].id))
                ranked.append((-len(group), -self.texts[best].size, self.docs[best].id, best))
        top = min(ranked)
        return top[3], -top[0]
