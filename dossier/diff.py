"""Word-level diff of a version against the canonical text (what a rewrite changed)."""
from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(canonical: str, version: str) -> tuple[tuple[str, str], ...]:
    """(op, text) runs with op in "eq", "del", "ins"; whitespace rides with the words."""
    a, b = _TOKEN.findall(canonical), _TOKEN.findall(version)
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _push(out, "eq", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            _push(out, "del", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            _push(out, "ins", "".join(b[j1:j2]))
    return tuple(out)


def _push(out: list, op: str, text: str) -> None:
    if not text:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))


def diff_stats(runs: tuple[tuple[str, str], ...]) -> dict[str, int]:
    words = {op: 0 for op in ("eq", "del", "ins")}
    for op, text in runs:
        words[op] += len(text.split())
    return words
