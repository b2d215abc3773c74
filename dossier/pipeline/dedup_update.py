"""dedup again after an edit, without redoing the corpus (`dossier serve`).

`DedupIndex` keeps one full `dedup.Run` and, when a few documents change, redoes
only their part: each changed document is shingled and sketched against the
run's statistics (the shingles it found common stay common), re-inserted in the
LSH index and queried with it, and only the clusters it left or joins are
formed again, from their remaining candidate pairs and its new ones (alignments
of unchanged pairs are kept). Every other cluster is the very object of the run.

What it does not redo: the statistics themselves. A shingle that the edit makes
common (or no longer common) stays as the run counted it, which can move the
sketch of an unchanged document; `dossier build` always runs dedup whole.
Added or removed documents, or many changed at once, get a full run.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .dedup import MIN_ESTIMATE, MIN_SHINGLES, PASTED_MIN, PASTED_SHARE, Run, minhash, sketch
from ..models import Cluster, Document
from .shingles import shingles
from .verify import Text, UnionFind

MAX_CHANGED = 20  # more changed documents than this at once: a full run is as quick


class DedupIndex:
    def __init__(self, docs: Sequence[Document], threshold: float):
        self.threshold = threshold
        self.run: Run | None = None
        self.clusters: tuple[Cluster, ...] = ()
        self._full(docs)

    def _full(self, docs: Sequence[Document]) -> tuple[Cluster, ...]:
        self.run = Run(docs, self.threshold)
        self.index = {d.id: i for i, d in enumerate(self.run.check.docs)}
        self.root = {i: root for root, members in self.run.members.items() for i in members}
        self.stale: dict[int, np.ndarray] = {}  # doc → its shingle set, where the run's arrays are out of date
        self.notes = np.array([d.kind == "note" for d in self.run.check.docs], dtype=bool)
        self.clusters = self.run.clusters
        return self.clusters

    def update(self, docs: Sequence[Document]) -> tuple[Cluster, ...]:
        run = self.run
        if not docs or len(docs) != len(run.check.docs) or any(d.id not in self.index for d in docs):
            return self._full(docs)
        changed = sorted(self.index[d.id] for d in docs if run.check.docs[self.index[d.id]] is not d)
        if not changed:
            return self.clusters
        if len(changed) > MAX_CHANGED:
            return self._full(docs)
        by_id = {d.id: d for d in docs}
        for i in changed:
            self._forget(i, by_id[run.check.docs[i].id])
        new_pairs = sorted({p for i in changed for p in self._candidates(i)})
        self._recluster(set(changed), new_pairs)
        return self.clusters

    def _forget(self, i: int, doc: Document) -> None:
        """Put `doc` in place of document i: its text, shingles, sketch and LSH entry."""
        run, sk = self.run, self.run.sketches
        run.check.docs[i] = doc
        self.notes[i] = doc.kind == "note"
        run.check.texts.pop(i, None)
        run.check.texts[i] = Text(doc)
        for key in [k for k in run.check.matches if i in k]:
            del run.check.matches[key]
        _, hashes = shingles([doc])
        mine = np.unique(hashes >> np.uint64(sk.bits)) if len(hashes) else hashes
        kept = mine[~np.isin(mine, sk.common)]
        mine = kept if len(kept) >= MIN_SHINGLES else mine
        self.stale[i] = mine
        sk.sizes[i] = len(mine)
        sk.sig[i] = sketch(np.zeros(len(mine), dtype=np.int64), mine, 1)[0]
        if i in run.lsh.keys:
            run.lsh.remove(i)
        if len(mine):
            run.lsh.insert(i, minhash(sk.sig[i]), check_duplication=False)

    def _candidates(self, i: int) -> list[tuple[int, int]]:
        """Pairs of document i worth checking: LSH neighbours close enough, and the
        documents it pastes from or that paste it (notes); as dedup.Run finds them."""
        run, sk = self.run, self.run.sketches
        out = set()
        if sk.sizes[i]:
            for j in run.lsh.query(minhash(sk.sig[i])):
                if j != i and (sk.sig[i] == sk.sig[j]).mean() >= MIN_ESTIMATE:
                    out.add((min(i, j), max(i, j)))
            out |= self._pasted(i)
        elif run.check.texts[i].body:  # too short to shingle: the exact copies among the others
            body = run.check.texts[i].body
            for j in np.flatnonzero(sk.sizes == 0).tolist():
                if j != i and run.check.texts[j].body == body:
                    out.add((min(i, j), max(i, j)))
        return sorted(out)

    def _pasted(self, i: int) -> set[tuple[int, int]]:
        """The pairs of i with docs sharing PASTED_SHARE of a note's shingles (one of the two)."""
        sk, mine = self.run.sketches, self.stale[i]
        lo, hi = np.searchsorted(sk.shingle, mine, "left"), np.searchsorted(sk.shingle, mine, "right")
        at = np.repeat(lo - np.cumsum(hi - lo) + (hi - lo), hi - lo) + np.arange((hi - lo).sum())
        owners = sk.owner[at]
        owners = owners[(owners != i) & ~np.isin(owners, list(self.stale))]  # their rows are out of date
        others, shared = np.unique(owners, return_counts=True)
        for j, theirs in self.stale.items():
            if j != i:
                others = np.r_[others, j]
                shared = np.r_[shared, len(np.intersect1d(mine, theirs, assume_unique=True))]
        enough = shared >= PASTED_MIN
        hit = enough & (self.notes[others] & (shared >= PASTED_SHARE * sk.sizes[others]))
        if self.notes[i]:
            hit |= enough & (shared >= PASTED_SHARE * sk.sizes[i])
        return {(min(i, j), max(i, j)) for j in others[hit].tolist()}

    def _recluster(self, changed: set[int], new_pairs: list[tuple[int, int]]) -> None:
        """Form again the clusters the changed documents were in or now reach."""
        run, check = self.run, self.run.check
        roots = {self.root[i] for i in changed} | {self.root[j] for p in new_pairs for j in p}
        members = [i for r in roots for i in run.members[r]]
        joined = UnionFind()
        old = [p for r in roots for p in run.edges.get(r, []) if not changed & set(p)]
        for r in roots - {self.root[i] for i in changed}:  # untouched clusters stay whole
            for i in run.members[r][1:]:
                joined.union(i, run.members[r][0])
        for i, j in old + new_pairs:
            if joined.find(i) != joined.find(j) and check.same_story(i, j):
                joined.union(i, j)
        groups: dict[int, list[int]] = {}
        for i in sorted(members):
            groups.setdefault(joined.find(i), []).append(i)
        for r in roots:
            run.members.pop(r, None)
            run.edges.pop(r, None)
            run.found.pop(r, None)
        for root, group in groups.items():
            inside = set(group)
            edges = [p for p in old + new_pairs if p[0] in inside and p[1] in inside]
            run.members[root], run.edges[root] = group, edges
            run.found[root] = check.cluster(group, edges)
            for i in group:
                self.root[i] = root
        self.clusters = tuple(sorted(run.found.values(), key=lambda c: c.canonical))
