"""load: content/ → Source. The only stage that reads files.

Kinds come from the folder a file sits in. Front matter is optional YAML between
`---` lines; a `.txt` article keeps its metadata in a same-named `.yaml` beside it,
because a scraped file is evidence and is never edited.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentErrors, DossierError
from .models import Kind, Source, SourceId

FOLDERS: dict[str, Kind] = {
    "articles": "article", "notes": "note", "people": "person", "places": "place", "events": "event",
}
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}


def load_sources(content: Path) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    """Every content file as a Source, sorted by id; plus warnings. Raises ContentErrors."""
    sources, warnings, errors = [], [], []
    for folder, kind in FOLDERS.items():
        for path in sorted((content / folder).rglob("*")) if (content / folder).is_dir() else ():
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(content).parts):
                continue
            sid = SourceId(path.relative_to(content).as_posix())
            if path.suffix == ".yaml" and kind == "article":
                if not any(path.with_suffix(s).exists() for s in TEXT_SUFFIXES):
                    warnings.append(f"content/{sid}: metadata file with no article beside it")
                continue
            if path.suffix not in TEXT_SUFFIXES or (kind != "article" and path.suffix == ".txt"):
                warnings.append(f"content/{sid}: skipped (not a {'.txt or .md' if kind == 'article' else '.md'} file)")
                continue
            try:
                source, warning = read_source(path, sid, kind)
                sources.append(source)
                if warning:
                    warnings.append(warning)
            except DossierError as e:
                errors.append(e)
    if errors:
        raise ContentErrors(errors)
    return tuple(sources), tuple(warnings)


def read_source(path: Path, sid: SourceId, kind: Kind) -> tuple[Source, str | None]:
    shown = f"content/{sid}"
    raw = path.read_bytes()
    text, warning = decode(raw, shown)
    meta, body, body_line = split_front_matter(text, shown)
    lines = key_lines(text.split("\n")[1:body_line - 1], first_line=2) if body_line > 1 else {}
    sidecar = path.with_suffix(".yaml")
    if kind == "article" and sidecar.exists():
        side_shown = f"{shown[:-len(path.suffix)]}.yaml"
        side_text, _ = decode(sidecar.read_bytes(), side_shown)
        side_meta = parse_yaml_mapping(side_text, side_shown, first_line=1)
        meta = {**side_meta, **meta}
    return Source(sid, kind, meta, body, body_line, hashlib.sha256(raw).hexdigest(), lines), warning


def decode(raw: bytes, shown: str) -> tuple[str, str | None]:
    """UTF-8 (BOM tolerated), else Windows-1252 with a warning; NUL bytes mean binary."""
    if b"\x00" in raw[:8192]:
        raise DossierError(shown, "looks like a binary file, not text", line=1,
                           hint="move it out of content/ or save it as UTF-8 text")
    warning = None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        warning = f"{shown}:{line}: not UTF-8; read as Windows-1252 (save the file as UTF-8 to silence this)"
    return text.replace("\r\n", "\n").replace("\r", "\n"), warning


def split_front_matter(text: str, shown: str) -> tuple[dict[str, Any], str, int]:
    """(meta, body, 1-based line where the body starts)."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return {}, text, 1
    lines = text.split("\n")
    for n, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            meta = parse_yaml_mapping("\n".join(lines[1:n]), shown, first_line=2)
            return meta, "\n".join(lines[n + 1:]), n + 2
    raise DossierError(shown, "front matter starts with '---' but never ends", line=1,
                       hint="add a closing '---' line after the metadata")


def parse_yaml_mapping(text: str, shown: str, first_line: int) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise DossierError(shown, f"invalid YAML front matter: {problem}",
                           line=first_line + mark.line if mark else first_line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DossierError(shown, f"front matter must be a mapping (key: value), not a {type(data).__name__}",
                           line=first_line)
    return {str(k): v for k, v in data.items()}


def key_lines(lines: list[str], first_line: int) -> dict[str, int]:
    """Top-level YAML keys → their line numbers, so later stages can point at a field."""
    out: dict[str, int] = {}
    for n, line in enumerate(lines, first_line):
        m = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if m:
            out.setdefault(m.group(1), n)
    return out
