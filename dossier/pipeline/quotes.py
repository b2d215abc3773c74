"""quotes: documents × mentions → Quote, and where copies of a story disagree.

A direct quotation is words between double quotation marks (“…”, "…", „…“, «…»)
of three words or more: shorter ones are scare quotes ("effective" sovereignty,
"zero-Covid" policies). Single quotes are not read: scraped British pages use them
for headlines and pull quotes, which repeat a quote of the body.

Who said it is taken only from what the text says, in this order:
1. the attribution beside the quote: `“…,” said Jiang`, `“…,” he says`,
   `He adds, “…”`, `“…,” one woman said` (a name beats a pronoun: the garbled
   `he said. Jiang.` is Jiang);
2. the quote before it in the same paragraph, or a speech verb earlier in it
   (`He said that … “…”`);
3. a quote opening a paragraph with no attribution continues the speaker of the
   paragraph before, when that one quoted or reported speech (news convention).
"he"/"she" resolves to the last person named outside quotation marks in the
same paragraph, else to the person in focus: named in an earlier paragraph and
referred to ("he", "his", a quote) in every paragraph since, with at most one
paragraph of silence; an unnamed speaker ("one woman") ends the focus. A
described speaker ("a man who identified himself only by his first name")
resolves to a person the paragraph introduces with an age ("Shi, 70,"), the way
reporters name an interviewee. Otherwise the speaker stays unknown: a wrong name
on a quote is worse than none.

Alignment: each version's quotes are matched to the canonical version's with
rapidfuzz (the same words first, then the best fuzzy match). "same" means the same
words: quote marks, apostrophes, dashes, spacing, case and the mark a quotation
closes on (“…war,” he said / “…war.”) are typography; a word or a mark inside it
dropped, added or changed makes the copy's quote "altered" (pipeline/wording.py says
how). Copies are not corroboration: a copy that trims a quotation misquotes it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import Iterable

from rapidfuzz import fuzz, process

from ..models import Document, Entity, Mention, Quote, SourceId, Story
from ..text import fold
from .bounds import note
from .wording import quote_words

OPEN, CLOSE, BOTH = "“„«", "”»", '"'
_MARKS = re.compile('[“„«”»"]')
MIN_WORDS = 3
ALTERED = 60  # rapidfuzz score (0-100) above which two quotes are one quote reworded
WINDOW = 50  # how many canonical quotes either side of the same place a copy's quote is compared with

_VERBS = (r"said|says|say|told|tells|added|adds|remarked|remarks|replied|replies|commented|comments|"
          r"explained|explains|asked|asks|noted|notes|continued|continues|insisted|insists|argued|"
          r"argues|recalled|recalls|wrote|writes|admitted|admits|warned|warns|stressed|stresses|"
          r"declared|declares|agreed|agrees|concluded|concludes|joked|jokes|sighed|sighs|laughed|laughs")
SPEECH_VERBS = _VERBS
VERB = re.compile(rf"\b(?:{_VERBS})\b")
# verbs whose object is the listener, not the speaker: "told NBC News"
_TO_LISTENER = {"told", "tells", "asked", "asks"}
_PRONOUN = re.compile(r"^(?:he|she)$", re.I)
_DESCRIBED = re.compile(r"^(?:a|an|one|another|the|some|others?|many|several)\b", re.I)
_REFERS = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.I)
# "said Jiang", "said park resident Shi", not "said on Monday"
_NAME_AFTER = re.compile(r"^[\s.,]*(?:(?!(?:on|in|at|to|for|with|after|before|during|by|from|this|last|next)\b)"
                         r"[a-z]+\s+){0,3}?(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3})")
_DESC_AFTER = re.compile(r"^\s+(?P<desc>(?:one|a|an|another|the)\b[^.,;:“”\"]{0,60})")
_AGE = re.compile(r",\s*\d{1,3},")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[“\"A-Z])")
_NOT_NAME = re.compile(r"^(?:it|this|that|they|we|i|you|there)\b", re.I)


def people_of(entities: Iterable[Entity]) -> frozenset[str]:
    """Who may be a speaker: every person of the dossier."""
    return frozenset(e.slug for e in entities if e.kind == "person")


def place_story(story: Story, lists: list[list[Quote]]) -> list[list[Quote]]:
    """The quotes of a story's versions (`lists`, from document_quotes, in the order of
    story.versions) with their story and their alignment with the canonical's (align)."""
    out = [[replace(q, story=story.slug) for q in lists[0]]]
    for quotes, marks in zip(lists[1:], align(lists)):
        out.append([replace(q, story=story.slug, status=status, same_as=None if c is None else (story.canonical, c),
                            similarity=similarity) for q, (status, c, similarity) in zip(quotes, marks)])
    return out


