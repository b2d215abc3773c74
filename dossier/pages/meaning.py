"""Changes of meaning between a sentence and its counterpart: what an analyst's
source assessment looks for by hand in a rewrite (source-assessment.md lists them:
"They give us work. We give them work." → "They provide work. They give us work.").

Each detector reads one kind of token from both sentences and compares them as
multisets, so words moved around are no change and one gained or lost is:

- number: digits ("30%", "2,000") and number words ("three", "dozens"; not "one",
  which is mostly a pronoun: "no one else", "a good one");
- date: months and weekdays (capitalised: "may" is a verb), years (1900–2099),
  yesterday, today, tomorrow and relative ones ("last month");
- name: runs of capitalised words ("Power of Siberia", "Mr Jia"), a possessive's
  "’s" aside. A sentence's first word is capitalised anyway ("Even", "Indeed"): it
  counts only when the texts compared also capitalise it inside a sentence
  (`names_in`: "Russia is on the other side" names Russia);
- negation: not (and -n't, cannot), no, never, none, nobody, nothing, nowhere,
  neither, nor, without;
- quotation: the words inside quotation marks, compared as pipeline/quotes.py does.

A dropped or added sentence is flagged for what it holds (a dropped sentence with a
quotation drops the quotation). The flags point a reader at a sentence; they are
not a verdict, and a sentence reworded without a flag may still change its sense.
"""
from __future__ import annotations

import re
from collections import Counter

from ..pipeline.quotes import quotation_spans
from ..pipeline.wording import quote_words
from ..text import fold

_NUMBER_WORDS = ("zero two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                 "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
                 "ninety hundred hundreds thousand thousands million millions billion billions trillion dozen "
                 "dozens half twice double triple percent first second third fourth fifth").split()
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_RELATIVE_DAYS = "yesterday today tomorrow tonight".split()
_NEGATIONS = "not no never none nobody nothing nowhere neither nor without".split()
# a capitalised first word that is not a name
_COMMON = set(("the a an it he she they we i you this that these those there here his her their its our "
               "my your but and or so yet if when while as at in on of for from to by with after before "
               "since during about one some many most all every each no not however meanwhile still also "
               "what who why how where which despite although though because").split())

_TOKEN = re.compile(r"\d[\d,.]*%?|[A-Za-z][\w'-]*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_RELATIVE = re.compile(r"\b(?:last|next|this|that|the following|the previous)\s+"
                       r"(?:day|week|weekend|month|year|spring|summer|autumn|winter)\b", re.I)
_CAP = r"[A-Z][\w'-]*"
_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:of|de|van|von|al|bin|the)\s+)?{_CAP})*")
_POSSESSIVE = re.compile(r"'s$")

_MONTH_DAY = frozenset(_MONTHS + _DAYS)
_NUMBER_SET, _NEGATION_SET = frozenset(_NUMBER_WORDS), frozenset(_NEGATIONS)


def _read(s: str, known: frozenset[str]) -> dict[str, Counter]:
    """The numbers, dates, names and negations of a sentence, each as printed (one pass
    over its words: a megabyte rewrite has tens of thousands of sentences)."""
    plain = fold(s)
    found = {"number": Counter(), "date": Counter(), "name": Counter(), "negation": Counter()}
    for t in _TOKEN.findall(plain):
        t = t.strip(".,")
        low = t.lower()
        if _YEAR.fullmatch(t) or (t[:1].isupper() and low in _MONTH_DAY):
            found["date"][t] += 1
        elif low in _RELATIVE_DAYS:
            found["date"][low] += 1
        elif t[:1].isdigit() or low in _NUMBER_SET:
            found["number"][low] += 1
        elif low in _NEGATION_SET or low.endswith("n't") or low == "cannot":
            found["negation"]["not" if low.endswith("n't") or low == "cannot" else low] += 1
    found["date"].update(m.group(0).lower() for m in _RELATIVE.finditer(plain))
    first = len(plain) - len(plain.lstrip(" \"'(-"))
    for m in _NAME.finditer(plain):
        words = [_POSSESSIVE.sub("", w) for w in m.group(0).split()]
        if m.start() == first and words[0] not in known:
            words = words[1:]  # "Crucially Russia": the first word is capitalised anyway
        while words and words[0].lower().split("'")[0] in _COMMON:  # "The Chinese", "But Putin", "They're"
            words = words[1:]
        if words and words[0].lower() not in _MONTH_DAY:
            found["name"][" ".join(words)] += 1
    return found


def names_in(sentences) -> frozenset[str]:
    """The words these sentences capitalise other than at their start: what a first
    word must be to count as a name."""
    seen = set()
    for s in sentences:
        plain = fold(s)
        first = len(plain) - len(plain.lstrip(" \"'(-"))
        seen.update(_POSSESSIVE.sub("", m.group(0)) for m in re.finditer(_CAP, plain) if m.start() > first)
    return frozenset(seen)


def _quotations(s: str) -> list[tuple[tuple[str, ...], str]]:
    """(the words as "same" compares them, the quotation as printed)."""
    return [(quote_words(q), q.strip().rstrip(",.;: ")) for a, b, closed in quotation_spans(s) if b - a > 2
            for q in [s[a + 1:b - 1 if closed else b]]]


def meaning_flags(old: str, new: str, known: frozenset[str] | None = None) -> list[dict]:
    """[{"kind", "dropped": [...], "added": [...]}] for each kind of token that differs
    (each token once, as printed); `known`: names_in the two texts (the two sentences
    when not given)."""
    known = names_in([old, new]) if known is None else known
    flags = []
    ra, rb = _read(old, known), _read(new, known)
    for kind in ("number", "date", "name", "negation"):
        a, b = ra[kind], rb[kind]
        if a != b:
            flags.append({"kind": kind, "dropped": sorted(a - b), "added": sorted(b - a)})
    qa, qb = _quotations(old), _quotations(new)
    ka, kb = Counter(k for k, _ in qa), Counter(k for k, _ in qb)
    if ka != kb:
        flags.append({"kind": "quotation", "dropped": [q for k, q in qa if k in ka - kb],
                      "added": [q for k, q in qb if k in kb - ka]})
    return flags
