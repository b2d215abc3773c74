"""timeline: dated events, with the documents that speak of them, in order."""
from __future__ import annotations

from collections import defaultdict

from ..dates import precision
from ..models import Entity, Mention, SourceId, TimelineEntry


def build_timeline(entities: tuple[Entity, ...], mentions: tuple[Mention, ...]) -> tuple[TimelineEntry, ...]:
    speaking: dict[str, set[SourceId]] = defaultdict(set)
    for m in mentions:
        if m.kind == "event":
            speaking[m.entity].add(m.document)
    entries = [
        TimelineEntry(e.date, e.end, precision(e.date), e.name, e.slug, None, tuple(sorted(speaking[e.slug])))
        for e in entities if e.kind == "event" and e.date
    ]
    # a month-precision "2023-03" sorts before "2023-03-20": the vaguer date first, as
    # it also opens the period it names
    return tuple(sorted(entries, key=lambda t: (t.date, t.end or t.date, t.title)))
