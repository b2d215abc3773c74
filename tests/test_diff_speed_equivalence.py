"""The rewrite view's fast paths give what the plain code they replaced gave: the
reading of numbers, dates, names, negations and quotations (a fast path for the words
that count, sorted tuples for Counters, the opening name resolved per diff), the names
known, the word-sorted ratio, the ASCII shortcut of fold, the words the word diff
compares, the scores' cutoff. The reference below is that plain code, kept small.
Random sentences from hypothesis (PROP_EXAMPLES=3000 digs deeper) and the sentences of
the shipped articles."""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dossier.pages import meaning
from dossier.pages.diff import PAIR, Rewrites, _key, _scores, _sorted_key, _words, align, sentence_diff, sentences
from dossier.pages.meaning import _minus, meaning_flags, names_in
from dossier.text import _FOLD, fold

SETTINGS = settings(max_examples=int(os.environ.get("PROP_EXAMPLES", 200)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# What sentences are made of, so that random ones reach the corners: names and their
# connectors, possessives, months and "may", years, numbers, negations, relative dates
# in any case, quotation marks straight and curly, the characters re.I matches to
# ASCII letters ("ſ", "ı", "K"), a backtick (fold changes it), odd spaces.
PIECES = ["The", "the", "Russia", "Russia's", "Mr", "Jia", "Power", "of", "de", "van", "Siberia", "McDonald's",
          "U.S.", "May", "may", "Monday", "2023", "1999", "30%", "2,000.", "three", "Three", "dozens", "one",
          "not", "don't", "Don’t", "CANNOT", "never", "No", "last", "week", "Last", "WEEK", "weekend", "year's",
          "next", "month-long", "following", "spring", "ſpring", "thıs", "weeK", "today", "Tomorrow", "Jan",
          "sept", "Crucially", "Even", "They're", "But", "Putin", "Anna", "Petrova", "said", "“", "”", '"', "'",
          "‘", "’", "(", "-", ",", ".", "`", "é", "İstanbul", "Straße", "ǅ", "_x", "9am", "a1", "٣", "e.g."]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\xa0", "\u2003", ""]
sentence = st.lists(st.tuples(st.sampled_from(PIECES) | st.text(max_size=4), st.sampled_from(SPACES)),
                    max_size=14).map(lambda ws: "".join(w + s for w, s in ws))

ARTICLES = Path(__file__).resolve().parents[1] / "content" / "articles"
SHIPPED = [s for p in sorted(ARTICLES.glob("*.txt")) for _, s in sentences(p.read_text().split("\n\n"))]


# ---- the reference: meaning.py and diff.py's plain code, as they were -----------------

_POSSESSIVE = re.compile(r"'s$")


def _ref_read(s: str, known) -> dict[str, Counter]:
    plain_ = fold(s)
    found = {"number": Counter(), "date": Counter(), "name": Counter(), "negation": Counter()}
    for t in meaning._TOKEN.findall(plain_):
        t = t.strip(".,")
        low = t.lower()
        if meaning._YEAR.fullmatch(t) or (t[:1].isupper() and low in meaning._MONTH_DAY):
            found["date"][t] += 1
        elif low in meaning._RELATIVE_DAYS:
            found["date"][low] += 1
        elif t[:1].isdigit() or low in meaning._NUMBER_SET:
            found["number"][low] += 1
        elif low in meaning._NEGATION_SET or low.endswith("n't") or low == "cannot":
            found["negation"]["not" if low.endswith("n't") or low == "cannot" else low] += 1
    found["date"].update(m.group(0).lower() for m in meaning._RELATIVE.finditer(plain_))
    first = len(plain_) - len(plain_.lstrip(" \"'(-"))
    for m in meaning._NAME.finditer(plain_):
        words = [_POSSESSIVE.sub("", w) for w in m.group(0).split()]
        if m.start() == first and words[0] not in known:
            words = words[1:]
        while words and words[0].lower().split("'")[0] in meaning._COMMON:
            words = words[1:]
        if words and words[0].lower() not in meaning._MONTH_DAY:
            found["name"][" ".join(words)] += 1
    return found


def _ref_names_in(sentences_) -> frozenset[str]:
    seen = set()
    for s in sentences_:
        plain_ = fold(s)
        first = len(plain_) - len(plain_.lstrip(" \"'(-"))
        seen.update(_POSSESSIVE.sub("", m.group(0)) for m in re.finditer(meaning._CAP, plain_) if m.start() > first)
    return frozenset(seen)


def _ref_flags(old: str, new: str, known) -> list[dict]:
    flags = []
    ra, rb = _ref_read(old, known), _ref_read(new, known)
    for kind in ("number", "date", "name", "negation"):
        a, b = ra[kind], rb[kind]
        if a != b:
            flags.append({"kind": kind, "dropped": sorted(a - b), "added": sorted(b - a)})
    qa, qb = meaning._quotations(old), meaning._quotations(new)
    ka, kb = Counter(k for k, _ in qa), Counter(k for k, _ in qb)
    if ka != kb:
        flags.append({"kind": "quotation", "dropped": [q for k, q in qa if k in ka - kb],
                      "added": [q for k, q in qb if k in kb - ka]})
    return flags


def _ref_scores(left: list[str], right: list[str]) -> np.ndarray:
    scores = np.maximum(process.cdist(left, right, scorer=fuzz.ratio, dtype=np.uint8, workers=1),
                        process.cdist(left, right, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=1))
    return np.where(scores >= PAIR, scores, 0)


# ---- the properties -------------------------------------------------------------------

def _same_flags(old, new, others=()):
    assert meaning_flags(old, new) == _ref_flags(old, new, _ref_names_in([old, new]))
    known = names_in([old, new, *others])
    assert known == _ref_names_in([old, new, *others])
    assert meaning_flags(old, new, known) == _ref_flags(old, new, known)
    assert meaning_flags(old, "", known) == _ref_flags(old, "", known)
    assert meaning_flags("", new, known) == _ref_flags("", new, known)


@SETTINGS
@given(sentence, sentence, st.lists(sentence, max_size=4))
@example("Crucially Russia is here.", "Russia is on the other side.", [])
@example("It happened last week.", "It happened thıs ſpring, not last WEEK.", [])
@example("“We will not sell,” said the mayor.", "A new marina is planned.", [])
@example("", "Mr Jia's Power of Siberia, 30% in May 2023.", [])
@example("Three, three and two; not never.", "three two two, no.", [])
def test_meaning_flags_are_the_plain_codes(old, new, others):
    _same_flags(old, new, others)


@pytest.mark.parametrize("k", range(0, max(1, len(SHIPPED) - 1), 7))
def test_meaning_flags_of_the_shipped_sentences(k):
    old, new = SHIPPED[k], SHIPPED[k + 1] if k + 1 < len(SHIPPED) else ""
    _same_flags(old, new, SHIPPED[k + 2:k + 6])


@SETTINGS
@given(st.lists(st.sampled_from(PIECES[:20])), st.lists(st.sampled_from(PIECES[:20])))
def test_minus_is_counter_subtraction(a, b):
    a, b = tuple(sorted(a)), tuple(sorted(b))
    assert _minus(a, b) == sorted(Counter(a) - Counter(b))


@SETTINGS
@given(sentence, sentence)
@example("the cat sat", "sat the cat")
@example("b a\tc", "a  b c ")
def test_the_sorted_key_ratio_is_token_sort_ratio(a, b):
    assert fuzz.ratio(_sorted_key(_key(a)), _sorted_key(_key(b))) == fuzz.token_sort_ratio(_key(a), _key(b))


@SETTINGS
@given(st.lists(sentence, min_size=1, max_size=6), st.lists(sentence, min_size=1, max_size=6))
def test_the_scores_with_a_cutoff_pair_as_before(left, right):
    left, right = [_key(s) for s in left], [_key(s) for s in right]
    ours = np.maximum(_scores(left, right), _scores([_sorted_key(k) for k in left], [_sorted_key(k) for k in right]))
    assert (np.where(ours >= PAIR, ours, 0) == _ref_scores(left, right)).all()


@SETTINGS
@given(st.text() | sentence)
@example("it`s")
def test_fold_is_its_table(text):
    assert fold(text) == text.translate(_FOLD)


@SETTINGS
@given(st.text() | sentence)
def test_the_word_diffs_words_are_each_word_folded(text):
    assert _words(text) == [fold(w).casefold().strip("\"'") for w in re.findall(r"\S+", text)]


def test_align_of_the_shipped_articles_pairs_as_before():
    # the shipped rewrite against its original: bands scored with the plain scores agree
    a, b = SHIPPED[: len(SHIPPED) // 2], SHIPPED[len(SHIPPED) // 2:]
    pairs = align(a, b)
    assert [i for i, _ in pairs if i is not None] == list(range(len(a)))
    assert [j for _, j in pairs if j is not None] == list(range(len(b)))
    for i, j in pairs:
        if i is not None and j is not None and _key(a[i]) != _key(b[j]):
            assert _ref_scores([_key(a[i])], [_key(b[j])])[0, 0] >= PAIR


def test_a_canonical_diffed_twice_gives_the_same_rows():
    # nothing of one diff (the names known differ) is carried into another
    canon = ["Crucially Russia is here. Moscow said so.", "Talks ended last week."]
    assert sentence_diff(canon, ["Crucially Russia is there.", "Talks ended."]) == \
        sentence_diff(canon, ["Crucially Russia is there.", "Talks ended."])
    plain_ = sentence_diff(canon, ["Crucially it is there."])
    named = sentence_diff(canon, ["Crucially it is there. Then Crucially came."])
    assert plain_["rows"][0]["flags"] != named["rows"][0]["flags"]


def test_a_story_set_against_its_versions_in_turn_gives_each_diff_made_alone():
    # a story page reads its canonical once for all its versions (Rewrites): what one
    # version's names make of a sentence is not carried into the next one's rows
    canon = ["Crucially Russia is here. Moscow said so.", "Talks ended last week. Three ships left."]
    versions = [["Crucially it is there. Then Crucially came."], ["Crucially it is there."],
                ["Crucially Russia is there.", "Talks ended. Four ships left."], SHIPPED[:40]]
    story = Rewrites(canon)
    assert [story.against(v) for v in versions] == [sentence_diff(canon, v) for v in versions]
