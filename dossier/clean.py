"""clean: a Source becomes the Document a reader should see.

Scraped articles carry site furniture around the story: navigation, video-player
notes, "Read more" teasers, photo captions with agency credits, sidebars of other
stories, bios of people who did not write the piece. clean() takes each piece out
by a *rule* (a family of wordings, a position, a shape) rather than a list of
exact lines, because every copy of a story rewords its junk differently.

Nothing is thrown away silently: every piece taken out is a `Removed` with its
reason and file line (the /sources/ audit trail), and captions are also kept as
their own stream, since they carry facts (names, dates) the body lacks.

The work is done line by line, in passes over one list; each pass labels lines
it recognises and leaves the rest alone, so later (weaker) rules only see what
the earlier (stronger) ones did not claim. The unlabelled lines are the body.

Decisions (see also tests/test_clean.py):
- A line quoted from end to end ("‘No one else wants to be friends with us’")
  is a pull quote and stays a paragraph: it is someone's words, i.e. evidence.
- Photo credits are cut off captions: the caption text goes to `captions`, the
  credit ("Kommersant Photo/… via REUTERS RUSSIA OUT. …") only to `removed` as
  "credit", so people named in credits are not linked as if in the story.
- A title found in the text is not listed in `removed` (it is shown, as the
  title); its repeats are ("headline-repeat").
- A bio at the end ("X is a correspondent at …") is removed as "byline" but never
  becomes Document.byline: on scraped pages it is usually the host site's
  writer. Only a "By Name" line in the header, or meta["author"], sets it.
- Extra reasons beyond the usual set: "boilerplate" (advertisement markers,
  newsletter and copyright lines), "dateline" (a bare date line in the header)
  and "repeat" (a body line printed twice in a row).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, Mapping

from dossier.models import Document, Removed, Source, SourceId

# Whitespace to collapse inside a line (NBSP and friends included); "\r" too, so
# stray CRLF endings cannot leave a visible character behind.
_WS = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CLOSERS = "”’\"')]»›"
_OPEN_QUOTES = "“‘\"'«"

# Whole-line site furniture. Matched case-insensitively against the full line, so
# an ordinary sentence that merely starts with "Search" or "Related" is safe.
_NAV = re.compile(
    r"(?i)^(?:connect with us|follow us(?: on \w+)?|social navigation|toggle navigation|"
    r"navigation|skip to (?:main )?content|(?:main |open |close )?menu|search|home|"
    r"sign in|log ?in|register|subscribe|(?:hi,? )?what are you looking for\??|"
    r"breadcrumbs?|share(?: this)?(?: article| story| on \w+)?|print|email|close)$")
# Notes a player leaves when it cannot show the video ("use Chrome browser for a
# more accessible video player"), and "Watch:"/"Video:" labels.
_VIDEO = re.compile(
    r"(?i)(?:\b(?:use|using|switch to|try)\b.{0,40}\bbrowser\b.{0,40}\bvideo\b|"
    r"\bvideo player\b|your browser (?:does not|doesn'?t|cannot|can'?t) (?:support|play)|"
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
    r"(?i)^(?:advertisement|advert|ad|sponsored(?: content\b.*)?|breaking news(?:\s*[-–—:|].*)?|"
    r"listen to (?:this|the) (?:article|story)\b.*|"
    r"(?:sign up|subscribe)\b.*\b(?:newsletter|inbox|briefing|updates)\b.*|"
    r"follow us (?:on|for)\b.*|copyright (?:©\s*)?\d{4}\b.*|©.*|.*\ball rights reserved\.?|"
    r"this (?:story|article|report) (?:has been|was) (?:updated|produced|corrected)\b.*|"
    r"our standards:.*|(?:click|tap) here\b.*|download (?:the|our) app\b.*)$")
_REPORTING = re.compile(r"(?i)^\((?:additional )?(?:reporting|writing) by\b.*\)$")
# "Image:" / "Image Xi Jinping was…" (a capital must follow, so "Image is…" is prose).
_IMAGE = re.compile(r"^(?:Image|IMAGE|Photo|PHOTO|Picture|Photograph|Pictured|Caption|"
                    r"Image caption|Photo caption)(?:\s*[:：,–—-]\s*|\s+(?=[A-Z“‘\"]))(.*)$")
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
_BY = re.compile(rf"^(?:By|BY|Written by|Words by)\s+(?P<name>{_NAME}(?: (?:and|&) {_NAME})?)"
                 r"(?:\s*[,|;–—-].*)?$")
_BIO = re.compile(
    rf"^(?:{_NAME}|He|She|They) (?:is|was|has been|are|reports|writes|covers)\b.{{0,80}}?"
    r"\b(?:correspondent|reporter|editor|journalist|writer|columnist|producer|contributor|"
    r"presenter|anchor|photographer|bureau chief|freelance)")
_NAME_LINE = re.compile(rf"^{_NAME}$")
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
_DATELINE = re.compile(
    rf"(?i)^(?:(?:published|updated|posted|last updated)\b.*|(?:\w+day,? )?"
    rf"(?:\d{{1,2}} {_MONTH}|{_MONTH} \d{{1,2}}),? \d{{4}}\b.*|\d{{4}}-\d\d-\d\d\b.*)$")
_ISO = re.compile(r"^\d{4}(?:-\d\d(?:-\d\d)?)?")


@dataclass
class _Line:
    """One non-blank line while passes label it (mutable scratch, never leaves here)."""

    n: int  # 1-based line of the source file
    text: str  # whitespace-normalised
    block: int  # index of its blank-line-separated block
    gap: int  # blank lines before it
    reason: str | None = None
    caption: str | None = None  # the caption to keep, when it differs from text
    credit: str | None = None  # a photo credit cut off this line


def clean(source: Source) -> Document:
    """Clean one source; pure, and total: any text gives a Document."""
    meta = source.meta if isinstance(source.meta, Mapping) else {}
    text = source.text if isinstance(source.text, str) else ""
    first = source.body_line if isinstance(source.body_line, int) else 1
    if source.kind == "article":
        return _clean_article(source.id, meta, text, first)
    return _clean_note(source.id, meta, text)


def _clean_note(sid: SourceId, meta: Mapping[str, Any], text: str) -> Document:
    """Notes are the editor's own Markdown: split into blocks, nothing removed."""
    blocks = tuple(b.strip() for b in re.split(r"\n[ \t\r]*\n", text) if b.strip())
    heading = next((ln for ln in text.split("\n") if ln.strip()), "")
    title = _meta_str(meta, "title") or heading.strip().lstrip("#").strip() or _stem(sid)
    return Document(id=sid, kind="note", title=title, paragraphs=blocks, removed=(),
                    outlet=_meta_str(meta, "outlet"), byline=_meta_str(meta, "author"),
                    url=_meta_str(meta, "url"), date=_iso(meta.get("date")),
                    markdown=text, meta=dict(meta))


