"""affected: the pages an edit changes, computed again; every other page kept as it was.

`dossier serve` (and the one-note-edit benchmark) rebuild the model after each
save, and most saves touch one document. When the *structure* is the same (the
entities, the stories dedup found, every document's title, date, outlet and the
sources a note lists: what one page shows of another), a changed document can
only change

- its own note page, or the page of the story it is a version of;
- the pages of the people, places and events it names, before or after the edit
  (a paged entity: the page holding the document's group; the others come out
  equal and are not rendered again);
- the pages of the speakers of the quotes in the stories it belongs to;
- the summaries: home, the lists, the timeline, the sources table and the print
  edition, which are assembled from pieces remembered per document (`Index.memo`).

Anything else (an entity file, a new or deleted document, a new title, a
different cluster) is a structure change: build_pages from scratch, as
`dossier build` does. The test suite builds both ways and compares every page.
"""
from __future__ import annotations

from typing import Mapping

from ..models import Dossier, Page, SourceId
from ..pages.index import Index, _key, _listed_sources, entity_key
from ..pages.builders import build_pages, entity_pages, home, list_pages, note_page, sources_page, story_page, \
    timeline_page
from ..pages.printpage import PRINT_URL, print_page


def _shape(doc) -> tuple:
    """What other pages show of a document: its row in lists, tables and links."""
    return (doc.id, doc.kind, doc.title, doc.date, doc.outlet, doc.url,
            tuple(_listed_sources(doc)) if doc.kind == "note" else ())


def _stories(d: Dossier) -> tuple:
    # a story's versions, not how close each is to the canonical: that shows in rows of
    # the story's own documents, which _affected renders again with the story
    return tuple((s.slug, s.title, s.canonical, tuple(v.source for v in s.versions)) for s in d.stories)


def same_structure(old: Dossier, d: Dossier, docs: Mapping[SourceId, object]) -> bool:
    """Is everything one page shows of another the same? `docs`: old's documents by id.
    Unchanged documents are the very same objects, so only the others are compared."""
    if (old.config, old.entities, tuple(n.id for n in old.notes)) != (d.config, d.entities, tuple(n.id for n in d.notes)):
        return False
    if len(docs) != len(d.documents) or any(doc.id not in docs for doc in d.documents):
        return False
    if any(_shape(docs[doc.id]) != _shape(doc) for doc in d.documents if docs[doc.id] is not doc):
        return False
    return old.stories is d.stories or _stories(old) == _stories(d)


def update_pages(old: Dossier, ix: Index, pages: Mapping[str, Page], d: Dossier) -> tuple[dict[str, Page], Index]:
    """The pages of `d`, given the pages and index of the build before it (`old`)."""
    if not same_structure(old, d, ix.docs):
        return fresh_pages(d)
    changed = {doc.id for doc in d.documents if ix.docs.get(doc.id) is not doc}
    new = ix.updated(d, changed)
    out, made = dict(pages), {}
    for page in [*_affected(new, ix, changed), home(new), *list_pages(new), timeline_page(new), sources_page(new)]:
        made[page.url] = out[page.url] = page
    for url in [u for u in out if "/page/" in u and u.split("page/")[0] in made and u not in made]:
        del out[url]  # a person now named in fewer stories has fewer pages
    del out[PRINT_URL]
    out[PRINT_URL] = print_page(out.values(), new.memo.setdefault("print", {}))
    return out, new


def fresh_pages(d: Dossier) -> tuple[dict[str, Page], Index]:
    ix = Index(d)
    return {p.url: p for p in build_pages(d, ix=ix)}, ix


def _affected(new: Index, old: Index, changed: set[SourceId]):
    stories = {new.story_of[sid].slug: new.story_of[sid] for sid in changed if sid in new.story_of}
    for story in stories.values():
        yield story_page(new, story)
    # a version's row (its relation and similarity to the canonical) shows wherever the
    # story is quoted or cited: on the pages of all it names, and in the notes citing it
    sids = {v.source for story in stories.values() for v in story.versions}
    citing = {n.id for sid in sids for n in new.citing.get(sid, ())}
    for note in new.d.notes:
        if note.id in changed or note.id in citing:
            yield note_page(new, note)
    # (the same versions before and after: the structure is the same)
    speakers = {q.speaker for ix in (new, old) for sid in sids for k in ix.quotes.by_doc.get(sid, [])
                if (q := ix.quotes.quotes[k]).speaker}
    names = new.touched | speakers | {_key(m) for sid in sids for m in new.by_doc.get(sid, ())}
    for e in new.d.entities:
        if entity_key(e) in names:
            yield from entity_pages(new, e)
