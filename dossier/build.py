"""The whole pipeline on one screen: load → clean → dedup → registry → link →
timeline → quotes → pages → render. Each line is one stage; each stage is timed."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .memo.stages import Reuse, Stages
from .config import Config, load_config
from .models import Dossier
from .pages.builders import build_pages
from .pipeline.stories import published_notes
from .pipeline.load import outside_symlinks
from .output.site import guard_output, write_rendered
from .output.render import Staging, theme_dirs, write_files
from .memo.disk import BuildCache, Summary
from .pipeline.parallel import clean_sources, disk_cleans
from .output.pdf import pdf_bytes
from .urls import note_clashes
from .output.search import Indexer


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # not content warnings: "search index skipped: …"

    @contextmanager
    def __call__(self, name: str, progress=None):
        t0 = time.perf_counter()
        yield
        self.stages[name] = time.perf_counter() - t0
        if progress:
            progress(name)


def build_model(site: Path, config: Config | None = None, timed: Timings | None = None, progress=None,
                reuse: Reuse | None = None) -> Dossier:
    """`reuse` (dossier serve) keeps what each stage did for each document last time."""
    timed, run = timed or Timings(), reuse or Stages()
    config = config or load_config(site)
    with timed("load", progress), outside_symlinks(config.follow_outside_symlinks):
        sources, load_warnings = run.load(site / "content")
    with timed("clean", progress):
        documents = clean_sources(sources, reuse)
    with timed("dedup", progress):
        clusters = run.dedup(documents, config.dedup_threshold)
    with timed("registry", progress):
        entities, registry_warnings = run.registry(sources)
    with timed("link", progress):
        mentions = run.link(documents, entities)
    with timed("timeline", progress):
        timeline = run.timeline(documents, entities, mentions)
    stories = run.stories(clusters, documents)
    notes = published_notes(clusters, documents)
    with timed("quotes", progress):
        quotes = run.quotes(documents, mentions, entities, stories)
    d = Dossier(config, sources, documents, stories, notes, entities, mentions, timeline, quotes=quotes)
    return Dossier(**{**d.__dict__, "warnings": load_warnings + registry_warnings + note_clashes(notes)
                                       + run.warnings(d)})


def build(site: Path, out: Path, config: Config, timed: Timings | None = None, progress=None,
          cache: BuildCache | None = None) -> tuple[Dossier, int]:
    """`cache` (SITE/.dossier-cache, docs/cache.md) keeps clean results and the last
    output's listing; `dossier build` asks it first whether anything changed at all."""
    timed = timed or Timings()
    guard_output(site, out)
    cache = cache or BuildCache(site, out, config, theme_dirs(site, config.theme))
    with disk_cleans(cache):
        d = build_model(site, config, timed, progress)
    with timed("pages", progress):
        pages = build_pages(d)
    cache.forget_output()
    with Staging(out, site, config.theme) as staged, Indexer() as search:  # OUT is replaced whole, or not at all
        with timed("render", progress):  # and written; Pagefind starts once its pages are on disk
            written = write_rendered(staged.tmp, out, d, pages, site, cache.previous_output(),
                                     os.cpu_count() or 1, indexed_written=search.start)
        if config.pdf:  # `pdf: true`: the print edition as build/dossier.pdf, linked from the home page
            with timed("pdf", progress):
                pdf = pdf_bytes((staged.tmp / "print/index.html").read_text(encoding="utf-8"), site, config, out)
                written += write_files(staged.tmp, out, [("dossier.pdf", pdf)])
        with timed("search", progress):  # only what Pagefind still needs once the rest is written
            skipped = search.wait()
        timed.notices += [f"search index skipped: {skipped}"] if skipped else []
        with timed("write", progress):
            staged.swap()
    cache.record(Summary.of(d, written, timed.notices))
    return d, written
