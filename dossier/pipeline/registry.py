"""registry: people/, places/, events/ files → Entity.

Aliases are explicit: the name plus `aliases` always count as a mention; `short`
forms ("Xi", "Lu") count only where the document also names the entity in full
(pipeline/link.py applies that rule). Slugs come from file names, so URLs stay stable when
a name is corrected.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import PurePosixPath

from ..dates import parse_date
from ..errors import ContentErrors, DossierError
from ..models import Entity, EntityKind, Source
from ..urls import slug_clashes, slugify, unique_slugs

KNOWN_FIELDS = {
    "person": {"name", "aliases", "short", "role", "summary"},
    "place": {"name", "aliases", "short", "kind", "country", "coordinates", "summary"},
    "event": {"title", "name", "date", "end", "aliases", "short", "people", "places", "summary"},
}


def build_registry(sources: tuple[Source, ...]) -> tuple[tuple[Entity, ...], tuple[str, ...]]:
    """Entities sorted by kind then slug, plus warnings. Raises ContentErrors."""
    entities, warnings, errors = [], [], []
    for source in sources:
        if source.kind not in KNOWN_FIELDS:
            continue
        try:
            entities.append(_entity(source))
        except DossierError as e:
            errors.append(e)
    if errors:
        raise ContentErrors(errors)
    by_kind: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        by_kind[e.kind].append(e)
    out = []
    for kind, group in sorted(by_kind.items()):
        slugs = unique_slugs([e.slug for e in group])
        out += [_replace_slug(e, s) for e, s in zip(group, slugs)]
        warnings += slug_clashes([e.source for e in group], slugs, f"{group[0].source.split('/')[0]}/")
    warnings += _alias_clashes(out)
    return tuple(sorted(out, key=lambda e: (e.kind, e.slug))), tuple(warnings)


def _entity(source: Source) -> Entity:
    kind: EntityKind = source.kind  # type: ignore[assignment]
    meta, shown = source.meta, f"content/{source.id}"
    name = meta.get("title") if kind == "event" else meta.get("name")
    name = name or meta.get("name")
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)  # "1984", a year as an event's title
    if not isinstance(name, str) or not name.strip():
        field = "title" if kind == "event" else "name"
        raise DossierError(shown, f"{field} is required", line=_line(source, field) or 1,
                           hint=f"add '{field}: …' to the front matter")
    name = name.strip()
    aliases = _names(source, "aliases")
    short = _names(source, "short")
    date = end = None
    if kind == "event":
        date = _date(source, "date")
        end = _date(source, "end")
        if end and date and end < date[: len(end)]:
            raise DossierError(shown, f"end {end} is before date {date}", line=_line(source, "end"))
        if end and not date:
            raise DossierError(shown, "has an end but no date", line=_line(source, "end"))
    fields = {k: v for k, v in meta.items() if k not in {"name", "title", "aliases", "short", "date", "end"}}
    slug = slugify(PurePosixPath(source.id).stem)
    # a name listed as a short form ("Heilongjiang": river or province?) is matched only in context
    all_aliases = tuple(a for a in dict.fromkeys([name, *aliases]) if a not in short)
    return Entity(slug, kind, name, source.id, all_aliases, tuple(short),
                  summary=source.text.strip() or str(meta.get("summary") or ""), fields=fields,
                  date=date, end=end)


def _names(source: Source, key: str) -> list[str]:
    value = source.meta.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise DossierError(f"content/{source.id}", f"{key} must be a list of names",
                           line=_line(source, key), hint=f"{key}: [First Form, Other Form]")
    return [str(v).strip() for v in value if str(v).strip()]


def _date(source: Source, key: str) -> str | None:
    if source.meta.get(key) in (None, ""):
        return None
    try:
        return parse_date(source.meta[key])[0]
    except ValueError as e:
        raise DossierError(f"content/{source.id}", f"{key}: {e}", line=_line(source, key)) from None


def _line(source: Source, key: str) -> int | None:
    return source.lines.get(key)


def _replace_slug(e: Entity, slug) -> Entity:
    return e if e.slug == slug else replace(e, slug=slug)


def _alias_clashes(entities: list[Entity]) -> list[str]:
    """The same alias on two entities of one kind: both keep it, but the editor should know."""
    owners: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in entities:
        for a in e.aliases:
            owners[(e.kind, a)].append(e)
    return [f"content/{es[1].source}: alias {a!r} is also an alias of {es[0].name} (content/{es[0].source})"
            for (kind, a), es in sorted(owners.items()) if len(es) > 1]
