"""bounds: where the article starts and ends in a whole-page text scrape.

A page saved as text holds the site around the article: menus, lists of headlines,
teaser blurbs, footers, comment threads, tickers. Most of it sits before or after the
article, so the article is found as a span: each line weighs by its shape (a
sentence of some length is prose, +its tokens; a short line that is not a sentence is
furniture, a fixed cost), and the span is the run of lines of greatest total weight
(Kadane's maximum subarray). Subheadings, captions and short lines between paragraphs
cost little next to the prose around them and stay inside; a menu of forty items or a
list of ten headlines costs more than any blurb beside it earns, and ends the span.

Shapes, not words: token counts, sentence ends, capitals, so other languages are
read the same way (CJK characters count one token each, as they carry a word's worth).
"""
from __future__ import annotations

import re

from ..text import ascii_words

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_ALNUM_BYTES = ascii_words()  # a token of ASCII text: [A-Za-z0-9]+
_ENDS = tuple(".!?…。！？")
# A time of day or a date in digits, as comment headers, tickers and post cards print them
# ("12:46", "11h30", "08.04.2015", "2015-04-08", "March 10, 2017", "2h"): any language's digits.
_STAMP = re.compile(r"(?<!\d)(?:\d{1,2}[:h]\d\d(?!\d)|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d)|"
                    r"\d{1,2},? (?:19|20)\d\d(?!\d)|(?:19|20)\d\d年|"
                    r"^\d{1,2} ?(?:m|h|d|min|mins|hr|hrs)\b|"  # "52m", "1h ago": a feed's age
                    r"^\d{1,3}/\d{1,3}(?!\d))")  # "12/50": a gallery's slide
# Markup or data a converter printed as text (a <noscript> block, an ad's tracking pixel, the
# page's JSON-LD, whose "articleBody" is the article once more): furniture
# around the article; inside it, a code sample (so it is weighed, not removed on sight)
_MARKUP = re.compile(r"^(?:<(?:[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?|/[a-zA-Z][\w:-]*|!--.*)>|"
                     r'"[@\w-]+"\s*:|[{}\[\]]+[,;]?$)')  # ...and data: JSON-LD's "key": lines
# A line cut short for a teaser card: "23 things every…", "Mehr…", "[…]"
_TRUNCATED = re.compile(r"(?:\w|\w[,;:])(?:…|\.\.\.+)$|\[(?:…|\.\.\.)\]$")
_CLOSERS = "”’\"')]»›」』）"
PROSE_MIN = 10  # tokens a sentence needs to count in full
SHORT = 3  # what a short sentence ("It rained.") counts for less: labels end in a stop too
LONG = 20  # tokens past which a line is prose even without a sentence end (hard-wrapped text)
COST = 4  # what one line of furniture takes off the span
STAMP_MAX = 16  # tokens: a longer line with a date in it is a sentence about that date


def tokens(t: str) -> float:
    """Words; a CJK character is half of one (a Chinese word is one to three characters).
    An ASCII line (most) is counted by a byte table, where a token is a run of
    [A-Za-z0-9]: the same count without a list of the words, a quarter of the time."""
    if t.isascii():
        return len(t.encode().translate(_ALNUM_BYTES).split())
    return len(_TOKEN.findall(t)) - len(_CJK_CHAR.findall(t)) / 2


def ends_sentence(t: str) -> bool:
    return t.rstrip(_CLOSERS)[-1:] in _ENDS


def stamp(t: str, n: float | None = None) -> bool:
    """A short line that carries a time or a date (or a slide's number): the header of a
    comment, a ticker item, a card, a gallery's picture."""
    return (tokens(t) if n is None else n) <= STAMP_MAX and _STAMP.search(t) is not None


def truncated(t: str) -> bool:
    # the pattern ends in $ (the end, or a last newline): look only at lines that can match
    return t.endswith(("…", "...", "]", "\n")) and _TRUNCATED.search(t) is not None


def markup(t: str) -> bool:
    return _MARKUP.match(t) is not None


def weight(t: str) -> float:
    n = tokens(t)
    if stamp(t, n) or truncated(t) or markup(t):
        return -COST
    if ends_sentence(t) and n >= SHORT:
        return n if n >= PROSE_MIN else n - SHORT
    if n >= LONG:
        return n / 2
    return -COST


# A list item's mark: a bullet (a converter prints "*", "+", "o" by depth), a number, a note's mark
_BULLET = r"(?:[*+o•·–-]\s+)?"
_ITEM = re.compile(r"^(?:[*+•·–-]|\d{1,3}[.)]|\^|↑|\[\d{1,3}\])\s")


def item(t: str) -> bool:
    """Does the line start an item of a list (so it starts a paragraph of its own)?"""
    return _ITEM.match(t) is not None


