"""The stages of the model, plain (`Stages`) or remembering the last build (`Reuse`).

`build_model` runs its stages through one of these. `dossier build` uses `Stages`,
which calls each stage function once. `dossier serve` keeps one `Reuse` for its
whole life, so that an edit to one note costs about one note's work:

- load: the walk of content/ is kept until the watcher reports a path it does not
  list (a new or deleted file); a file is read again when the watcher named it
  or, after a fresh walk, when its stat changed. A file rewritten within one tick
  of the filesystem clock at the same size keeps its stat: the event is what tells.
- clean: again only for a source whose text or front matter changed (by sha256).
- dedup: the last run's index is queried with the changed documents only
  (`dedup_update.DedupIndex`).
- link: again only for a changed document, while the entities are the same.
- stories and quotes: kept while dedup's clusters and the articles are the same.

Every per-file entry is keyed by content or by the very objects of the last
build, so it cannot go stale; entries of files gone from the build are dropped.
"""
from __future__ import annotations

import os
from itertools import chain
from pathlib import Path
from typing import Iterable

from ..pipeline.checks import model_warnings
from ..pipeline.clean import clean
from ..pipeline.dedup import dedup
from ..pipeline.dedup_update import DedupIndex
from .disk import clean_key
from ..pipeline.link import link, link_many
from ..pipeline.load import gather, list_content, load_entry, load_sources, read_checked
from ..models import Cluster, Document, Dossier, Entity, Kind, Mention, Mentions, Source, SourceId, Story
from ..pipeline.quotes import document_quotes, extract_quotes
from ..pipeline.registry import build_registry
from ..pipeline.timeline import build_timeline
from ..pipeline.stories import name_stories


class Stages:
    """Each stage of the model, computed from scratch."""

    def load(self, content: Path):
        return load_sources(content)

    def dedup(self, documents: tuple[Document, ...], threshold: float) -> tuple[Cluster, ...]:
        return dedup(documents, threshold=threshold)

    def registry(self, sources: tuple[Source, ...]):
        return build_registry(sources)

    def link(self, documents: tuple[Document, ...], entities: tuple[Entity, ...]) -> tuple[Mention, ...]:
        return link(documents, entities)

    def stories(self, clusters: tuple[Cluster, ...], documents: tuple[Document, ...]) -> tuple[Story, ...]:
        return name_stories(clusters, documents)

    def quotes(self, documents, mentions, entities, stories):
        return extract_quotes(documents, mentions, entities, stories)

    def timeline(self, documents, entities, mentions):
        return build_timeline(entities, mentions)

    def warnings(self, d: Dossier) -> tuple[str, ...]:
        return model_warnings(d)


