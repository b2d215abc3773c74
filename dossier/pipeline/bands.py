"""Bands: dedup's LSH index, which documents agree on a band of their MinHash.

A band is a few rows of a document's MinHash, read as one key; documents with the same
key in a band share that band's bucket and are proposed as pairs. The buckets are runs
of equal keys in one sorted array (as datatrove's MinhashDedupBuckets reads its sorted
signature files): one uint64 and one int32 per document and band. datasketch's
MinHashLSH keeps a Python set per document and band instead: ~300 MB more at 10,000
documents with 128 bands, gigabytes at 100,000, and its pairs are gathered a bucket at a
time in Python. Documents added or removed since the sort are read beside the array,
as in postings.py, until COMPACT_AFTER of them make it sorted again.

A key carries its band in its top bits, so one sorted array holds every band and one
search finds a document's buckets in all of them. The bits it gives up for that make two
different keys of a band alike with probability 2^-57: a pair proposed by mistake, which
dedup's estimate and sentence check then judge like any other.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .postings import COMPACT_AFTER, spans, unique

Pair = tuple[str, str]  # two document ids, the smaller first


class Bands:
    def __init__(self, bands: int, cap: int):
        self.bands = bands
        self.cap = cap  # a bigger bucket deals a star, not all its pairs (see `deal`)
        shift = 64 - max(1, (bands - 1).bit_length())
        self._tag = np.arange(bands, dtype=np.uint64) << np.uint64(shift)
        self._low = np.uint64((1 << shift) - 1)
        self._row: dict[str, int] = {}  # doc id → its row in _keys
        self._ids: list[str] = []  # row → doc id (a removed doc's row stays until compaction)
        self._keys = np.zeros((0, bands), dtype=np.uint64)  # row → its key in each band, tagged
        self._live = np.zeros(0, dtype=bool)
        self._sorted = np.zeros(0, dtype=np.uint64)  # the keys of rows < _made, sorted
        self._order = np.zeros(0, dtype=np.int32)  # … and the row of each
        self._made = 0  # rows sorted into the array; later ones are read one by one
        self._dead = 0  # rows below _made whose doc is gone

    def __contains__(self, i: str) -> bool:
        return i in self._row

    def keys_of(self, i: str) -> np.ndarray:
        """Doc i's key in each band (band-tagged: a bucket is named by its key alone)."""
        return self._keys[self._row[i]]

    def add(self, i: str, keys: np.ndarray) -> None:
        """Doc i with one well-mixed 64-bit key per band."""
        self.remove(i)
        row = len(self._ids)
        if row == len(self._keys):  # room for twice as many
            grow = max(64, row)
            self._keys = np.concatenate([self._keys, np.zeros((grow, self.bands), dtype=np.uint64)])
            self._live = np.concatenate([self._live, np.zeros(grow, dtype=bool)])
        self._keys[row], self._live[row] = self._tag | (keys & self._low), True
        self._ids.append(i)
        self._row[i] = row

    def remove(self, i: str) -> None:
        row = self._row.pop(i, None)
        if row is not None:
            self._live[row] = False
            self._dead += row < self._made

    # ---- questions
    def buckets(self, keys: np.ndarray) -> list[set[str]]:
        """The docs in each of these buckets (keys as keys_of gives them), in one search."""
        self._compact_if_due()
        keys = np.asarray(keys, dtype=np.uint64)
        lo, hi = np.searchsorted(self._sorted, keys, "left"), np.searchsorted(self._sorted, keys, "right")
        n = hi - lo
        which = np.repeat(np.arange(len(keys)), n)
        rows = self._order[spans(lo, hi)].astype(np.int64)
        later = self._keys[self._made:len(self._ids)]
        if len(later):
            hit, band = np.nonzero(np.isin(later, keys))
            at = {k: w for w, k in enumerate(keys.tolist())}
            which = np.concatenate([which, np.array([at[k] for k in later[hit, band].tolist()], dtype=np.int64)])
            rows = np.concatenate([rows, self._made + hit])
        out: list[set[str]] = [set() for _ in range(len(keys))]
        live = self._live[rows]
        for w, r in zip(which[live].tolist(), rows[live].tolist()):
            out[w].add(self._ids[r])
        return out

    def dealt(self, members: Iterable[str]) -> set[Pair]:
        """The pairs one bucket proposes."""
        members = sorted(members)
        first, second = deal(len(members), self.cap)
        return {(members[a], members[b]) for a, b in zip(first.tolist(), second.tolist())}

    def all_dealt(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """What `dealt` gives for every bucket, as (ids, first, second): pair k is
        (ids[first[k]], ids[second[k]]). Arrays, not tuples of names: a full run at 100k
        deals 17.5 million pairs, and the caller keeps 36,653 (their number grows with
        the square of the corpus's: docs/benchmarks.md, sixteenth round). Made a bucket
        size at a time."""
        self._compact_if_due(force=True)  # rows in id order: the smaller row is the smaller id
        n, keys, order = len(self._ids), self._sorted, self._order
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
        sizes = np.diff(np.r_[starts, len(keys)])
        codes = [np.zeros(0, dtype=np.int64)]
        for size in unique(sizes[sizes > 1]).tolist():
            at = starts[sizes == size]
            rows = np.sort(order[at[:, None] + np.arange(size)], axis=1).astype(np.int64)
            first, second = deal(size, self.cap)
            codes.append((rows[:, first] * n + rows[:, second]).ravel())
        codes = unique(np.concatenate(codes))  # a pair that shares several bands, once
        return list(self._ids), codes // max(n, 1), codes % max(n, 1)

    def _compact_if_due(self, force: bool = False) -> None:
        if (len(self._ids) - self._made) + self._dead <= (0 if force else COMPACT_AFTER):
            return
        ids = sorted(self._row)
        self._keys = self._keys[np.array([self._row[i] for i in ids], dtype=np.int64)]
        self._live = np.ones(len(ids), dtype=bool)
        self._ids, self._row = ids, {i: r for r, i in enumerate(ids)}
        flat = self._keys.ravel()
        order = np.argsort(flat, kind="stable")
        self._sorted = flat[order]
        self._order = (order // self.bands).astype(np.int32)
        self._made, self._dead = len(ids), 0


def deal(size: int, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs a bucket of `size` sorted members proposes, as positions: all of them, or
    a star from the first member when the bucket is over `cap` (one much-copied story,
    not n^2 pairs)."""
    if size > cap:
        return np.zeros(size - 1, dtype=np.int64), np.arange(1, size)
    return np.triu_indices(size, 1)