# A note or a reference, as an article's closing list prints it: "^ Smith, J. (2007). …", "[3] …",
# "↑ …" (a wiki's back-link), or a numbered item that carries a work's identifier (an ISBN,
# ISSN, doi or arXiv number, an address). A number alone does not make a note (a list of
# films, of steps, of headlines), nor does a quotation or a year in brackets.
_NOTE = re.compile(rf"^{_BULLET}(?:\d{{1,3}}[.)]\s+)?(?:\^|↑|\[\d{{1,3}}\])\s*(?:\S+\s+\S|[\"“]\S)")  # not "↑ Top"
_NUMBERED = re.compile(rf"^{_BULLET}\d{{1,3}}[.)]\s")
_CITATION = re.compile(r"\b(?:ISBN|ISSN|doi|arXiv)\b|\b10\.\d{4,}/|https?://")
NOTES_GAP = 8  # lines of headings and links ("See also", "References") between an article and its notes
NOTES_MIN = 2  # notes that make a list
NOTE_LINES = 3  # lines one note may take


def note(t: str) -> bool:
    return _NOTE.match(t) is not None or _NUMBERED.match(t) is not None and _CITATION.search(t) is not None


def notes_after(texts: list[str], notes: list[bool], weights: list[float], last: int) -> tuple[int, int] | None:
    """(first, last) of the list of notes that closes the article ending at `last`: it starts
    within NOTES_GAP lines, with no prose before it, and runs while the next note follows
    within NOTE_LINES lines (a note printed in pieces: its title, its source, its date),
    and the last note's pieces with it (lines that continue one: in lower case, after a
    stop); None when there is none."""
    start = next((i for i in range(last + 1, min(len(notes), last + 2 + NOTES_GAP))
                  if notes[i] or weights[i] > 0), None)
    if start is None or not notes[start]:
        return None
    end, count = start, 1
    for i in range(start + 1, len(notes)):
        if i - end > NOTE_LINES:
            break
        if notes[i]:
            end, count = i, count + 1
    last_note = end
    while end + 1 < len(notes) and end - last_note < NOTE_LINES and continues(texts[end + 1]):
        end += 1  # the last note's own pieces
    return (start, end) if count >= NOTES_MIN else None


# Prose of a paragraph or two (about 40 words), not a blurb: a span weighing less is no
# article (the page has none to find), and a lead holds this much in a row
SUBSTANTIAL = 2 * LONG
# A capitalised word inside a sentence: a name (of a person, a place, a product)
_NAME = re.compile(r"(?<=[\w,;:’'\"”)] )[^\W\d_][\w'’-]+")


def names(texts: list[str]) -> set[str]:
    return {m for t in texts for m in _NAME.findall(t) if m[0].isupper()}


