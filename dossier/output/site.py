"""Render every page and the non-HTML outputs: into {path: bytes} for `dossier serve`
(`render_site`), straight into the staging folder for `dossier build`
(`write_rendered`, in forked workers); guard the output folder."""
from __future__ import annotations

import gc
import multiprocessing
import os
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from ..errors import UsageError
from ..files import what_is
from ..models import Dossier, Page
from ..pipeline.parallel import quiet_worker
from .outputs import dump_json, feed, robots, sitemap
from .render import STAMP, environment, output_path, render_page, write_files
from .search import indexed


def render_site(d: Dossier, pages: tuple[Page, ...], site: Path, extra: dict | None = None,
                env=None, only: set[str] | None = None) -> dict[str, bytes]:
    """`env` and `only` (the page URLs to render; None: all) are for `dossier serve`,
    which keeps its jinja2 environment and re-renders only the pages an edit changed."""
    env = env or environment(site, d.config.theme)
    files = render_pages(env, d, [p for p in pages if only is None or p.url in only], extra)
    files.update(other_files(env, d, pages, extra))
    return files


def other_files(env, d: Dossier, pages: tuple[Page, ...], extra: dict | None = None) -> dict[str, bytes]:
    """Everything but the pages: 404.html, dossier.json, sitemap, robots, feed."""
    generated = datetime.now(timezone.utc).date().isoformat()
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


def write_rendered(tmp: Path, out: Path, d: Dossier, pages: tuple[Page, ...], site: Path,
                   previous: dict | None = None, workers: int = 1, indexed_written=None) -> int:
    """`dossier build`: render every file straight into the staging folder `tmp`.
    The pages Pagefind reads go first; `indexed_written(tmp)` is called once they
    are all on disk, so the index is built while the print edition (the biggest
    single page) and dossier.json are still being made. Workers write what they
    render, so no page's bytes cross a pipe or wait in memory."""
    env = environment(site, d.config.theme)
    unique = {p.url: p for p in pages}.values()  # as {path: bytes} would keep them: one file per URL, the last page
    first = [p for p in unique if indexed(output_path(p.url))]
    rest = sorted((p for p in unique if not indexed(output_path(p.url))), key=lambda p: p.section != "print")
    job = _Job(env, d.config, tmp, out, previous, first + rest)
    if workers < 2 or len(pages) < PARALLEL_FROM:
        n = sum(job.write(i) for i in range(len(first)))
        if indexed_written:
            indexed_written(tmp)
        n += sum(job.write(i) for i in range(len(first), len(job.pages)))
    else:
        n = _write_in_pool(job, len(first), workers, indexed_written)
    return n + write_files(tmp, out, other_files(env, d, pages).items(), previous)


class _Job:
    """What a forked worker needs, inherited rather than pickled."""

    def __init__(self, env, config, tmp, out, previous, pages):
        self.env, self.config, self.tmp, self.out, self.previous, self.pages = env, config, tmp, out, previous, pages

    def write(self, i: int) -> int:
        page = self.pages[i]
        html = render_page(self.env, page, self.config).encode()
        return write_files(self.tmp, self.out, [(output_path(page.url), html)], self.previous)


def _write_in_pool(job: _Job, first: int, workers: int, indexed_written) -> int:
    global _JOB
    _preload(job.env)
    # The indexed pages in chunks dealt round-robin (big entity pages spread out),
    # then the rest one page each, the print edition first
    chunks = [list(range(k, first, workers * 4)) for k in range(min(first, workers * 4))]
    indexed_chunks = indexed_left = len(chunks)
    chunks += [[i] for i in range(first, len(job.pages))]
    if not indexed_left and indexed_written:
        indexed_written(job.tmp)
    _JOB, n = job, 0
    gc.freeze()  # else each child copies the model's memory pages the first time it collects
    try:
        with multiprocessing.get_context("fork").Pool(workers, quiet_worker, (os.getpid(),)) as pool:
            for k, written, failed in pool.imap_unordered(_write_chunk, enumerate(chunks)):
                # a page that raised in a worker is rendered here, so the error is raised as serially
                n += written + sum(job.write(i) for i in failed)
                if k < indexed_chunks:
                    indexed_left -= 1
                    if not indexed_left and indexed_written:
                        indexed_written(job.tmp)
    finally:
        _JOB = None
        gc.unfreeze()
    return n


def _write_chunk(numbered: tuple[int, list[int]]) -> tuple[int, int, list[int]]:
    k, chunk = numbered
    written, failed = 0, []
    for i in chunk:
        try:
            written += _JOB.write(i)
        except Exception:
            failed.append(i)
    return k, written, failed


def _preload(env) -> None:
    """Compile every template once, before the fork: each worker would otherwise
    compile its own copy. A template that does not compile is left for the page
    that uses it to report."""
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def render_pages(env, d: Dossier, pages, extra: dict | None = None) -> dict[str, bytes]:
    return {output_path(p.url): render_page(env, p, d.config, extra).encode() for p in pages}


PARALLEL_FROM = 200  # below this many pages a pool costs more than it saves
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
