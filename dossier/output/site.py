"""Render pages and the non-HTML outputs into a sink: the staging folder for `dossier
build` (in forked workers), a dict for `dossier serve`. Guard the output folder."""
from __future__ import annotations

import os
from collections import Counter
from typing import Callable, Iterable, Sequence

import jinja2

from ..dates import build_date
from ..models import Dossier, Page
from ..memo.engine import shared
from ..pages.builders import Group
from ..pages.index import Index
from ..pages.shards import Shard, indexed
from .outputs import Listed, dump_json, feed, robots, sitemap
from .folder import Body
from .render import environment_from, output_path, render_page, template_sources
from .search import for_index

Write = Callable[[str, bytes], object]  # (site path, bytes): where a rendered file goes

PARALLEL_FROM = 200  # below this many pages a pool costs more than it saves
# How much lower the render workers' priority is than this process's and Pagefind's,
# which indexes each search shard beside them. As equals, two workers on two cores left
# Pagefind ~0.7 of a core: it fell behind and two shards of five were left for after
# render (a 4k build's tail, 1.6 s). Yielding, it indexes each shard as it is written.
RENDER_NICE = 10


def render(env, d: Dossier, pages: Iterable[Page], write: Write, extra: dict | None = None) -> list[Listed]:
    """Render `pages` here, one after another, handing each file to `write` (serve's
    pages of one edit). Returns what the feed and the sitemap read of them."""
    job = _Job(env, d.config, write, {"generated": build_date(), **(extra or {})})
    return [job.page(p) for p in {p.url: p for p in pages}.values()]  # one file per URL, the last page


def render_groups(env, d: Dossier, groups: Sequence[Group], ix: Index, write: Write, workers: int = 1,
                  shards: Sequence[Shard] = (), shard_written: Callable[[int], None] | None = None,
                  searched: Write | None = None, engine=None) -> list[Listed]:
    """Make and render every group's pages, handing each file to `write` (`dossier build`).

    In forked workers (`workers` > 1) each worker makes the pages of its groups from
    the model it inherited, renders and writes them, and drops them: no page context
    is held in this process, no page's bytes cross a pipe, and the workers share
    the making as well as the rendering. On a cluster (`engine`, memo/cluster.py) the
    pages are made here and the workers render and write them. The groups whose
    pages Pagefind reads go first, search shard by search shard; `shard_written(s)`
    is called as soon as every page of `shards[s]` is written, so Pagefind indexes
    one shard while the next is rendered; each page it reads also goes to `searched`,
    cut to what it indexes (search.for_index). Returns what the feed and the sitemap
    read of every page, in the groups' order."""
    owner = {u: i for i, g in enumerate(groups) for u in g.urls}  # one file per URL: the last group's page
    shard_of = {u: s for s, shard in enumerate(shards) for u in shard.urls}
    # the shard whose pages a group writes (the later one, should it write into two); None: none Pagefind reads
    last = [max((shard_of[u] for u in g.urls if owner[u] == i and u in shard_of), default=None)
            for i, g in enumerate(groups)]
    order = sorted(range(len(groups)), key=lambda i: (last[i] is None, last[i] or 0))
    first = sum(s is not None for s in last)
    # the date is this process's: a cluster's workers have neither its SOURCE_DATE_EPOCH nor, maybe, its day
    job = _Job(env, d.config, write, {"generated": build_date()}, [groups[i] for i in order], ix,
               [frozenset(u for u in groups[i].urls if owner[u] == i) for i in order], searched)
    written = _Shards([last[i] for i in order], len(shards), shard_written)
    if engine is not None:  # the job goes to the workers once, the pages in partitions
        made = [job.mine(k) for k in range(len(order))]
        listed = engine.map(job.page, [p for pages in made[:first] for p in pages])
        for k in range(first):
            written.done(k)
        listed += engine.map(job.page, [p for pages in made[first:] for p in pages])
        by_group = _cut(listed, [len(pages) for pages in made])
    elif workers < 2 or sum(len(g.urls) for g in groups) < PARALLEL_FROM:
        by_group = []
        for k in range(len(order)):
            by_group.append(job.group(k))
            written.done(k)
    else:
        by_group = _in_pool(job, first, workers, written)
    ranked = sorted(zip(order, by_group))  # back in the groups' order
    return [entry for _, entries in ranked for entry in entries]


class _Shards:
    """Calls written(s) once the last group writing a page of search shard s is done
    (at once for a shard no group writes into)."""

    def __init__(self, shard_of: list[int | None], count: int, written: Callable[[int], None] | None):
        self.shard_of, self.written = shard_of, written or (lambda s: None)
        self.left = Counter(s for s in shard_of if s is not None)
        for s in range(count):
            if not self.left[s]:
                self.written(s)

    def done(self, k: int) -> None:
        s = self.shard_of[k]
        if s is not None:
            self.left[s] -= 1
            if not self.left[s]:
                self.written(s)


