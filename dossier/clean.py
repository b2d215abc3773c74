"""clean: a Source becomes the Document a reader should see.

Scraped pages wrap the story in site furniture: navigation, video-player notes,
"Read more" teasers, captions with agency credits, sidebars of other stories,
bios of people who did not write it. Every copy rewords its junk, so each kind
is found by a rule (a family of wordings, a position, a shape), not a line list.
Nothing goes silently: each piece taken out is a `Removed` with reason and file
line (the /sources/ audit trail); captions are also kept as their own stream,
since they carry facts (names, dates) the body lacks.

Passes run over one list of lines, strongest rule first; each labels what it
knows and leaves the rest, and the unlabelled lines are the body.

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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, Mapping

from dossier.models import Document, Removed, Source, SourceId

# Collapsed inside a line: NBSP and kin, and "\r" so CRLF leaves nothing behind.
_WS = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CLOSERS = "”’\"')]»›"
_OPEN_QUOTES = "“‘\"'«"

# Whole-line furniture, matched against the full line, so an ordinary sentence
# that merely starts with "Search" or "Related" is safe.
_NAV = re.compile(
    r"(?i)^(?:connect with us|follow us(?: on \w+)?|social navigation|toggle navigation|"
    r"navigation|skip to (?:main )?content|(?:main |open |close )?menu|search|home|"
    r"sign in|log ?in|register|subscribe|(?:hi,? )?what are you looking for\??|"
    r"breadcrumbs?|share(?: this)?(?: article| story| on \w+)?|print|email|close)$")
# What a player leaves when it cannot show the video ("use Chrome browser for a
# more accessible video player"), and "Watch:"/"Video:" labels.
_VIDEO = re.compile(
    r"(?i)(?:\b(?:use|using|switch to|try|upgrade)\b.{0,40}\b(?:browser|chrome|firefox|safari)\b"
    r".{0,40}\bvideo\b|\b(?:for|to access|to use) (?:a|the) (?:more accessible|better) video "
    r"player|your browser (?:does not|doesn'?t|cannot|can'?t) (?:support|play)|"
    r"(?:enable|turn on) javascript|this video (?:is|can ?not|cannot|isn'?t)\b|"
    r"video (?:unavailable|is not available)|click (?:here )?to (?:watch|play)|"
    r"^(?:watch|video|play video|watch now|watch video|watch the video|watch live|"
    r"media caption)\b\s*(?:[:：|–—-]|$))")
# "Read more:" and kin; text after the colon is itself a teaser headline.
_TEASER = re.compile(
    r"(?i)^(?:read more|read also|also read|more reading|continue reading|keep reading|"
    r"related|related (?:stories|articles?|content|coverage|reading|links?|topics|news)|"
    r"see also|more on (?:this|that) (?:story|topic)|recommended(?: reading)?|"
    r"further reading|don'?t miss|must read|in other news)\s*(?:[:：»›|–—-]\s*.*)?$")
# Headers of boxes of other stories; near the end of a page they end the article.
_SIDEBAR = re.compile(
    r"(?i)^(?:products you may like|(?:you|readers) (?:may|might) also (?:like|enjoy)|"
    r"latest tweets|related posts|more stories|more from (?:this|our) \w+|"
    r"recommended for you|most (?:read|popular|viewed|shared)|popular (?:posts|stories|now)|"
    r"top stories|trending(?: stories| now| articles)?|leave a (?:reply|comment)|"
    r"\d* ?comments?|share this:?|like this:?|tags?:.*|sponsored (?:stories|links|content)|"
    r"(?:from )?around the web|more in [\w ]{1,30}|what to read next|latest news|"
    r"you may be interested in)$")
_SOURCE = re.compile(
    r"(?i)^(?:(?:sources?|source link|via|originally published|first published)"
    r"(?: (?:on|at|in|by))?\s*[:：]\s*\S.*|(?:originally|first) published (?:on|at|in|by) .+|"
    r"(?:read|see|view) the original (?:article|story|post)\b.*)$")
_BOILER = re.compile(
    r"(?i)^(?:advertisement|advert|ad|sponsored(?: content\b.*)?|"
    r"breaking news(?:\s*[-–—:|].*)?|listen to (?:this|the) (?:article|story)\b.*|"
    r"(?:sign up|subscribe)\b.*\b(?:newsletter|inbox|briefing|updates)\b.*|"
    r"follow us (?:on|for)\b.*|copyright (?:©\s*)?\d{4}\b.*|©.*|.*\ball rights reserved\.?|"
    r"this (?:story|article|report) (?:has been|was) (?:updated|produced|corrected)\b.*|"
    r"our standards:.*|(?:click|tap) here\b.*|download (?:the|our) app\b.*|"
    r"\((?:additional )?(?:reporting|writing|editing) by\b.*\))$")
_DATELINE = re.compile(r"(?i)^(?:published|updated|posted|last updated)\b(?=.*\d).{0,60}$")
# "Image:" / "Image Xi Jinping was…" (a capital must follow, so "Image is…" is prose).
_IMAGE = re.compile(r"^(?:Image|IMAGE|Photo|PHOTO|Picture|Photograph|Pictured|Caption|Image "
                    r"caption|Photo caption)(?:\s*[:：,–—-]\s*|\s+(?=[A-Z“‘\"]))(.*)$")
_IMAGE_CREDIT = re.compile(r"^(?:Image|Photo|Picture)s? (?:source|credit)s?\b")
# What marks a credit: a "Name/Agency" slash, "via", agency and picture-desk words.
_CREDIT_CUE = re.compile(
    r"/|\bvia\b|\bGetty\b|\bImages\b|\bPhoto(?:graph)?s?\b|\bCredit\b|©|\b(?:REUTERS|Reuters|"
    r"AP|AFP|EPA|Bloomberg|Xinhua|TASS|Sputnik|Shutterstock|Alamy|Kyodo|Yonhap|Anadolu|"
    r"NurPhoto|SOPA|NBC News|CNN|BBC)\b|\bFile\.?$")
_CREDIT_SMALL = {"via", "by", "for", "and", "of", "the", "de", "da", "von", "van", "der",
                 "la", "le", "file", "courtesy", "handout", "pool", "staff", "/", "-", "|"}
# Sentence seams in a caption, including the glued ".Fred Dufour/NBC News".
_CHUNK_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[a-z0-9)”’][.!?])(?=[A-Z])|\s+[|•]\s+")
_PAREN_TAIL = re.compile(r"\s*\(([^()]{1,80})\)$")
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}"
_NAME_LINE = re.compile(rf"^{_NAME}$")
_BY = re.compile(rf"^(?:By|BY|Written by|Words by)\s+(?P<name>{_NAME}(?: (?:and|&) {_NAME})?)"
                 r"(?:\s*[,|;–—-].*)?$")
_BIO = re.compile(
    rf"^(?:{_NAME} (?:is|was|has been|reports|writes|covers)\b.{{0,80}}?"
    r"\b(?:correspondent|reporter|editor|journalist|writer|columnist|producer|contributor|"
    r"presenter|anchor|photographer|bureau chief|freelance)|(?i:about the authors?:?$))")
_HOUSE = re.compile(r"\b(?:at|for|with) (?:the )?[A-Z]|\bbased in\b|^[Aa]bout the author")
_ISO = re.compile(r"^\d{4}(?:-\d\d(?:-\d\d)?)?")


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


def clean(source: Source) -> Document:
    """Clean one source; pure, and total: any text gives a Document."""
    meta = source.meta if isinstance(source.meta, Mapping) else {}
    text = source.text if isinstance(source.text, str) else ""
    if source.kind != "article":
        return _clean_note(source.id, meta, text)
    lines = _split(text, source.body_line if isinstance(source.body_line, int) else 1)
    meta_title = _meta_str(meta, "title")
    found_title, found_byline = _mark_header(lines, meta_title)
    _mark_sidebar(lines)
    _mark_runs(lines)
    _mark_captions(lines)
    _mark_repeats(lines, meta_title or found_title)
    _mark_bio(lines)
    paragraphs = _paragraphs(lines)
    return Document(
        id=source.id, kind="article", paragraphs=paragraphs,
        title=meta_title or found_title or _title_from(paragraphs) or _stem(source.id),
        captions=tuple(c for ln in lines if ln.reason == "caption"  # "" for a bare "Image:"
                       and (c := ln.text if ln.caption is None else ln.caption)),
        removed=_removed(lines), outlet=_meta_str(meta, "outlet"),
        byline=_meta_str(meta, "author") or found_byline, url=_meta_str(meta, "url"),
        date=_iso(meta.get("published")), meta=dict(meta))


def _clean_note(sid: SourceId, meta: Mapping[str, Any], text: str) -> Document:
    """Notes are the editor's own Markdown: split into blocks, nothing removed."""
    blocks = tuple(b.strip() for b in re.split(r"\n[ \t\r]*\n", text) if b.strip())
    heading = next((ln for ln in text.split("\n") if ln.strip()), "")
    return Document(
        id=sid, kind="note", paragraphs=blocks, markdown=text, meta=dict(meta),
        title=_meta_str(meta, "title") or heading.strip().lstrip("#").strip() or _stem(sid),
        outlet=_meta_str(meta, "outlet"), byline=_meta_str(meta, "author"),
        url=_meta_str(meta, "url"), date=_iso(meta.get("date")))


