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

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_ENDS = tuple(".!?…。！？")
_CLOSERS = "”’\"')]»›」』）"
PROSE_MIN = 10  # tokens a sentence needs to count in full
SHORT = 3  # what a short sentence ("It rained.") counts for less: labels end in a stop too
LONG = 20  # tokens past which a line is prose even without a sentence end (hard-wrapped text)
COST = 4  # what one line of furniture takes off the span


def tokens(t: str) -> int:
    return len(_TOKEN.findall(t))


def ends_sentence(t: str) -> bool:
    return t.rstrip(_CLOSERS)[-1:] in _ENDS


def weight(t: str) -> float:
    n = tokens(t)
    if ends_sentence(t) and n >= SHORT:
        return n if n >= PROSE_MIN else n - SHORT
    if n >= LONG:
        return n / 2
    return -COST


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
