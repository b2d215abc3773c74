"""names: capitalised names the sources use that the dossier does not know yet.

Read over what clean kept of each article (paragraphs and captions), so names in
junk sidebars ("You May Also Like"), author bios and photo credits ("Kommersant
Photo/Anatoliy Zhdanov via REUTERS") never come up: clean files those under
`removed`, and a photographer is not a person of the story. Notes are the
editor's own words and are not read.

A candidate is a run of capitalised words, particles allowed inside ("Power of
Siberia"), "(Vladimir) Lenin" read as one name. Not candidates: what the link
stage already matched (every alias, in place), any part of an alias ("Putin",
"Jinping"), outlet names, month and day names, a stoplist of words that are
capitalised without naming anyone (titles, nationalities: "President",
"Chinese"), and a sentence's first word unless the sources also capitalise it
mid-sentence ("Indeed", "Crucially"). A title inside a run is cut off and counts
as a person cue: "Chinese Premier Li Qiang" → "Li Qiang".

A candidate is suggested when it recurs (two mentions or more, copies included)
or once with a person cue: "said X", "X said", "X, 70,", "X, an expert…",
"Mr X", "the X administration". A surname alone ("Lenin") is folded into the
full name it ends ("Vladimir Lenin"). Ranked by count, then by how many files.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..models import Document, Entity, Mention, SourceId
from .quotes import SPEECH_VERBS
from ..text import fold, sentence_at

_TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|[’'](?=[^\W\d_])|\.(?=[^\W\d_]))*")
_POSSESSIVE = re.compile(r"[’']s$")
_PARENS = re.compile(r"\(([A-Z][^\W\d_]+)\)(?=\s+[A-Z])")  # "(Vladimir) Lenin"
PARTICLES = {"of", "de", "da", "di", "do", "dos", "du", "del", "della", "der", "den", "van", "von",
             "la", "le", "bin", "ibn", "al", "el", "ter", "y"}
TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "president", "premier",
          "minister", "prime", "deputy", "vice", "foreign", "defence", "defense", "finance", "secretary",
          "ambassador", "envoy", "chancellor", "governor", "mayor", "senator", "general", "gen",
          "colonel", "col", "captain", "capt", "lt", "sgt", "chairman", "chairwoman", "chair", "king",
          "queen", "prince", "princess", "pope", "professor", "prof", "judge", "spokesman",
          "spokeswoman", "spokesperson", "commander"}
# not "chief", "head", "director": they start names of things ("Chief Executive Officer")
MONTHS_DAYS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
               "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
               "friday", "saturday", "sunday"}
# capitalised without naming anyone in particular: nationalities, compass words, furniture
GENERIC = {"chinese", "russian", "russians", "ukrainian", "ukrainians", "american", "americans",
           "european", "europeans", "western", "eastern", "northern", "southern", "soviet", "sino",
           "asian", "african", "british", "english", "french", "german", "japanese", "korean",
           "indian", "iranian", "israeli", "palestinian", "turkish", "polish", "italian", "spanish",
           "canadian", "australian", "mongolian", "kazakh", "belarusian", "georgian", "moldovan",
           "arab", "muslim", "islamic", "catholic", "orthodox", "communist", "west", "east", "north",
           "south", "covid", "coronavirus", "internet", "image", "photo", "video", "watch", "read",
           "i", "i'm", "i’m", "i'd", "i’d", "i've", "i’ve", "i'll", "i’ll", "ok", "tv",
           # function words, for when one is capitalised after a dash or in a caption
           "the", "a", "an", "it", "its", "this", "that", "these", "those", "there", "here", "he", "she",
           "they", "we", "you", "his", "her", "their", "our", "my", "your", "but", "and", "or", "so",
           "yet", "if", "when", "while", "after", "before", "as", "at", "in", "on", "for", "to", "from",
           "with", "by", "about", "despite", "however", "indeed", "meanwhile", "also", "although",
           "though", "because", "since", "until", "what", "which", "who", "where", "why", "how", "one",
           "some", "many", "most", "more", "other", "others", "another", "all", "both", "each",
           "every", "no", "not", "now", "then", "today", "last", "next", "first", "new"}
_SAID_BEFORE = re.compile(rf"\b(?:{SPEECH_VERBS})\s+(?:[a-z]+\s+){{0,2}}$")
_SAID_AFTER = re.compile(rf"^\s+(?:{SPEECH_VERBS})\b")
_ROLE = (r"owner|expert|analyst|professor|spokes\w+|director|minister|president|chief|head|"
         r"founder|resident|driver|correspondent|official|ambassador|leader|editor|researcher|"
         r"economist|worker|student|vendor|trader|manager|chairman|chairwoman|secretary|governor|"
         r"mayor|senator|lawyer|doctor|activist|businessman|businesswoman|farmer|teacher")
_STRONG_AFTER = re.compile(rf"^(?:,\s*\d{{1,3}},|,\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,2}}(?:{_ROLE})\b|"
                           r"\s+administration\b|[’']s\s+administration\b)")
_PLACE_BEFORE = re.compile(r"\b(?:in|to|from|across|near|into|at|city of|town of|province of|"
                           r"capital of|region of)\s+(?:the\s+)?$")
_INITIAL_BEFORE = set(".!?:…")
_SKIP_BACK = set(" “”\"‘’'([«»—–-")


@dataclass(frozen=True)
class NameSuggestion:
    name: str
    count: int  # times named in article paragraphs and captions, every copy counted
    sources: tuple[SourceId, ...]  # the files, in order
    document: SourceId  # where it is first named
    paragraph: int
    in_caption: bool
    sentence: str  # the first sentence naming it
    kind: str = ""  # "person" or "place" when the text hints it, else ""
    cues: tuple[str, ...] = field(default=())  # why it counts as a person: "said X", "X, 70,"…


@dataclass
class _Seen:  # scratch, per candidate
    count: int = 0
    sources: dict = field(default_factory=dict)
    first: tuple | None = None
    cues: set = field(default_factory=set)
    places: int = 0  # times it follows "in", "to", "city of"…


def unknown_names(documents: Iterable[Document], entities: Iterable[Entity],
                  mentions: Mapping[SourceId, Iterable[Mention]] | None = None) -> tuple[NameSuggestion, ...]:
    docs = sorted((d for d in documents if d.kind == "article"), key=lambda d: d.id)
    known, parts = _known(entities, docs)
    matched: dict[tuple, list[tuple[int, int]]] = defaultdict(list)  # what link already matched
    for m in (m for ms in (mentions or {}).values() for m in ms):
        matched[(m.document, m.in_caption, m.paragraph)].append((m.start, m.end))
    for spans in matched.values():
        spans.sort()
    runs = []  # (doc, caption, index, text, start, end, tokens, initial)
    mid_caps: set[str] = set()  # words the sources capitalise mid-sentence
    for doc in docs:
        texts = [(False, i, p) for i, p in enumerate(doc.paragraphs)] + [(True, i, c) for i, c in enumerate(doc.captions)]
        for caption, i, text in texts:
            spans = matched.get((doc.id, caption, i), [])
            for start, end, tokens, initial in _runs(_PARENS.sub(r" \1 ", text)):  # same offsets
                if _covered(spans, start, end):
                    continue  # "France" inside the alias "Beijing's ambassador to France"
                mid_caps.update(t for k, t in enumerate(tokens) if k or not initial)
                runs.append((doc.id, caption, i, text, start, end, tokens, initial))
    seen: dict[str, _Seen] = defaultdict(_Seen)
    verdict: dict[str, bool] = {}
    for sid, caption, i, text, start, end, tokens, initial in runs:
        if initial and tokens[0] not in mid_caps:
            start = text.index(tokens[1], start + len(tokens[0])) if len(tokens) > 1 else end
            tokens = tokens[1:]
        name, start, cue = _trim(text, start, tokens)
        if not name:
            continue
        if name not in verdict:  # once per name: the alias test looks at every alias
            verdict[name] = _excluded(name, known, parts)
        if verdict[name]:
            continue
        s = seen[name]
        s.count += 1
        s.sources[sid] = True
        s.first = s.first or (sid, i, caption, text, start, start + len(name))
        s.cues |= cue | _cues(text, start, start + len(name), name)
        s.places += bool(_PLACE_BEFORE.search(text, max(0, start - 20), start))
    _fold_surnames(seen)
    out = []
    for name, s in seen.items():
        if s.count < 2 and not s.cues:
            continue
        sid, i, caption, text, a, b = s.first
        sa, sb = sentence_at(text, a, b)
        strong = s.cues - {"X said"}
        kind = "person" if strong or (s.cues and " " in name) else "place" if 2 * s.places >= s.count else ""
        out.append(NameSuggestion(name, s.count, tuple(s.sources), sid, i, caption, text[sa:sb].strip(),
                                  kind, tuple(sorted(s.cues))))
    return tuple(sorted(out, key=lambda n: (-n.count, -len(n.sources), n.name)))


def _known(entities, docs) -> tuple[set[str], set[str]]:
    """Every alias (folded, lower case), and every capitalised word of one; outlet names."""
    known, parts = set(), set()
    for e in entities:
        for alias in (e.name, *e.aliases, *e.short):
            known.add(_key(alias))
            words = _TOKEN.findall(alias)
            # the words of a name ("Putin", "Jinping"), not of a description
            # ("China's ambassador to France" does not make China known)
            if all(w[0].isupper() or w in PARTICLES for w in words):
                parts.update(_key(w) for w in words if w[0].isupper())
    for doc in docs:
        for outlet in filter(None, [doc.outlet]):
            known.update(_key(" ".join(tokens)) for _, _, tokens, _ in _runs(outlet))
    return known, parts


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    k = bisect_right(spans, (start, float("inf")))
    return any(a <= start and end <= b for a, b in spans[max(0, k - 3):k])


def _key(name: str) -> str:
    return " ".join(fold(name).casefold().split())


def _runs(text: str):
    """(start, end, tokens, sentence-initial) of each run of capitalised words."""
    tokens: list = []
    for m in _TOKEN.finditer(text):
        tokens.append(m)
    k = 0
    while k < len(tokens):
        t = tokens[k]
        if not t.group()[0].isupper():
            k += 1
            continue
        run = [t]
        j = k + 1
        while j < len(tokens) and _space(text, run[-1].end(), tokens[j].start()) and not _POSSESSIVE.search(run[-1].group()):
            w = tokens[j].group()
            if w[0].isupper():
                run.append(tokens[j])
            elif w in PARTICLES and j + 1 < len(tokens) and tokens[j + 1].group()[0].isupper() \
                    and _space(text, tokens[j].end(), tokens[j + 1].start()):
                run += [tokens[j], tokens[j + 1]]
                j += 1
            else:
                break
            j += 1
        words = [_POSSESSIVE.sub("", r.group()) for r in run]
        yield run[0].start(), run[-1].end(), words, _initial(text, run[0].start(), words[0])
        k = j


def _space(text: str, a: int, b: int) -> bool:
    return 0 < b - a <= 3 and text[a:b].isspace()


def _initial(text: str, pos: int, word: str) -> bool:
    """Does the word open a sentence (or a quotation)? Looks back over spaces and marks."""
    k = pos - 1
    while k >= 0 and text[k] in _SKIP_BACK:
        if text[k] in "“‘«":  # an opening mark: a quotation starts here
            return True
        k -= 1
    if k < 0:
        return True
    if text[k] in _INITIAL_BEFORE:
        before = text[max(0, k - 4):k].split()[-1:] or [""]
        return before[0].casefold() not in ("mr", "mrs", "ms", "dr", "st")
    return False


def _trim(text: str, start: int, tokens: list[str]) -> tuple[str, int, set]:
    """Cut titles off the front ("Foreign Minister Qin Gang" → "Qin Gang"): a person cue."""
    cue = set()
    lowered = [t.casefold() for t in tokens]
    last_title = max((k for k, t in enumerate(lowered) if t.rstrip(".") in TITLES), default=-1)
    if 0 <= last_title < len(tokens) - 1:
        cue.add("title X")
        for t in tokens[:last_title + 1]:
            start = text.index(t, start) + len(t)
        tokens = tokens[last_title + 1:]
        start = text.index(tokens[0], start)
    while tokens and tokens[-1] in PARTICLES:
        tokens = tokens[:-1]
    if not tokens:
        return "", start, cue
    # the run as written (spaces normalised), so "Power of Siberia" keeps its particle
    return " ".join(tokens), start, cue


def _excluded(name: str, known: set[str], parts: set[str]) -> bool:
    key = _key(name)
    words = key.split()
    if key in known or (len(words) == 1 and key in parts):
        return True
    plain = [w for w in words if w not in PARTICLES]
    return (all(w in GENERIC or w in TITLES or w in MONTHS_DAYS for w in plain)
            or len(key) < 2 or _inside_alias(key, known))


def _inside_alias(key: str, known: set[str]) -> bool:
    """A run of words of an alias ("deputy prime minister") is part of that alias."""
    if " " not in key:
        return False
    return any(f" {key} " in f" {k} " for k in known if len(k) > len(key))


def _cues(text: str, a: int, b: int, name: str) -> set:
    cues = set()
    if _SAID_BEFORE.search(text, max(0, a - 40), a):
        cues.add("said X")
    after = text[b:b + 60]
    if _SAID_AFTER.match(after):
        cues.add("X said")
    if _STRONG_AFTER.match(after):
        cues.add("X, 70," if re.match(r",\s*\d", after) else
                 "the X administration" if "administration" in after[:20] else "X, a role")
    return cues


def _fold_surnames(seen: dict[str, _Seen]) -> None:
    """"Lenin" once the sources also say "Vladimir Lenin": one person, counted together."""
    by_last: dict[str, list[str]] = defaultdict(list)
    for name in seen:
        if " " in name:
            by_last[name.rsplit(" ", 1)[1]].append(name)
    for name in [n for n in seen if " " not in n]:
        full = by_last.get(name, [])
        if len(full) == 1:
            s, t = seen.pop(name), seen[full[0]]
            t.count += s.count
            t.sources.update(s.sources)
            t.cues |= s.cues
            t.places += s.places
            if s.first and t.first and (s.first[0], s.first[2], s.first[1]) < (t.first[0], t.first[2], t.first[1]):
                t.first = s.first

