"""Group the documents that tell one story, and say how each version relates to the best one.

Two steps, because neither alone is both fast and exact. MinHash LSH over pairs of
neighbouring content words proposes candidate pairs without ever looking at all pairs (plus,
for notes, the docs that hold much of a note: a few pasted paragraphs are invisible to
Jaccard); each candidate is then checked by aligning sentences with rapidfuzz (verify.py),
and the clusters are the connected parts of the checked pairs. Words are too coarse to tell
"the same story, reworded" from "another story about the same town"; sentences are not.

`Dedup` keeps all of this from one call to the next, so that `update(docs)` redoes only what
the documents that changed since can reach: their sketches, their candidate pairs, and the
clusters they leave or join. The first update is the whole run; every later one gives exactly
the clusters a fresh `Dedup` would (tests/test_dedup_update.py). `dedup(docs)` is one update
of a new Dedup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..models import Cluster, Document
from .bands import Bands, Pair
from .postings import COMPACT_AFTER, SHINGLE_BITS, Postings, unique
from .shingles import EMPTY, mix, shingles
from .verify import Checker, UnionFind

__all__ = ["Dedup", "dedup", "DEFAULT_THRESHOLD"]

# Share of the shorter document's sentences that need a close match in the other before two
# documents count as one story. The real rewrite seed has about 60%; another story about the
# same town has none; unrelated synthetic articles built from one small vocabulary reach 15%.
DEFAULT_THRESHOLD = 0.5

# 128 bands of 2 rows: a pair is proposed with probability 1-(1-J^2)^128: 0.95 at Jaccard 0.15,
# 0.995 at 0.2, 0.9990 at 0.23, 0.99999 at 0.3. The real rewrite seed sits near 0.23, synthetic
# synonym rewrites mostly above 0.3, strangers near 0.01 once shingles common to many documents
# are left out. (64 bands, 0.969 at 0.23 and 0.998 at 0.3, lost one of 36,491 true pairs of a
# 100,000-article corpus: 36 of their 128 rows agreed, no band had both of its two.)
NUM_PERM, BANDS = 256, 128
BUCKET_CAP = 50  # a bigger bucket is linked as a star: one much-copied story, not n^2 pairs
MIN_ESTIMATE = 0.08  # estimated Jaccard below which a proposed pair is not worth checking
COMMON_SHARE, COMMON_FLOOR = 0.05, 50  # shingles in more docs than this say "topic", not "story"
MIN_SHINGLES = 8  # a doc left with fewer after that keeps all of its own
PASTED_SHARE, PASTED_MIN = 0.3, 20  # shingles of a note found in one doc to check the pair
# Docs shingled in one go: every word pair of 100k articles at once held 2 GB for a moment
SHINGLED_AT_ONCE = 2000


def dedup(docs: Sequence[Document], threshold: float = DEFAULT_THRESHOLD) -> tuple[Cluster, ...]:
    """Cluster documents that tell the same story; every document lands in exactly one cluster."""
    return Dedup(threshold, kept=False).update(docs)


def common_limit(n: int) -> int:
    """A shingle in more than this many of n documents is common (says "topic")."""
    return int(max(COMMON_FLOOR, COMMON_SHARE * n))


@dataclass
class _Sketch:
    kept: int  # how many shingles the doc is compared by: its own less the common ones, or
    # all of its own in a small doc. The shingles themselves are not kept: an update asks
    # for them again (Postings.uncommon) only of the docs it changed, and they were 62 MB at 10k
    sig: np.ndarray  # MinHash of those
    note: bool


class Dedup:
    """The dedup of a corpus, kept up to date between calls of `update`. One made for
    a single update (`kept=False`: `dossier build`, whose memo keeps no index between
    builds) lets go of its shingle postings once it has found the pasted notes, before
    the LSH deals its pairs and they are checked: 1.7 GB of dedup's 3.7 at 100k."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, kept: bool = True):
        if not 0 < threshold <= 1:
            raise ValueError(f"dedup: threshold must be in (0, 1], not {threshold}")
        self.threshold, self.kept = threshold, kept
        self.docs: dict[str, Document] = {}
        self.sets = Postings()  # each doc's shingle set, and who holds a shingle
        self.notes = Postings()  # the same of the notes alone: who a doc may have pasted from
        self.limit: int | None = None  # the common_limit the sketches were made with
        self.sketch: dict[str, _Sketch] = {}
        self.small: set[str] = set()  # docs that keep their common shingles (too few others)
        self.lsh = Bands(BANDS, BUCKET_CAP)
        self.short: dict[str, set[str]] = {}  # body → the docs too short to shingle with that body
        # the candidate pairs, each with its estimated Jaccard: proposed by the LSH (and
        # close enough), pasted (a note in a doc), or copies too short to shingle
        self.proposed: dict[Pair, float] = {}
        self.pasted: dict[Pair, float] = {}
        self.copies: set[Pair] = set()
        self.check = Checker(threshold)
        self.cluster_of: dict[str, int] = {}  # doc → its cluster's number
        self.members: dict[int, list[str]] = {}
        self.found: dict[int, Cluster] = {}
        self._next = 0
        self._buckets: dict[int, frozenset[str]] = {}  # big buckets (by key) as they were
        self._bulk = False

    # ------------------------------------------------------------------ the update
    def update(self, docs: Sequence[Document]) -> tuple[Cluster, ...]:
        if len({d.id for d in docs}) != len(docs):
            raise ValueError("dedup: document ids must be unique")
        if self.sets is None:
            raise RuntimeError("dedup: this Dedup was made for one update (kept=False)")
        new = {d.id: d for d in docs}
        gone = [i for i in self.docs if i not in new]
        changed = sorted(i for i, d in new.items() if i not in self.docs or (self.docs[i] is not d and self.docs[i] != d))
        if not gone and not changed:
            return self.clusters
        self.sets.begin()
        self._buckets, self._bulk = {}, False
        before = self.candidates()
        for i in gone:
            self._remove(i)
        self._put([new[i] for i in changed])
        limit = common_limit(len(self.docs))
        if limit != self.limit:  # what counts as common moved: every sketch may change
            self.limit, dirty = limit, set(self.docs)
        else:
            dirty = set(changed) | self._flipped()
        for postings in (self.sets, self.notes):
            postings.compact_if_due(force=len(dirty) > COMPACT_AFTER)
        self._bulk = dirty == self.docs.keys()  # no doc keeps its pairs: no bucket's past matters
        for i, rare in self.sets.uncommon(sorted(dirty), limit):  # one doc's at a time: 0.6 GB at once at 100k
            self._sketch(i, rare)
        self._relink(dirty)
        moved = {i for pair in before ^ self.candidates() for i in pair}
        reached = set(gone) | set(changed) | dirty | moved
        if self.docs.keys() - reached:  # (a first build reaches every doc: no pass over its pairs)
            reached |= self._partners(set(changed))
        self._recluster(reached)
        return self.clusters

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        return tuple(sorted(self.found.values(), key=lambda c: c.canonical))

    def candidates(self) -> set[Pair]:
        return self.proposed.keys() | self.pasted.keys() | self.copies

    # ------------------------------------------------------------------ documents
    def _put(self, docs: list[Document]) -> None:
        """New and changed docs: their text for checking, their shingle sets."""
        for at in range(0, len(docs), SHINGLED_AT_ONCE):
            chunk = docs[at:at + SHINGLED_AT_ONCE]
            owner, hashes = shingles(chunk)
            order = np.argsort(owner, kind="stable")
            bounds = np.searchsorted(owner[order], np.arange(len(chunk) + 1))
            hashes = hashes[order] >> np.uint64(64 - SHINGLE_BITS)  # the sets are sorted and compared as such
            for k, doc in enumerate(chunk):
                if doc.id in self.docs:
                    self._remove(doc.id)
                self.docs[doc.id] = doc
                self.check.put(doc)
                own = unique(hashes[bounds[k]:bounds[k + 1]])
                self.sets.add(doc.id, own)
                if doc.kind == "note":
                    self.notes.add(doc.id, own)

    def _remove(self, i: str) -> None:
        self.docs.pop(i)
        self.check.drop(i)
        self.sets.remove(i)
        self.notes.remove(i)
        self._unindex(i)
        self.sketch.pop(i, None)
        self.small.discard(i)
        self._short_group(i, None)
        for table in (self.proposed, self.pasted):
            for pair in [p for p in table if i in p]:
                del table[pair]
        self.copies = {p for p in self.copies if i not in p}

    def _flipped(self) -> set[str]:
        """Docs holding a shingle that this update made common, or no longer common:
        their kept sets change although their text did not."""
        seen = self.sets.touched()
        if not len(seen):
            return set()
        before, after = self.sets.counts_before(seen), self.sets.counts(seen)
        flips = seen[(before > self.limit) != (after > self.limit)]
        return set(self.sets.owners(flips)) if len(flips) else set()

    def _sketch(self, i: str, rare: np.ndarray) -> None:
        """Doc i's kept shingles and MinHash, and its place in the LSH index (`rare`: its
        shingles that are not common)."""
        own = self.sets.of(i)
        small = len(rare) < MIN_SHINGLES
        kept = own if small else rare
        self.small.discard(i)
        if small and len(own):
            self.small.add(i)
        self._unindex(i)
        self.sketch[i] = sk = _Sketch(len(kept), _minhash_row(kept), self.docs[i].kind == "note")
        if len(kept):
            self._snapshot(i, lambda: self.lsh.add(i, _band_keys(sk.sig)))
        self._short_group(i, None if len(own) else self.check.texts[i].body or None)

    def _unindex(self, i: str) -> None:
        if i in self.lsh:
            self._snapshot(i, lambda: self.lsh.remove(i))

    def _snapshot(self, i: str, change) -> None:
        """Make an LSH change for doc i, noting how its big buckets were (see _stars)."""
        keys = self.lsh.keys_of(i).copy() if i in self.lsh else None
        change()
        if self._bulk:
            return
        keys = keys if keys is not None else self.lsh.keys_of(i)
        for key, members in zip(keys.tolist(), self.lsh.buckets(keys)):
            # only a bucket that is or was over the cap deals its pairs by its membership;
            # any snapshot holds every doc that stays in it, which is all _stars needs
            if len(members) >= BUCKET_CAP and key not in self._buckets:
                self._buckets[key] = frozenset(members) ^ {i}  # as it was before this change

    def _short_group(self, i: str, body: str | None) -> None:
        """Docs too short to shingle ("TBC", a bare link) can still be exact copies: grouped by body."""
        for members in self.short.values():
            members.discard(i)
        if body:
            self.short.setdefault(body, set()).add(i)

    # ------------------------------------------------------------------ candidates
    def _relink(self, dirty: set[str]) -> None:
        """The candidate pairs of the dirty docs, found again; and the pairs of others
        that a change in a big LSH bucket (its first member) deals or takes back."""
        for table in (self.proposed, self.pasted):
            for pair in [p for p in table if p[0] in dirty or p[1] in dirty]:
                del table[pair]
        pasted = list(self._pastes(dirty))  # the last use of the postings
        self.pasted.update(zip(pasted, self._estimates(*_numbered(pasted)).tolist()))
        if not self.kept:
            self.sets = self.notes = None
        if dirty == self.docs.keys():  # every bucket at once, in arrays: 17.5 million pairs at 100k
            ids, left, right = self.lsh.all_dealt()
        else:
            dealt = {p for i in dirty for p in self._lsh_pairs(i)} | self._stars(dirty)
            ids, left, right = _numbered(dealt)
        est = self._estimates(ids, left, right)
        for k in np.flatnonzero(est >= MIN_ESTIMATE).tolist():  # only these are kept as names
            self.proposed[(ids[left[k]], ids[right[k]])] = float(est[k])
        self.copies = {p for p in self.copies if p[0] not in dirty and p[1] not in dirty} | self._copies(dirty)

    def _estimates(self, ids: list[str], left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Each pair's (ids[left[k]], ids[right[k]]) estimated Jaccard: the share of MinHash
        rows the two agree on, compared a block of pairs at a time."""
        out = np.zeros(len(left))
        if len(left):
            sigs = np.stack([self.sketch[i].sig for i in ids])
            for k in range(0, len(left), 4096):  # two blocks of 4096 rows of 256 hashes: 8 MiB
                out[k:k + 4096] = (sigs[left[k:k + 4096]] == sigs[right[k:k + 4096]]).mean(axis=1)
        return out

    def _lsh_pairs(self, i: str) -> set[Pair]:
        """Doc i's pairs from each of its LSH buckets, as the buckets deal them (none when
        it has no shingles left: it is not in the index)."""
        out = set()
        if i not in self.lsh:
            return out
        for members in self.lsh.buckets(self.lsh.keys_of(i)):
            if len(members) > 1:
                out |= {p for p in self.lsh.dealt(members) if i in p}
        return out

    def _stars(self, dirty: set[str]) -> set[Pair]:
        """A bucket over BUCKET_CAP deals its first member with the rest: a dirty doc that
        comes or goes can change the pairs of clean ones there. The pairs such a bucket
        dealt and no longer deals go, unless another bucket deals them; the new ones come."""
        out: set[Pair] = set()
        nows = self.lsh.buckets(np.array(list(self._buckets), dtype=np.uint64))
        for was, now in zip(self._buckets.values(), nows):
            if max(len(was), len(now)) <= BUCKET_CAP:
                continue  # all pairs before and after: the clean ones are the same
            then, dealt = self.lsh.dealt(was), self.lsh.dealt(now)
            out |= dealt
            for pair in then - dealt:
                if pair in self.proposed and not self._dealt(*pair):
                    del self.proposed[pair]
        return {p for p in out if p[0] in self.docs and p[1] in self.docs}

    def _dealt(self, a: str, b: str) -> bool:
        """Does some LSH bucket deal the pair (a, b)?"""
        ka, kb = self.lsh.keys_of(a), self.lsh.keys_of(b)
        return any((a, b) in self.lsh.dealt(members) for members in self.lsh.buckets(ka[ka == kb]))

    def _pastes(self, dirty: set[str]) -> set[Pair]:
        """Pairs of a dirty doc where one holds PASTED_SHARE of the other's shingles and
        that other is a note: a note pasting a few paragraphs of a long story has a
        Jaccard the LSH cannot see. The shingle sets are their own inverted index."""
        out = set()
        notes_dirty = all(i in dirty for i in self.notes.sets)  # then every pair is found from its note
        asked = sorted(i for i in dirty if self.sketch[i].kept and (self.sketch[i].note or not notes_dirty))
        for i, rare in self.sets.uncommon(asked, self.limit):  # in one pass when many (10,000 notes at 100k)
            for j, n in self._shared(i, rare):
                if j != i and _pasted(n, self.sketch[i], self.sketch[j]):
                    out.add((min(i, j), max(i, j)))
        return out

    def _shared(self, i: str, rare: np.ndarray) -> list[tuple[str, int]]:
        """The docs sharing at least PASTED_MIN kept shingles with doc i (any doc for a
        note, notes for the rest), and how many (`rare`: i's shingles that are not
        common). Every holder of a shingle that is not common keeps it; a common one is
        kept only by a doc too small to drop it, so two such docs count their common
        shingles apart."""
        mine, small = self.sketch[i], i in self.small
        shared = (self.sets if mine.note else self.notes).shared(rare, 1 if small else PASTED_MIN)
        if small:  # a small doc keeps all of its own shingles
            commons = np.setdiff1d(self.sets.of(i), rare, assume_unique=True)
            for j in self.small - {i}:
                both = len(np.intersect1d(commons, self.sets.of(j), assume_unique=True))
                if both and (mine.note or self.sketch[j].note):
                    shared[j] = shared.get(j, 0) + both
        return [(j, n) for j, n in shared.items() if n >= PASTED_MIN]

    def _copies(self, dirty: set[str]) -> set[Pair]:
        out = set()
        for members in self.short.values():
            if len(members) > 1 and members & dirty:
                first = min(members)
                out |= {(first, j) for j in members if j != first}
        return out

    # ------------------------------------------------------------------ clusters
    def _partners(self, docs: set[str]) -> set[str]:
        """The docs a candidate pair joins to one of `docs`. A changed text can make a
        pair that was a candidate before and after check true (an article cut to an
        excerpt of a note) or false: the partner's cluster is then formed again too."""
        return {j for table in (self.proposed, self.pasted, self.copies) for pair in table
                if pair[0] in docs or pair[1] in docs for j in pair}

    def _recluster(self, reached: set[str]) -> None:
        """Form again the clusters holding these docs: union-find over their candidate
        pairs, likeliest first, checking only pairs not already joined."""
        old = {self.cluster_of.pop(i) for i in reached if i in self.cluster_of}
        members = reached & self.docs.keys()
        for c in old:
            self.found.pop(c)
            members |= {i for i in self.members.pop(c) if i in self.docs}
        for i in members:
            self.cluster_of.pop(i, None)
        ranked = [(1.0, p) for p in self.copies if p[0] in members]
        ranked += [(-est, p) for table in (self.proposed, self.pasted) for p, est in table.items() if p[0] in members]
        ranked.sort()
        joined = UnionFind()
        for _, (a, b) in ranked:
            if joined.find(a) != joined.find(b) and ((a, b) in self.copies or self.check.same_story(a, b)):
                joined.union(a, b)
        groups: dict[str, list[str]] = {}
        for i in sorted(members):
            groups.setdefault(joined.find(i), []).append(i)
        edges: dict[str, list[Pair]] = {}
        for _, (a, b) in ranked:
            if joined.find(a) == joined.find(b):
                edges.setdefault(joined.find(a), []).append((a, b))
        for root, group in groups.items():
            c, self._next = self._next, self._next + 1
            self.members[c] = group
            self.found[c] = self.check.cluster(group, edges.get(root, []))
            for i in group:
                self.cluster_of[i] = c


