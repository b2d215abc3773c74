"""What "the same words" means for a quotation, and what a copy changed in one.

Quote marks, apostrophes, dashes, spacing, case and the mark a quotation closes on
(“…war,” he said / “…war.”) are typography; anything else (a word dropped, added
or changed, a mark inside the quotation) is a change, and `quote_changes` says
which. pipeline/quotes.py aligns copies' quotations with these; pages/meaning.py
compares the quotations of a reworded sentence with them.
"""
from __future__ import annotations

import re

from ..text import fold, hunks

_DASH = re.compile(r"\s*[‐‑‒–—―−]\s*")  # every dash but the hyphen, with its spacing
_CLOSE = re.compile(r"[\s.,;:]+$")


def _shown(text: str) -> list[str]:
    """A quotation's words as printed, less the mark it closes on."""
    return _CLOSE.sub("", _DASH.sub(" – ", text.replace("...", "…"))).split()


def quote_words(text: str) -> tuple[str, ...]:
    """The words of a quotation as "same" compares them: quote marks, apostrophes,
    dashes, spacing and case normalised, the closing mark left out."""
    return tuple(fold(w).casefold() for w in _shown(text))


def same_words(a: str, b: str) -> bool:
    return quote_words(a) == quote_words(b)


def quote_changes(canonical: str, copy: str) -> list[tuple[str, str]]:
    """What a copy did to a quotation: (words it replaced or dropped, words it put in
    or added), as printed; [] when it has the same words."""
    a, b = _shown(canonical), _shown(copy)
    return [(" ".join(a[ra.start:ra.stop]), " ".join(b[rb.start:rb.stop]))
            for same, ra, rb in hunks(quote_words(canonical), quote_words(copy)) if not same]


def quote_change(canonical: str, copy: str) -> str:
    """quote_changes in words: “straightforward” → “simple”; drops “safe”; adds “at all”."""
    return "; ".join(f"“{old}” → “{new}”" if old and new else f"drops “{old}”" if old else f"adds “{new}”"
                     for old, new in quote_changes(canonical, copy))
