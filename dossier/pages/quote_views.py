"""Quotes on the page model: a story's quotations with their speakers, a person's
quotations across stories, and the copies that word a quotation differently (with
what they changed). Grouped once per build (`QuoteIndex`); templates only print the rows."""
from __future__ import annotations

from collections import defaultdict

from ..models import Dossier, SourceId
from ..pipeline.quotes import positions
from ..pipeline.wording import quote_changes
from .views import entity_url, outlet_of


class QuoteIndex:
    """Positions in Dossier.quotes by document, by speaker, and the copies of each quote."""

    def __init__(self, d: Dossier):
        self.quotes = d.quotes
        self.by_doc: dict[SourceId, list[int]] = defaultdict(list)
        self.by_speaker: dict[str, list[int]] = defaultdict(list)
        self.copies: dict[int, list[int]] = defaultdict(list)  # canonical quote → its copies' quotes
        self.at = positions(d.quotes)  # what same_as names → its position
        for k, q in enumerate(d.quotes):
            self.by_doc[q.document].append(k)
            if q.speaker:
                self.by_speaker[q.speaker].append(k)
            if q.same_as is not None:
                self.copies[self.at[q.same_as]].append(k)


def speaker_link(ix, slug: str | None) -> dict | None:
    e = ix.entities.get(("person", slug)) if slug else None
    return {"name": e.name, "url": entity_url("person", e.slug), "kind": "person"} if e else None


def _row(ix, k: int) -> dict:
    q = ix.quotes.quotes[k]
    story = ix.story_of.get(q.document)
    canonical = story is not None and story.canonical == q.document
    url = f"stories/{story.slug}/#p{q.paragraph + 1}" if canonical else ix.url_of(q.document)
    return {"text": q.text, "speaker": speaker_link(ix, q.speaker), "said_by": q.said_by, "how": q.how,
            "url": url, "anchor": f"p{q.paragraph + 1}", "status": q.status, "source": q.document,
            "outlet": outlet_of(ix.docs[q.document])}


def _variants(ix, k: int) -> list[dict]:
    """Copies that word quote k differently: the copy's words, and what it changed."""
    base = ix.quotes.quotes[k]
    return [{**_row(ix, j), "similarity": q.similarity, "title": ix.title_of(q.document),
             "changes": quote_changes(base.text, q.text)}
            for j in ix.quotes.copies.get(k, []) if (q := ix.quotes.quotes[j]).status == "altered"]


def story_quotes(ix, story) -> list[dict]:
    """The canonical version's quotations in reading order, then those only a copy has."""
    rows = []
    for v in story.versions:
        for k in ix.quotes.by_doc.get(v.source, []):
            q = ix.quotes.quotes[k]
            if q.status in ("canonical", "added"):
                copies = ix.quotes.copies.get(k, [])
                rows.append({**_row(ix, k), "variants": _variants(ix, k),
                             "copies": sum(1 for j in copies if ix.quotes.quotes[j].status == "same")})
    return rows


def person_quotes(ix, slug: str) -> list[dict]:
    """What a person is quoted as saying, by story: each quotation once (copies that
    repeat it are counted, copies that reword it are shown as variants)."""
    groups: dict[str, dict] = {}
    for k in ix.quotes.by_speaker.get(slug, []):
        q = ix.quotes.quotes[k]
        canon = ix.quotes.quotes[ix.quotes.at[q.same_as]] if q.same_as is not None else None
        if canon is not None and canon.speaker == slug:
            continue  # listed with the canonical quotation it copies
        story = ix.story_of.get(q.document)
        key = story.slug if story else q.document
        group = groups.setdefault(key, {"title": story.title if story else ix.title_of(q.document),
                                        "url": f"stories/{story.slug}/" if story else ix.url_of(q.document),
                                        "quotes": []})
        copies = ix.quotes.copies.get(k, [])
        group["quotes"].append({**_row(ix, k), "variants": _variants(ix, k),
                                "copies": sum(1 for j in copies if ix.quotes.quotes[j].status == "same")})
    return list(groups.values())
