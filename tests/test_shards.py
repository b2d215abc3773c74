"""The search index's shards (dossier/pages/shards.py), on the plan alone: which pages
are indexed, how they are dealt into shards, and what the search page names."""
from __future__ import annotations

import random

import pytest

from dossier.pages import shards
from dossier.pages.shards import indexed, plan_shards


@pytest.mark.parametrize("url, expected", [
    ("stories/a/", True), ("notes/a/", True), ("people/a/", True), ("places/a/", True), ("events/a/", True),
    ("people/a/page/2/", False),  # a person's further pages list stories: not what a search is for
    ("stories/", False), ("search/", False), ("", False), ("print/", False), ("stories/a/index.html", False),
    ("timeline/", False), ("sources/", False), ("404.html", False),
])
def test_the_pages_pagefind_reads(url, expected):
    assert indexed(url) is expected


def _site(stories: int, notes: int = 0, people: int = 0) -> list[str]:
    return ([f"stories/s{i:05}/" for i in range(stories)] + [f"notes/n{i:04}/" for i in range(notes)]
            + [f"people/p{i:04}/" for i in range(people)] + ["", "search/", "stories/", "people/p0000/page/2/"])


def test_a_dossier_that_fits_one_shard_has_the_one_bundle_pagefind():
    (one,) = plan_shards(_site(40, 4, 20))
    assert one.bundle == "pagefind" and len(one.urls) == 64
    assert one.files[0].endswith("/index.html")
    assert plan_shards([]) == (shards.Shard("pagefind", ()),)  # nothing to index is still one (empty) bundle


def test_a_big_dossier_is_dealt_into_balanced_shards_of_at_most_shard_pages(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_PAGES", 100)
    urls = _site(950, 120, 31)
    plan = plan_shards(urls)
    assert [s.bundle for s in plan] == ["pagefind", *(f"pagefind-{i}" for i in range(2, 13))]
    sizes = [len(s.urls) for s in plan]
    assert max(sizes) <= 100 and max(sizes) - min(sizes) <= 1 and sum(sizes) == 1101
    every = [u for s in plan for u in s.urls]
    assert len(every) == len(set(every)) and set(every) == {u for u in urls if indexed(u)}
    # each shard gets its share of every section, so that its scores compare with the others'
    for section, total in (("stories/", 950), ("notes/", 120), ("people/", 31)):
        share = [sum(u.startswith(section) for u in s.urls) for s in plan]
        assert max(share) - min(share) <= 1 and sum(share) == total


def test_the_shards_are_the_same_whatever_order_the_pages_come_in(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_PAGES", 100)
    urls = _site(500, 40, 10)
    shuffled = urls[:]
    random.Random(7).shuffle(shuffled)
    assert plan_shards(shuffled) == plan_shards(urls) == plan_shards(urls + urls[:50])


def test_one_page_more_than_a_shard_holds_makes_two(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_PAGES", 10)
    assert len(plan_shards(_site(10))) == 1
    assert [len(s.urls) for s in plan_shards(_site(11))] == [6, 5]


def test_a_shards_glob_names_its_pages_in_characters_no_glob_reads_as_special():
    """Pagefind reads a shard through `--glob {stories/a,notes/b}/index.html`: a slug
    (urls.slugify) must never bring in a brace, comma, star, bracket or backslash,
    whatever the title or file name it was made from."""
    import re

    from dossier.urls import slugify
    hostile = ["Crisis {a,b}", "*all* [of] it?", "back\\slash, comma", "日本語", "..", "Ünïcödé — «quotes»"]
    urls = [f"{section}/{slugify(t)}/" for section in ("stories", "notes", "people") for t in hostile]
    (shard,) = plan_shards(urls)
    assert re.fullmatch(r"\{[a-z0-9/,-]+\}/index\.html", shard.glob), shard.glob
    assert shard.glob.count(",") == len(shard.urls) - 1
