"""The whole pipeline on one screen: load → clean (and site templates) → registry
→ dedup, with link (and each document's ties and quotations) beside it → timeline →
quotes → checks (`build_model`), then pages → render (`build`).

Every stage runs through the memo (dossier/memo): per-document stages are maps
whose results are kept under each document's content key, corpus stages are
kept whole and update themselves. `dossier build` passes a memo backed by
.dossier-cache/, `dossier serve` one kept warm in memory, `check` and `pdf` an
empty one; the composition is the same for all four.
"""
from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from .config import Config, load_config, with_print_edition
from .keys import digest, document_key, source_key, sources_key
from .memo import Memo
from .memo.cluster import DaskEngine
from .memo.disk import Manifest, Summary
from .models import Document, Dossier, Source, Story
from .output.pdf import pdf_bytes
from .output.folder import Staging, guard_output, write_files
from .output.render import environment
from .output.search import Indexer
from .output.site import other_files, render_groups
from .pages.builders import plan_pages
from .pages.shards import shards_of
from .pipeline import checks, quotes as q
from .pipeline.clean import clean
from .pipeline.dedup import Dedup
from .pipeline.link import Linker, names_of, sentence_ties
from .pipeline.load import gather, list_content, load_entry
from .pipeline.naming import Naming
from .pipeline.registry import build_registry
from .pipeline.stories import published_notes, story_name, story_slugs
from .pipeline.templates import Templates
from .pipeline.timeline import build_timeline
from .urls import note_clashes

ENTITY_KINDS = ("person", "place", "event")
# Link's workers begin beside dedup up to this many documents. A worker forked beside
# it keeps the old copy of every page of this process's heap that dedup writes to: at
# 11,000 documents 199 MiB, at 110,000 1,353 MiB, and the 100k build's peak (dedup's)
# went from 3.6 to 4.3 GB. Past it link runs after dedup, as before.
LINK_BESIDE_DEDUP = 20_000
# Up to this many files they are read, their quotations placed and they are checked in
# forked workers (reading: 0.6 s on one core at 4,000 articles, 0.4 on two). Past it
# all three run here. What a worker reads comes back through pickle, and the 100k
# tree's peak rose 3,638 → 3,764 MiB (link's 2,907 → 3,674) for 3 s of 33. The other
# two are forked from this process holding nearly the whole model, and at 100k each
# made the tree's peak in turn (RSS counting what the two share twice): checks 3,789
# MiB (this process 2,526, the worker 1,263) for ~1 s of 4; with checks here, quotes
# 3,692 (2,459 and 1,232) for ~3 s of 10.
FILES_IN_WORKERS = 20_000