def _split(text: str, first: int) -> list[_Line]:
    out: list[_Line] = []
    gap, block = 0, -1
    for i, raw in enumerate(text.split("\n")):
        t = _WS.sub(" ", raw).strip()
        if not t:
            gap += 1
            continue
        block += 1 if gap or not out else 0
        out.append(_Line(first + i, t, block, gap))
        gap = 0
    return out


def _words(t: str) -> int:
    return len(t.split())


def _ends_sentence(t: str) -> bool:
    return t.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…")


def _headline_like(t: str, max_words: int) -> bool:
    """Shaped like a headline or a label: short, no closing punctuation."""
    return not _ends_sentence(t) and not t.endswith(":") and _words(t) <= max_words


def _pull_quote(t: str) -> bool:
    return len(t) > 2 and t[0] in _OPEN_QUOTES and t[-1] in _CLOSERS[:3]


def _key(t: str) -> str:
    return " ".join(re.findall(r"\w+", t.casefold()))


_FURNITURE = (("navigation", _NAV.match), ("video-note", _VIDEO.search),
              ("teaser", _TEASER.match), ("source-line", _SOURCE.match),
              ("boilerplate", _BOILER.match), ("credit", _IMAGE_CREDIT.match))


def _furniture(t: str) -> str | None:
    """The reason for a line that is junk wherever it stands, judged on its own."""
    n = _words(t)
    if n > 25:
        return None
    return next((r for r, test in _FURNITURE if test(t) and (n <= 8 or r != "source-line")), None)


