"""timeline: dated events, with the documents that speak of them, in order."""
from __future__ import annotations

from typing import Iterable, Mapping

from ..dates import precision
from ..models import Entity, SourceId, TimelineEntry


def build_timeline(entities: tuple[Entity, ...], named_in: Mapping[tuple[str, str], Iterable[SourceId]]) \
        -> tuple[TimelineEntry, ...]:
    """`named_in`: the documents naming each (kind, slug) (pipeline/naming.py)."""
    entries = [
        TimelineEntry(e.date, e.end, precision(e.date), e.name, e.slug, None,
                      tuple(sorted(named_in.get(("event", e.slug), ()))))
        for e in entities if e.kind == "event" and e.date
    ]
    # a month-precision "2023-03" sorts before "2023-03-20": the vaguer date first, as
    # it also opens the period it names
    return tuple(sorted(entries, key=lambda t: (t.date, t.end or t.date, t.title)))
