"""clean: a Source becomes the Document a reader should see.

Scraped pages wrap the story in site furniture: navigation, video-player notes,
"Read more" teasers, captions with agency credits, sidebars of other stories,
bios of people who did not write it. Every copy rewords its junk, so each kind
is found by a rule (a family of wordings, a position, a shape), not a line list.
Nothing goes silently: each piece taken out is a `Removed` with reason and file
line (the /sources/ audit trail); captions are also kept as their own stream,
since they carry facts (names, dates) the body lacks.

Passes run over one list of lines, strongest rule first; each labels what it
knows and leaves the rest, and the unlabelled lines are the body. The rules
themselves (pattern tables, what a caption, credit or bio looks like) are in
pipeline/junk.py, judged one line at a time; the passes here add position and context.

Decisions: a line quoted end to end ("‘No one else wants to be friends with
us’") is a pull quote and stays a paragraph: someone's words are evidence.
Credits are cut off captions and go only to `removed` ("credit"), so people
named in "Photo/… via REUTERS" are not linked as if in the story. A headline
taken from the text as the title is listed as removed ("title"), its repeats as
"headline-repeat", so every line of the file is accounted for. A bio
at the end ("X is a correspondent at …") is removed as "byline" but never sets
Document.byline: on scraped pages it is the host site's writer; only meta
"author" or a "By Name" header line does. Reasons beyond the usual set:
"boilerplate" (ad markers, newsletter, copyright lines), "dateline" (a
"Published …" line in the header), "repeat" (a body line printed twice in a row).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, Mapping

from markdown_it import MarkdownIt

from .junk import (BY, DATELINE, SIDEBAR, bio_named, body_like, caption_parts, consent, ends_sentence,
                          furniture, headline_like, is_bio, pull_quote, same_title, title_like,
                          word_key, words)
from . import bounds
from .html import read_page
from ..models import Document, Removed, Source, SourceId

# Collapsed inside a line: NBSP and kin, and "\r" so CRLF leaves nothing behind.
_WS = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ISO = re.compile(r"^\d{4}(?:-\d\d(?:-\d\d)?)?")
# Block structure only, read as the note page's renderer (pages/markdown.py) reads it.
_MARKDOWN_BLOCKS = MarkdownIt("commonmark", {"html": True}).disable("inline")


@dataclass
class _Line:
    """One non-blank line while the passes label it (scratch; never leaves here)."""

    n: int  # 1-based line of the source file
    text: str  # whitespace-normalised
    block: int  # index of its blank-line-separated block
    gap: int  # blank lines before it
    reason: str | None = None
    caption: str | None = None  # the caption to keep, when it is not `text`
    credit: str | None = None  # a photo credit cut off the end of `text`
    weight: float = 0.0  # as prose, for the span (pipeline/bounds.py)


def clean(source: Source) -> Document:
    """Clean one source; pure, and total: any text gives a Document."""
    meta = source.meta if isinstance(source.meta, Mapping) else {}
    text = source.text if isinstance(source.text, str) else ""
    if source.kind != "article":
        return _clean_note(source.id, meta, text)
    if str(source.id).endswith((".html", ".htm")):
        page = read_page(text)  # the sidecar's fields override the page's own
        return _article(source.id, {**page.meta, **meta}, page.paragraphs, page.lines, page.captions,
                        page.removed)
    lines = _split(text, source.body_line if isinstance(source.body_line, int) else 1)
    meta_title = _meta_str(meta, "title")
    _mark_consent(lines)
    boxes = bounds.galleries([ln.text for ln in lines])
    for ln in (ln for first, last in boxes for ln in lines[first:last + 1]):
        ln.reason = ln.reason or "gallery"
    found_title, found_byline = _mark_header(lines, meta_title)
    spans = _article_spans(lines, boxes)
    _mark_sidebar(lines, spans[0][0])
    _mark_runs(lines)
    _mark_captions(lines)
    _mark_repeats(lines, meta_title or found_title)
    _mark_bio(lines)
    _mark_outside(lines, spans)
    paragraphs, starts = _paragraphs(lines)
    return _article(source.id, meta, paragraphs, starts,
                    tuple(c for ln in lines if ln.reason == "caption"  # "" for a bare "Image:"
                          and (c := ln.text if ln.caption is None else ln.caption)),
                    _removed(lines), found_title, found_byline)


def _article(sid: SourceId, meta: Mapping[str, Any], paragraphs: tuple[str, ...], lines: tuple[int, ...],
             captions: tuple[str, ...], removed: tuple[Removed, ...], found_title: str | None = None,
             found_byline: str | None = None) -> Document:
    return Document(
        id=sid, kind="article", paragraphs=paragraphs, lines=lines,
        title=_meta_str(meta, "title") or found_title or _title_from(paragraphs) or _stem(sid),
        captions=captions, removed=removed, outlet=_meta_str(meta, "outlet"),
        byline=_meta_str(meta, "author") or found_byline, url=_meta_str(meta, "url"),
        date=_iso(meta.get("published")), meta=dict(meta))


def _clean_note(sid: SourceId, meta: Mapping[str, Any], text: str) -> Document:
    """Notes are the editor's own Markdown: split into blocks, nothing removed."""
    blocks = _note_blocks(text)
    heading = next((ln for ln in text.split("\n") if ln.strip()), "")
    return Document(
        id=sid, kind="note", paragraphs=blocks, markdown=text, meta=dict(meta),
        title=_meta_str(meta, "title") or heading.strip().lstrip("#").strip() or _stem(sid),
        outlet=_meta_str(meta, "outlet"), byline=_meta_str(meta, "author"),
        url=_meta_str(meta, "url"), date=_iso(meta.get("date")))


