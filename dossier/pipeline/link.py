"""link: documents × entities → Mention, in one Aho–Corasick pass per text.

One automaton holds every alias of every entity (pyahocorasick), so the cost is
one scan of the text whatever the number of entities. Matches must sit on word
boundaries ("Jiang" is not inside "Heilongjiang"). Overlaps are settled per kind,
longest first ("Tang Lu" beats "Lu"), so "Lu's remarks" can be both an event and
a mention of Lu. Short forms count only in a document that also names the
entity by a full alias.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from typing import Iterable, Sequence

import ahocorasick

from ..models import Document, Entity, Mention, Mentions, Slug
from ..text import fold, sentence_at

WIKILINK = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]*))?\]\]")


def build_automaton(entities: Iterable[Entity]) -> ahocorasick.Automaton:
    table: dict[str, list[tuple[Slug, str, bool]]] = defaultdict(list)
    for e in entities:
        for alias in e.aliases:
            table[fold(alias)].append((e.slug, e.kind, False))
        for alias in e.short:
            table[fold(alias)].append((e.slug, e.kind, True))
    automaton = ahocorasick.Automaton()
    for alias, owners in table.items():
        automaton.add_word(alias, (len(alias), tuple(owners)))
    if table:
        automaton.make_automaton()
    return automaton


def link(documents: Iterable[Document], entities: tuple[Entity, ...]) -> tuple[Mention, ...]:
    """Every mention in these documents, in their order (a convenience over Linker)."""
    linker = Linker(entities)
    return tuple(m for doc in documents for m in linker(doc))


class Linker:
    """One set of entities made ready to link any number of documents, one at a time:
    the automaton of every alias and the wikilink lookup, built once."""

    def __init__(self, entities: Iterable[Entity]):
        entities = tuple(entities)
        self.automaton, self.lookup = build_automaton(entities), wikilink_lookup(entities)

    def __call__(self, doc: Document) -> Mentions:
        return Mentions(doc.id, link_document(doc, self.automaton, self.lookup))


def link_document(doc: Document, automaton, lookup: dict[str, Entity]) -> list[Mention]:
    found: list[tuple[Mention, bool]] = []  # (mention, is_short)
    texts = [(i, p, False) for i, p in enumerate(doc.paragraphs)] + [(i, c, True) for i, c in enumerate(doc.captions)]
    for i, text, in_caption in texts:
        found += _scan(doc, i, text, in_caption, automaton)
    named = {m.entity for m, short in found if not short}
    mentions = [m for m, short in found if not short or m.entity in named]
    if doc.kind == "note":
        mentions += _wikilinks(doc, lookup, {(m.paragraph, m.start) for m in mentions})
    return mentions


def _scan(doc: Document, index: int, text: str, in_caption: bool, automaton) -> list[tuple[Mention, bool]]:
    if not len(automaton):
        return []
    folded = fold(text)
    hits = []
    for end_index, (length, owners) in automaton.iter(folded):
        start, end = end_index - length + 1, end_index + 1
        if _on_word_boundaries(folded, start, end):
            hits += [(start, end, slug, kind, short) for slug, kind, short in owners]
    by_kind: dict[str, list] = defaultdict(list)
    for hit in hits:
        by_kind[hit[3]].append(hit)
    out = []
    for kind_hits in by_kind.values():
        for start, end, slug, kind, short in _longest_first(kind_hits, len(folded)):
            out.append((Mention(slug, kind, doc.id, index, start, end, in_caption), short))
    return out


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())


def _longest_first(hits: list, length: int) -> list:
    """Keep non-overlapping hits, preferring the longest, then the leftmost; a tie
    between two entities on one span keeps both (an alias shared on purpose).
    Taken characters are marked in a bytearray, so a paragraph with thousands of
    matches costs their total length, not the square of their number."""
    taken, spans, kept = bytearray(length), set(), []
    for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0], h[2])):
        start, end = hit[0], hit[1]
        if (start, end) not in spans:
            if 1 in taken[start:end]:
                continue
            taken[start:end] = b"\x01" * (end - start)
            spans.add((start, end))
        kept.append(hit)
    return sorted(kept, key=lambda h: (h[0], h[2]))


def wikilink_lookup(entities: Iterable[Entity]) -> dict[str, Entity]:
    """Lower-cased slug, name and aliases → entity (short forms are too ambiguous)."""
    lookup: dict[str, Entity] = {}
    for e in entities:
        for key in (e.slug, e.name, *e.aliases):
            lookup.setdefault(fold(key).lower().strip(), e)
    return lookup


def resolve_wikilink(target: str, lookup: dict[str, Entity]) -> Entity | None:
    return lookup.get(fold(target).lower().strip())


def _wikilinks(doc: Document, lookup: dict[str, Entity], seen: set) -> list[Mention]:
    out = []
    for i, block in enumerate(doc.paragraphs):
        for m in WIKILINK.finditer(block):
            entity = resolve_wikilink(m.group(1), lookup)
            if entity and (i, m.start() + 2) not in seen:
                out.append(Mention(entity.slug, entity.kind, doc.id, i, m.start(), m.end(), wikilink=True))
    return out


def unresolved_wikilinks(doc: Document, lookup: dict[str, Entity]) -> list[str]:
    return [m.group(1) for block in doc.paragraphs for m in WIKILINK.finditer(block)
            if resolve_wikilink(m.group(1), lookup) is None]


def text_of(doc: Document, m: Mention) -> str:
    """The paragraph or caption a mention is in (its start and end are offsets in it)."""
    return (doc.captions if m.in_caption else doc.paragraphs)[m.paragraph]


def names_of(mentions: Iterable[Mention]) -> tuple[tuple[str, str], ...]:
    """The (kind, slug) of every entity a document names, sorted: `Dossier.names`, and
    what its ties are indices into. A tuple, not a frozenset: one for each document,
    held to the last page, and a frozenset's table is four times the memory."""
    named = mentions.named() if isinstance(mentions, Mentions) else {(m.entity, m.kind) for m in mentions}
    return tuple(sorted((kind, entity) for entity, kind in named))


