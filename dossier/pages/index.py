"""index: the lookups every page builder uses, made once per build, and the keys
that say what a page reads.

Who mentions whom, where each file is shown, which notes cite a source. And the
content keys of pages (dossier/memo): `structure` is everything one page shows
of another (titles, dates, outlets, where each file is shown, the entities, the
settings); `view[sid]` is everything a page shows of one file's own text (for a
version of a story: the whole story, since its versions are shown together). A
page built from the same structure and the same views is the same page.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cached_property, partial

from .. import dates
from ..keys import digest
from ..memo import Memo
from ..models import Document, Dossier, Entity, SourceId, Story
from ..pipeline.link import resolve_wikilink, wikilink_lookup
from ..pipeline.stories import Reach, reach
from ..urls import href, note_keys, note_slugs, slugify
from .markdown import render_markdown
from .quote_views import QuoteIndex
from .views import editor_note, entity_url, outlet_of


class Index:
    """Lookups over the model, built once per build: who mentions whom, where each file went."""

    def __init__(self, d: Dossier, memo: Memo | None = None):
        self.d, self.memo = d, memo if memo is not None else Memo()
        self.docs = {doc.id: doc for doc in d.documents}
        self.by_doc = d.mentions  # models.Mentions: unpacked as read
        # entity (as name_key) → the docs naming it
        self.docs_of = {name_key(kind, slug): docs for (kind, slug), docs in d.named_in.items()}
        keys = {doc.id: doc.key for doc in d.documents}
        self.view = {src.id: src.sha for src in d.sources}
        self.view.update(keys)
        views = self.memo.map("story view", partial(_view, keys=keys), d.stories,
                              key=lambda s: (s, tuple(keys[v.source] for v in s.versions)))
        self.view.update((v.source, key) for s, key in zip(d.stories, views) for v in s.versions)
        self.structure = digest([repr(d.config), *(repr(e) for e in d.entities),
                                 *self.memo.map("shape", _shape, d.documents, key=lambda doc: doc.key),
                                 *self.memo.map("story shape", _story_shape, d.stories, key=lambda s: s)])
        # Lookups that read only what the structure holds (the entities; the notes' ids,
        # titles and cited files) are kept under it, and the stories' under it and their
        # views (a version's relation): a one-note edit then makes none of them again.
        self.entities, self.entity_of, self.lookup, self.note_slugs, self.note_keys, self.citing = self.memo.get(
            "structure lookups", self.structure, partial(_structure_lookups, d))
        self.story_of, self.version_of = self.memo.get("versions", (self.structure, digest(views)),
                                                       partial(_versions, d.stories))

    @cached_property
    def quotes(self) -> QuoteIndex:
        """Made when a page shows quotations (a story, a person): a pass over all of them."""
        return QuoteIndex(self.d)

    def piece(self, *key, shared: bool = True):
        """A memo table of page pieces: `ix.piece("row", sid)(make)` is make(), or what it
        made before for this key under this structure. A piece only one page reads
        (not `shared`) is kept for the next build alone: not by a memo that serves one
        build (`Memo.release`), where it would only fill the process."""
        if not shared and self.memo.released:
            return lambda make: make()
        return lambda make: self.memo.get("piece", (*key, self.structure), make)

    def reach(self, sids) -> Reach:
        """The reports (stories) and notes among these files: the one count pages give."""
        return reach(sids, self.story_of, self.note_slugs)

    def entity_reach(self, e: Entity) -> Reach:
        """The reports and notes that name `e` (home, list pages, the entity's own header)."""
        return self.reach(self.docs_of.get(entity_key(e), ()))

    def report_rows(self, sids) -> list[dict]:
        """The rows of these files, a story's other files under its first one here (the
        canonical, when it is among them) as its "copies": one report, however many files."""
        groups: dict[str, list[SourceId]] = {}
        for sid in sids:
            groups.setdefault(group_key(self, sid), []).append(sid)
        out = []
        for members in groups.values():
            members.sort(key=lambda sid: sid != canonical(self, sid))  # stable: the rest keep their order
            out.append({**self.row(members[0]), "copies": [self.row(sid) for sid in members[1:]]})
        return out

    def names_in(self, sid: SourceId) -> tuple:
        """The (kind, slug) of every entity document `sid` names, sorted (link.names_of)."""
        return self.d.names.get(sid, ())

    def row(self, sid: SourceId) -> dict:
        return self.piece("row", sid, self.view.get(sid))(lambda: self.source_row(sid))

    def url_of(self, sid: SourceId) -> str | None:
        """Where a content file is shown: its story (at the version), its note, its entity."""
        if sid in self.story_of:
            story = self.story_of[sid]
            return f"stories/{story.slug}/" + ("" if story.canonical == sid else f"#v-{_anchor(sid)}")
        if sid in self.note_slugs:
            return f"notes/{self.note_slugs[sid]}/"
        e = self.entity_of.get(sid)
        return entity_url(e.kind, e.slug) if e else None

    def title_of(self, sid: SourceId) -> str:
        doc = self.docs.get(sid)
        if doc:
            return doc.title
        e = self.entity_of.get(sid)
        return f"{e.name} ({e.kind})" if e else sid

    def source_row(self, sid: SourceId) -> dict:
        v, doc = self.version_of.get(sid), self.docs.get(sid)
        return {"id": sid, "title": self.title_of(sid), "url": self.url_of(sid),
                "outlet": outlet_of(doc) if doc else "", "date": dates.label(doc.date) if doc and doc.date else "",
                "relation": v.relation if v else ("note" if sid in self.note_slugs else "entity"),
                "similarity": v.similarity if v else None, "reason": v.reason if v else "",
                "anchor": _anchor(sid), "notes": editor_note(doc)}

    def wikilink(self, target: str) -> tuple[str, str] | None:
        e = resolve_wikilink(target, self.lookup)
        if e:
            return entity_url(e.kind, e.slug), e.kind
        slug = self.note_keys.get(slugify(target))
        return (f"notes/{slug}/", "note") if slug else None

    def markdown(self, text: str, page_url: str, base_dir: str, shift: int = 0) -> str:
        return render_markdown(text, page_url, base_dir, href, self.wikilink, self.url_of, shift, self.cited)

    def cited(self, number: str) -> str | None:
        """Where "(000)" in an editor's text points: the story of the one article whose
        file name starts "000_" (None when no file, or more than one, does)."""
        if not hasattr(self, "_numbered"):
            found: dict[str, list[SourceId]] = defaultdict(list)
            for doc in self.d.documents:
                head = doc.id.rsplit("/", 1)[-1].split("_", 1)[0]
                if doc.kind == "article" and head.isdigit() and "_" in doc.id.rsplit("/", 1)[-1]:
                    found[head].append(doc.id)
            self._numbered = {k: v[0] for k, v in found.items() if len(v) == 1}
        sid = self._numbered.get(number)
        return self.url_of(sid) if sid else None


def name_key(kind: str, slug: str) -> str:
    """An entity as docs_of and the pages key it: a person and a place share their
    slugs' space, events have their own."""
    return slug if kind != "event" else f"event:{slug}"


def entity_key(e: Entity) -> str:
    return name_key(e.kind, e.slug)


def _view(s: Story, keys: dict[SourceId, str]) -> str:
    """What a page shows of a version's own text: its whole story (relations,
    similarities, every version's text). A note's or an entity file's is its key."""
    return digest([s.slug, s.title, *(f"{v.source}\0{v.relation}\0{v.similarity}\0{v.reason}\0{keys[v.source]}"
                                     for v in s.versions)])


def _shape(doc: Document) -> str:
    """What other pages show of a document: where it is, its title, date, outlet and
    address, and the files a note cites. With the entities, the settings and the
    stories' shapes, this is the structure."""
    return (f"{doc.id}\0{doc.kind}\0{doc.title}\0{doc.date}\0{doc.outlet}\0{doc.url}\0"
            f"{listed_sources(doc) if doc.kind == 'note' else ''}")


def _story_shape(s: Story) -> str:
    return f"{s.slug}\0{s.canonical}\0{[v.source for v in s.versions]}"


def _structure_lookups(d: Dossier) -> tuple:
    """Entities by (kind, slug) and by file; the wikilink table; each note's slug and what
    a wikilink to it may say; and source id → the ids of the notes listing it (ids: a
    note's Document is the model's)."""
    citing: dict[str, list[SourceId]] = defaultdict(list)
    for n in d.notes:
        for sid in dict.fromkeys(listed_sources(n)):
            citing[sid].append(n.id)
    return ({(e.kind, e.slug): e for e in d.entities}, {e.source: e for e in d.entities},
            wikilink_lookup(d.entities), note_slugs(d.notes), note_keys(d.notes), dict(citing))


def _versions(stories) -> tuple[dict[SourceId, Story], dict]:
    """Each version's story, and the version itself, by source id."""
    return ({v.source: s for s in stories for v in s.versions},
            {v.source: v for s in stories for v in s.versions})


def _anchor(sid: str) -> str:
    return slugify(sid.replace("/", "-"))


def listed_sources(note: Document) -> list[str]:
    listed = note.meta.get("sources") or []
    return [str(x) for x in listed] if isinstance(listed, list) else [str(listed)]


def group_key(ix: Index, sid: SourceId) -> str:
    story = ix.story_of.get(sid)
    return f"s:{story.slug}" if story else f"n:{sid}"


def canonical(ix: Index, sid: SourceId) -> SourceId:
    story = ix.story_of.get(sid)
    return story.canonical if story else sid
