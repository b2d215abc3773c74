"""Small view builders for the page model: text → segments with links, mention
sentences, source rows. Pure functions over the model; templates only print them."""
from __future__ import annotations

import re
from bisect import bisect_left

from .. import dates
from ..pipeline.link import WIKILINK, text_of
from ..pipeline.stories import Reach
from ..models import Document, Entity, Mention
from ..text import sentence_at

# Markdown punctuation that means nothing once a note's sentence is quoted as text
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_BLOCK_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#{1,6}|>)\s+")
_MD_MARKS = re.compile(r"\*\*|__|`|\[\[|\]\]")
# a note's heading block ("## In Heihe") is not a sentence, and a bold run-in label
# ("**Summary.** …", "**Caveat.** …") is the editor's signpost, not part of one
_HEADING = re.compile(r"\s*#{1,6}\s")
_RUN_IN = re.compile(r"\s*(?:\*\*|__)[^*_\n]{1,120}?[.:!?](?:\*\*|__)\s+")

KIND_SECTION = {"person": "people", "place": "places", "event": "events"}


def entity_url(kind: str, slug: str) -> str:
    return f"{KIND_SECTION[kind]}/{slug}/"


def plain(text: str, block_start: bool = True) -> str:
    """A note's Markdown as the words a reader sees: [[a|b]] → b, [x](u) → x, no ** or list marks.

    List marks and heading hashes are only read as such where `text` starts its block:
    a run after a link ("[[Xi]] - the leader") keeps its dash."""
    text = _MD_LINK.sub(r"\1", WIKILINK.sub(lambda m: (m.group(2) or m.group(1)), text))
    return _MD_MARKS.sub("", _MD_BLOCK_MARK.sub("", text) if block_start else text)


def segments(text: str, mentions: list[Mention], mark: str | None = None,
             offset: int = 0, markdown: bool = False) -> list[dict]:
    """Split `text` into runs: plain text, or a link to the entity it mentions.

    `mark` highlights one entity (on its own page, where its mentions are not links).
    Spans overlap only across kinds ("Lu's remarks" is an event holding a person):
    the longest span is shown as the link."""
    spans = sorted(((m.start - offset, m.end - offset, m) for m in mentions
                    if 0 <= m.start - offset and m.end - offset <= len(text)),
                   key=lambda s: (s[0], -(s[1] - s[0])))
    out, pos = [], 0
    for start, end, m in spans:
        if start < pos:
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        piece = {"text": plain(text[start:end]) if m.wikilink else text[start:end], "kind": m.kind}
        if m.entity == mark:
            piece["mark"] = True
        else:
            piece["url"] = entity_url(m.kind, m.entity)
        out.append(piece)
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:]})
    if markdown:
        out = [p if "kind" in p else {"text": plain(p["text"], block_start=offset == 0 and i == 0)}
               for i, p in enumerate(out)]
    return out


def mention_sentences(doc: Document, mentions: list[Mention], doc_mentions: list[Mention],
                      entity: str, limit: int | None = None, grouped=None) -> tuple[list[dict], int]:
    """Each sentence of `doc` that mentions `entity`, once, with every mention in it
    linked: the first `limit` of them, and how many more mentions follow them.
    `grouped`: by_paragraph(doc_mentions), when the caller keeps it. A note's headings
    are left out (unless nothing else names it) and its run-in labels cut off."""
    seen, out, headings = set(), [], []
    by_text, starts = grouped or by_paragraph(doc_mentions)
    note = doc.kind == "note"
    for i, m in enumerate(mentions):
        if limit is not None and len(out) >= limit:
            return out, len(mentions) - i  # counted, not cut into sentences: that is the cost
        text = text_of(doc, m)
        if note and not m.in_caption and _HEADING.match(text):
            headings.append(m)
            continue
        a, b = sentence_at(text, m.start, m.end)
        label = _RUN_IN.match(text, a) if note else None
        if label and label.end() <= m.start:
            a = label.end()
        key = (m.in_caption, m.paragraph, a)
        if key in seen:
            continue
        seen.add(key)
        group, at = by_text.get(key[:2], []), starts.get(key[:2], [])
        inside = [x for x in group[bisect_left(at, a):bisect_left(at, b)] if x.end <= b]
        out.append({"segments": segments(text[a:b], inside, mark=entity, offset=a, markdown=note),
                    "anchor": f"{'c' if m.in_caption else 'p'}{m.paragraph + 1}",
                    "caption": m.in_caption})
    if not out and headings:  # named in a heading only: that is its context
        m = headings[0]
        text = text_of(doc, m)
        group = by_text.get((False, m.paragraph), [])
        out.append({"segments": segments(text, group, mark=entity, markdown=True),
                    "anchor": f"p{m.paragraph + 1}", "caption": False})
    return out, 0


def by_paragraph(doc_mentions: list[Mention]) -> tuple[dict, dict]:
    """A document's mentions by (in_caption, paragraph), sorted, with their starts:
    grouped and sorted once, then cut by bisect. A scraped "paragraph" can be one
    megabyte-long line with thousands of mentions, and a scan per sentence is quadratic."""
    by_text: dict[tuple[bool, int], list[Mention]] = {}
    for x in sorted(doc_mentions, key=lambda x: x.start):
        by_text.setdefault((x.in_caption, x.paragraph), []).append(x)
    return by_text, {key: [x.start for x in xs] for key, xs in by_text.items()}


def editor_note(doc: Document | None) -> str:
    """What the editor wrote of a scraped file (`notes:` in its sidecar): their judgement
    of the source, shown wherever the file is."""
    value = doc.meta.get("notes") if doc and doc.kind == "article" else None
    return " ".join(str(value).split()) if value not in (None, "", [], {}) else ""


def outlet_of(doc: Document) -> str:
    return doc.outlet or ("editor's note" if doc.kind == "note" else "unknown outlet")


def removed_row(r) -> dict:
    """Sidebar text is withheld from the page: the names in it have nothing to do with
    the story, and a reader skimming the audit trail should not meet them (it stays
    in dossier.json for anyone who checks)."""
    text = r.text if r.reason != "sidebar" or len(r.text) <= 40 else f"[{len(r.text.split())} words of sidebar, not shown]"
    return {"reason": r.reason, "line": r.line, "text": text}


def entity_link(e: Entity, reach: Reach | None = None) -> dict:
    """A person, place or event as other pages link it (cards, lists, related entities)."""
    link = {"name": e.name, "url": entity_url(e.kind, e.slug), "kind": e.kind,
            "role": str(e.fields.get("role") or e.fields.get("kind") or ""),
            "date": dates.range_label(e.date, e.end) if e.date else "", "date_iso": e.date, "end_iso": e.end}
    if reach is not None:
        link["reach"] = reach
    return link


def describe(doc: Document) -> str:
    first = " ".join(doc.paragraphs[:1])
    # a note's first block is Markdown; descriptions (meta, Open Graph, feed) are plain words
    return first_sentence(plain(first) if doc.kind == "note" else first) or doc.title


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:157] + "…" if len(text) > 160 else text