def _mark_header(lines: list[_Line], meta_title: str | None) -> tuple[str | None, str | None]:
    """The lines before the first body sentence: navigation, headline, byline."""
    head: list[_Line] = []
    for ln in lines[:8]:
        if _body_like(ln.text):
            break
        if not (_furniture(ln.text) or _caption_cue(ln)):  # those are for later passes
            head.append(ln)
    byline = None
    for ln in head:
        if _SIDEBAR.match(ln.text):
            ln.reason = "navigation"  # "Latest News" in a page header is a menu item
        elif m := _BY.match(ln.text):
            ln.reason, byline = "byline", byline or m["name"]
        elif _DATELINE.match(ln.text):
            ln.reason = "dateline"
    free = [ln for ln in head if ln.reason is None and _title_like(ln.text)]
    # Headlines run to five words and more; a three-word line first is more
    # likely a section label ("World News Today") than the story's headline.
    pick = next((ln for ln in free if _words(ln.text) >= 5), free[0] if free else None)
    title = None
    if pick is not None and not meta_title:
        title, pick.reason = pick.text.lstrip("#").strip(), "title"
    elif pick is not None and _same_title(pick.text, meta_title or ""):
        pick.reason = "headline-repeat"
    for ln in (ln for ln in head if ln.reason is None):
        if _key(ln.text) in (_key(title or ""), _key(meta_title or "")):
            ln.reason = "headline-repeat"
        elif _words(ln.text) <= 4 and not _ends_sentence(ln.text):
            ln.reason = "navigation"  # section labels: "World", "Asia Pacific"
    return title, byline


def _body_like(t: str) -> bool:
    if _furniture(t) or _IMAGE.match(t) or _split_credit(t):
        return False
    # Any sentence ends the header, however short ("It was cold."), so that a
    # subheading further down can never be taken for the headline.
    return (_ends_sentence(t) and not t.endswith("?")) or _words(t) > 30


def _title_like(t: str) -> bool:
    t = t.lstrip("#").strip()
    n = _words(t)
    return 3 <= n <= 25 and not t.rstrip(_CLOSERS).endswith(".") and (
        not t.endswith("?") or n <= 12) and not _pull_quote(t)


def _same_title(a: str, b: str) -> bool:
    """Near enough that the text's headline is the meta title reworded or cut."""
    wa, wb = set(_key(a).split()), set(_key(b).split())
    return bool(wa and wb) and len(wa & wb) >= 0.6 * min(len(wa), len(wb))


def _mark_sidebar(lines: list[_Line]) -> None:
    """A sidebar header in the second half ends the article; earlier, it labels a box."""
    for i, ln in enumerate(lines):
        if ln.reason is None and _SIDEBAR.match(ln.text):
            if i >= len(lines) / 2:
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
        ln.reason = _furniture(ln.text)
        if ln.reason == "video-note":
            _consume(lines, i + 1, "video-title", 3, 12)  # "Xi Jinping lands in Moscow"
        elif ln.reason == "teaser":
            _consume(lines, i + 1, "teaser", 5, 20)  # the teased headlines


def _consume(lines: list[_Line], start: int, reason: str, most: int, max_words: int) -> None:
    """Label up to `most` headline-shaped lines from `start`; stop at anything else."""
    for ln in lines[start:start + most]:
        if (ln.reason is not None or _furniture(ln.text) or _pull_quote(ln.text)
                or not _headline_like(ln.text, max_words)):
            return
        ln.reason = reason