@contextmanager
def _full_collections_deferred():
    """No full collection but those asked for (`Memo.let_go`, `Memo.release`) while
    a build runs; young collections go on. What the stages make lives to the end of
    the build, and each full collection walked all of it again: stage by stage at
    10,000 articles they found no garbage (dedup's index, which let_go collects, aside),
    and at 100,000 articles this process spent 25 s of 554 in the collector. (One was
    due after every parallel map: the engine freezes the heap for its workers and
    unfreezes it after, and the collector then counts all of it as new.) Reading the
    100,000 files took 30.3 s with the collector as it was and 15.2 s with this; turning
    the collector off while they were read saved nothing more. The forked workers
    inherit this. Left as it was found."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, 2**31 - 1)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


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


@_full_collections_deferred()
def build_model(site: Path, config: Config | None = None, memo: Memo | None = None,
                timed: Timings | None = None, progress=None) -> Dossier:
    memo, timed = memo if memo is not None else Memo(), timed or Timings()
    config = config or load_config(site)
    with timed("load", progress):
        listing = memo.get("listing", (str(site), config.follow_outside_symlinks),
                           partial(list_content, site / "content", config.follow_outside_symlinks))
        sources, load_warnings = gather(memo.map("read", load_entry, listing, key=_read_key,
                                                 parallel=len(listing) <= FILES_IN_WORKERS, local=True))
    with timed("clean", progress):
        cleaned = memo.map("clean", _clean, [s for s in sources if s.kind in ("article", "note")],
                           key=source_key, parallel=True)
        documents = memo.state("templates", Templates).update(cleaned)
    with timed("registry", progress):
        ekey = sources_key(s for s in sources if s.kind in ENTITY_KINDS)
        entities, registry_warnings = memo.get("registry", ekey, partial(build_registry, sources))
        link = partial(_linked, memo.get("linker", ekey, partial(Linker, entities)), q.people_of(entities))
    # link reads each document alone: its workers begin while this process runs dedup,
    # which has one core's work, and this process takes its share of link after
    with memo.begun("link", link, documents, key=_key, context=ekey,
                    now=len(documents) <= LINK_BESIDE_DEDUP) as linked:
        with timed("dedup", progress):
            dedup = partial(Dedup, config.dedup_threshold, kept=memo.warm)  # kept: serve's updates it after an edit
            clusters = memo.state(f"dedup {config.dedup_threshold}", dedup).update(documents)
            memo.let_go()
        with timed("link", progress):
            ids, made = [d.id for d in documents], linked()
            mentions, ties, found = ({i: x[k] for i, x in zip(ids, made)} for k in range(3))
            names = dict(zip(ids, memo.map("names", lambda d: names_of(mentions[d.id]), documents, key=_key, context=ekey)))
            named_in = memo.state("naming", Naming).update(names)
    with timed("timeline", progress):
        timeline = build_timeline(entities, named_in)
    stories, notes = _stories(memo, clusters, documents), published_notes(clusters, documents)
    with timed("quotes", progress):
        quotes = _quotes(memo, documents, found, stories, ekey)
    d = Dossier(with_print_edition(config, len(stories)), sources, documents, stories, notes, entities, mentions, timeline, quotes=quotes, names=names,
                named_in=named_in, ties=ties)
    with timed("checks", progress):
        found = _findings(memo, d, ekey)
    warnings = (*load_warnings, *registry_warnings, *note_clashes(notes), *(f.format() for f in found))
    return Dossier(**{**d.__dict__, "warnings": warnings, "findings": found})


@_full_collections_deferred()
def build(site: Path, out: Path, config: Config, memo: Memo | None = None, manifest: Manifest | None = None,
          timed: Timings | None = None, progress=None) -> tuple[Dossier, int]:
    """The site into OUT, replaced whole or not at all. `memo` and `manifest` are the
    build cache (SITE/.dossier-cache, docs/cache.md); none by default."""
    timed, memo = timed or Timings(), memo if memo is not None else Memo()
    manifest = manifest or Manifest(None, out, "")
    guard_output(site, out)
    d = _without_texts(build_model(site, config, memo, timed, progress))
    memo.release()
    with timed("pages", progress):  # planned: made while rendered
        groups, ix = plan_pages(d, memo)
        shards = shards_of(groups)  # the search index's, as the search page names them
    manifest.forget()
    with Staging(out, site, config.theme) as staged, Indexer() as search:  # Pagefind reads each shard once it is on disk
        with timed("render", progress):
            env, previous, tmp = environment(site, config.theme), manifest.previous_output(), staged.tmp
            cluster = memo.engine.sharing(tmp) if isinstance(memo.engine, DaskEngine) else None
            search.start(tmp, shards, pending=True, cut=True, here=cluster is None)
            cut = search.input  # where each indexed page goes cut to what Pagefind reads of it (None: no Pagefind)
            listed = render_groups(env, d, groups, ix, lambda path, data: write_files(tmp, out, [(path, data)], previous),
                                   workers=os.cpu_count() or 1, shards=shards, shard_written=search.written,
                                   searched=cut and (lambda path, data: write_files(cut, out, [(path, data)])),
                                   engine=cluster)
            search.rendered()
            written = len(listed) + write_files(tmp, out, other_files(env, d, listed, chunks=True).items(), previous)
        memo.release()
        if config.pdf:  # `pdf: true`: the print edition as build/dossier.pdf, linked from the home page
            with timed("pdf", progress):
                pdf = pdf_bytes((staged.tmp / "print/index.html").read_text(encoding="utf-8"), site, config, out)
                written += write_files(staged.tmp, out, [("dossier.pdf", pdf)])
        with timed("search", progress):  # only what Pagefind still needs once the rest is written
            skipped = search.wait()
        timed.notices += [f"search index skipped: {skipped}"] if skipped else []
        with timed("write", progress):
            staged.swap()
    manifest.record(Summary.of(d, written, timed.notices))
    memo.save()
    return d, written


def _without_texts(d: Dossier) -> Dossier:
    """The model as the pages read it: without each file's text as read, which the
    checks were the last to read (the documents hold what a reader sees). A saved web
    page is mostly markup, and held through render the texts were the biggest part of
    the model (serve keeps them: an edit is checked again)."""
    return replace(d, sources=tuple(replace(s, text="") for s in d.sources))


# ---- how each stage is keyed and mapped ------------------------------------------

def _read_key(item) -> tuple:
    """A file is read again when it or its sidecar changed on disk. (The listing and its
    items are kept from one serve build to the next while the watcher names no added or
    deleted file; an item's key is then kept with it, and the watcher's files are
    forgotten: a rewrite within one tick of the filesystem clock keeps its stat.)"""
    path, _, kind, skipped, _ = item
    return (str(path), *item[1:], _stat(path), _stat(path.with_suffix(".yaml")) if kind == "article" and not skipped else None)


def _stat(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def _clean(source: Source) -> Document:
    doc = clean(source)
    return Document(**{**doc.__dict__, "key": document_key(source)})


def _key(doc: Document) -> str:
    return doc.key


def _linked(link: Linker, people: frozenset[str], doc: Document) -> tuple:
    """A document's mentions, which of its names each sentence ties, and (an article's)
    its quotations with their speakers: all that reads the document with its mentions,
    made in one pass where the document is (on a cluster the mentions would otherwise
    go out again to be read)."""
    mentions = link(doc)
    return mentions, sentence_ties(doc, mentions), q.document_quotes(doc, mentions, people) if doc.kind == "article" else []


def _stories(memo: Memo, clusters, documents) -> tuple[Story, ...]:
    """The clusters that hold an article, as stories: titled after the canonical, a slug
    each (unique in the clusters' order). An unchanged cluster under unchanged slugs is
    the very Story of the last build, so that the stages after key it by identity."""
    docs = {d.id: d for d in documents}
    key = lambda c: (c, docs[c.canonical].key)  # noqa: E731 (a cluster's text, titles included)
    names = memo.map("story name", lambda c: story_name(c, docs), clusters, key=key)
    kept = [c for c, n in zip(clusters, names) if n]
    slugs = story_slugs(names)
    slug_of = {c.canonical: (slug, n[0]) for c, n, slug in zip(kept, filter(None, names), slugs)}
    return tuple(memo.map("story", lambda c: Story(*slug_of[c.canonical], c.canonical, c.versions), kept, key=key,
                          context=digest(slugs)))


def _quotes(memo: Memo, documents, found, stories, ekey: str):
    """Each story's versions' quotations (`found`: each article's, from `_linked`)
    aligned with its canonical's (per story), then every article's, in document order."""
    articles = [d for d in documents if d.kind == "article"]
    keys = {d.id: d.key for d in documents}
    placed = dict(chain.from_iterable(memo.map(  # notes quote the sources: a note in a story adds none
        "placed", lambda s: tuple(zip((v.source for v in s.versions),
                                      q.place_story(s, [found.get(v.source, []) for v in s.versions]))),
        stories, key=lambda s: (s, tuple(keys[v.source] for v in s.versions)), context=ekey,
        parallel=_apart(memo, len(documents)), local=True)))
    return tuple(chain.from_iterable([placed.get(d.id, found[d.id]) for d in articles]))  # (in C: 10⁵ quotes)


def _findings(memo: Memo, d: Dossier, ekey: str):
    ctx = checks.Context(d, ekey)
    docs = {doc.id: doc for doc in d.documents}
    per_file = dict(zip((s.id for s in d.sources), memo.map(
        "checks", lambda s: checks.file_findings(s, docs.get(s.id), ctx), d.sources, key=source_key, context=ctx.key,
        parallel=_apart(memo, len(d.sources)), local=True)))
    return checks.content_findings(d, per_file)


def _apart(memo: Memo, files: int) -> bool:
    """Whether the quotations are placed and the files checked in forked workers: in a
    build of up to FILES_IN_WORKERS files, yes. Serve keeps them for its edits, and
    each edit after a first build that had them back through pickle took 52 ms at
    4,000 articles against 48 (its passes over every quotation and finding were the
    slower ones)."""
    return not memo.warm and files <= FILES_IN_WORKERS