def sentence_ties(doc: Document, mentions: Sequence[Mention]) -> bytes:
    """Which of the names of `doc` (names_of) each of its sentences names, where it
    names two or more, each set once: what pages/involvement.py reads "named in one
    sentence with" from (`tied`). A record of the document made with its mentions (in
    the workers that link), so that the pages of a person named in 10⁴ reports need
    not find the sentences of every one of them again in each process that renders
    some. Packed, as indices into names_of, each set after its length: held for
    every document to the last page, as frozensets of (kind, slug) they took 3.6 KB
    a document (360 MB at 100,000 articles); packed, about 100 bytes."""
    names = {pair: i for i, pair in enumerate(names_of(mentions))}
    sentences: dict[tuple, set[int]] = defaultdict(set)
    for m in mentions:
        a, _ = sentence_at(text_of(doc, m), m.start, m.end)
        sentences[(m.in_caption, m.paragraph, a)].add(names[(m.kind, m.entity)])
    packed = array("I")
    for group in sorted({tuple(sorted(g)) for g in sentences.values() if len(g) > 1}):
        packed.extend((len(group), *group))
    return packed.tobytes()


def tied(names: Sequence[tuple[str, str]], ties: bytes, me: tuple[str, str]) -> set[tuple[str, str]]:
    """The names (as `names`: the document's names_of) that share a sentence with `me`
    in the document of these `ties` (sentence_ties), `me` among them if any does."""
    at = bisect_left(names, me)
    if at == len(names) or names[at] != me:
        return set()
    packed, out, j = array("I", ties), set(), 0
    while j < len(packed):
        group = packed[j + 1:j + 1 + packed[j]]
        if at in group:
            out.update(names[k] for k in group)
        j += 1 + packed[j]
    return out