def _clean_article(sid: SourceId, meta: Mapping[str, Any], text: str, first: int) -> Document:
    lines = _split(text, first)
    meta_title = _meta_str(meta, "title")
    _mark_sidebar(lines)
    found_title, found_byline = _mark_header(lines, meta_title)
    _mark_runs(lines)
    _mark_captions(lines)
    _mark_repeats(lines, meta_title or found_title)
    _mark_bio(lines)
    paragraphs = _paragraphs(lines)
    title = meta_title or found_title or _title_from(paragraphs) or _stem(sid)
    return Document(
        id=sid, kind="article", title=title, paragraphs=paragraphs,
        captions=tuple(c for c in (_caption_of(ln) for ln in lines) if c),
        removed=_removed(lines), outlet=_meta_str(meta, "outlet"),
        byline=_meta_str(meta, "author") or found_byline, url=_meta_str(meta, "url"),
        date=_iso(meta.get("published")), meta=dict(meta))


def _split(text: str, first: int) -> list[_Line]:
    out: list[_Line] = []
    gap, block = 0, -1
    for i, raw in enumerate(text.split("\n")):
        t = _WS.sub(" ", raw).strip()
        if not t:
            gap += 1
            continue
        if gap or not out:
            block += 1
        out.append(_Line(first + i, t, block, gap))
        gap = 0
    return out


