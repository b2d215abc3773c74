"""html: a saved web page (content/articles/*.html) → its article as text.

The article and its metadata come from trafilatura, an extractor made for this job
(favor_recall, comments left out: measured on a dev set of 91 real pages in
docs/benchmarks.md). What it did not keep is accounted for here, from our own walk
of the page: every visible block of text, with the line of the file it starts on
and a reason read off where it sat (a <nav> is "navigation", an <aside> a
"sidebar", a block whose class says "cookie" is "consent"...). <figcaption> text
is the caption stream, as "Image: …" lines are for a text scrape.

The page is evidence and is untrusted: nothing leaves here but text. Scripts, styles,
templates and hidden elements are never read as text; attribute values never become
text; markup is never kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping

import lxml.html
from lxml import etree

from ..models import Removed
from .junk import caption_parts

# Elements whose content a reader never sees as text.
_UNSEEN = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg",
           "math", "iframe", "object", "embed", "canvas", "video", "audio", "source", "track",
           "map", "img", "picture", "input", "textarea", "select", "option"}
# Elements that start a new block of text (everything else flows inline).
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
           "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
           "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre",
           "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br",
           "center", "html", "button", "label", "legend"}
# Where a block sat → why it is not the article. Tags and ARIA roles first, then words
# of class/id (the site's own names for its furniture; English, as most class names are).
_TAG_REASON = {"nav": "navigation", "menu": "navigation", "header": "header", "footer": "footer",
               "aside": "sidebar", "form": "form", "button": "navigation"}
_ROLE_REASON = {"navigation": "navigation", "menubar": "navigation", "menu": "navigation",
                "banner": "header", "contentinfo": "footer", "complementary": "sidebar",
                "search": "navigation", "dialog": "consent", "alertdialog": "consent"}
_CLASS_REASON = (("consent", re.compile(r"cookie|consent|gdpr|cmp\b")),
                 ("comments", re.compile(r"comment|disqus|respon[sd]")),
                 ("share", re.compile(r"share|social|sharing")),
                 ("newsletter", re.compile(r"newsletter|subscri|signup|sign-up|paywall")),
                 ("teaser", re.compile(r"related|recommend|more-stories|popular|trending|promo|outbrain|taboola")),
                 ("boilerplate", re.compile(r"(?:^|[-_ ])(?:ad|ads|advert\w*|sponsor\w*|banner)(?:$|[-_ ])")),
                 ("navigation", re.compile(r"(?:^|[-_ ])(?:nav\w*|menu\w*|breadcrumbs?|masthead|toolbar)(?:$|[-_ ])")),
                 ("footer", re.compile(r"footer")),
                 ("sidebar", re.compile(r"sidebar|widget")),
                 ("byline", re.compile(r"byline|author")))
_WS = re.compile(r"\s+")
_KEY = re.compile(r"\w+")
OPTIONS = dict(favor_recall=True, include_comments=False, include_tables=True, include_images=False,
               with_metadata=True)
# trafilatura's XML: the elements that are one paragraph each (cells go by row)
_PARAGRAPH = {"p", "head", "item", "row", "code", "quote"}
_CONTAINERS = {"list", "table", "quote", "div", "body"}


@dataclass(frozen=True)
class Page:
    """What a saved web page gives clean: the article, and what was not kept."""

    paragraphs: tuple[str, ...]
    lines: tuple[int, ...]  # file line where each paragraph's text starts
    captions: tuple[str, ...]
    removed: tuple[Removed, ...]
    meta: Mapping[str, str]  # title, author, published, outlet, url, as the page says them


@dataclass(frozen=True)
class _Block:
    text: str
    line: int
    reason: str | None  # from where it sat; None inside the page's ordinary flow
    caption: bool


def read_page(html: str) -> Page:
    """The article of one page; total: any text gives a Page (maybe empty)."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return Page((), (), (), (), {})
    blocks = list(_walk(tree))
    # imported with the first page: trafilatura and what it imports take 0.1 s that a
    # dossier of text files would spend on one core before anything else
    from trafilatura import bare_extraction
    try:
        found = bare_extraction(lxml.html.document_fromstring(html), **OPTIONS)
    except Exception:  # noqa: BLE001  trafilatura on a page it cannot take: the guard below reads it
        found = None
    captions, credits = _captions([b for b in blocks if b.caption])
    kept = _paragraphs(found.body) if found is not None and found.body is not None else []
    meta = _meta(found)
    # the headline printed above the text is the title, as in a text scrape, not body
    caption_keys = {_key(b.text) for b in blocks if b.caption} | {_key(meta.get("title", ""))}
    kept = [p for p in kept if _key(p) not in caption_keys]
    if not kept:  # nothing found: the page's own flow, furniture left out, rather than nothing
        kept = [b.text for b in blocks if b.reason is None and not b.caption]
    lines = _lines(kept, blocks)
    keys = [_key(p) for p in kept]
    joined = f" {' '.join(keys)} "
    title = _key(meta.get("title", ""))
    removed = tuple(Removed(b.text, "headline-repeat" if _key(b.text) == title else b.reason or "not-article",
                            b.line) for b in blocks
                    if not b.caption and not _was_kept(_key(b.text), set(keys), joined))
    return Page(tuple(kept), lines, captions, tuple(sorted(removed + credits, key=lambda r: r.line)), meta)


