"""What `build` warns about and `check` reports, computed on the finished model."""
from __future__ import annotations

from .link import WIKILINK, resolve_wikilink, wikilink_lookup
from .models import Dossier
from .urls import slugify

FRONT_MATTER_KINDS = (("people", "person"), ("places", "place"), ("events", "event"))


def model_warnings(d: Dossier) -> tuple[str, ...]:
    lookup = wikilink_lookup(d.entities)
    note_keys = {slugify(n.id.rsplit("/", 1)[-1].rsplit(".", 1)[0]) for n in d.notes} | {slugify(n.title) for n in d.notes}
    source_lines = {s.id: s for s in d.sources}
    out = []
    for note in (doc for doc in d.documents if doc.kind == "note"):
        src = source_lines[note.id]
        for key, kind in FRONT_MATTER_KINDS:
            names = note.meta.get(key) or []
            for name in names if isinstance(names, list) else [names]:
                e = resolve_wikilink(str(name), lookup)
                if not e or e.kind != kind:
                    out.append(f"content/{note.id}:{src.lines.get(key, 1)}: {key} names {name!r}, "
                               f"which is not in content/{key}/")
        for i, line in enumerate((note.markdown or "").split("\n")):
            for m in WIKILINK.finditer(line):
                if not resolve_wikilink(m.group(1), lookup) and slugify(m.group(1)) not in note_keys:
                    out.append(f"content/{note.id}:{src.body_line + i}: wikilink [[{m.group(1)}]] points to nothing")
    spoken = {m.entity for m in d.mentions if m.kind == "event"}
    for e in d.entities:
        if e.kind == "event" and not e.date:
            out.append(f"content/{e.source}: event has no date, so it is not on the timeline")
        if e.kind == "event" and e.slug not in spoken:
            out.append(f"content/{e.source}: no source mentions this event (add aliases the sources use)")
    return tuple(out)