def _stat(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


class Reuse(Stages):
    def __init__(self):
        self._listing: list | None = None
        self._listed: set[Path] = set()
        self._entries: list | None = None  # what each file of the listing gave (load.load_entry)
        self._forgotten: set[Path] = set()
        self._trusted = False  # the watcher named every changed file since the last build
        self._reads: dict[Path, tuple[tuple | None, tuple]] = {}
        self._cleans: dict[tuple, Document] = {}
        self._used_reads: set[Path] = set()
        self._used_cleans: set[tuple] = set()
        self._by_source: dict[SourceId, tuple[Source, tuple]] = {}
        self._dedup: DedupIndex | None = None
        self._links: dict[SourceId, tuple[Document, list[Mention]]] = {}
        self._events: dict[SourceId, list[Mention]] = {}
        self._by_doc: dict[SourceId, list[Mention]] | None = None
        self._entities: tuple[Entity, ...] | None = None
        self._stories: tuple | None = None
        self._registry: tuple | None = None
        self._quotes: tuple | None = None
        self._checks: dict = {}
        self._doc_quotes: dict[SourceId, tuple] = {}
        self._aligned: dict = {}  # each story's alignment, each document's placed quotes

    # ---- load
    def forget(self, paths: Iterable[Path]) -> None:
        """The watcher's paths: read these again. A path the last walk did not list,
        or one that is gone, means a file was added or deleted: walk again."""
        paths = [Path(p) for p in paths]
        # a sidecar .yaml belongs to its article: the article is read again with it
        paths += [p.with_suffix(s) for p in paths if p.suffix == ".yaml" for s in (".txt", ".md", ".markdown")]
        for path in paths:
            self._reads.pop(path, None)
            if path.suffix != ".yaml" and path not in self._listed and not path.exists():
                continue  # an article's other possible name
            if path not in self._listed or not path.is_file():
                self._listing = None
        self._forgotten = set(paths)
        self._trusted = bool(paths) and self._listing is not None

    def load(self, content: Path):
        if self._listing is None:
            self._listing, self._entries = list_content(content), None
            self._listed = {entry[0] for entry in self._listing}
        trusted, self._trusted = self._trusted and self._entries is not None, False
        if trusted:  # the watcher named every file that changed: only those are looked at
            entries = [load_entry(*item, self._read) if item[0] in self._forgotten else last
                       for item, last in zip(self._listing, self._entries)]
        else:
            self._used_reads = set()
            entries = [load_entry(*item, self._read) for item in self._listing]
            self._reads = {p: v for p, v in self._reads.items() if p in self._used_reads}  # files gone
        self._entries = entries
        return gather(entries)

    def _read(self, path: Path, sid: SourceId, kind: Kind):
        """load.read_checked, again only for a file the watcher named or whose stat changed."""
        self._used_reads.add(path)
        hit = self._reads.get(path)
        key = (sid, kind, _stat(path), _stat(path.with_suffix(".yaml")) if kind == "article" else None)
        if hit and hit[0] == key:
            return hit[1]
        result = read_checked(path, sid, kind)  # a DossierError is not kept: the file is read again next time
        self._reads[path] = (key, result)
        return result

    # ---- clean
    def clean_all(self, sources) -> tuple[Document, ...]:
        return tuple(map(self.clean, sources))

    def clean(self, source: Source) -> Document:
        """clean.clean, again only for a source whose text or front matter changed."""
        hit = self._by_source.get(source.id)
        if hit is not None and hit[0] is source:  # the same read of the same file
            self._used_cleans.add(hit[1])
            return self._cleans[hit[1]]
        key = clean_key(source)
        self._used_cleans.add(key)
        if key not in self._cleans:
            self._cleans[key] = clean(source)
        self._by_source[source.id] = (source, key)
        return self._cleans[key]

    # ---- the stages over all documents
    def dedup(self, documents, threshold):
        if self._dedup is None or self._dedup.threshold != threshold:
            self._dedup = DedupIndex(documents, threshold)
        return self._dedup.update(documents)

    def registry(self, sources):
        # the same entity files (the very Source objects): the same entities
        files = [s for s in sources if s.kind in ("person", "place", "event")]
        if self._registry is None or not _same(self._registry[0], files):
            self._registry = (files, build_registry(sources))
        return self._registry[1]

    def link(self, documents, entities):
        if entities != self._entities:
            self._links, self._events, self._entities, self._by_doc = {}, {}, entities, None
        links = self._links
        todo = [doc for doc in documents if links.get(doc.id, (None,))[0] is not doc]
        for doc, mentions in zip(todo, link_many(todo, entities)):
            links[doc.id] = (doc, mentions)
            self._events[doc.id] = [m for m in mentions if m.kind == "event"]
        if len(links) != len(documents):  # deleted files go
            self._links = links = {doc.id: links[doc.id] for doc in documents}
            self._by_doc = None
        if self._by_doc is None:
            self._by_doc = {sid: v[1] for sid, v in links.items()}
        else:  # a new dict each build: the last model keeps its own
            self._by_doc = {**self._by_doc, **{doc.id: links[doc.id][1] for doc in todo}}
        out = Mentions(chain.from_iterable(self._by_doc[doc.id] for doc in documents))
        out.by_doc = self._by_doc
        return out

    def timeline(self, documents, entities, mentions):
        # only event mentions make the timeline: each document's, not a pass over all
        return build_timeline(entities, list(chain.from_iterable(self._events.get(doc.id, ()) for doc in documents)))

    def warnings(self, d: Dossier) -> tuple[str, ...]:
        return model_warnings(d, self._checks, d.mentions.by_doc)

    def stories(self, clusters, documents):
        key = (clusters, *(doc for doc in documents if doc.kind == "article"))
        if self._stories is None or not _same(self._stories[0], key):
            self._stories = (key, name_stories(clusters, documents))
        return self._stories[1]

    def quotes(self, documents, mentions, entities, stories):
        # quotes come from articles only (notes quote the sources): a note edit keeps them;
        # an article edit finds the quotes of that article again, then aligns all copies
        articles = tuple(doc for doc in documents if doc.kind == "article")
        key = (entities, stories, *articles, *(self._links[doc.id][1] for doc in articles))
        if self._quotes is None or not _same(self._quotes[0], key):
            self._quotes = (key, extract_quotes(documents, mentions, entities, stories, self._found, self._aligned))
            self._doc_quotes = {doc.id: self._doc_quotes[doc.id] for doc in articles}  # deleted files go
        return self._quotes[1]

    def _found(self, doc: Document, people: frozenset[str]):
        mentions = self._links[doc.id][1]
        hit = self._doc_quotes.get(doc.id)
        if hit is None or hit[0] is not doc or hit[1] is not mentions or hit[2] != people:
            self._doc_quotes[doc.id] = hit = (doc, mentions, people, document_quotes(doc, mentions, people))
        return hit[3]

    def prune(self) -> None:
        """After a build: drop the cleans it did not use (deleted and superseded files),
        once there are enough of them to be worth a pass over all."""
        if len(self._cleans) > 1.1 * len(self._used_cleans) + 20:
            self._cleans = {k: v for k, v in self._cleans.items() if k in self._used_cleans}
            self._by_source = {sid: v for sid, v in self._by_source.items() if v[1] in self._used_cleans}
        self._used_cleans = set()


def _same(a: tuple, b: tuple) -> bool:
    """The same objects in the same places (entities compared by value: the registry
    makes new ones each build)."""
    return len(a) == len(b) and all(x is y or (type(x) is tuple and x == y) for x, y in zip(a, b))
