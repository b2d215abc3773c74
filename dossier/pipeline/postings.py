"""Postings: each document's shingle set, and for any shingle the documents holding it.

dedup asks two things of the corpus: how many documents hold a shingle (to leave out
the common ones) and who shares shingles with a document (a note pasted into a story).
Both are answered from one pair of arrays sorted by shingle, made at the last
compaction, corrected by the documents added or removed since (few, between two
compactions); past COMPACT_AFTER of those, the arrays are made again. The answers
are exact either way: compaction only makes them quicker.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

COMPACT_AFTER = 64  # documents added or removed since the arrays were made
SHINGLE_BITS = 44  # the bits of a shingle's hash that are kept (dedup.py)
COMPARED_AT_ONCE = 1 << 23  # postings (see _held_more)


class Postings:
    def __init__(self):
        self.sets: dict[str, np.ndarray] = {}  # doc id → its shingles, sorted and unique
        self._handle: dict[str, int] = {}  # doc id → its number in the arrays
        self._ids: list[str] = []
        self._shingle = np.zeros(0, dtype=np.uint64)  # sorted; with _owner: who holds each
        self._owner = np.zeros(0, dtype=np.int32)  # int32: half the bytes of the biggest array dedup keeps
        self._dead: set[int] = set()  # handles in the arrays whose doc is gone or changed since
        self._fresh: dict[int, np.ndarray] = {}  # handle → shingles, of docs added since
        self._log: list[tuple[int, np.ndarray]] = []  # (+1 added / -1 removed, shingles) since begin()

    def begin(self) -> None:
        """Start of an update: counts_before() counts from here."""
        self._log = []

    def of(self, i: str) -> np.ndarray:
        return self.sets[i]

    def add(self, i: str, shingles: np.ndarray) -> None:
        if i in self.sets:
            self.remove(i)
        self.sets[i] = shingles
        h = self._handle[i] = len(self._ids)
        self._ids.append(i)
        self._fresh[h] = shingles
        self._log.append((1, shingles))

    def remove(self, i: str) -> None:
        shingles = self.sets.pop(i, None)
        if shingles is None:
            return
        h = self._handle.pop(i)
        if self._fresh.pop(h, None) is None:
            self._dead.add(h)
        self._log.append((-1, shingles))

    def compact_if_due(self, force: bool = False) -> None:
        if not force and len(self._fresh) + len(self._dead) <= COMPACT_AFTER:
            return
        ids = list(self.sets)
        self._ids, self._handle = ids, {i: h for h, i in enumerate(ids)}
        self._shingle = self._owner = None  # the old arrays go before the new are made (1 GB at 100k)
        sizes = np.array([len(self.sets[i]) for i in ids], dtype=np.int64)
        self._shingle, self._owner = _by_shingle([self.sets[i] for i in ids], sizes)
        self._dead, self._fresh = set(), {}

    # ---- questions
    def uncommon(self, ids: list[str], limit: int) -> Iterator[tuple[str, np.ndarray]]:
        """(id, its shingles held by at most `limit` docs) of each doc, one after another.
        For many docs right after a compaction, from the common shingles alone: in the
        sorted array a shingle held by more than `limit` docs is one that equals the
        entry `limit` places on. (Counting every shingle of every doc took arrays as long
        as all the shingles, ~0.7 GB each at 100k.)"""
        if self._dead or self._fresh or len(ids) <= COMPACT_AFTER:
            yield from ((i, self.sets[i][self.counts(self.sets[i]) <= limit]) for i in ids)
            return
        common = _held_more(self._shingle, limit)
        for i in ids:
            yield i, self.sets[i][~np.isin(self.sets[i], common, assume_unique=True)]

    def touched(self) -> np.ndarray:
        """The shingles of every doc added or removed since begin()."""
        parts = [s for _, s in self._log]
        return unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)

    def counts(self, shingles: np.ndarray) -> np.ndarray:
        """How many docs hold each of `shingles` (sorted, unique)."""
        lo, hi = self._range(shingles)
        n = hi - lo
        if self._dead:
            dead = np.fromiter(self._dead, dtype=np.int64)
            rows = spans(lo, hi)
            gone = np.isin(self._owner[rows], dead)
            if gone.any():
                n = n - np.bincount(np.repeat(np.arange(len(shingles)), hi - lo)[gone], minlength=len(shingles))
        for theirs in self._fresh.values():
            n = n + np.isin(shingles, theirs, assume_unique=True)
        return n

    def counts_before(self, shingles: np.ndarray) -> np.ndarray:
        """counts() as it was at begin()."""
        n = self.counts(shingles)
        for sign, theirs in self._log:
            n = n - sign * np.isin(shingles, theirs, assume_unique=True)
        return n

    def owners(self, shingles: np.ndarray) -> list[str]:
        """The docs holding any of `shingles`."""
        found = set()
        lo, hi = self._range(shingles)
        for h in unique(self._owner[spans(lo, hi)]).tolist():
            if h not in self._dead:
                found.add(self._ids[h])
        for h, theirs in self._fresh.items():
            if np.isin(shingles, theirs, assume_unique=True).any():
                found.add(self._ids[h])
        return sorted(found)

    def shared(self, shingles: np.ndarray, least: int = 1) -> dict[str, int]:
        """The docs holding at least `least` of `shingles` (sorted, unique), with how many."""
        lo, hi = self._range(shingles)
        # counted in an array of every doc, not by sorting the holders: a note's shingles
        # have ~190,000 holders at 100k (and its answer is one or two docs)
        counts = np.bincount(self._owner[spans(lo, hi)], minlength=len(self._ids))
        handles = np.flatnonzero(counts >= least)
        out = {self._ids[h]: n for h, n in zip(handles.tolist(), counts[handles].tolist()) if h not in self._dead}
        for h, theirs in self._fresh.items():
            n = int(np.isin(shingles, theirs, assume_unique=True).sum())
            if n >= least:
                out[self._ids[h]] = n
        return out

    def _range(self, shingles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.searchsorted(self._shingle, shingles, "left"), np.searchsorted(self._shingle, shingles, "right")


def _by_shingle(sets: list[np.ndarray], sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (shingle, owner) of these sets (owner: a set's place in the list), sorted
    by shingle, then owner, as two arrays. A shingle has SHINGLE_BITS: with its owner
    in the bits below, one array of keys is sorted in place, where an argsort's order
    and the arrays taken through it were three more arrays as long as all the
    shingles (~2 GB at 100k, the peak of dedup). Past 2^(64 - SHINGLE_BITS) sets, by
    argsort. Made a slice at a time: a temporary as long as all the shingles is
    another ~0.7 GB at 100k."""
    total, low = int(sizes.sum()), 64 - SHINGLE_BITS
    if len(sets) > 1 << low:
        key = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint64)
        order = np.argsort(key, kind="stable")  # stable: each shingle's owners stay in order
        return key[order], np.repeat(np.arange(len(sets), dtype=np.int32), sizes)[order]
    key, at = np.empty(total, dtype=np.uint64), 0
    for k, shingles in enumerate(sets):
        part = key[at:at + len(shingles)]
        np.left_shift(shingles, np.uint64(low), out=part)
        part |= np.uint64(k)
        at += len(shingles)
    key.sort()
    owner = np.empty(total, dtype=np.int32)
    for at in range(0, total, _SLICE):
        owner[at:at + _SLICE] = key[at:at + _SLICE] & np.uint64((1 << low) - 1)
    key >>= np.uint64(low)
    return key, owner


_SLICE = 1 << 22


def spans(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The array positions lo[k]..hi[k]-1 for every k, in one array (bands.py reads its
    buckets the same way)."""
    n = hi - lo
    return np.repeat(lo - np.cumsum(n) + n, n) + np.arange(n.sum())


def _held_more(a: np.ndarray, limit: int) -> np.ndarray:
    """The values of sorted `a` found more than `limit` times in it: those equal to the
    entry `limit` places on. Compared a step at a time: one mask of all the 80 million
    postings of 100k articles is 80 MB."""
    found = []
    for k in range(0, max(0, len(a) - limit), COMPARED_AT_ONCE):
        here = a[k:min(k + COMPARED_AT_ONCE, len(a) - limit)]
        found.append(unique(here[here == a[k + limit:k + limit + len(here)]]))  # a common one, once a step
    return unique(np.concatenate(found)) if found else a[:0]


def unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of `a`, sorted. Not np.unique: since numpy 2.3 it finds them
    in a hash set (std::unordered_set) before sorting, 6 times slower than a sort for a
    document's 800 shingles and 100 times for the 17 million pairs dedup's LSH deals
    at 100k (24 s against 0.2; numpy/numpy#31970 proposed choosing between the two)."""
    a = np.sort(a, axis=None)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a
