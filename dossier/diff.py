"""Word-level diff of a version against the canonical text (what a rewrite changed).

rapidfuzz's Indel opcodes (a bit-parallel LCS in C++) over word tokens: difflib's
SequenceMatcher took minutes on a thousand long rewrites, this takes milliseconds.
"""
from __future__ import annotations

import re

from rapidfuzz.distance import Indel

_TOKEN = re.compile(r"\S+\s*")  # a word with the whitespace after it


def word_diff(canonical: str, version: str) -> tuple[tuple[str, str], ...]:
    """(op, text) runs with op in "eq", "del", "ins"; deletions come before insertions."""
    a, b = _TOKEN.findall(canonical), _TOKEN.findall(version)
    out: list[tuple[str, str]] = []
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            _push(out, "eq", "".join(a[op.src_start:op.src_end]))
        elif op.tag == "delete":
            _push(out, "del", "".join(a[op.src_start:op.src_end]))
        else:
            _push(out, "ins", "".join(b[op.dest_start:op.dest_end]))
    return tuple(out)


def _push(out: list, op: str, text: str) -> None:
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    elif out and op == "del" and out[-1][0] == "ins" and len(out) > 1 and out[-2][0] == "del":
        out[-2] = ("del", out[-2][1] + text)  # keep "del, ins" pairs in reading order
    else:
        out.append((op, text))


def diff_stats(runs: tuple[tuple[str, str], ...]) -> dict[str, int]:
    words = {op: 0 for op in ("eq", "del", "ins")}
    for op, text in runs:
        words[op] += len(text.split())
    return words