def positions(quotes: Iterable[Quote]) -> dict[tuple[SourceId, int], int]:
    """Where each quote is in Dossier.quotes, by (its document, its place in the
    document's quotes): what a quote's `same_as` names."""
    out, seen = {}, defaultdict(int)
    for k, q in enumerate(quotes):
        out[(q.document, seen[q.document])] = k
        seen[q.document] += 1
    return out


def document_quotes(doc: Document, mentions: Iterable[Mention], people: frozenset[str]) -> list[Quote]:
    """The quotations of one article, with their speakers (no story, no alignment yet)."""
    persons: dict[tuple[SourceId, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.kind == "person" and m.entity in people and not m.in_caption and not m.wikilink:
            persons[(m.document, m.paragraph)].append(m)
    for ms in persons.values():
        ms.sort(key=lambda m: m.start)
    return _document_quotes(doc, persons)


# ---- one document ---------------------------------------------------------------

def quotation_spans(paragraph: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation, marks included. An unclosed one runs to
    the end of the paragraph (it continues in the next: news convention); a closing
    mark with no opening one is a stray and is ignored."""
    spans, at = [], None
    for mark in _MARKS.finditer(paragraph):  # the marks only: a scraped line can be a megabyte
        k, ch = mark.start(), mark.group()
        opener = ch in OPEN or (ch in BOTH and at is None)
        if opener and at is None:
            at = k
        elif opener and ch in OPEN:  # a new opening mark: the last quote was never closed
            spans.append((at, k, False))
            at = k
        elif (ch in CLOSE or ch in BOTH) and at is not None:
            spans.append((at, k + 1, True))
            at = None
    if at is not None:
        spans.append((at, len(paragraph), False))
    return spans


class _Para:
    """One paragraph while its quotes are read (scratch): the text, its quotation
    spans, and the person mentions outside them, sorted, for bisect lookups (a scraped
    "paragraph" can be one megabyte-long line: no scan per quote)."""

    def __init__(self, text: str, mentions: list[Mention]):
        self.text, self.spans = text, quotation_spans(text)
        self.starts = [a for a, _, _ in self.spans]
        self.outside = [m for m in mentions if not self.inside(m.start)]
        self.at = [m.start for m in self.outside]

    def inside(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.spans[k][1]

    def persons(self, lo: int, hi: int) -> list[Mention]:
        """Person mentions outside quotes starting in [lo, hi)."""
        return self.outside[bisect_left(self.at, lo):bisect_left(self.at, hi)]

    def unquoted(self) -> str:
        pieces, pos = [], 0
        for a, b, _ in self.spans:
            pieces.append(self.text[pos:a])
            pos = b
        return " ".join(pieces + [self.text[pos:]])


def _document_quotes(doc: Document, persons) -> list[Quote]:
    out: list[Quote] = []
    pulls: list[int] = []  # paragraphs that are nothing but an unattributed quotation
    focus = _Focus()
    prev = lambda: None  # who spoke last in the previous paragraph (a quote or "he said that")
    for i, text in enumerate(doc.paragraphs):
        if note(text):  # "^ Smith (2007). “Title”. …": a work cited, not words said
            continue
        para = _Para(text, persons.get((doc.id, i), []))
        here: list[Quote] = []
        for k, (a, b, closed) in enumerate(para.spans):
            words = text[a + 1:b - 1 if closed else b].strip().rstrip(",").strip()
            if len(words.split()) < MIN_WORDS:
                continue
            start = text.index(words, a + 1)
            prev_end = para.spans[k - 1][1] if k else 0
            next_start = para.spans[k + 1][0] if k + 1 < len(para.spans) else len(text)
            opens = k == 0 and not text[:a].strip()
            who = (_attribution(para, a, b, closed, prev_end, next_start, focus)
                   or (_inherit(_said(here[-1])) if here else None)
                   or _speech_before(para, prev_end, a, focus)
                   or (_inherit(prev()) if opens else None)
                   or {"speaker": None, "said_by": "", "how": "unknown"})
            here.append(Quote(doc.id, i, start, start + len(words), words, **who))
        prev = _last_speech(para, here, focus.person)
        focus.step(para, here)
        if len(here) == 1 and here[0].how == "unknown" and _bare(text, here[0].text):
            pulls.append(len(out))
        out += here
    return _drop_pull_quotes(out, pulls)


def _last_speech(para: _Para, here: list[Quote], person):
    """Who spoke last in this paragraph, computed only if the next one opens with a quote."""
    if here:
        said = _said(here[-1])
        return lambda: said
    focus = _Focus()
    focus.person = person  # as it stood while this paragraph was read
    return lambda: _speech_before(para, 0, len(para.text), focus)


def _said(q: Quote) -> dict:
    return {"speaker": q.speaker, "said_by": q.said_by, "how": q.how}


def _inherit(said: dict | None) -> dict | None:
    if not said or said["how"] == "unknown":
        return None
    return {**said, "how": "continued"}


def _attribution(para: _Para, a, b, closed, prev_end, next_start, focus) -> dict | None:
    """The attribution right after the quote (", he says") or right before it ("He adds, ")."""
    text = para.text
    if closed:
        tail = text[b:min(next_start, b + 160)]
        m = VERB.search(tail)
        if m and not re.search(r"[.!?]\s", tail[:m.start()]):
            subject = tail[:m.start()].strip(" ,").rsplit(",", 1)[-1].strip()  # "fearing …, he said"
            return _who(para, b, b + m.start(), b + m.end(), subject, m.group(0), focus)
    head_start = max(prev_end, a - 160)
    head_start += max((x.end() for x in _SENTENCE_END.finditer(text, head_start, a)), default=head_start) - head_start
    head = text[head_start:a]
    m = re.search(rf"(?P<verb>{_VERBS})\s*[,:]?\s*$", head)
    if m:
        subject = re.sub(r"\s+\w+\s+and$", "", head[:m.start()].strip(" ,"))  # "He smiles and says"
        subject = subject.split(",", 1)[0].strip()  # "Another, visiting a friend, says:"
        return _who(para, head_start, head_start + m.start(), head_start + m.end(), subject,
                    m.group("verb"), focus)
    return None


def _speech_before(para: _Para, lo: int, hi: int, focus) -> dict | None:
    """A speech verb outside quotation marks in [lo, hi): "He said that … “…”". Only the
    last 400 characters are read: the verb that introduces a quotation is close to it."""
    lo, last = max(lo, hi - 400), None
    for m in VERB.finditer(para.text, lo, hi):
        if not para.inside(m.start()):
            last = m
    if last is None:
        return None
    start = max((x.end() for x in _SENTENCE_END.finditer(para.text, max(lo, last.start() - 200), last.start())),
                default=max(lo, last.start() - 200))
    subject = para.text[start:last.start()].strip(" ,").rsplit(",", 1)[-1].strip()
    return _who(para, start, last.start(), last.end(), subject, last.group(0), focus)


def _who(para: _Para, subject_start, verb_start, verb_end, subject, verb, focus) -> dict | None:
    """Resolve an attribution: a person named after the verb, or in the subject; else a
    pronoun (to the focus); else a description ("one woman"); None if it is no speaker."""
    text = para.text
    after = text[verb_end:verb_end + 80]
    if verb not in _TO_LISTENER:
        m = _NAME_AFTER.match(after)
        if m:
            hits = para.persons(verb_end, verb_end + m.end("name"))
            if hits or not _PRONOUN.match(subject):
                x = hits[0] if hits else None
                return {"speaker": x.entity if x else None, "how": "named",
                        "said_by": text[x.start:x.end] if x else m.group("name")}
        m = _DESC_AFTER.match(after)
        if m and not subject:
            return _described(m.group("desc"), para, verb_end)
    named = para.persons(subject_start, verb_start)
    if named:
        x = named[-1]
        return {"speaker": x.entity, "said_by": text[x.start:x.end], "how": "named"}
    if _PRONOUN.match(subject):
        before = para.persons(0, subject_start)
        target = before[-1].entity if before else focus.person
        return {"speaker": target, "said_by": subject.lower(), "how": "pronoun" if target else "unknown"}
    if subject and _DESCRIBED.match(subject):
        return _described(subject, para, verb_start)
    if subject and subject[0].isupper() and len(subject.split()) <= 4 and not _NOT_NAME.match(subject):
        return {"speaker": None, "said_by": subject, "how": "named"}  # a name the dossier lacks
    return None


def _described(desc: str, para: _Para, near: int) -> dict:
    desc = " ".join(desc.split()[:12]).strip()
    desc = desc[:1].lower() + desc[1:]
    for x in para.persons(max(0, near - 400), near + 400):
        if _AGE.match(para.text, x.end):
            return {"speaker": x.entity, "said_by": desc, "how": "described"}
    return {"speaker": None, "said_by": desc, "how": "described"}


class _Focus:
    """The person "he"/"she" most likely means, paragraph by paragraph (scratch state)."""

    def __init__(self):
        self.person, self.silent = None, 0

    def step(self, para: _Para, quotes: list[Quote]) -> None:
        if para.outside:
            self.person, self.silent = para.outside[-1].entity, 0
        if quotes and quotes[-1].how in ("described", "named") and quotes[-1].speaker is None:
            self.person = None  # someone the dossier does not know now holds the floor
        elif quotes and quotes[-1].speaker:
            self.person, self.silent = quotes[-1].speaker, 0
        elif not para.outside:
            if quotes or _REFERS.search(para.unquoted()):
                self.silent = 0
            else:
                self.silent += 1
                if self.silent > 1:
                    self.person = None


def _bare(paragraph: str, quote: str) -> bool:
    return paragraph.strip(" “”\"'‘’«»„.") == quote.strip(" .”\"")


def _drop_pull_quotes(quotes: list[Quote], pulls: list[int]) -> list[Quote]:
    """A pull quote (a paragraph that is only a quotation, 001's “No one wants to be
    friends”) repeats a quote of the body: it is not listed twice. Compared with the
    quotes near it only, so the work stays linear."""
    drop = set()
    for k in pulls:
        key = _norm(quotes[k].text)
        near = quotes[max(0, k - 40):k] + quotes[k + 1:k + 41]
        if key and any(fuzz.partial_ratio(key, _norm(q.text)) >= 90 for q in near):
            drop.add(k)
    return [q for k, q in enumerate(quotes) if k not in drop]


# ---- alignment across versions -------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text).casefold().replace("'", "")))


def align(lists: list[list[Quote]]) -> list[list[tuple]]:
    """For each version after the canonical (lists[0]), each quote's (status, index of
    the canonical quote it matches or None, similarity)."""
    canon = lists[0]
    keys = [_norm(q.text) for q in canon]
    exact = {quote_words(q.text): j for j, q in enumerate(canon)}
    out = []
    for mine in lists[1:]:
        marks = []
        for j, q in enumerate(mine):
            key = _norm(q.text)
            if quote_words(q.text) in exact:
                marks.append(("same", exact[quote_words(q.text)], 1.0))
                continue
            # copies keep the order of their quotes: look near the same relative place
            # (bounded work however many quotes a long file holds)
            mid = j * len(canon) // max(1, len(mine))
            lo = max(0, mid - WINDOW)
            best = process.extractOne(key, keys[lo:mid + WINDOW], scorer=_score, score_cutoff=ALTERED)
            c = lo + best[2] if best else None
            if c is None or (q.speaker and canon[c].speaker and q.speaker != canon[c].speaker):
                marks.append(("added", None, None))
                continue
            marks.append(("altered", c, round(best[1] / 100, 3)))
        out.append(marks)
    return out


def _score(a: str, b: str, **kw) -> float:
    """Similar words in a similar order; a quote cut short still matches its whole."""
    short, long_ = sorted((a, b), key=len)
    if len(short.split()) >= 4:
        return max(fuzz.ratio(a, b), 0.95 * fuzz.partial_ratio(short, long_))
    return fuzz.ratio(a, b)
