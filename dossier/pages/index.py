"""index: the lookups every page builder uses, made once per build (`Index`), and
made again after an edit from the last build's (`Index.updated`, for `dossier serve`).

Who mentions whom, where each file is shown, which notes cite a source, and the
pieces of pages already made (`memo`), by the story or note they are made of.
"""
from __future__ import annotations

import copy
from collections import defaultdict

from .. import dates
from ..pipeline.link import resolve_wikilink, wikilink_lookup
from .markdown import render_markdown
from ..models import Document, Dossier, Entity, Mention, SourceId, Story
from ..pipeline.stories import Reach, reach
from .quote_views import QuoteIndex
from ..urls import href, note_slugs, slugify
from .views import editor_note, entity_url, outlet_of


class Index:
    """Lookups over the model, built once: who mentions whom, where each file went."""

    def __init__(self, d: Dossier):
        self.d = d
        self.docs = {doc.id: doc for doc in d.documents}
        self.entities = {(e.kind, e.slug): e for e in d.entities}
        self.entity_of = {e.source: e for e in d.entities}  # url_of/title_of run per source row
        self.by_doc: dict[SourceId, list[Mention]] = defaultdict(list)
        self.docs_of: dict[str, set[SourceId]] = defaultdict(set)  # entity (as _key) → the docs naming it
        for m in d.mentions:
            self.by_doc[m.document].append(m)
            self.docs_of[_key(m)].add(m.document)
        self.story_of, self.version_of = _versions(d.stories)
        self.note_slugs = note_slugs(d.notes)
        self.citing: dict[str, list[Document]] = defaultdict(list)  # source id → the notes listing it
        for n in d.notes:
            for sid in dict.fromkeys(_listed_sources(n)):
                self.citing[sid].append(n)
        self.lookup = wikilink_lookup(d.entities)
        self.quotes = QuoteIndex(d)
        # Pieces of pages (an entity's sentences in one story, a story card, a source
        # row), by the story or note they come from: `updated` carries them to the next
        # build of `dossier serve`, less those of the documents that changed.
        self.memo: dict[str, dict] = {}
        self.named: dict[SourceId, frozenset] = {}  # doc → the (kind, slug) it names
        self.changed: set[SourceId] | None = None  # the documents `updated` swapped in; None: all new
        self.touched: set[str] = set()

    def updated(self, d: Dossier, changed: set[SourceId]) -> "Index":
        """This index for a model in which only the documents `changed` differ (same
        entities, stories and notes): their mentions are swapped in, the rest is kept."""
        ix = copy.copy(self)
        ix.d, ix.docs, ix.changed = d, {doc.id: doc for doc in d.documents}, changed
        if d.stories is not self.d.stories:  # the same stories, but a version's similarity may be new
            ix.story_of, ix.version_of = _versions(d.stories)
        fresh: dict[SourceId, list[Mention]] = defaultdict(list)
        if hasattr(d.mentions, "by_doc"):  # cache.Reuse.link kept them apart
            fresh.update({sid: d.mentions.by_doc.get(sid, []) for sid in changed})
        else:
            for m in d.mentions:
                if m.document in changed:
                    fresh[m.document].append(m)
        ix.by_doc, ix.docs_of = defaultdict(list, self.by_doc), defaultdict(set, self.docs_of)
        ix.named = {sid: v for sid, v in self.named.items() if sid not in changed}
        ix.touched = {_key(m) for sid in changed for m in (*self.by_doc.get(sid, ()), *fresh.get(sid, ()))}
        for sid in changed:
            ix.by_doc[sid] = fresh.get(sid, [])
        for key in ix.touched:
            ix.docs_of[key] = (self.docs_of.get(key, set()) - changed) | {
                sid for sid in changed if any(_key(m) == key for m in fresh.get(sid, ()))}
        ix.quotes = self.quotes if d.quotes is self.d.quotes else QuoteIndex(d)
        stale = {_group_key(self, sid) for sid in changed} | (set() if ix.quotes is self.quotes else {"quotes"})
        if any(sid in self.story_of for sid in changed):
            stale.add("cards")
        # pieces of unchanged stories and notes are shared with the last build's index (they
        # hold for both); the sources table is rewritten in place, so it gets its own
        ix.memo = {space: pieces for space, pieces in self.memo.items() if space not in stale}
        ix.memo["sources"] = dict(self.memo.get("sources", {}))
        return ix

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
            groups.setdefault(_group_key(self, sid), []).append(sid)
        out = []
        for members in groups.values():
            members.sort(key=lambda sid: sid != _canonical(self, sid))  # stable: the rest keep their order
            out.append({**self.row(members[0]), "copies": [self.row(sid) for sid in members[1:]]})
        return out

    def names_in(self, sid: SourceId) -> frozenset:
        """The (kind, slug) of every entity document `sid` names."""
        if sid not in self.named:
            self.named[sid] = frozenset((m.kind, m.entity) for m in self.by_doc.get(sid, ()))
        return self.named[sid]

    def remember(self, space: str, key, make):
        """`make()`, or what it made before: `space` is the story or note (its _group_key)
        whose documents the piece is made of, or "quotes"."""
        pieces = self.memo.setdefault(space, {})
        if key not in pieces:
            pieces[key] = make()
        return pieces[key]

    def row(self, sid: SourceId) -> dict:
        return self.remember(_group_key(self, sid), ("row", sid), lambda: self.source_row(sid))

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
        key = slugify(target)
        for note in self.d.notes:
            if key in (self.note_slugs[note.id], slugify(note.title)):
                return f"notes/{self.note_slugs[note.id]}/", "note"
        return None

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


def _key(m: Mention) -> str:
    """The entity a mention names, as docs_of and the pages key it: a person and a
    place share their slugs' space, events have their own."""
    return m.entity if m.kind != "event" else f"event:{m.entity}"


def entity_key(e: Entity) -> str:
    """An entity as _key names it."""
    return e.slug if e.kind != "event" else f"event:{e.slug}"


def _versions(stories) -> tuple[dict[SourceId, Story], dict]:
    """Each version's story, and the version itself, by source id."""
    return ({v.source: s for s in stories for v in s.versions},
            {v.source: v for s in stories for v in s.versions})


def _anchor(sid: str) -> str:
    return slugify(sid.replace("/", "-"))


def _listed_sources(note: Document) -> list[str]:
    listed = note.meta.get("sources") or []
    return [str(x) for x in listed] if isinstance(listed, list) else [str(listed)]


def _group_key(ix: Index, sid: SourceId) -> str:
    story = ix.story_of.get(sid)
    return f"s:{story.slug}" if story else f"n:{sid}"


def _canonical(ix: Index, sid: SourceId) -> SourceId:
    story = ix.story_of.get(sid)
    return story.canonical if story else sid
