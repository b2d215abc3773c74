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
from dataclasses import dataclass

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
_PERIODS = "day week weekend month year spring summer autumn winter".split()
# a capitalised first word that is not a name
_COMMON = set(("the a an it he she they we i you this that these those there here his her their its our "
               "my your but and or so yet if when while as at in on of for from to by with after before "
               "since during about one some many most all every each no not however meanwhile still also "
               "what who why how where which despite although though because").split())

_TOKEN = re.compile(r"\d[\d,.]*%?|[A-Za-z][\w'-]*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DIGIT = re.compile(r"\d")
_RELATIVE = re.compile(r"\b(?:last|next|this|that|the following|the previous)\s+"
                       rf"(?:{'|'.join(_PERIODS)})\b", re.I)
_CAP = r"[A-Z][\w'-]*"
_CAPS = re.compile(_CAP)
_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:of|de|van|von|al|bin|the)\s+)?{_CAP})*")

_KINDS = ("number", "date", "name", "negation")
_MONTH_DAY = frozenset(_MONTHS + _DAYS)
_NUMBER_SET, _NEGATION_SET = frozenset(_NUMBER_WORDS), frozenset(_NEGATIONS)
# every lower-cased word a sentence's reading can count: the rest (most words) are passed over
_COUNTED = _MONTH_DAY | _NUMBER_SET | _NEGATION_SET | frozenset(_RELATIVE_DAYS) | {"cannot"}


@dataclass(frozen=True)
class Reading:
    """What the flags compare in one sentence, read once: its numbers, dates, names but
    the opening one, and negations (_KINDS), as printed, each kind sorted (compared as
    multisets: a word moved is no change); its quotations. `opening` is the run of
    capitalised words the sentence starts with, as (its first word, the name it is if
    that word is a name, the name it is if not): only the texts compared tell (names_in)."""
    kinds: tuple[tuple[str, ...], ...]
    opening: tuple[str, str | None, str | None] | None
    quotations: tuple[tuple[tuple[str, ...], str], ...]

    def tokens(self, known: frozenset[str]) -> tuple[tuple[str, ...], ...]:
        """The kinds, the opening name among the names when `known` says it is one."""
        if self.opening is None:
            return self.kinds
        word, if_known, if_not = self.opening
        name = if_known if word in known else if_not
        if name is None:
            return self.kinds
        number, date, names, negation = self.kinds
        return number, date, tuple(sorted((*names, name))), negation


def read(sentence: str) -> Reading:
    """A sentence's Reading (one pass over its words: a megabyte rewrite has tens of
    thousands of sentences)."""
    if not sentence:  # the other side of a dropped or added sentence
        return _NOTHING
    text = fold(sentence)
    number, date, negation = [], [], []
    tokens = _TOKEN.findall(text)
    lows = list(map(str.lower, tokens))
    # most words count for nothing, and half the sentences have none that counts: these
    # searches find them without a loop; the loop reads only the words that may count
    # (a digit starts a number's token, a letter a word's, which has no "." or "," to strip)
    counts = not _COUNTED.isdisjoint(lows) or "n't" in " ".join(lows) or _DIGIT.search(text)
    for t, low in [(t, low) for t, low in zip(tokens, lows)
                   if low in _COUNTED or low.endswith("n't") or t[0].isdigit()] if counts else ():
        if t[0].isdigit():  # "2,000.", "30%", "2023"
            t = t.strip(".,")
            if _YEAR.fullmatch(t):
                date.append(t)
            else:
                number.append(t.lower())
        elif t[0].isupper() and low in _MONTH_DAY:  # "May", not "may": a verb
            date.append(t)
        elif low in _RELATIVE_DAYS:
            date.append(low)
        elif low in _NUMBER_SET:
            number.append(low)
        elif low in _NEGATION_SET or low.endswith("n't") or low == "cannot":
            negation.append("not" if low.endswith("n't") or low == "cannot" else low)
    # the search is slow and most sentences have no period word ("last week"); re.I also
    # matches letters like "ſ" to ASCII ones, so text beyond ASCII is always searched
    if not text.isascii() or any(map(text.lower().__contains__, _PERIODS)):
        date += map(str.lower, _RELATIVE.findall(text))
    names, opening = _names(text)
    return Reading(tuple(map(tuple, map(sorted, (number, date, names, negation)))), opening,
                   tuple(_quotations(sentence)))


_NOTHING = Reading(((), (), (), ()), None, ())


def _names(text: str) -> tuple[list[str], tuple[str, str | None, str | None] | None]:
    """The names of a folded sentence but the run it opens with, and that run (Reading)."""
    first = len(text) - len(text.lstrip(" \"'(-"))  # (none of these can start a name)
    opening = _NAME.match(text, first)  # "Crucially Russia": the first word is capitalised anyway
    names = [name for name in map(_name, map(_words, _NAME.findall(text, opening.end() if opening else first)))
             if name is not None]
    if opening is None:
        return names, None
    words = _words(opening.group())
    return names, (words[0], _name(words), _name(words[1:]))


def _words(run: str) -> list[str]:
    """The words of a run of capitalised words, a possessive's "'s" aside."""
    return [_bare(w) for w in run.split()] if "'s" in run else run.split()


def _name(words: list[str]) -> str | None:
    while words and words[0].lower().split("'")[0] in _COMMON:  # "The Chinese", "But Putin", "They're"
        words = words[1:]
    return " ".join(words) if words and words[0].lower() not in _MONTH_DAY else None


def _bare(word: str) -> str:
    """A word without its possessive "'s"."""
    return word[:-2] if word.endswith("'s") else word


def names_in(sentences) -> frozenset[str]:
    """The words these sentences capitalise other than at their start: what a first
    word must be to count as a name."""
    seen = set()
    for s in sentences:
        text = fold(s)
        first = len(text) - len(text.lstrip(" \"'(-"))
        opening = _CAPS.match(text, first)  # skipped: the first word is capitalised anyway
        seen.update(map(_bare, _CAPS.findall(text, opening.end() if opening else first)))
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
    return flags(read(old), read(new), known)


def flags(old: Reading, new: Reading, known: frozenset[str]) -> list[dict]:
    """meaning_flags of two sentences read."""
    out = []
    ta, tb = old.tokens(known), new.tokens(known)
    for kind, a, b in zip(_KINDS, ta, tb) if ta != tb else ():
        if a != b:  # (sorted: equal tuples are equal multisets)
            out.append({"kind": kind, "dropped": _minus(a, b), "added": _minus(b, a)})
    qa, qb = old.quotations, new.quotations
    if not qa and not qb:  # most sentences quote nobody
        return out
    ka, kb = Counter(k for k, _ in qa), Counter(k for k, _ in qb)
    if ka != kb:
        out.append({"kind": "quotation", "dropped": [q for k, q in qa if k in ka - kb],
                    "added": [q for k, q in qb if k in kb - ka]})
    return out


def _minus(a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    """The tokens sorted `a` holds more often than `b`, each once, in order: what
    sorted(Counter(a) - Counter(b)) gives, without two Counters for a few tokens."""
    if not a or not b:  # a dropped or added sentence, or a kind one side lacks
        return list(dict.fromkeys(a))
    rest, out = list(b), []
    for t in a:
        if t in rest:
            rest.remove(t)
        else:
            out.append(t)
    return list(dict.fromkeys(out))