def _pasted(shared: int, a: _Sketch, b: _Sketch) -> bool:
    """One of the two is a note and the other holds PASTED_SHARE of its shingles."""
    return shared >= PASTED_MIN and any(s.note and shared >= PASTED_SHARE * s.kept for s in (a, b))


def _numbered(pairs) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Pairs of ids as (the ids, each pair's two positions in them)."""
    at: dict[str, int] = {}
    left = np.fromiter((at.setdefault(a, len(at)) for a, _ in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((at.setdefault(b, len(at)) for _, b in pairs), dtype=np.int64, count=len(pairs))
    return list(at), left, right


# --------------------------------------------------------------------------- MinHash
def _band_keys(sig: np.ndarray) -> np.ndarray:
    """One key per band of 2 rows: the two 32-bit rows side by side."""
    return (sig[0::2].astype(np.uint64) << np.uint64(32)) | sig[1::2]


def _minhash_row(kept: np.ndarray) -> np.ndarray:
    """One-permutation MinHash (densified) of one shingle set: one hash per shingle
    instead of one per shingle and permutation. Empty only when `kept` is (never indexed)."""
    shingle = mix(kept)
    sig = np.full(NUM_PERM, EMPTY, dtype=np.uint64)
    np.minimum.at(sig, (shingle % np.uint64(NUM_PERM)).astype(np.int64), shingle >> np.uint64(32))
    # An empty bin borrows the value of a fixed other bin (the same in every doc), so two docs
    # still agree on a bin with probability ~Jaccard (Shrivastava's densification).
    out, need = sig.copy(), sig == EMPTY
    for offset in _OFFSETS:
        if not need.any():
            break
        borrowed = sig[(np.arange(NUM_PERM) + offset) % NUM_PERM]
        take = need & (borrowed != EMPTY)
        out[take] = borrowed[take]
        need &= ~take
    return out.astype(np.uint32)  # the values are a hash's top 32 bits: half the memory


_OFFSETS = np.random.RandomState(7).permutation(np.arange(1, NUM_PERM))