def _note_blocks(text: str) -> tuple[str, ...]:
    """A note's blank-line-separated blocks, a list cut into one block per item (at
    any depth): a sentence quoted from item 2 must not carry the end of item 1 and
    a "2." in its middle. Only the blocks used for linking and quoting are cut; the
    note page renders the Markdown itself."""
    # "\r" alone ends a line for markdown-it: made a space, its line numbers are ours
    items = {t.map[0] for t in _MARKDOWN_BLOCKS.parse(text.replace("\r", " "))
             if t.type == "list_item_open" and t.map}
    blocks: list[list[str]] = [[]]
    for i, line in enumerate(text.split("\n")):
        if not line.strip(" \t\r") or i in items:
            blocks.append([])
        if line.strip(" \t\r"):
            blocks[-1].append(line)
    return tuple(b for b in ("\n".join(lines).strip() for lines in blocks) if b)


def _split(text: str, first: int) -> list[_Line]:
    out: list[_Line] = []
    gap, block = 0, -1
    for i, raw in enumerate(text.split("\n")):
        # (a printable ASCII line without two spaces in a row, most, has no run to fold)
        t = raw.strip() if raw.isascii() and raw.isprintable() and "  " not in raw else _WS.sub(" ", raw).strip()
        if not t:
            gap += 1
            continue
        block += 1 if gap or not out else 0
        out.append(_Line(first + i, t, block, gap))
        gap = 0
    return out


def _mark_consent(lines: list[_Line]) -> None:
    """A cookie or consent banner, with the short lines (its buttons: "Accept all",
    "Manage settings") right around it."""
    for i, ln in enumerate(lines):
        if ln.reason is None and consent(ln.text):
            ln.reason = "consent"
            for near in (*lines[max(0, i - 2):i], *lines[i + 1:i + 5]):
                if near.reason is None and words(near.text) <= 4 and not ends_sentence(near.text):
                    near.reason = "consent"


def _mark_header(lines: list[_Line], meta_title: str | None) -> tuple[str | None, str | None]:
    """The lines before the first body sentence: navigation, headline, byline."""
    head: list[_Line] = []
    for ln in lines[:8]:
        if body_like(ln.text):
            break
        if not (furniture(ln.text) or _caption_cue(ln)):  # those are for later passes
            head.append(ln)
    byline = None
    for ln in head:
        if SIDEBAR.match(ln.text):
            ln.reason = "navigation"  # "Latest News" in a page header is a menu item
        elif m := BY.match(ln.text):
            ln.reason, byline = "byline", byline or m["name"]
        elif DATELINE.match(ln.text):
            ln.reason = "dateline"
    free = [ln for ln in head if ln.reason is None and title_like(ln.text)]
    # Headlines run to five words and more; a three-word line first is more
    # likely a section label ("World News Today") than the story's headline.
    pick = next((ln for ln in free if words(ln.text) >= 5), free[0] if free else None)
    title = None
    if pick is not None and not meta_title:
        title, pick.reason = pick.text.lstrip("#").strip(), "title"
    elif pick is not None and same_title(pick.text, meta_title or ""):
        pick.reason = "headline-repeat"
    for ln in (ln for ln in head if ln.reason is None):
        if word_key(ln.text) in (word_key(title or ""), word_key(meta_title or "")):
            ln.reason = "headline-repeat"
        elif bounds.tokens(ln.text) <= 4 and not ends_sentence(ln.text):  # tokens: CJK has no spaces
            ln.reason = "navigation"  # section labels: "World", "Asia Pacific"
    return title, byline


