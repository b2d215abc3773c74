"""Who was really involved: an event's declared people and places, and for any person,
place or event, what is named with it in one sentence apart from what is merely in
the same report. Co-occurrence is not involvement: Zelenskyy is named in the NBC
report that also names the Saudi–Iran deal, and that makes him no party to it.

Three tiers, said on the page as such:
- `declared`: the event's file lists them (`people:`, `places:`);
- `sentence`: named in one sentence of a report or note, with the reports and notes
  where that happens;
- `document`: only in the same reports or notes, never in one sentence.
"""
from __future__ import annotations

from collections import defaultdict

from ..models import Entity, SourceId
from ..pipeline.link import resolve_wikilink, tied
from .index import Index

DECLARED = (("people", "person"), ("places", "place"))  # an event's front matter keys → the kind they name


def declared(ix: Index, event: Entity) -> list[Entity]:
    """The people and places an event's file lists, as entities (slugs or names)."""
    out = []
    for key, kind in DECLARED:
        listed = event.fields.get(key) or []
        for name in listed if isinstance(listed, list) else [listed]:
            hit = ix.entities.get((kind, str(name))) or resolve_wikilink(str(name), ix.lookup)
            if hit and hit.kind == kind and hit not in out:
                out.append(hit)
    return out


def declared_in(ix: Index, e: Entity) -> list[Entity]:
    """The events whose files list `e` among their people or places."""
    def make() -> dict:
        found: dict[tuple[str, str], list[Entity]] = defaultdict(list)
        for ev in ix.d.entities:
            if ev.kind == "event":
                for hit in declared(ix, ev):
                    found[(hit.kind, hit.slug)].append(ev)
        return found
    return ix.piece("declared-in")(make).get((e.kind, e.slug), [])  # the entities are in the structure


def involvement(ix: Index, e: Entity, docs) -> dict[tuple[str, str], dict]:
    """Everything named with `e`: (kind, slug) → {"declared": bool, "sentence": [docs
    naming both in one sentence], "document": [docs naming both]}."""
    me = (e.kind, e.slug)
    out: dict[tuple[str, str], dict] = defaultdict(lambda: {"declared": False, "sentence": [], "document": []})
    for sid in docs:
        names = ix.names_in(sid)
        together = tied(names, ix.d.ties.get(sid, b""), me)
        for key in names:
            if key != me:
                out[key]["document"].append(sid)
                if key in together:
                    out[key]["sentence"].append(sid)
    for other in (declared(ix, e) if e.kind == "event" else declared_in(ix, e)):
        out[(other.kind, other.slug)]["declared"] = True
    return out
