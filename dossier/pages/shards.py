"""shards: which pages the search index reads, and the Pagefind bundles it is cut into.

Pagefind holds its whole index in memory while it builds it, about 300 KB for each
story page, so one index of a 10,000-article dossier took 2.2 GB. The pages are
therefore indexed in shards of at most SHARD_PAGES, one Pagefind run after another,
each into its own bundle; the search page merges them (Pagefind UI's `mergeIndex`).
The plan is made from the model, with the other pages, so that the search page can
name its bundles (`search.html`) and the build index exactly those.

A dossier whose indexed pages fit one shard (most) has the one bundle `pagefind/`,
as before sharding: the search page names no other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

SECTIONS = ("stories", "notes", "people", "places", "events")  # the pages with data-pagefind-body
_INDEXED = re.compile(rf"(?:{'|'.join(SECTIONS)})/[^/]+/")  # ...as URLs (not a person's page/2/)
BUNDLE = "pagefind"  # the first shard's folder, and the only one of a small dossier; search.js loads the UI from it
# Pages in one shard. Pagefind's peak memory grows with the pages it holds: 1,200
# story pages (the worst shard: stories are the longest pages) took 377 MB at most,
# shards of ~1,100 mixed pages ~300 MB, of 800 ~200 MB. Pagefind reads a shard while
# the next is rendered, so its memory adds to the two render processes': at 10,000
# articles 1,200 took the build's peak to 1,433–1,487 MiB, 800 to 1,301 (11 shards
# instead of 7; a search fetches a little from each, so smaller would cost readers
# requests).
SHARD_PAGES = 800


@dataclass(frozen=True)
class Shard:
    bundle: str  # its folder in the site: "pagefind", then "pagefind-2", "pagefind-3", …
    urls: tuple[str, ...]  # the pages it indexes ("stories/x/")

    @property
    def files(self) -> tuple[str, ...]:
        """The files Pagefind reads: indexed pages are folders, written as their index.html."""
        return tuple(f"{u}index.html" for u in self.urls)

    @property
    def glob(self) -> str:
        """Its pages, as Pagefind's --glob: "{stories/a,notes/b}/index.html". A slug is
        [a-z0-9-] (urls.slugify), nothing a glob reads as special, and at most ~70
        characters: 800 pages stay well under Linux's 128 KiB for one argument."""
        return "{" + ",".join(u.rstrip("/") for u in self.urls) + "}/index.html"


def indexed(url: str) -> bool:
    """Whether Pagefind reads this page: a story, note, person, place or event (its first page)."""
    return _INDEXED.fullmatch(url) is not None


def plan_shards(urls: Iterable[str]) -> tuple[Shard, ...]:
    """The indexed pages among `urls`, dealt in turn into as few shards as hold them.

    Dealt, not cut in runs: the pages are in order of their URLs, so each shard gets
    its share of every section (notes, people, places and events as well as stories)
    and they differ by one page at most. Pagefind scores a page against the words and
    page lengths of its own index, and the search page sorts the shards' results
    together by that score: shards alike make scores alike, as if from one index. The
    same URLs give the same shards (the build stays reproducible); one page added
    moves others to a neighbouring shard, but every shard is rebuilt each build anyway."""
    pages = sorted({u for u in urls if indexed(u)})
    count = max(1, -(-len(pages) // SHARD_PAGES))
    return tuple(Shard(bundle_name(i), tuple(pages[i::count])) for i in range(count))


def shards_of(groups) -> tuple[Shard, ...]:
    """The shards of a plan of pages (builders.plan_pages's groups)."""
    return plan_shards(u for g in groups for u in g.urls)


def bundle_name(i: int) -> str:
    # beside pagefind/ rather than in it, each run owning its folder; and named "pagefind…":
    # Pagefind takes the site's base URL for a bundle's results from the path before that word
    return BUNDLE if i == 0 else f"{BUNDLE}-{i + 1}"