def _article_spans(lines: list[_Line], boxes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last) of each run of lines that is the article, in order (pipeline/bounds.py)."""
    # furniture that says what it is ("Advertisement", "Read more:", a captioned photo)
    # is found anywhere by its own rule: it neither makes nor ends an article; a note
    # ("^ Smith (2007) …") is never furniture, so its dates make no thread
    texts = [ln.text for ln in lines]
    notes = [bounds.note(t) for t in texts]
    weights: list[float] = []
    for unit in _wrapped(lines):
        w = bounds.weight(" ".join(ln.text for ln in unit)) / len(unit)
        weights += [0.0 if ln.reason or w < LONG_CAPTION and (furniture(ln.text) or _caption_cue(ln))
                    else w for ln in unit]
    weights = [max(w, 0.0) if note else w for note, w in zip(notes, weights)]
    for ln, w in zip(lines, weights):
        ln.weight = w
    seen = Counter(texts)
    marks = [w < 0 and (bounds.stamp(t) or seen[t] >= bounds.REPEATED and bounds.label(t))
             for t, w in zip(texts, weights)]  # a stamped line weighs as furniture: prose is never one
    return bounds.article(texts, weights, marks, notes, boxes)


LONG_CAPTION = 60  # prose weight (about words) past which a line is never a caption or furniture


def _wrapped(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped into the sentences they carry: a line that stops mid-sentence and
    is followed in its block by one starting in lower case was hard-wrapped."""
    units: list[list[_Line]] = []
    for i, ln in enumerate(lines):
        prev = lines[i - 1] if i else None
        if (prev is not None and prev.block == ln.block and not ends_sentence(prev.text)
                and ln.text[:1].islower()):
            units[-1].append(ln)
        else:
            units.append([ln])
    return units


def _mark_outside(lines: list[_Line], spans: list[tuple[int, int]]) -> None:
    """What lies before, between or after the article's spans is the site's."""
    inside = {i for first, last in spans for i in range(first, last + 1)}
    for i, ln in enumerate(lines):
        if ln.reason is None and i not in inside:
            ln.reason = bounds.outside_reason(ln.text)


def _mark_sidebar(lines: list[_Line], first: int) -> None:
    """A sidebar header in the second half ends the article; earlier, it labels a box.
    Never before the article's first line: there it is a menu item ("Sponsored Content")."""
    for i, ln in enumerate(lines):
        if ln.reason is None and SIDEBAR.match(ln.text):
            # ...never before the article's longest run of prose (the guard)
            if i >= len(lines) / 2 and i > first and i > bounds.longest_run([x.weight for x in lines])[1]:
                for rest in lines[i:]:
                    rest.reason = "sidebar"
                return
            ln.reason = "sidebar"
            _consume(lines, i + 1, "sidebar", 8, 25)


def _mark_runs(lines: list[_Line]) -> None:
    """Markers, and the runs of headline-shaped lines they introduce."""
    for i, ln in enumerate(lines):
        if ln.reason is not None:
            continue
        ln.reason = furniture(ln.text)
        if ln.reason == "video-note":
            _consume(lines, i + 1, "video-title", 3, 12)  # "Xi Jinping lands in Moscow"
        elif ln.reason == "teaser":
            _consume(lines, i + 1, "teaser", 5, 20)  # the teased headlines


def _consume(lines: list[_Line], start: int, reason: str, most: int, max_words: int) -> None:
    """Label up to `most` headline-shaped lines from `start`; stop at anything else."""
    for ln in lines[start:start + most]:
        if (ln.reason is not None or furniture(ln.text) or pull_quote(ln.text)
                or not headline_like(ln.text, max_words)):
            return
        ln.reason = reason


def _mark_captions(lines: list[_Line]) -> None:
    for ln in lines:
        if ln.reason is None:
            _caption_cue(ln, label=True)
    for ln, nxt in zip(lines, lines[1:]):
        if (ln.reason == "caption" and ln.caption == "" and nxt.reason is None
                and words(nxt.text) <= 60
                and (nxt.block == ln.block or headline_like(nxt.text, 60))):
            nxt.reason = "caption"  # what a bare "Image:" announces
    shaped = [ln.reason is None and not pull_quote(ln.text) and not ln.text.startswith("#")
              and headline_like(ln.text, 30) for ln in lines]
    for i, ln in enumerate(lines):
        # A headline-shaped line next to a caption in its block is its title or alt text
        # (not the block's every line: a text scrape prints a list as one block); one set
        # off by two or more blank lines is a picture's caption, unless the lines around
        # it are of its shape too: a list with space between its items.
        beside = any(0 <= j < len(lines) and lines[j].reason == "caption" and lines[j].block == ln.block
                     for j in (i - 1, i + 1))
        alone = not (i and shaped[i - 1] or i + 1 < len(lines) and shaped[i + 1])
        if shaped[i] and (beside or ln.gap >= 2 and alone):
            ln.reason = "caption"