def _mark_captions(lines: list[_Line]) -> None:
    for ln in lines:
        if ln.reason is None:
            _caption_cue(ln, label=True)
    for ln, nxt in zip(lines, lines[1:]):
        if (ln.reason == "caption" and ln.caption == "" and nxt.reason is None
                and _words(nxt.text) <= 60
                and (nxt.block == ln.block or _headline_like(nxt.text, 60))):
            nxt.reason = "caption"  # what a bare "Image:" announces
    captioned = {ln.block for ln in lines if ln.reason == "caption"}
    for ln in lines:
        if (ln.reason is not None or _pull_quote(ln.text) or ln.text.startswith("#")
                or not _headline_like(ln.text, 30)):
            continue
        # A headline-shaped line sharing a block with a caption is its title or
        # alt text; one set off by two or more blank lines is a picture's caption.
        if ln.block in captioned or ln.gap >= 2:
            ln.reason = "caption"


def _caption_cue(ln: _Line, label: bool = False) -> bool:
    """Does the line itself say it is a caption or a credit? Optionally label it."""
    t = ln.text
    if m := _IMAGE.match(t):
        caption, credit = _split_credit(m[1]) or (m[1], None)
        reason = "credit" if credit and not caption else "caption"  # "Photo: AP"
    elif (parts := _split_credit(t)) and _words(parts[0]) <= 60:
        caption, credit = parts
        reason = "caption" if caption else "credit"
    else:
        return False
    if label:
        ln.reason, ln.caption, ln.credit = reason, caption, credit if reason == "caption" else None
    return True


def _split_credit(t: str) -> tuple[str, str] | None:
    """Split "caption. Name/Agency" into (caption, credit); None if no credit ends it."""
    m = _PAREN_TAIL.search(t)
    if m and _credit_like(m[1]):
        return t[:m.start()].strip(), m[0].strip()
    starts = [0] + [b.end() for b in _CHUNK_BREAK.finditer(t)]
    cut, cued = None, False
    for s, e in reversed(list(zip(starts, starts[1:] + [len(t)]))):
        chunk = t[s:e].strip(" |•")
        if _credit_like(chunk):
            cut, cued = s, True
        elif _shouting(chunk) and not cued:
            cut = s  # "NO COMMERCIAL OR EDITORIAL SALES" after an agency credit
        else:
            break
    if cut is None or not cued:
        return None
    return t[:cut].strip(" |•"), t[cut:].strip(" |•")


def _credit_like(chunk: str) -> bool:
    """A short run of capitalised names with a credit cue: "Fred Dufour/NBC News"."""
    words = chunk.split()
    if not words or len(words) > 12 or not _CREDIT_CUE.search(chunk):
        return False
    content = [w for w in words if w.casefold().strip(".,:;()") not in _CREDIT_SMALL]
    return all(w[0].isupper() or w[0].isdigit() or w[0] in "(©/" or "/" in w for w in content)


def _shouting(chunk: str) -> bool:
    letters = [c for c in chunk if c.isalpha()]
    return _words(chunk) >= 2 and len(letters) >= 6 and all(c.isupper() for c in letters)


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
    tkey = _key(title or "")
    for ln in lines:
        if ln.reason is None and tkey and _key(ln.text) == tkey:
            ln.reason = "headline-repeat"


def _mark_bio(lines: list[_Line]) -> None:
    """An author bio in the last lines of the body ("X is a correspondent at …")."""
    body = [ln for ln in lines if ln.reason is None]
    for k in range(max(0, len(body) - 3), len(body)):
        t, prev = body[k].text, (body[k - 1] if k else None)
        named = bool(prev and _NAME_LINE.match(prev.text) and t.startswith(prev.text.split()[0]))
        # Without its name line above, a bio must name a house ("at the Thomson
        # Reuters Foundation", "based in Brussels"): a closing sentence about a
        # local editor is not one.
        if _BIO.match(t) and (named or _HOUSE.search(t)):
            for ln in body[k - 1 if named else k:]:
                ln.reason = "byline"
            return


def _paragraphs(lines: list[_Line]) -> tuple[str, ...]:
    """Body lines, joined within a block unless a line ends a sentence (scrapers
    often print one paragraph a line; hard-wrapped text breaks mid-sentence)."""
    out: list[str] = []
    prev: _Line | None = None
    for i, ln in enumerate(lines):
        if ln.reason is not None:
            continue
        if prev and prev.block == ln.block and lines[i - 1] is prev \
                and not _ends_sentence(prev.text):
            out[-1] += " " + ln.text
        else:
            out.append(ln.text)
        prev = ln
    return tuple(out)


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
