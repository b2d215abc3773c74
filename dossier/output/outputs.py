"""The non-HTML outputs, all read from the same model: dossier.json, sitemap, feed."""
from __future__ import annotations

import orjson
from dataclasses import dataclass
from typing import Iterator, Sequence
from xml.sax.saxutils import escape

from ..models import Dossier, Page
from ..pages.views import editor_note
from ..pipeline.quotes import positions
from ..pipeline.wording import quote_change
from ..urls import absolute, note_slugs


def model_json(d: Dossier) -> dict:
    """The whole model as data (schema in docs/model.md). The lists are generators,
    each record made as it is read: at 10,000 articles the records made at once held
    as much memory as the model (dump_json writes them one by one)."""
    story_of = {v.source: s for s in d.stories for v in s.versions}

    def entity(e):
        docs = d.named_in.get((e.kind, e.slug), ())
        # `mentions`: every file that names it; `stories`: the independent reports among
        # them (a story's copies are one); notes are the `notes/` files of `mentions`
        row = {"slug": e.slug, "name": e.name, "source": e.source, "aliases": list(e.aliases),
               "short": list(e.short), "mentions": sorted(docs),
               "stories": sorted({story_of[sid].slug for sid in docs if sid in story_of})}
        if e.kind == "event":
            row = {"slug": e.slug, "title": e.name, "date": e.date, "end": e.end, **row}
        return row

    docs = {doc.id: doc for doc in d.documents}
    slugs = note_slugs(d.notes)
    at = positions(d.quotes)  # a quote's same_as, as an index in "quotes"
    return {
        "title": d.config.title,
        "stories": ({"slug": s.slug, "title": s.title, "canonical": s.canonical,
                     "versions": [{"source": v.source, "relation": v.relation,
                                   "similarity": round(v.similarity, 4), "reason": v.reason} for v in s.versions]}
                    for s in d.stories),
        "notes": ({"slug": slugs[n.id], "title": n.title, "source": n.id, "date": n.date} for n in d.notes),
        "people": (entity(e) for e in d.entities if e.kind == "person"),
        "places": (entity(e) for e in d.entities if e.kind == "place"),
        "events": (entity(e) for e in d.entities if e.kind == "event"),
        "timeline": ({"date": t.date, "end": t.end, "precision": t.precision, "title": t.title,
                      "event": t.event, "sources": list(t.sources)} for t in d.timeline),
        "sources": ({"id": s.id, "kind": s.kind, "sha256": s.sha,
                     "title": docs[s.id].title if s.id in docs else None,
                     "removed": [{"reason": r.reason, "line": r.line, "text": r.text}
                                 for r in (docs[s.id].removed if s.id in docs else ())],
                     "captions": list(docs[s.id].captions) if s.id in docs else [],
                     "paragraphs": list(docs[s.id].paragraphs) if s.id in docs else [],
                     "notes": editor_note(docs.get(s.id)) or None} for s in d.sources),
        "mentions": ({"entity": m.entity, "kind": m.kind, "document": m.document, "paragraph": m.paragraph,
                      "caption": m.in_caption, "start": m.start, "end": m.end}
                     for ms in d.mentions.values() for m in ms),
        "quotes": ({"document": q.document, "paragraph": q.paragraph, "start": q.start, "end": q.end,
                    "text": q.text, "speaker": q.speaker, "said_by": q.said_by, "how": q.how, "story": q.story,
                    "status": q.status, "same_as": at.get(q.same_as), "similarity": q.similarity,
                    "change": quote_change(d.quotes[at[q.same_as]].text, q.text) if q.status == "altered" else None}
                   for q in d.quotes),
        "warnings": list(d.warnings),
    }


def dump_json(d: Dossier) -> Iterator[bytes]:
    """dossier.json in chunks, as written (175 MB at 10,000 articles: never held
    whole). One record per line under each top-level key: as easy to read and grep
    as an indented dump. orjson encodes each record: json's C encoder took 0.95 s of
    CPU for a 4,000-article dossier's 70 MB, in the build's tail beside Pagefind;
    orjson 0.14 s (and writes no space after `:` and `,`)."""
    data = list(model_json(d).items())
    lines = [b"{"]
    for n, (key, value) in enumerate(data):
        comma, name = b"," if n + 1 < len(data) else b"", orjson.dumps(key)
        if isinstance(value, str) or not value:
            lines.append(b"\n " + name + b": " + orjson.dumps(value) + comma)
            continue
        opened = False  # a list with no record is written `[]`, as json writes it
        for record in value:
            lines.append(b",\n  " + orjson.dumps(record) if opened else b"\n " + name + b": [\n  " + orjson.dumps(record))
            opened = True
            if len(lines) >= CHUNK_LINES:
                yield b"".join(lines)
                lines = []
        lines.append(b"\n ]" + comma if opened else b"\n " + name + b": []" + comma)
    yield b"".join(lines) + b"\n}\n"


CHUNK_LINES = 2000


@dataclass(frozen=True)
class Listed:
    """What the feed and the sitemap read of a page: kept for every page while the
    pages themselves are dropped once written."""

    url: str
    section: str
    title: str
    description: str
    date_iso: str  # a story's or a note's; "" for other pages

    @classmethod
    def of(cls, p: Page) -> "Listed":
        item = (p.context.get("story") or p.context.get("note")) if p.section in ("story", "note") else None
        return cls(p.url, p.section, p.title, p.description, (item or {}).get("date_iso") or "")


def sitemap(pages: Sequence[Listed], base_url: str) -> bytes:
    base = base_url or "/"
    urls = "".join(f"<url><loc>{escape(absolute(p.url, base))}</loc></url>\n" for p in pages if p.url.endswith("/") or p.url == "")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'.encode()


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {absolute('sitemap.xml', base_url or '/')}\n".encode()


def feed(d: Dossier, pages: Sequence[Listed], generated: str) -> bytes:
    """Atom feed of stories and notes, newest first; text is escaped, never raw HTML."""
    base = d.config.base_url or "/"
    entries = []
    for p in pages:
        if p.section not in ("story", "note"):
            continue
        date = p.date_iso or generated
        stamp = _atom_date(date)
        entries.append((stamp, f"<entry><title>{escape(p.title)}</title>"
                               f"<link href=\"{escape(absolute(p.url, base))}\"/><id>{escape(absolute(p.url, base))}</id>"
                               f"<updated>{stamp}</updated><summary>{escape(p.description)}</summary></entry>\n"))
    entries.sort(key=lambda e: e[0], reverse=True)
    author = escape(d.config.author or d.config.title)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"<title>{escape(d.config.title)}</title><id>{escape(base)}</id>"
            f'<link href="{escape(absolute("feed.xml", base))}" rel="self"/><link href="{escape(base)}"/>'
            f"<updated>{_atom_date(generated)}</updated><author><name>{author}</name></author>\n"
            + "".join(e for _, e in entries) + "</feed>\n").encode()


def _atom_date(iso: str) -> str:
    parts = (iso.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]:0>2}-{parts[2]:0>2}T00:00:00Z"
