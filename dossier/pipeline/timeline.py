"""timeline: dated events, with the documents that speak of them, in order."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from ..dates import precision
from ..models import Entity, SourceId, TimelineEntry


def build_timeline(entities: tuple[Entity, ...], names: Mapping[SourceId, Iterable[tuple[str, str]]]) \
        -> tuple[TimelineEntry, ...]:
    """`names`: the (kind, slug) each document names (see build_model)."""
    speaking: dict[str, set[SourceId]] = defaultdict(set)
    for sid, pairs in names.items():
        for kind, slug in pairs:
            if kind == "event":
                speaking[slug].add(sid)
    entries = [
        TimelineEntry(e.date, e.end, precision(e.date), e.name, e.slug, None, tuple(sorted(speaking[e.slug])))
        for e in entities if e.kind == "event" and e.date
    ]
    # a month-precision "2023-03" sorts before "2023-03-20": the vaguer date first, as
    # it also opens the period it names
    return tuple(sorted(entries, key=lambda t: (t.date, t.end or t.date, t.title)))
