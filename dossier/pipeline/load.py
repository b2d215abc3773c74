"""load: content/ → Source. The only stage that reads files.

Kinds come from the folder a file sits in. Front matter is optional YAML between
`---` lines; a `.txt` article keeps its metadata in a same-named `.yaml` beside it,
because a scraped file is evidence and is never edited.

Anything a scraper or a tired editor can put in a file ends here as a Source, a
warning, or a DossierError naming the file and line: never another exception
(tests/test_properties.py feeds it arbitrary bytes). What is taken and what is
refused, with the exact messages, is in docs/reliability.md.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import replace
from pathlib import Path

from ..dates import parse_date
from ..errors import ContentErrors, DossierError
from ..files import decode, key_lines, parse_yaml_mapping, read_bytes, split_front_matter
from ..models import Kind, Source, SourceId
from ..urls import is_web_url

FOLDERS: dict[str, Kind] = {
    "articles": "article", "notes": "note", "people": "person", "places": "place", "events": "event",
}
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
DATE_KEYS: dict[str, tuple[str, ...]] = {"article": ("published",), "note": ("date",)}  # events: registry
URL_KEYS = ("url",)
# What an article's sidecar (or front matter) may say; anything else is a warning, so a
# misspelt `note:` is not silently lost. The one list: README and docs follow it.
ARTICLE_KEYS = ("title", "outlet", "published", "url", "author", "notes")


def load_sources(content: Path, read=None, listing=None) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    """Every content file as a Source, sorted by id; plus warnings. Raises ContentErrors
    listing every bad file, not just the first. `read` stands in for read_checked and
    `listing` for list_content (`dossier serve` passes ones that remember the last build)."""
    return gather([load_entry(*entry, read or read_checked) for entry in (listing or list_content)(content)])


Entry = tuple  # (Source or None, warnings, DossierError or None): what one file of the listing gave


def load_entry(path: Path, sid: SourceId, kind: Kind, skipped: str | bool, read) -> Entry:
    if skipped:
        return None, [skipped] if skipped is not True else [], None
    try:
        source, warnings = read(path, sid, kind)
    except DossierError as e:
        return None, [], e
    if kind in ("article", "note") and not source.text.strip() and not source.meta:
        return None, [*warnings, f"content/{sid}: empty file; skipped"], None
    return source, warnings, None


def gather(entries: list[Entry]) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    sources = [e[0] for e in entries if e[0] is not None]
    errors = [e[2] for e in entries if e[2] is not None]
    if errors:
        raise ContentErrors(errors + _entity_errors(sources))
    return tuple(sources), tuple(w for e in entries for w in e[1])


def list_content(content: Path) -> list[tuple[Path, SourceId, Kind, str | bool]]:
    """The walk of content/: (path, id, kind, why it is skipped: "" when it is read,
    a warning, or True for a sidecar .yaml read with its article)."""
    out: list[tuple[Path, SourceId, Kind, str | bool]] = []
    for folder, kind in FOLDERS.items():
        paths = sorted((content / folder).rglob("*")) if (content / folder).is_dir() else []
        names = set(paths)
        for path in paths:
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(content).parts):
                continue
            sid = SourceId(path.relative_to(content).as_posix())
            if path.suffix == ".yaml" and kind == "article":
                alone = not any(path.with_suffix(s) in names for s in TEXT_SUFFIXES)
                out.append((path, sid, kind, f"content/{sid}: metadata file with no article beside it" if alone else True))
            elif path.suffix not in TEXT_SUFFIXES or (kind != "article" and path.suffix == ".txt"):
                out.append((path, sid, kind,
                            f"content/{sid}: skipped (not a {'.txt or .md' if kind == 'article' else '.md'} file)"))
            else:
                out.append((path, sid, kind, ""))
    return out


def read_checked(path: Path, sid: SourceId, kind: Kind) -> tuple[Source, list[str]]:
    """read_source, then check_meta: the Source and every warning about its file."""
    source, warning = read_source(path, sid, kind)
    source, meta_warnings = check_meta(source)
    return source, ([warning] if warning else []) + meta_warnings


def _entity_errors(sources: list[Source]) -> list[DossierError]:
    """The registry's errors on the files that did load, so that one build reports a
    broken YAML block and an impossible event date together, not one per run."""
    from .registry import build_registry  # the registry reads Sources; load never needs it otherwise
    try:
        build_registry(tuple(sources))
    except ContentErrors as e:
        return e.errors
    return []


def read_source(path: Path, sid: SourceId, kind: Kind) -> tuple[Source, str | None]:
    shown = f"content/{sid}"
    raw = read_bytes(path, shown)
    text, warning = decode(raw, shown)
    try:
        meta, body, body_line = split_front_matter(text, shown)
    except DossierError as e:
        if path.suffix != ".txt":
            raise
        # A scraped .txt keeps its metadata in the sidecar: a first line of "---" is
        # the page's own decoration, and the file is evidence, read whole.
        meta, body, body_line = {}, text, 1
        warning = warning or f"{shown}:1: starts with '---' but is not front matter ({e.message}); read as text"
    lines = key_lines(text.split("\n")[1:body_line - 1], first_line=2) if body_line > 1 else {}
    sidecar = path.with_suffix(".yaml")
    if kind == "article" and sidecar.exists():
        side_shown = f"{shown[:-len(path.suffix)]}.yaml"
        side_text, _ = decode(read_bytes(sidecar, side_shown), side_shown)
        side_meta = parse_yaml_mapping(side_text, side_shown, first_line=1)
        meta = {**side_meta, **meta}
        if not lines:  # errors about a field then point into the sidecar
            lines = key_lines(side_text.split("\n"), first_line=1)
    return Source(sid, kind, meta, body, body_line, hashlib.sha256(raw).hexdigest(), lines), warning


def check_meta(source: Source) -> tuple[Source, list[str]]:
    """Dates that must parse (an error with the line) and links that must be web
    addresses (a warning; the value is dropped so no page links a `javascript:` url)."""
    warnings = []
    for key in DATE_KEYS.get(source.kind, ()):
        value = source.meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d[T ]\d", value.strip()):
            value = value.strip()[:10]  # "2023-03-20T10:00:00+08:00" from a scraper: the day
        try:
            parse_date(value)
        except ValueError as e:
            raise DossierError(_field_file(source, key), f"{key}: {e}", line=source.lines.get(key)) from None
    if source.kind == "article":
        for key in source.meta:
            if key not in ARTICLE_KEYS:
                close = difflib.get_close_matches(str(key), ARTICLE_KEYS, n=1)
                warnings.append(f"{_field_file(source, key)}:{source.lines.get(key) or 1}: unknown key {key!r} ignored "
                                f"({f'did you mean {close[0]!r}? ' if close else ''}known: {', '.join(ARTICLE_KEYS)})")
    meta = dict(source.meta)
    for key in URL_KEYS:
        value = meta.get(key)
        if value not in (None, "") and not is_web_url(value):
            warnings.append(f"{_field_file(source, key)}:{source.lines.get(key) or 1}: {key} {str(value)[:80]!r} "
                            "is not an http(s) address; not linked")
            del meta[key]
    return (replace(source, meta=meta) if meta != source.meta else source), warnings


def _field_file(source: Source, key: str) -> str:
    """The file an article's field came from: its front matter or its sidecar."""
    if source.kind == "article" and source.body_line == 1 and source.id.endswith((".txt", ".md", ".markdown")):
        stem = source.id.rsplit(".", 1)[0]
        return f"content/{stem}.yaml"
    return f"content/{source.id}"
