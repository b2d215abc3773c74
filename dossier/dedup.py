"""Group the documents that tell one story, and say how each version relates to the best one.

Two stages, because neither alone is both fast and exact. MinHash LSH over pairs of
neighbouring content words proposes candidate pairs without ever looking at all pairs; each
candidate is then checked by aligning sentences with rapidfuzz, and only checked pairs are
joined (union-find). Words are too coarse to tell "the same story, reworded" from "another
story about the same town"; sentences are not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from rapidfuzz import fuzz, process

from .models import Cluster, Document, Version

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
CHUNK_BYTES = 1 << 23  # text tokenised per numpy pass, to bound memory

_STOPWORDS = """
a about above after again against ago all almost also although am among an and another any
are around as at away be because been before being below between both but by can could did
do does doing done down during each either else even ever every few for from further get got
had has have having he her here hers herself him himself his how however i if in into is it
its itself just least less like many may me might more most much must my myself near neither
never no nor not now of off often on once one only onto or other others our ours ourselves out
over own per perhaps quite rather really s said same say says see seen several shall she
should since so some still such t than that the their theirs them themselves then there these
they this those though through thus to too toward towards under until up upon us very via was
we well were what whatever when where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves d ll m re ve
""".split()
# Crude suffix stripping: a rewrite says "lives"/"living" where the original said "lived".
_SUFFIXES = (b"ing", b"ed", b"es", b"s", b"ly")
_WORD_BYTE = np.array([chr(b).isalnum() or b >= 0x80 for b in range(256)])  # UTF-8 letters too
_PUNCTUATION = re.compile(r"[\u00a0-\u00bf\u2000-\u206f\u2190-\u2bff\u3000-\u303f\uff01-\uff0f]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_BLANK_PUNCTUATION = bytes(b if b == 0 or b >= 0x80 or chr(b).isalnum() else 32 for b in range(256))
_BASE = 0x100000001B3  # odd, so invertible mod 2^64: word hashes come from prefix sums
_U64 = 1 << 64
_EMPTY = np.uint64(np.iinfo(np.uint64).max)


class _Text:
    """What verification needs of one document, computed once and only for candidates."""

    def __init__(self, doc: Document):
        # Sentences, not paragraphs: copies get re-paragraphed, and a one-paragraph item
        # would "contain" any longer story that uses its words.
        text = _SENTENCE_END.sub("\0", "\n".join((doc.title, *doc.paragraphs)))
        text = text.replace("\n", "\0").lower()
        if not text.isascii():
            text = _PUNCTUATION.sub(" ", text)
        # punctuation to spaces, then single spaces: what rapidfuzz's default_process does, faster
        text = " ".join(text.encode("utf-8").translate(_BLANK_PUNCTUATION).decode("utf-8").split())
        self.sentences = [s for s in (p.strip() for p in text.split("\0"))
                          if s.count(" ") + 1 >= MIN_WORDS]
        self.index = frozenset(self.sentences)
        self.weights = np.array([len(s) for s in self.sentences], dtype=float)
        self.doc = doc

    @cached_property
    def sorted_tokens(self) -> list[str]:  # for token_sort_ratio, kept apart to score quickly
        return [" ".join(sorted(s.split())) for s in self.sentences]

    @cached_property
    def body(self) -> str:  # whitespace-normalised, for "identical"
        return " ".join(" ".join(self.doc.paragraphs).split())

    @cached_property
    def size(self) -> int:  # characters of body, for "longest"
        return len(self.body)


@dataclass(frozen=True)
class _Match:
    """Best score of each sentence of `a` against `b`, and of each of `b` against `a`."""

    a: np.ndarray
    b: np.ndarray

    def flipped(self) -> _Match:
        return _Match(self.b, self.a)


class _Texts(dict):
    def __init__(self, docs: Sequence[Document]):
        super().__init__()
        self.docs = docs

    def __missing__(self, i: int) -> _Text:
        self[i] = text = _Text(self.docs[i])
        return text


def dedup(docs: Sequence[Document], threshold: float = DEFAULT_THRESHOLD) -> tuple[Cluster, ...]:
    """Cluster documents that tell the same story; every document lands in exactly one cluster.

    `threshold` is the share of the shorter document's sentences that must have a close match
    (rapidfuzz >= CLOSE) in the other for a candidate pair to be joined.
    """
    if len({d.id for d in docs}) != len(docs):
        raise ValueError("dedup: document ids must be unique")
    docs = sorted(docs, key=lambda d: d.id)  # the result must not depend on input order
    texts = _Texts(docs)
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    matches: dict[tuple[int, int], _Match] = {}

    def match(i: int, j: int) -> _Match:
        if (j, i) in matches:
            return matches[j, i].flipped()
        if (i, j) not in matches:
            matches[i, j] = _align(texts[i], texts[j])
        return matches[i, j]

    def same_story(i: int, j: int) -> bool:
        return _identical(texts[i], texts[j]) or _verified(match(i, j), threshold)

    candidates, unshingled = _candidates(docs)
    pairs: list[tuple[int, int]] = []
    # Items too short to shingle ("TBC", a bare link) can still be exact copies of each other.
    first_with_body: dict[str, int] = {}
    for i in unshingled:
        if texts[i].body:
            j = first_with_body.setdefault(texts[i].body, i)
            if j != i:
                pairs.append((j, i))
                parent[find(i)] = find(j)
    for i, j in candidates:
        pairs.append((i, j))
        if find(i) != find(j) and same_story(i, j):
            parent[find(i)] = find(j)

    groups: dict[int, list[int]] = {}
    for i in range(len(docs)):
        groups.setdefault(find(i), []).append(i)
    # The candidate pairs inside a cluster are all that the canonical choice looks at; pairs
    # skipped above because they were already joined are aligned then, and only then.
    edges: dict[int, list[tuple[int, int]]] = {}
    for i, j in pairs:
        if find(i) == find(j):
            edges.setdefault(find(i), []).append((i, j))
    clusters = [_cluster(docs, texts, members, edges.get(root, []), match, threshold)
                for root, members in groups.items()]
    return tuple(sorted(clusters, key=lambda c: c.canonical))


# --------------------------------------------------------------------------- candidates
def _candidates(docs: Sequence[Document]) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (i < j) worth checking, likeliest first, from LSH buckets; and unshingled docs."""
    sig, sizes = _signatures(docs)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, NUM_PERM // BANDS))
    for i in np.flatnonzero(sizes):
        # One-permutation MinHash values, not datasketch's affine32 ones: the scheme label
        # only guards against mixing kinds, and this index never sees another kind.
        lsh.insert(int(i), LeanMinHash(seed=1, hashvalues=sig[i], scheme="affine32"),
                   check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for key, count in table.itemcounts().items():
            if count > 1:
                members = sorted(table.get(key))
                if count > BUCKET_CAP:
                    pairs.update((members[0], m) for m in members[1:])
                else:
                    pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    unshingled = [int(i) for i in np.flatnonzero(sizes == 0)]
    if not pairs:
        return [], unshingled
    left, right = np.array(sorted(pairs), dtype=np.int64).T
    jaccard = (sig[left] == sig[right]).mean(axis=1)
    keep = np.flatnonzero(jaccard >= MIN_ESTIMATE)
    keep = keep[np.lexsort((right[keep], left[keep], -jaccard[keep]))]
    return list(zip(left[keep].tolist(), right[keep].tolist())), unshingled


def _signatures(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    """One-permutation MinHash (densified) of each doc's set of content-word pairs.

    One hash per shingle instead of one per shingle and permutation, all in numpy: the
    per-shingle `MinHash.update` route took 7.9 s for 4k docs.
    """
    n = len(docs)
    owner, shingle = _shingles(docs)
    bits = max(1, n.bit_length())
    # One sort gives both the set of shingles per doc and, per shingle, how many docs have it.
    key = np.sort(((shingle >> np.uint64(bits)) << np.uint64(bits)) | owner.astype(np.uint64))
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    owner = (key & np.uint64((1 << bits) - 1)).astype(np.int64)
    shingle = key >> np.uint64(bits)
    starts = np.flatnonzero(np.r_[True, shingle[1:] != shingle[:-1]]) if len(key) else key
    df = np.repeat(np.diff(np.r_[starts, len(key)]), np.diff(np.r_[starts, len(key)]))
    keep = df <= max(COMMON_FLOOR, COMMON_SHARE * n)
    keep |= (np.bincount(owner, weights=keep, minlength=n) < MIN_SHINGLES)[owner]
    owner, shingle = owner[keep], _mix(shingle[keep])
    sizes = np.bincount(owner, minlength=n)

    sig = np.full(n * NUM_PERM, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, owner * NUM_PERM + (shingle % np.uint64(NUM_PERM)).astype(np.int64),
                  shingle >> np.uint64(32))
    sig = sig.reshape(n, NUM_PERM)
    # An empty bin borrows the value of a fixed other bin (the same in every doc), so two docs
    # still agree on a bin with probability ~Jaccard (Shrivastava's densification).
    out, need = sig.copy(), sig == _EMPTY
    bins = np.arange(NUM_PERM)
    for offset in np.random.RandomState(7).permutation(np.arange(1, NUM_PERM)):
        if not need.any():
            break
        borrowed = sig[:, (bins + offset) % NUM_PERM]
        take = need & (borrowed != _EMPTY)
        out[take] = borrowed[take]
        need &= ~take
    return out, sizes


def _shingles(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of unordered pairs of content words at distance 1 and 2.

    Pairs keep rewrites (names and key nouns survive paraphrase; distance 2 and no order
    forgive an inserted or swapped word) where single words are shared by every story
    about the same place. A doc with a single content word gets that word.
    """
    owner, words = _content_words(docs)
    out_owner, out_hash = [], []
    for gap in (1, 2):
        same = owner[gap:] == owner[:-gap]
        a, b = words[:-gap][same], words[gap:][same]
        out_owner.append(owner[gap:][same])
        out_hash.append(_mix(np.minimum(a, b) * np.uint64(_BASE) + np.maximum(a, b)))
    lone = np.bincount(owner, minlength=len(docs)) == 1
    out_owner.append(owner[lone[owner]])
    out_hash.append(_mix(words[lone[owner]]))
    return np.concatenate(out_owner), np.concatenate(out_hash)


def _content_words(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, stemmed-word hash) of every content word, in text order.

    Done on UTF-8 bytes with numpy: splitting 10k articles into Python strings alone takes
    longer than everything else here.
    """
    batches, batch, size = [], [], 0
    for doc in docs:
        text = "\n".join((doc.title, *doc.paragraphs)).lower()
        if not text.isascii():
            text = _PUNCTUATION.sub(" ", text)
        batch.append(text.encode("utf-8"))
        size += len(batch[-1]) + 1
        if size >= CHUNK_BYTES:
            batches.append(batch)
            batch, size = [], 0
    batches.append(batch)
    longest = max(sum(len(t) + 1 for t in b) for b in batches) + 1
    # hash(buf[s:e]) = (prefix[e] - prefix[s]) * BASE^-s, all mod 2^64 (uint64 wraps)
    power = np.full(longest, _BASE, dtype=np.uint64)
    inverse = np.full(longest, pow(_BASE, -1, _U64), dtype=np.uint64)
    power[0] = inverse[0] = 1
    power, inverse = np.cumprod(power), np.cumprod(inverse)
    owners, hashes, first = [], [], 0
    for b in batches:
        owner, words = _hash_words(b, power, inverse)
        owners.append(owner + first)
        hashes.append(words)
        first += len(b)
    return np.concatenate(owners), np.concatenate(hashes)


def _hash_words(texts: list[bytes], power: np.ndarray, inverse: np.ndarray):
    buf = np.frombuffer(b"\n" + b"\n".join(texts) + b"\n", dtype=np.uint8)
    is_word = _WORD_BYTE[buf]  # the buffer starts and ends with a separator
    start = np.flatnonzero(is_word[1:] & ~is_word[:-1]) + 1
    end = np.flatnonzero(is_word[:-1] & ~is_word[1:]) + 1
    prefix = np.r_[np.uint64(0), np.cumsum(buf * power[: len(buf)])]

    def word_hash(s, e):
        return (prefix[e] - prefix[s]) * inverse[s]

    full = word_hash(start, end)
    keep = (end - start >= 2) & (_STOP_TABLE[full & np.uint64(_STOP_MASK)] != full)
    start, end = start[keep], end[keep]
    stem_end, done = end.copy(), np.zeros(len(end), dtype=bool)
    for suffix in _SUFFIXES:
        hit = ~done & (end - start - len(suffix) >= 3)
        for back, byte in enumerate(reversed(suffix)):
            hit &= buf[np.maximum(end - 1 - back, 0)] == byte
        stem_end[hit] -= len(suffix)
        done |= hit
    doc_start = np.cumsum([1] + [len(t) + 1 for t in texts[:-1]])
    first_word = np.searchsorted(start, doc_start)
    owner = np.repeat(np.arange(len(texts)), np.diff(np.r_[first_word, len(start)]))
    return owner, word_hash(start, stem_end)


def _poly_hash(word: bytes) -> int:
    return sum(byte * pow(_BASE, k, _U64) for k, byte in enumerate(word)) % _U64


def _stop_table() -> np.ndarray:
    """A direct-mapped table: slot = low bits of a word's hash, holding a stopword's hash."""
    table = np.zeros(_STOP_MASK + 1, dtype=np.uint64)
    for h in {_poly_hash(w.encode()) for w in _STOPWORDS}:
        assert table[h & _STOP_MASK] == 0, "stopword hashes collide: widen _STOP_MASK"
        table[h & _STOP_MASK] = h
    return table


_STOP_MASK = (1 << 16) - 1
_STOP_TABLE = _stop_table()


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits so that bins and values are independent."""
    x = x.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


# --------------------------------------------------------------------------- verification
def _align(ta: _Text, tb: _Text) -> _Match:
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
    return _Match(best_a, best_b)


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


def _identical(ta: _Text, tb: _Text) -> bool:
    return bool(ta.body) and ta.body == tb.body


def _verified(m: _Match, threshold: float) -> bool:
    short, long_ = (m.a, m.b) if len(m.a) <= len(m.b) else (m.b, m.a)
    if not len(short):
        return False
    matched = int((short >= CLOSE).sum())
    return matched / len(short) >= threshold and (
        matched >= MIN_MATCHED or matched >= MIN_LONGER_SHARE * len(long_))


def _share(scores: np.ndarray, weights: np.ndarray, cut: float) -> float:
    total = weights.sum()
    return float(weights[scores >= cut].sum() / total) if total else 0.0


def _similarity(m: _Match, ta: _Text, tb: _Text) -> float:
    """Text of both documents with a close match, weighted by its score, over all their text."""
    total = ta.weights.sum() + tb.weights.sum()
    if not total:
        return 0.0
    hit = sum(float((w * s * (s >= CLOSE)).sum()) for w, s in ((ta.weights, m.a), (tb.weights, m.b)))
    return round(float(hit / (100 * total)), 3)


def _is_verbatim(m: _Match, ta: _Text, tb: _Text) -> bool:
    """Is the smaller document (by text) nearly all found word for word in the other?"""
    small = (m.a, ta.weights) if ta.weights.sum() <= tb.weights.sum() else (m.b, tb.weights)
    return _share(*small, VERBATIM) >= VERBATIM_SHARE


def _edge_loss(scores: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Shares of a doc's text before its first and after its last verbatim-matched sentence."""
    hits = np.flatnonzero(scores >= VERBATIM)
    total = weights.sum()
    if not len(hits) or not total:
        return 1.0, 0.0
    return float(weights[: hits[0]].sum() / total), float(weights[hits[-1] + 1:].sum() / total)


def _relate(m: _Match, tm: _Text, tc: _Text, via: str | None) -> tuple[str, float, str]:
    """Relation, similarity and reason of member `tm` against canonical `tc`; m.a is the member."""
    if _identical(tm, tc):
        return "identical", 1.0, "Same text as the canonical once whitespace is normalised."
    sim = _similarity(m, tm, tc)
    link = f"; it joined the story through {via}" if via else ""
    if _is_verbatim(m, tm, tc):
        own = _share(m.a, tm.weights, VERBATIM)
        for who, scores, weights in (("the canonical's", m.b, tc.weights), ("its", m.a, tm.weights)):
            start, end = _edge_loss(scores, weights)
            gap = 1 - _share(scores, weights, VERBATIM)
            if max(start, end) >= EDGE_CUT or gap >= GAP_CUT:
                where = ("at the start" if start >= EDGE_CUT else "at the end" if end >= EDGE_CUT
                         else "here and there")
                return "excerpt", sim, (
                    f"{own:.0%} of its text is near-verbatim in the canonical (rapidfuzz ≥ {VERBATIM}), "
                    f"but {max(start, end, gap):.0%} of {who} text {where} has no counterpart{link}.")
        return "copy", sim, (
            f"{own:.0%} of its text is near-verbatim in the canonical (rapidfuzz ≥ {VERBATIM}), "
            f"differing only in scattered lines or their order{link}.")
    close_m = float((m.a >= CLOSE).mean()) if len(m.a) else 0.0
    close_c = float((m.b >= CLOSE).mean()) if len(m.b) else 0.0
    verbatim = float((m.a >= VERBATIM).mean()) if len(m.a) else 0.0
    return "rewrite", sim, (
        f"{close_m:.0%} of its sentences and {close_c:.0%} of the canonical's have a close match "
        f"in the other (rapidfuzz ≥ {CLOSE}), but only {verbatim:.0%} are near-verbatim{link}.")


# --------------------------------------------------------------------------- clusters
def _cluster(docs, texts, members, edges, match, threshold) -> Cluster:
    if len(members) == 1:
        d = docs[members[0]]
        return Cluster(d.id, (Version(d.id, "canonical", 1.0, "No other document tells this story."),))
    canon, support = _choose_canonical(docs, texts, members, edges, match, threshold)
    versions = []
    for i in members:
        if i != canon:
            m = match(i, canon)
            via = None
            if not (_identical(texts[i], texts[canon]) or _verified(m, threshold)):
                via = _link(i, edges, docs, texts, match, threshold)
            versions.append(Version(docs[i].id, *_relate(m, texts[i], texts[canon], via)))
    rank = {"identical": 0, "copy": 1, "excerpt": 2, "rewrite": 3}
    versions.sort(key=lambda v: (rank[v.relation], -v.similarity, v.source))
    c = docs[canon]
    head = Version(c.id, "canonical", 1.0,
                   f"The longest {c.kind} ({texts[canon].size:,} characters) of the {support} "
                   f"near-verbatim version{'s' if support > 1 else ''} of this story.")
    return Cluster(c.id, (head, *versions))


def _choose_canonical(docs, texts, members, edges, match, threshold) -> tuple[int, int]:
    """The longest article of the largest near-verbatim group, and that group's size.

    A rewrite has no copies of its own, so the group of copies marks the original (a note that
    pastes an article backs it too); notes are chosen only when the story has no article.
    """
    root = {i: i for i in members}

    def find(i):
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i, j in edges:
        m = match(i, j)
        if _identical(texts[i], texts[j]) or (_verified(m, threshold)
                                              and _is_verbatim(m, texts[i], texts[j])):
            root[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in members:
        groups.setdefault(find(i), []).append(i)
    kind = "article" if any(docs[i].kind == "article" for i in members) else "note"
    ranked = []
    for group in groups.values():
        eligible = [i for i in group if docs[i].kind == kind]
        if eligible:
            best = min(eligible, key=lambda i: (-texts[i].size, docs[i].id))
            ranked.append((-len(group), -texts[best].size, docs[best].id, best, len(group)))
    _, _, _, canon, support = min(ranked)
    return canon, support


def _link(i, edges, docs, texts, match, threshold) -> str | None:
    """A member that `i` was verified against: how it came into the cluster."""
    partners = sorted(docs[j].id for a, b in edges if i in (a, b) for j in [b if a == i else a]
                      if _identical(texts[i], texts[j]) or _verified(match(i, j), threshold))
    return partners[0] if partners else None
