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
from inspect import signature
from typing import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from ..models import Cluster, Document
from .shingles import EMPTY, mix, shingles
from .verify import Checker, UnionFind

__all__ = ["dedup", "DEFAULT_THRESHOLD"]

# Share of the shorter document's sentences that need a close match in the other before two
# documents count as one story. The real rewrite seed has about 60%; another story about the
# same town has none; unrelated synthetic articles built from one small vocabulary reach 15%.
DEFAULT_THRESHOLD = 0.5

# 64 bands of 2 rows: a pair is proposed with probability 1-(1-J^2)^64: 0.77 at Jaccard 0.15,
# 0.93 at 0.2, 0.997 at 0.3. The real rewrite seed sits near 0.23, synthetic synonym rewrites
# above 0.3, strangers near 0.01 once shingles common to many documents are left out.
NUM_PERM, BANDS = 128, 64
BUCKET_CAP = 50  # a bigger bucket is linked as a star: one much-copied story, not n^2 pairs
MIN_ESTIMATE = 0.08  # estimated Jaccard below which a proposed pair is not worth checking
COMMON_SHARE, COMMON_FLOOR = 0.05, 50  # shingles in more docs than this say "topic", not "story"
MIN_SHINGLES = 8  # a doc left with fewer after that keeps all of its own
PASTED_SHARE, PASTED_MIN = 0.3, 20  # shingles of a note found in one doc to check the pair

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
        self.check = check = Checker(sorted(docs, key=lambda d: d.id), threshold)  # input order must not matter
        self.members, self.edges, self.found, self.clusters = {}, {}, {}, ()
        if not docs:
            return
        docs, texts, joined = check.docs, check.texts, UnionFind()
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