def _captions(blocks: list[_Block]) -> tuple[tuple[str, ...], tuple[Removed, ...]]:
    """<figcaption> text as captions, the photo credit cut off as for a text scrape
    ("… Credit Ashraf Shazly/Agence France-Presse"): a credit is not the story's."""
    captions, credits = {}, []
    for b in blocks:
        reason, caption, credit = caption_parts(b.text) or ("caption", b.text, None)
        if credit:
            credits.append(Removed(credit, "credit", b.line))
        if reason == "caption" and caption:
            captions.setdefault(caption, None)
    return tuple(captions), tuple(credits)


def _meta(found) -> dict[str, str]:
    if found is None:
        return {}
    pairs = (("title", found.title), ("author", _authors(found.author)), ("published", found.date),
             ("outlet", found.sitename or found.hostname), ("url", found.url))
    return {k: " ".join(str(v).split()) for k, v in pairs if v and str(v).strip()}


def _authors(names: str | None) -> str | None:
    """The page's authors once each: a byline and a meta tag often name the same person
    twice ("Jeffrey Gettleman; JEFFREY GETTLEMAN")."""
    seen = {}
    for name in (names or "").split(";"):
        seen.setdefault(" ".join(name.split()).casefold(), " ".join(name.split()))
    return "; ".join(v for v in seen.values() if v) or None


def _paragraphs(body) -> list[str]:
    """trafilatura's XML body → one string per paragraph, list item or table row."""
    out: list[str] = []

    def visit(el) -> None:
        if el.tag in _PARAGRAPH and not (el.tag == "quote" and any(c.tag in _PARAGRAPH for c in el)):
            cells = [_text(c) for c in el if c.tag == "cell"] if el.tag == "row" else [_text(el)]
            text = " | ".join(c for c in cells if c)
            if text:
                out.append(text)
            return
        if el.tag not in _CONTAINERS:  # an inline element loose in a container
            if text := _text(el):
                out.append(text)
            return
        if el.text and el.text.strip():
            out.append(_WS.sub(" ", el.text).strip())
        for child in el:
            visit(child)
            if child.tail and child.tail.strip():
                out.append(_WS.sub(" ", child.tail).strip())
    visit(body)
    return out


def _text(el) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip()


def _walk(tree) -> Iterator[_Block]:
    """The page's visible text as blocks, in order, each with its line and the reason
    its nearest telling ancestor gives."""
    buf: list[str] = []
    start = [0]
    where: list[tuple[str | None, bool]] = [(None, False)]

    def flush():
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            reason, caption = where[-1]
            return _Block(text, start[0] or 1, reason, caption)
        return None

    def visit(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _UNSEEN or _hidden(el):
            return  # comments, processing instructions, unseen or hidden elements: tail only
        block = tag in _BLOCKS
        if block and (b := flush()):
            yield b
        reason, caption = where[-1]
        where.append((reason or _reason(el, tag), caption or tag == "figcaption"))
        if el.text:
            if not buf or not "".join(buf).strip():
                start[0] = el.sourceline or start[0]
            buf.append(el.text)
        for child in el:
            yield from visit(child)
            if child.tail:
                if not "".join(buf).strip():
                    start[0] = child.sourceline or start[0]
                buf.append(child.tail)
        if block and (b := flush()):
            yield b
        where.pop()
        if block:
            buf.append(" ")

    body = tree.find("body")
    yield from visit(body if body is not None else tree)
    if b := flush():
        yield b


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _reason(el, tag: str) -> str | None:
    if tag in _TAG_REASON:
        return _TAG_REASON[tag]
    if role := _ROLE_REASON.get((el.get("role") or "").strip().lower()):
        return role
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if tag in ("article", "main") or not names.strip():
        return None
    return next((r for r, pattern in _CLASS_REASON if pattern.search(names)), None)


def _key(text: str) -> str:
    return " ".join(_KEY.findall(text.casefold()))


def _was_kept(key: str, keys: set[str], joined: str) -> bool:
    """Is this block's text in what was kept? Whole, or as a run of four words and more
    (the extractor splits and joins blocks); a short one only as a whole paragraph, so that a
    menu's "Home" is not taken as kept because the article says "home"."""
    if not key or key in keys:
        return True
    if len(key.split()) < 4:
        return False
    return f" {key} " in joined or any(len(k.split()) >= 4 and f" {k} " in f" {key} " for k in keys)


def _lines(paragraphs: list[str], blocks: list[_Block]) -> tuple[int, ...]:
    """The file line of each kept paragraph: the first block at or after the last one
    matched whose text holds its first words (trafilatura's tree has lost the lines)."""
    out, at, last = [], 0, 1
    keys = [_key(b.text) for b in blocks]
    for p in paragraphs:
        head = " ".join(_key(p).split()[:8])
        hit = next((i for i in range(at, len(blocks)) if head and head in keys[i]), None)
        if hit is None:
            hit = next((i for i in range(len(blocks)) if head and head in keys[i]), None)
        if hit is not None:
            at, last = hit, blocks[hit].line
        out.append(last)
    return tuple(out)
