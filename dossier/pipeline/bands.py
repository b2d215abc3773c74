"""Bands: dedup's LSH index, which documents agree on a band of their MinHash.

A band is a few rows of a document's MinHash, read as one key; documents with the same
key in a band share that band's bucket and are proposed as pairs. The buckets are runs
of equal keys in each band's sorted column (as datatrove's MinhashDedupBuckets reads its
sorted signature files), one uint64 and one int32 per document and band. datasketch's
MinHashLSH keeps a Python set per document and band instead: ~180 MB more at 10,000
documents with 128 bands, gigabytes at 100,000, and its pairs are gathered a bucket at a
time in Python. Documents added or removed since the columns were sorted are read beside
them, as in postings.py, until COMPACT_AFTER of them make the columns sorted again.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .postings import COMPACT_AFTER

Pair = tuple[str, str]  # two document ids, the smaller first


class Bands:
    def __init__(self, bands: int, cap: int):
        self.bands = bands
        self.cap = cap  # a bigger bucket deals a star, not all its pairs (see `deal`)
        self._row: dict[str, int] = {}  # doc id → its row in _keys
        self._ids: list[str] = []  # row → doc id (a removed doc's row stays until compaction)
        self._keys = np.zeros((0, bands), dtype=np.uint64)  # row → its key in each band
        self._live = np.zeros(0, dtype=bool)
        self._sorted = np.zeros((bands, 0), dtype=np.uint64)  # each band's keys of rows < _made
        self._order = np.zeros((bands, 0), dtype=np.int32)  # … and the row of each
        self._made = 0  # rows sorted into the columns; later ones are read one by one
        self._dead = 0  # rows below _made whose doc is gone

    def __contains__(self, i: str) -> bool:
        return i in self._row

    def keys_of(self, i: str) -> np.ndarray:
        return self._keys[self._row[i]]

    def add(self, i: str, keys: np.ndarray) -> None:
        self.remove(i)
        row = len(self._ids)
        if row == len(self._keys):  # room for twice as many
            grow = max(64, row)
            self._keys = np.concatenate([self._keys, np.zeros((grow, self.bands), dtype=np.uint64)])
            self._live = np.concatenate([self._live, np.zeros(grow, dtype=bool)])
        self._keys[row], self._live[row] = keys, True
        self._ids.append(i)
        self._row[i] = row

    def remove(self, i: str) -> None:
        row = self._row.pop(i, None)
        if row is not None:
            self._live[row] = False
            self._dead += row < self._made

    # ---- questions
    def members(self, band: int, key) -> set[str]:
        """The docs in one bucket."""
        self._compact_if_due()
        key = np.uint64(key)  # not a Python int, which numpy 1.x compares as a float
        col = self._sorted[band]
        sorted_rows = self._order[band, np.searchsorted(col, key, "left"):np.searchsorted(col, key, "right")]
        later = self._made + np.flatnonzero(self._keys[self._made:len(self._ids), band] == key)
        rows = np.concatenate([sorted_rows, later])
        return {self._ids[r] for r in rows[self._live[rows]].tolist()}

    def dealt(self, members: Iterable[str]) -> set[Pair]:
        """The pairs one bucket proposes."""
        members = sorted(members)
        first, second = deal(len(members), self.cap)
        return {(members[a], members[b]) for a, b in zip(first.tolist(), second.tolist())}

    def all_dealt(self) -> set[Pair]:
        """What `dealt` gives for every bucket: the buckets of one size at a time, as arrays."""
        self._compact_if_due(force=True)  # rows in id order: the smaller row is the smaller id
        n, codes = len(self._ids), [np.zeros(0, dtype=np.int64)]
        for col, order in zip(self._sorted, self._order):
            starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]]) if n else np.zeros(0, dtype=np.int64)
            sizes = np.diff(np.r_[starts, n])
            for size in np.unique(sizes[sizes > 1]).tolist():
                at = starts[sizes == size]
                rows = np.sort(order[at[:, None] + np.arange(size)], axis=1).astype(np.int64)
                first, second = deal(size, self.cap)
                codes.append((rows[:, first] * n + rows[:, second]).ravel())
        return {(self._ids[c // n], self._ids[c % n]) for c in np.unique(np.concatenate(codes)).tolist()}

    def _compact_if_due(self, force: bool = False) -> None:
        if (len(self._ids) - self._made) + self._dead <= (0 if force else COMPACT_AFTER):
            return
        ids = sorted(self._row)
        self._keys = self._keys[np.array([self._row[i] for i in ids], dtype=np.int64)]
        self._live = np.ones(len(ids), dtype=bool)
        self._ids, self._row = ids, {i: r for r, i in enumerate(ids)}
        self._order = np.argsort(self._keys.T, axis=1, kind="stable").astype(np.int32)
        self._sorted = np.take_along_axis(self._keys.T, self._order, axis=1)
        self._made, self._dead = len(ids), 0


def deal(size: int, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs a bucket of `size` sorted members proposes, as positions: all of them, or
    a star from the first member when the bucket is over `cap` (one much-copied story,
    not n^2 pairs)."""
    if size > cap:
        return np.zeros(size - 1, dtype=np.int64), np.arange(1, size)
    return np.triu_indices(size, 1)