# ---- shape tests --------------------------------------------------------------

def _words(t: str) -> int:
    return len(t.split())


def _ends_sentence(t: str) -> bool:
    return t.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…")


def _headline_like(t: str, max_words: int) -> bool:
    """A line shaped like a headline or label: short, no closing punctuation."""
    return not _ends_sentence(t) and not t.endswith(":") and _words(t) <= max_words


def _pull_quote(t: str) -> bool:
    return len(t) > 2 and t[0] in _OPEN_QUOTES and t[-1] in _CLOSERS[:3]


def _key(t: str) -> str:
    return " ".join(re.findall(r"\w+", t.casefold()))


def _furniture(t: str) -> str | None:
    """The reason for a line that is junk wherever it stands, judged on its own."""
    if _words(t) > 25:
        return None
    if _NAV.match(t):
        return "navigation"
    if _VIDEO.search(t):
        return "video-note"
    if _TEASER.match(t):
        return "teaser"
    if _SOURCE.match(t) and _words(t) <= 12:
        return "source-line"
    if _BOILER.match(t):
        return "boilerplate"
    if _REPORTING.match(t):
        return "byline"
    return None


# ---- passes -------------------------------------------------------------------

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


def _mark_header(lines: list[_Line], meta_title: str | None) -> tuple[str | None, str | None]:
    """The lines before the first body sentence: navigation, headline, byline, date."""
    head: list[_Line] = []
    for ln in lines[:8]:
        if ln.reason is None and _body_like(ln.text):
            break
        head.append(ln)
    byline = None
    for ln in head:
        if ln.reason or _furniture(ln.text) or _caption_cue(ln):
            continue  # left for the passes that know these
        if m := _BY.match(ln.text):
            ln.reason, byline = "byline", byline or m["name"]
        elif _DATELINE.match(ln.text) and _words(ln.text) <= 10:
            ln.reason = "dateline"
    free = [ln for ln in head if ln.reason is None and _title_like(ln.text)
            and not _furniture(ln.text) and not _caption_cue(ln)]
    # Headlines run to five words and more; a three-word line first is more
    # likely a section label ("World News Today") than the story's headline.
    pick = next((ln for ln in free if _words(ln.text) >= 5), free[0] if free else None)
    title = None
    if pick is not None and not meta_title:
        title, pick.reason = pick.text.lstrip("#").strip(), "title"
    elif pick is not None and _same_title(pick.text, meta_title or ""):
        pick.reason = "headline-repeat"
    for ln in head:
        if ln.reason is None and not _caption_cue(ln) and not _furniture(ln.text):
            if _key(ln.text) in (_key(title or ""), _key(meta_title or "")):
                ln.reason = "headline-repeat"
            elif _words(ln.text) <= 4 and not _ends_sentence(ln.text):
                ln.reason = "navigation"  # section labels: "World", "Asia Pacific"
    return title, byline


def _body_like(t: str) -> bool:
    if _furniture(t) or _IMAGE.match(t) or _split_credit(t):
        return False
    return (_ends_sentence(t) and not t.endswith("?") and _words(t) >= 6) or _words(t) > 30


def _title_like(t: str) -> bool:
    t = t.lstrip("#").strip()
    n = _words(t)
    return 3 <= n <= 25 and not t.rstrip(_CLOSERS).endswith(".") and (
        not t.endswith("?") or n <= 12) and not _pull_quote(t)