def _caption_cue(ln: _Line, label: bool = False) -> bool:
    """Does the line itself say it is a caption or a credit? Optionally label it."""
    parts = caption_parts(ln.text)
    if parts and label:
        ln.reason, ln.caption, credit = parts
        ln.credit = credit if ln.reason == "caption" else None
    return parts is not None


def _mark_repeats(lines: list[_Line], title: str | None) -> None:
    """A line printed again right after itself (NBC prints each caption twice,
    the second time with the credit glued on), and the title repeated in the body."""
    for a, b in zip(lines, lines[1:]):
        same = (a.caption if a.credit else a.text) == (b.caption if b.credit else b.text)
        if not same or a.reason not in (None, "caption", b.reason):
            continue
        if "caption" in (a.reason, b.reason):
            a.reason, b.reason = "caption", "repeated-caption"
        elif b.reason is None:
            b.reason = a.reason or "repeat"
    tkey = word_key(title or "")
    for ln in lines:
        if ln.reason is None and tkey and word_key(ln.text) == tkey:
            ln.reason = "headline-repeat"


def _mark_bio(lines: list[_Line]) -> None:
    """An author bio in the last lines of the body ("X is a correspondent at …")."""
    body = [ln for ln in lines if ln.reason is None]
    for k in range(max(0, len(body) - 3), len(body)):
        t, prev = body[k].text, (body[k - 1] if k else None)
        named = bio_named(t, prev.text if prev else None)
        if is_bio(t, named):
            for ln in body[k - 1 if named else k:]:
                ln.reason = "byline"
            return


def _paragraphs(lines: list[_Line]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Body lines, joined within a block unless a line ends a sentence (scrapers
    often print one paragraph a line; hard-wrapped text breaks mid-sentence) or the
    next starts an item of a list; and the file line each paragraph starts on."""
    out: list[str] = []
    starts: list[int] = []
    prev: _Line | None = None
    for i, ln in enumerate(lines):
        if ln.reason is not None:
            continue
        if prev and prev.block == ln.block and lines[i - 1] is prev \
                and not ends_sentence(prev.text) and not bounds.item(ln.text):
            out[-1] += " " + ln.text
        else:
            out.append(ln.text)
            starts.append(ln.n)
        prev = ln
    return tuple(out), tuple(starts)


def _removed(lines: list[_Line]) -> tuple[Removed, ...]:
    out: list[Removed] = []
    for ln in lines:
        if ln.reason is None:
            continue
        if ln.credit:  # the line, then the credit cut off its end
            out.append(Removed(ln.text.rsplit(ln.credit, 1)[0].strip(" |•"), ln.reason, ln.n))
            out.append(Removed(ln.credit, "credit", ln.n))
        else:
            out.append(Removed(ln.text, ln.reason, ln.n))
    return tuple(out)


def _title_from(paragraphs: tuple[str, ...]) -> str | None:
    """The first sentence, cut at a clause boundary when it runs long."""
    if not paragraphs:
        return None
    sentence = re.split(r"(?<=[.!?])\s", paragraphs[0], maxsplit=1)[0].strip()
    if len(sentence) <= 90:
        return sentence.rstrip(".")
    head = sentence[:90]
    cut = max(head.rfind(","), head.rfind(";"), head.rfind(" –"), head.rfind(" —"))
    cut = cut if cut >= 30 else head.rfind(" ")
    return sentence[: cut if cut > 0 else 80].rstrip(" ,;–—") + "…"


def _meta_str(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if v is not None)
    return (" ".join(str(value).split()) or None) if value is not None else None


def _iso(value: Any) -> str | None:
    """meta dates as ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY"; anything else is None."""
    if isinstance(value, (date, datetime)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    m = _ISO.match(value.strip()) if isinstance(value, str) else None
    return m[0] if m else None


def _stem(sid: Any) -> str:
    return PurePosixPath(str(sid)).stem or "untitled"
