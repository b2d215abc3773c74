"""Who names whom: for each person, place and event, the documents that name it.

The inverse of each document's names (link's mentions, as (kind, slug) pairs). The
pages of an entity, its counts, the timeline's sources and the checks all read it.
`Naming` keeps it from one build to the next and redoes only the documents whose
names are a new set: the first update makes it whole, as any later one would.
"""
from __future__ import annotations

from typing import Mapping

from ..models import SourceId

Pair = tuple[str, str]  # (kind, slug)


class Naming:
    def __init__(self):
        self.names: dict[SourceId, tuple[Pair, ...]] = {}
        self.docs: dict[Pair, set[SourceId]] = {}
        self.named_in: dict[Pair, frozenset[SourceId]] = {}

    def update(self, names: Mapping[SourceId, tuple[Pair, ...]]) -> dict[Pair, frozenset[SourceId]]:
        """Entity → the documents naming it, for `names` (document → what it names)."""
        last = self.names
        changed = [sid for sid, pairs in names.items() if last.get(sid) is not pairs and last.get(sid) != pairs]
        changed += [sid for sid in last if sid not in names]
        touched: set[Pair] = set()
        for sid in changed:
            before, after = frozenset(last.get(sid, ())), frozenset(names.get(sid, ()))
            for pair in before - after:
                self.docs[pair].discard(sid)
            for pair in after - before:
                self.docs.setdefault(pair, set()).add(sid)
            touched |= before ^ after
        for pair in touched:
            if self.docs.get(pair):
                self.named_in[pair] = frozenset(self.docs[pair])
            else:
                self.docs.pop(pair, None)
                self.named_in.pop(pair, None)
        self.names = dict(names)
        return dict(self.named_in)  # a model's own: the next update changes this one