def _same_title(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return False
    short, long_ = sorted((ka, kb), key=len)
    if short in long_ and len(short) >= 0.6 * len(long_):
        return True
    wa, wb = set(ka.split()), set(kb.split())
    return len(wa & wb) >= 0.6 * len(wa | wb)


def _mark_runs(lines: list[_Line]) -> None:
    """Markers and the runs of headline-shaped lines they introduce."""
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
    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if ln.reason == "caption" and ln.text.rstrip(":：") in ("Image", "Photo", "Picture", "IMAGE"):
            if nxt and nxt.reason is None and _words(nxt.text) <= 60:
                nxt.reason = "caption"  # the caption an "Image:" marker announces
    captioned = {ln.block for ln in lines if ln.reason == "caption"}
    for ln in lines:
        if ln.reason is not None or _pull_quote(ln.text) or not _headline_like(ln.text, 30):
            continue
        # A headline-shaped line sharing a block with a caption is its title or
        # alt text; one set off by two or more blank lines is a picture's caption.
        if ln.block in captioned or ln.gap >= 2:
            ln.reason = "caption"


def _caption_cue(ln: _Line, label: bool = False) -> bool:
    """Does the line itself say it is a caption or credit? Optionally label it."""
    t = ln.text
    if _IMAGE_CREDIT.match(t):
        reason, caption, credit = "credit", None, t
    elif m := _IMAGE.match(t):
        rest = _split_credit(m[1]) or (m[1], None)
        reason, caption, credit = "caption", rest[0], rest[1]
    elif (parts := _split_credit(t)) and _words(parts[0]) <= 60:
        reason, caption, credit = ("caption" if parts[0] else "credit"), parts[0] or None, parts[1]
    else:
        return False
    if label:
        ln.reason, ln.caption, ln.credit = reason, caption, credit
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
        b_text = b.caption if b.credit and b.caption else b.text
        if b_text != a.text or a.reason not in (None, "caption", b.reason):
            continue
        if b.reason == "caption" or a.reason == "caption":
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
        t = body[k].text
        if not (_BIO.match(t) or re.fullmatch(r"(?i)about the authors?:?", t)):
            continue
        prev = body[k - 1] if k else None
        if prev and _NAME_LINE.match(prev.text) and t.startswith(prev.text.split()[0]):
            prev.reason = "byline"  # the name line above the bio
        for ln in body[k:]:
            ln.reason = "byline"
        return


# ---- output -------------------------------------------------------------------

def _paragraphs(lines: list[_Line]) -> tuple[str, ...]:
    """Body lines, joined within a block unless a line ends a sentence (scrapers
    often print one paragraph a line; hard-wrapped text breaks mid-sentence)."""
    out: list[str] = []
    prev: _Line | None = None
    for i, ln in enumerate(lines):
        if ln.reason is not None:
            continue
        joined = (prev is not None and prev.block == ln.block and lines[i - 1] is prev
                  and not _ends_sentence(prev.text))
        if joined:
            out[-1] += " " + ln.text
        else:
            out.append(ln.text)
        prev = ln
    return tuple(out)


def _caption_of(ln: _Line) -> str | None:
    if ln.reason != "caption":
        return None
    return ln.text if ln.caption is None else ln.caption  # "" for a bare "Image:"


def _removed(lines: list[_Line]) -> tuple[Removed, ...]:
    out: list[Removed] = []
    for ln in lines:
        if ln.reason is None or ln.reason == "title":
            continue
        if ln.credit and ln.reason != "credit":
            out.append(Removed(ln.text[: len(ln.text) - len(ln.credit)].strip(" |•"), ln.reason, ln.n))
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
    if cut < 30:
        cut = head.rfind(" ")
    return sentence[: cut if cut > 0 else 80].rstrip(" ,;–—") + "…"


def _meta_str(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if v is not None)
    text = _WS.sub(" ", str(value)).strip() if value is not None else ""
    return text or None


def _iso(value: Any) -> str | None:
    """meta dates as ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY"; anything else is None."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    m = _ISO.match(str(value).strip()) if isinstance(value, str) else None
    return m[0] if m else None


def _stem(sid: Any) -> str:
    try:
        return PurePosixPath(str(sid)).stem or str(sid) or "untitled"
    except (TypeError, ValueError):
        return "untitled"
