"""The band index against a plain dict of sets: every bucket's members and pairs."""
import itertools
from collections import Counter
import random

import numpy as np
import pytest

from dossier.pipeline.bands import Bands, deal
from dossier.pipeline import postings as postings_module
from dossier.pipeline.postings import COMPACT_AFTER, Postings

BANDS, CAP = 4, 5


def brute(keys: dict[str, np.ndarray]) -> dict[tuple[int, int], set[str]]:
    buckets: dict[tuple[int, int], set[str]] = {}
    for i, row in keys.items():
        for b, k in enumerate(row.tolist()):
            buckets.setdefault((b, k), set()).add(i)
    return buckets


def brute_pairs(buckets) -> set[tuple[str, str]]:
    out = set()
    for members in buckets.values():
        members = sorted(members)
        if len(members) > CAP:  # a star from the first
            out |= {(members[0], m) for m in members[1:]}
        else:
            out |= set(itertools.combinations(members, 2))
    return out


def dealt(index: Bands) -> set[tuple[str, str]]:
    ids, first, second = index.all_dealt()
    pairs = [(ids[a], ids[b]) for a, b in zip(first.tolist(), second.tolist())]
    assert len(set(pairs)) == len(pairs)  # each pair once, though it share several bands
    return set(pairs)


@pytest.mark.parametrize("edits", [3, COMPACT_AFTER + 10])  # read beside the sorted columns / sorted again
def test_buckets_and_pairs_match_a_dict_of_sets_through_adds_and_removes(edits):
    rng = random.Random(edits)
    index, keys = Bands(BANDS, CAP), {}

    def put(i):
        # key spaces from small to large, so buckets of every size form, some over the cap;
        # every band draws from the same values, which must not put two bands in one bucket;
        # and keys near 2^64 (numpy 1.x compares those with a Python int as floats)
        keys[i] = np.array([rng.randrange(span) + 2**64 - 256 for span in (3, 8, 25, 200)], dtype=np.uint64)
        index.add(i, keys[i])

    for n in range(40):
        put(f"d{n:03}")
    assert dealt(index) == brute_pairs(brute(keys))
    for step in range(edits):
        i = rng.choice(sorted(keys))
        if step % 3 == 0:
            index.remove(i)
            del keys[i]
        else:  # a doc changed, or a new one
            put(i if step % 3 == 1 else f"e{step:03}")
    buckets = brute(keys)
    assert any(len(m) > CAP for m in buckets.values()) and any(len(m) == 2 for m in buckets.values())
    named = [(index.keys_of(min(members))[b], members) for (b, _), members in buckets.items()]
    assert index.buckets(np.array([key for key, _ in named])) == [members for _, members in named]
    for key, members in named:  # one at a time too: most then meet no doc added since the sort
        assert index.buckets(np.array([key])) == [members]
        assert index.dealt(members) == brute_pairs({0: members})
    unused = index.keys_of(min(keys))[1] ^ np.uint64(255)  # band 1's keys take 8 values of 256
    assert index.buckets(np.array([unused])) == [set()]
    assert dealt(index) == brute_pairs(buckets)


def test_a_bucket_over_the_cap_deals_a_star_from_its_first_member():
    first, second = deal(CAP + 2, CAP)
    assert first.tolist() == [0] * (CAP + 1) and second.tolist() == list(range(1, CAP + 2))
    assert len(deal(CAP, CAP)[0]) == CAP * (CAP - 1) // 2


@pytest.mark.parametrize("limit,step", [(1, 1 << 23), (2, 7), (3, 1 << 23), (9, 5)])
def test_uncommon_shingles_of_many_docs_are_those_each_doc_counts_alone(limit, step, monkeypatch):
    """Postings.uncommon for many docs at once after a compaction (from the common
    shingles, found `limit` places apart in the sorted array) is what a count of each
    doc's own shingles gives; a shingle held by exactly `limit` docs is not common.
    (The array is compared `step` postings at a time.)"""
    monkeypatch.setattr(postings_module, "COMPARED_AT_ONCE", step)
    rng = random.Random(limit)
    postings = Postings()
    for k in range(COMPACT_AFTER * 2):
        # from ranges of every width: some shingles in most docs, some in a few, some in one
        postings.add(f"d{k}", np.unique(np.array([rng.randrange(rng.choice([4, 60, 600, 6000])) for _ in range(12)],
                                                 dtype=np.uint64)))
    postings.compact_if_due(force=True)
    ids = list(postings.sets)
    bulk = dict(postings.uncommon(ids, limit))
    held = {s: n for s, n in zip(*np.unique(np.concatenate(list(postings.sets.values())), return_counts=True))}
    assert any(n == limit for n in held.values()) and any(n > limit for n in held.values())
    for i in ids:
        expected = [s for s in postings.sets[i].tolist() if held[s] <= limit]
        assert bulk[i].tolist() == expected == dict(postings.uncommon([i], limit))[i].tolist()
        asked = postings.sets[i][::2]  # who shares these, and how many of them: a plain count
        count = Counter(j for j, theirs in postings.sets.items() for s in asked.tolist() if s in set(theirs.tolist()))
        assert postings.shared(asked, 2) == {j: n for j, n in count.items() if n >= 2}


def test_the_arrays_by_shingle_are_the_same_sorted_in_place_or_by_argsort(monkeypatch):
    """Postings' compaction packs each shingle with its owner into one key to sort in
    place; past as many docs as the owner's bits hold, it sorts by argsort. Both give
    every (shingle, owner), by shingle, then owner."""
    from dossier.pipeline import postings as p
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 1 << p.SHINGLE_BITS if k % 2 else 50, size=rng.integers(0, 40))
                      .astype(np.uint64)) for k in range(300)]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    packed = p._by_shingle(sets, sizes)
    monkeypatch.setattr(p, "SHINGLE_BITS", 60)  # 16 owners at most: past them, argsort
    by_argsort = p._by_shingle(sets, sizes)
    expected = sorted((int(x), k) for k, s in enumerate(sets) for x in s)
    for shingle, owner in (packed, by_argsort):
        assert list(zip(shingle.tolist(), owner.tolist())) == expected
        assert shingle.dtype == np.uint64 and owner.dtype == np.int32
