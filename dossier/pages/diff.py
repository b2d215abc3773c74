"""Word-level diff of a version against the canonical text (what a rewrite changed).

rapidfuzz's Indel opcodes (a bit-parallel LCS in C++) over word tokens: difflib's
SequenceMatcher took minutes on a thousand long rewrites, this takes milliseconds.
"""
from __future__ import annotations

import re

from rapidfuzz.distance import Indel

_TOKEN = re.compile(r"\S+\s*")  # a word with the whitespace after it


# Words (both sides together) diffed in one LCS. Indel is O(n·m/64): a long article
# (20,000 words) takes milliseconds, but two 1 MB copies took 13 s and 2 MB ones a
# minute. Past this, paragraphs are aligned first and only the changed ones are
# diffed word by word (docs/reliability.md).
WORD_LIMIT = 100_000


def word_diff(canonical: str, version: str) -> tuple[tuple[str, str], ...]:
    """(op, text) runs with op in "eq", "del", "ins"; deletions come before insertions."""
    a, b = _TOKEN.findall(canonical), _TOKEN.findall(version)
    if len(a) + len(b) <= WORD_LIMIT:
        return tuple(_runs(a, b, []))
    pa, pb = _paragraphs(canonical), _paragraphs(version)
    out: list[tuple[str, str]] = []
    for op in Indel.opcodes(pa, pb):
        old, new = "".join(pa[op.src_start:op.src_end]), "".join(pb[op.dest_start:op.dest_end])
        if op.tag == "equal":
            _push(out, "eq", old)
        elif op.tag == "delete":
            _push(out, "del", old)
        else:
            _push(out, "ins", new)
    return tuple(_refine(out))


def _paragraphs(text: str) -> list[str]:
    parts = text.split("\n\n")
    return [p + "\n\n" for p in parts[:-1]] + [parts[-1]]


def _refine(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A paragraph-level "del, ins" pair that is short enough becomes a word diff."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(runs):
        op, text = runs[i]
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        if op == "del" and nxt and nxt[0] == "ins":
            a, b = _TOKEN.findall(text), _TOKEN.findall(nxt[1])
            if len(a) + len(b) <= WORD_LIMIT // 10:
                _runs(a, b, out)
                i += 2
                continue
        _push(out, op, text)
        i += 1
    return out


def _runs(a: list[str], b: list[str], out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            _push(out, "eq", "".join(a[op.src_start:op.src_end]))
        elif op.tag == "delete":
            _push(out, "del", "".join(a[op.src_start:op.src_end]))
        else:
            _push(out, "ins", "".join(b[op.dest_start:op.dest_end]))
    return out


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
