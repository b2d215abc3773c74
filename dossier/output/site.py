"""Render pages and the non-HTML outputs into a sink: the staging folder for `dossier
build` (in forked workers), a dict for `dossier serve`. Guard the output folder."""
from __future__ import annotations

import gc
import multiprocessing
import os
from pathlib import Path
from typing import Callable, Iterable

import jinja2

from ..dates import build_date
from ..errors import UsageError
from ..files import what_is
from ..models import Dossier, Page
from ..memo.engine import quiet_worker
from .outputs import dump_json, feed, robots, sitemap
from .render import STAMP, environment_from, output_path, render_page, template_sources
from .search import indexed

Write = Callable[[str, bytes], object]  # (site path, bytes): where a rendered file goes

PARALLEL_FROM = 200  # below this many pages a pool costs more than it saves


def render(env, d: Dossier, pages: Iterable[Page], write: Write, extra: dict | None = None, workers: int = 1,
           indexed_written: Callable[[], None] | None = None, engine=None) -> int:
    """Render `pages` and hand each file to `write`. The pages Pagefind reads go first;
    `indexed_written()` is called once they are all written, so the index is built
    while the print edition (the biggest single page) is still being made. In forked
    workers (`workers` > 1), or on a cluster's (`engine`, memo/cluster.py), each worker
    writes what it renders: no page's bytes cross a pipe or wait in memory. Returns
    how many pages were written."""
    unique = {p.url: p for p in pages}.values()  # one file per URL, the last page
    first = [p for p in unique if indexed(output_path(p.url))]
    rest = sorted((p for p in unique if not indexed(output_path(p.url))), key=lambda p: p.section != "print")
    # the date is this process's: a cluster's workers have neither its SOURCE_DATE_EPOCH nor, maybe, its day
    job = _Job(env, d.config, write, {"generated": build_date(), **(extra or {})}, first + rest)
    if engine is not None:  # the job goes to the workers once, the pages in partitions
        engine.map(job.page, first)
        if indexed_written:
            indexed_written()
        engine.map(job.page, rest)
    elif workers < 2 or len(job.pages) < PARALLEL_FROM:
        for i in range(len(first)):
            job.write(i)
        if indexed_written:
            indexed_written()
        for i in range(len(first), len(job.pages)):
            job.write(i)
    else:
        _write_in_pool(job, len(first), workers, indexed_written)
    return len(job.pages)


def other_files(env, d: Dossier, pages: tuple[Page, ...], extra: dict | None = None) -> dict[str, bytes]:
    """Everything but the pages: 404.html, dossier.json, sitemap, robots, feed."""
    generated = build_date()
    files = {"404.html": render_page(env, Page("404.html", "404.html", "Page not found", "404", {}), d.config,
                                     {**(extra or {}), "root": _root(d.config.base_url)}).encode()}
    files["dossier.json"] = dump_json(d)
    files["sitemap.xml"] = sitemap(pages, d.config.base_url)
    files["robots.txt"] = robots(d.config.base_url)
    files["feed.xml"] = feed(d, pages, generated)
    files[".nojekyll"] = b""
    if d.config.cname:
        files["CNAME"] = d.config.cname.encode() + b"\n"
    return files


class _Job:
    """What a worker needs: inherited by a forked one; pickled for a cluster's, the
    templates as their sources and without the pages (they go in partitions)."""

    def __init__(self, env, config, write: Write, extra, pages):
        self.env, self.config, self._write, self.extra, self.pages = env, config, write, extra, pages

    def write(self, i: int) -> None:
        self.page(self.pages[i])

    def page(self, page: Page) -> None:
        self._write(output_path(page.url), render_page(self.env, page, self.config, self.extra).encode())

    def __getstate__(self) -> dict:
        return {**self.__dict__, "env": template_sources(self.env), "pages": ()}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, env=environment_from(state["env"]))


def _write_in_pool(job: _Job, first: int, workers: int, indexed_written) -> None:
    global _JOB
    _preload(job.env)
    # The indexed pages in chunks dealt round-robin (big entity pages spread out),
    # then the rest one page each, the print edition first
    chunks = [list(range(k, first, workers * 4)) for k in range(min(first, workers * 4))]
    indexed_chunks = indexed_left = len(chunks)
    chunks += [[i] for i in range(first, len(job.pages))]
    if not indexed_left and indexed_written:
        indexed_written()
    _JOB = job
    gc.freeze()  # else each child copies the model's memory pages the first time it collects
    try:
        with multiprocessing.get_context("fork").Pool(workers, quiet_worker, (os.getpid(),)) as pool:
            for k, failed in pool.imap_unordered(_write_chunk, enumerate(chunks)):
                for i in failed:  # a page that raised in a worker is rendered here, so the error is raised as serially
                    job.write(i)
                if k < indexed_chunks:
                    indexed_left -= 1
                    if not indexed_left and indexed_written:
                        indexed_written()
    finally:
        _JOB = None
        gc.unfreeze()


def _write_chunk(numbered: tuple[int, list[int]]) -> tuple[int, list[int]]:
    k, chunk = numbered
    failed = []
    for i in chunk:
        try:
            _JOB.write(i)
        except Exception:
            failed.append(i)
    return k, failed


def _preload(env) -> None:
    """Compile every template once, before the fork: each worker would otherwise
    compile its own copy. A template that does not compile is left for the page
    that uses it to report."""
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


_JOB: _Job | None = None  # the running pool's job, inherited by the forked workers


def _root(base_url: str) -> str:
    """404.html is served at any depth, so its links are absolute under the base path."""
    from urllib.parse import urlsplit
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"


def guard_output(site: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would lose the user's files. A
    UsageError (exit 2): the fix is another -o, not an edit to the content."""
    site, out = site.resolve(), out.resolve()
    content = (site / "content").resolve()  # resolved: content/ may be a symlink elsewhere
    shown = str(out)
    hint = "choose another output folder with -o, or use the default SITE/build"
    if out in (Path("/"), Path.home().resolve()):
        raise UsageError(shown, "refusing to build into / or your home folder: it would be replaced whole", hint=hint)
    if out == site:
        raise UsageError(shown, "refusing to build into the site folder itself: it would replace dossier.yaml "
                         "and content/", hint=hint)
    if out == content or out.is_relative_to(content):
        raise UsageError(shown, "refusing to build into content/: dossier never writes there", hint=hint)
    if content.is_relative_to(out) or site.is_relative_to(out):
        raise UsageError(shown, "refusing to build into a folder that holds the site: it would replace content/",
                         hint=hint)
    if os.path.lexists(out) and not out.is_dir():
        raise UsageError(shown, f"is {what_is(out)}, not a folder", hint=hint)
    if out.is_dir() and not (out / STAMP).exists() and any(p.name != ".gitkeep" for p in out.iterdir()):
        raise UsageError(shown, f"is a non-empty folder without dossier's {STAMP} stamp: dossier did not make it",
                         hint="empty it, or choose another output folder with -o")