def other_files(env, d: Dossier, pages: Sequence[Listed], extra: dict | None = None,
                chunks: bool = False) -> dict[str, Body]:
    """Everything but the pages: 404.html, dossier.json, sitemap, robots, feed.
    With `chunks`, dossier.json comes as its chunks, for a writer to write as they
    are made (`dossier build`; serve holds every file whole)."""
    generated = build_date()
    files = {"404.html": render_page(env, Page("404.html", "404.html", "Page not found", "404", {}), d.config,
                                     {**(extra or {}), "root": _root(d.config.base_url)}).encode()}
    files["dossier.json"] = dump_json(d) if chunks else b"".join(dump_json(d))
    files["sitemap.xml"] = sitemap(pages, d.config.base_url)
    files["robots.txt"] = robots(d.config.base_url)
    files["feed.xml"] = feed(d, pages, generated)
    files[".nojekyll"] = b""
    if d.config.cname:
        files["CNAME"] = d.config.cname.encode() + b"\n"
    return files


class _Job:
    """What a worker needs: inherited by a forked one; pickled for a cluster's, the
    templates as their sources and nothing of the model (the pages go in partitions)."""

    def __init__(self, env, config, write: Write, extra, groups: Sequence[Group] = (), ix: Index | None = None,
                 owned: Sequence[frozenset[str]] = (), searched: Write | None = None):
        self.env, self.config, self._write, self.extra = env, config, write, extra
        self.groups, self.ix, self.owned, self._searched = groups, ix, owned, searched

    def mine(self, k: int) -> list[Page]:
        """The pages of the k-th group whose files it writes: made, not kept in the memo
        (a build makes each page once; kept, they would fill the worker)."""
        return [p for p in self.groups[k].make(self.ix) if p.url in self.owned[k]]

    def group(self, k: int) -> list[Listed]:
        return [self.page(p) for p in self.mine(k)]

    def page(self, page: Page) -> Listed:
        path, html = output_path(page.url), render_page(self.env, page, self.config, self.extra)
        self._write(path, html.encode())
        if self._searched is not None and indexed(page.url):
            self._searched(path, for_index(html).encode())
        return Listed.of(page)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "env": template_sources(self.env), "groups": (), "ix": None, "owned": ()}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, env=environment_from(state["env"]))


def _in_pool(job: _Job, first: int, workers: int, written: _Shards) -> list[list[Listed]]:
    """job.group(k) for every group, by forked workers alone (memo/engine.py's
    `shared`, which says why): the indexed groups shard by shard, each shard's in chunks dealt
    round-robin (big entity groups spread out), then the rest one each, those that
    read the whole dossier first (the print edition, the lists). Each chunk's results
    come back as small records."""
    _preload(job.env)
    job.ix.quotes  # a pass over every quotation: made once here, not again by each fresh worker
    # the indexed groups come in runs of one shard each: where each run ends
    ends = [k + 1 for k in range(first) if k + 1 == first or written.shard_of[k + 1] != written.shard_of[k]]
    chunks = [list(range(a + k, b, workers * 4)) for a, b in zip([0, *ends], ends) for k in range(min(b - a, workers * 4))]
    rest = sorted(range(first, len(job.groups)), key=lambda k: (not job.groups[k].lazy, -len(job.groups[k].urls)))
    chunks += [[k] for k in rest]
    done: list[list[Listed]] = [[] for _ in job.groups]

    def arrived(k: int, results: list | None) -> None:
        # a chunk that raised in a worker is made here, so the error is raised as serially
        for g, listed in results if results is not None else [(g, job.group(g)) for g in chunks[k]]:
            done[g] = listed
            written.done(g)

    below = os.getpriority(os.PRIO_PROCESS, 0) + RENDER_NICE  # (the pool forks: a POSIX system)

    def chunk(k: int) -> list:
        os.setpriority(os.PRIO_PROCESS, 0, below)  # one system call a chunk: a fresh worker's first lowers it
        return [(g, job.group(g)) for g in chunks[k]]
    shared(chunk, len(chunks), workers, arrived, here=False)
    return done


def _cut(items: list, sizes: list[int]) -> list[list]:
    """items in consecutive runs of the sizes given."""
    out, at = [], 0
    for n in sizes:
        out.append(items[at:at + n])
        at += n
    return out


def _preload(env) -> None:
    """Compile every template once, before the fork: each worker would otherwise
    compile its own copy. A template that does not compile is left for the page
    that uses it to report."""
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def _root(base_url: str) -> str:
    """404.html is served at any depth, so its links are absolute under the base path."""
    from urllib.parse import urlsplit
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"