def article(texts: list[str], weights: list[float], marks: list[bool], notes: list[bool],
            boxes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last) of each run of lines that is the article, in order: the span of greatest
    weight, ended by a thread (`marks`: its items' headers), with its lead and its notes; the
    whole page when the span would leave out most of its prose or is too light to be an
    article (the guard: the cut is not made). `boxes`: the page's galleries."""
    first, last = span(weights)
    inside = sum(w for w in weights[first:last + 1] if w > 0)
    if inside < SUBSTANTIAL or sum(w for w in weights if w > 0) - inside > inside:
        return [(0, len(weights) - 1)]
    # a thread of dated items after the article ends it, unless the longest run of prose is in it
    thread = thread_start(marks, weights, first, last)
    if thread is not None and longest_run(weights)[1] < thread:
        first, last = span(weights[:thread])
    spans = [(first, last)]
    named: set[str] = set()

    def shares(run: tuple[int, int]) -> bool:
        """Does the run name what the article names? (its names read once, when first asked)"""
        named.update(() if named else names([t for t, w in zip(texts[first:last + 1], weights[first:last + 1])
                                             if w > 0]))
        return bool(names(texts[run[0]:run[1] + 1]) & named)

    # a lead parted from the article by a box of furniture (a video player, a table of contents)
    # is the article's when it names what the article names; the article goes on after a box
    # only past a gallery, as comments and teasers after an article name what it names too
    while (lead := beyond(weights, spans[0][0], -1)) and shares(lead):
        spans.insert(0, lead)
    while ((more := beyond(weights, spans[-1][1], 1)) and any(spans[-1][1] < a and b < more[0] for a, b in boxes)
           and shares(more)):
        spans.append(more)
    if notes_run := notes_after(texts, notes, weights, spans[-1][1]):
        spans.append(notes_run)
    return spans


def beyond(weights: list[float], edge: int, step: int) -> tuple[int, int] | None:
    """(first, last) of the run of prose nearest beyond the line `edge` (step -1: before it,
    +1: after it) across lines without a sentence of prose (a player's controls, a table of
    contents, a gallery, a box of facts), when it holds an uninterrupted run of prose of
    SUBSTANTIAL: an article's lead, or the article going on. None when there is none."""
    j = edge + step
    while 0 <= j < len(weights) and weights[j] < PROSE_MIN:
        j += step
    best, end, run, k = 0.0, j, 0.0, j
    while 0 <= k < len(weights) and run >= 0:
        run += weights[k]
        if run > best:
            best, end = run, k
        k += step
    if not 0 <= j < len(weights):
        return None
    a, b = sorted((j, end))
    r = longest_run(weights[a:b + 1])
    return (a, b) if sum(weights[a + r[0]:a + r[1] + 1]) >= SUBSTANTIAL else None


# A gallery's slide number at the head of its caption: "12/50", "12 of 50", "* 12/50"
_SLIDE = re.compile(rf"^{_BULLET}(\d{{1,3}}) ?(?:/|of) ?(\d{{1,3}})(?![/.\d])")
GALLERY_MIN = 3  # numbered slides that make a gallery
GALLERY_HEAD = 3  # lines of words over a gallery's first slide that are its own: its title, its counter


def galleries(texts: list[str]) -> list[tuple[int, int]]:
    """(first, last) of each whole gallery on the page: slides numbered up to their count
    (1/N … N/N, in order; a page may skip some), from its head (up to GALLERY_HEAD lines
    that are not prose, and its strip of thumbnails: lines without a word) to the end of the
    last slide (as many lines as a slide takes there). A box: not the article's, though the
    article may go on after it."""
    slides = [(i, int(m[1]), int(m[2])) for i, t in enumerate(texts) if (m := _SLIDE.match(t))]
    found: list[tuple[int, int]] = []
    run: list[tuple[int, int, int]] = []
    for slide in slides + [(len(texts), 0, 0)]:
        if run and (slide[2] != run[-1][2] or slide[1] <= run[-1][1]):  # another count, or it starts over
            first, last, count = run[0][0], run[-1][0], run[-1][2]
            if len(run) >= GALLERY_MIN and run[-1][1] == count:
                gaps = sorted(b[0] - a[0] for a, b in zip(run, run[1:]))
                head = 0
                while first and weight(texts[first - 1]) <= 0 and head < GALLERY_HEAD:
                    first -= 1
                    head += tokens(texts[first]) > 0
                found.append((first, min(len(texts) - 1, last + gaps[len(gaps) // 2] - 1)))
            run = []
        run.append(slide)
    return found


def continues(t: str) -> bool:
    """Does the line go on from the one before it: in lower case, or after its stop?"""
    return t[:1].islower() or t[:1] in ".,;:)"


def label(t: str) -> bool:
    """Words, as an item's label is ("More like this"), not the "});" of a code sample."""
    return _LABEL.match(t) is not None


def outside_reason(t: str) -> str:
    """Why a line outside the article's span goes, by its shape."""
    if markup(t):
        return "markup"
    if weight(t) > 0:
        return "not-article"
    return "navigation" if len(t.split()) <= 3 else "teaser"


def span(weights: list[float]) -> tuple[int, int]:
    """(first, last) index of the run of greatest total weight; (0, -1) when none is positive."""
    best, run, start, found = 0.0, 0.0, 0, (0, -1)
    for i, w in enumerate(weights):
        if run < 0:
            run, start = 0.0, i
        run += w
        if run >= best and run > 0:  # a tie takes the longer span: what follows weighs nothing against it
            best, found = run, (start, i)
    return found


REPEATED = 3  # a short line printed this often on one page is a label of its items ("Reply", "Save")
_LABEL = re.compile(r"^(?=.*[^\W\d_])[^{}();=<>\"\[\]]+$")
THREAD_GAP = 12  # lines a comment or a ticker item runs after its dated header
THREAD_SHARE = 0.8


def thread_start(marks: list[bool], weights: list[float], first: int, last: int) -> int | None:
    """Where a thread of items (a comment thread, a news ticker, a river of teaser cards)
    begins after the article's first prose, if one does: a marked line (an item's header:
    a date, a time, or a label every item repeats) from which on nearly all the prose
    (THREAD_SHARE) sits within THREAD_GAP lines after a marked line. A box of dated links
    inside the article is not one: the article's prose after it is not marked."""
    prose = next((i for i in range(first, last + 1) if weights[i] > 0), last + 1)
    stamps = [i for i in range(prose + 1, last + 1) if marks[i]]
    if len(stamps) < 2:
        return None
    # From a stamp on, the stamp before any later line is at or after it: one pass from the
    # end sums, for each stamp, the prose after it and the part of that near a stamp.
    near, total = [0.0] * len(stamps), [0.0] * len(stamps)
    k, near_sum, after = len(stamps) - 1, 0.0, 0.0
    for i in range(last, stamps[0] - 1, -1):
        while k > 0 and stamps[k] > i:
            k -= 1
        if weights[i] > 0:
            after += weights[i]
            near_sum += weights[i] if i - stamps[k] <= THREAD_GAP else 0.0
        if i == stamps[k]:
            near[k], total[k] = near_sum, after
    return next((a for a, n, t in zip(stamps[:-1], near, total) if t and n >= THREAD_SHARE * t), None)


def longest_run(weights: list[float]) -> tuple[int, int]:
    """(first, last) of the longest run of prose: lines of positive weight, uninterrupted."""
    best, found, start, run = 0.0, (0, -1), 0, 0.0
    for i, w in enumerate(weights):
        if w <= 0:
            run, start = 0.0, i + 1
            continue
        run += w
        if run > best:
            best, found = run, (start, i)
    return found
