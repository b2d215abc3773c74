"""What `build` warns about and `check` reports, computed on the finished model.

Every finding is a `Finding(path, line, severity, code, message)`:

- **error**: something the editor wrote points at nothing, so the site has a dead
  or missing link: `wikilink-broken`, `front-matter-unknown` (a note's or event's
  `people`/`places`/`events` naming no file), `source-missing` (a note's
  `sources` listing no file). `dossier check` exits 1.
- **warning**: the dossier is incomplete: `event-undated`, `event-unsourced` (only
  notes mention it), `entity-unmentioned` (no file names it), `source-undated` (an
  article with no `published`), `todo` (a line still starting "TODO", as `dossier
  new` writes them), and what load and the registry warn about (`load`,
  `registry`). `build --strict` and `check --strict` fail on these.
- **info**: for the editor's eye, never a failure: `name-unknown` (a name the
  sources use that the dossier does not know yet, see pipeline/names.py) and
  `quote-altered` (a copy of a story words a quotation differently, see pipeline/quotes.py).

`build_model` keeps errors and warnings in the model (`Dossier.findings`, printed by
`build`); `check` prints everything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from .link import WIKILINK, resolve_wikilink, wikilink_lookup
from ..keys import digest
from ..models import Document, Dossier, Source, SourceId
from .names import unknown_names
from .quotes import positions
from .wording import quote_change
from ..urls import slugify, note_keys

FRONT_MATTER_KINDS = (("people", "person"), ("places", "place"), ("events", "event"))
SEVERITIES = ("error", "warning", "info")
# every code, in the order the health page shows them, with a heading for people
CODES = {
    "wikilink-broken": "Wikilinks that point to nothing",
    "front-matter-unknown": "Front matter naming people, places or events the dossier does not have",
    "source-missing": "Notes citing files that are not in content/",
    "event-undated": "Events with no date",
    "event-unsourced": "Events only notes mention",
    "entity-unmentioned": "People, places and events no file mentions",
    "source-undated": "Sources with no date",
    "todo": "Files still marked TODO",
    "load": "Files skipped or read with a warning",
    "registry": "Aliases shared by two entries",
    "name-unknown": "Names the dossier does not know yet",
    "quote-altered": "Quotations worded differently in a copy of a story",
}
_TODO = re.compile(r"^[ \t]*(?:[-*>#]+[ \t]*)?TODO\b", re.M)
_WHERE = re.compile(r"^(?P<path>[^:\n]+?)(?::(?P<line>\d+))?: (?P<message>.*)$", re.S)


@dataclass(frozen=True)
class Finding:
    path: str  # as the editor sees it, from the site folder: "content/notes/x.md"
    line: int | None
    severity: Literal["error", "warning", "info"]
    code: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)  # for JSON and the health page

    def format(self, severity: bool = False) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}" if severity else f"{where}: {self.message}"


def findings(d: Dossier) -> tuple[Finding, ...]:
    """Everything `check` reports: errors, then warnings, then info, each in file order."""
    shown = {f.format() for f in d.findings}
    other = tuple(_parse(w) for w in d.warnings if w not in shown)  # from load and the registry
    fixes = sorted(d.findings + other, key=lambda f: (SEVERITIES.index(f.severity), f.path, f.line or 0))
    return (*fixes, *name_findings(d), *quote_findings(d))  # names ranked, quotes in story order


class Context:
    """What one file's findings are checked against: the entities, the notes' names
    and the files of content/. `key` changes when any of these does."""

    def __init__(self, d: Dossier, entities_key: str):
        self.lookup = wikilink_lookup(d.entities)
        self.note_keys = note_keys(d.notes)  # (the keys pages/index.py resolves a note by)
        self.sources = {s.id for s in d.sources}
        self.key = digest([entities_key, *(f"{n.id}\0{n.title}" for n in d.notes), *self.sources])


def file_findings(src: Source, doc: Document | None, ctx: Context) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """One file's findings: (those of a note's links, those of any file)."""
    note = _one_note(doc, src, ctx) if doc is not None and doc.kind == "note" else []
    return tuple(note), tuple(_one_source(src, doc))


def content_findings(d: Dossier, per_file: Mapping[SourceId, tuple]) -> tuple[Finding, ...]:
    """The model's errors and warnings: each file's (`per_file`, from file_findings) and
    the entities' (from who names them, d.named_in)."""
    notes = [f for s in d.sources for f in per_file[s.id][0]]
    return (*notes, *_entity_findings(d), *(f for s in d.sources for f in per_file[s.id][1]))


def _one_note(note, src, ctx: Context) -> list[Finding]:
    out = []
    out += _front_matter(src, ctx.lookup, FRONT_MATTER_KINDS)
    listed = note.meta.get("sources") or []
    for sid in listed if isinstance(listed, list) else [listed]:
        if str(sid) not in ctx.sources:
            out.append(Finding(f"content/{note.id}", src.lines.get("sources", 1), "error", "source-missing",
                               f"sources lists {str(sid)!r}, which is not a file in content/ "
                               "(give the path from content/, e.g. articles/x.txt)", {"target": str(sid)}))
    for i, line in enumerate((note.markdown or "").split("\n")):
        for m in WIKILINK.finditer(line):
            if not resolve_wikilink(m.group(1), ctx.lookup) and slugify(m.group(1)) not in ctx.note_keys:
                out.append(Finding(f"content/{note.id}", src.body_line + i, "error", "wikilink-broken",
                                   f"wikilink [[{m.group(1)}]] points to nothing", {"target": m.group(1)}))
    return out


def _front_matter(src: Source, lookup, keys) -> list[Finding]:
    out = []
    for key, kind in keys:
        names = src.meta.get(key) or []
        for name in names if isinstance(names, list) else [names]:
            e = resolve_wikilink(str(name), lookup)
            if not e or e.kind != kind:
                out.append(Finding(f"content/{src.id}", src.lines.get(key, 1), "error", "front-matter-unknown",
                                   f"{key} names {name!r}, which is not in content/{key}/",
                                   {"key": key, "target": str(name)}))
    return out


def _entity_findings(d: Dossier) -> list[Finding]:
    lookup = wikilink_lookup(d.entities)
    sources = {s.id: s for s in d.sources}
    out = []
    for e in d.entities:
        src, path = sources[e.source], f"content/{e.source}"
        where = d.named_in.get((e.kind, e.slug), ())
        first = src.lines.get("title" if e.kind == "event" else "name", 1)
        if e.kind == "event":
            out += _front_matter(src, lookup, FRONT_MATTER_KINDS[:2])
            if not e.date:
                out.append(Finding(path, src.lines.get("date", first), "warning", "event-undated",
                                   "event has no date, so it is not on the timeline", {"entity": e.slug}))
        if not where:
            what = "event" if e.kind == "event" else e.kind
            out.append(Finding(path, src.lines.get("aliases", first), "warning", "entity-unmentioned",
                               f"no source or note mentions this {what} (add aliases the sources use)",
                               {"entity": e.slug, "kind": e.kind}))
        elif e.kind == "event" and not any(sources[sid].kind == "article" for sid in where):
            out.append(Finding(path, src.lines.get("aliases", first), "warning", "event-unsourced",
                               "only notes mention this event, no source article does "
                               "(add aliases the articles use)", {"entity": e.slug}))
    return out


def _one_source(s, doc) -> list[Finding]:
    out = []
    if s.kind == "article" and doc is not None and not doc.date:
        sidecar = not s.id.endswith((".md", ".markdown"))  # a .txt or .html scrape is never edited
        path = f"content/{s.id.rsplit('.', 1)[0]}.yaml" if sidecar else f"content/{s.id}"
        where = "in the .yaml beside it" if sidecar else "to its front matter"
        out.append(Finding(path, s.lines.get("published"), "warning", "source-undated",
                           f"article has no date: add published: 2023-04-01 {where} "
                           "(a day, a month or a year)", {"source": s.id}))
    for m in _TODO.finditer(s.text):
        line = s.body_line + s.text.count("\n", 0, m.start())
        end = s.text.find("\n", m.start())
        text = s.text[m.start():end if end >= 0 else None].strip()
        out.append(Finding(f"content/{s.id}", line, "warning", "todo", f"still says {text[:80]!r}",
                           {"source": s.id}))
    return out


def name_findings(d: Dossier) -> tuple[Finding, ...]:
    sources = {s.id: s for s in d.sources}
    out = []
    for n in unknown_names(d.documents, d.entities, d.mentions):
        src = sources[n.document]
        times = f"{n.count} time{'s' if n.count != 1 else ''} in {len(n.sources)} file{'s' if len(n.sources) != 1 else ''}"
        fix = {"person": "dossier new person", "place": "dossier new place"}.get(n.kind)
        hint = f'add it: {fix} "{n.name}"' if fix else "add it to content/ or as an alias"
        out.append(Finding(f"content/{n.document}", line_of(src, n.sentence), "info", "name-unknown",
                           f"{n.name!r} is named {times} but the dossier does not know it ({hint}): “{_cut(n.sentence)}”",
                           {"name": n.name, "count": n.count, "sources": list(n.sources), "sentence": n.sentence,
                            "kind": n.kind, "cues": list(n.cues), "document": n.document,
                            "paragraph": n.paragraph, "caption": n.in_caption}))
    return tuple(out)


def quote_findings(d: Dossier) -> tuple[Finding, ...]:
    sources = {s.id: s for s in d.sources}
    names = {e.slug: e.name for e in d.entities}
    out, at = [], positions(d.quotes)
    for q in d.quotes:
        if q.status != "altered" or q.same_as is None:
            continue
        c = d.quotes[at[q.same_as]]
        who = names.get(q.speaker or c.speaker or "", "a quote")
        whose = f"{who}'s quote" if q.speaker or c.speaker else "a quote"
        out.append(Finding(f"content/{q.document}", line_of(sources[q.document], q.text), "info", "quote-altered",
                           f"{whose} differs from the canonical version (content/{c.document}): "
                           f"“{_cut(q.text)}” where it reads “{_cut(c.text)}” ({quote_change(c.text, q.text)})",
                           {"story": q.story, "speaker": q.speaker or c.speaker, "quote": q.text,
                            "change": quote_change(c.text, q.text),
                            "canonical": c.text, "canonical_source": c.document, "similarity": q.similarity,
                            "document": q.document, "paragraph": q.paragraph}))
    return tuple(out)


def line_of(source: Source, text: str) -> int | None:
    """The file line where `text` (cleaned: whitespace collapsed, maybe joined lines) starts."""
    words = text.split()[:6]
    if not words:
        return None
    m = re.search(r"\s+".join(map(re.escape, words)), source.text)
    return source.body_line + source.text.count("\n", 0, m.start()) if m else None


def _cut(text: str, most: int = 120) -> str:
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + "…"


def _parse(warning: str) -> Finding:
    """A load or registry warning string back into a Finding."""
    m = _WHERE.match(warning)
    code = "registry" if " alias " in warning else "load"
    if not m:
        return Finding("", None, "warning", code, warning)
    return Finding(m["path"], int(m["line"]) if m["line"] else None, "warning", code, m["message"])


# ---- reports ------------------------------------------------------------------

JSON_SCHEMA = 1  # bumped only when a key is removed or changes meaning


def report_json(found: tuple[Finding, ...]) -> str:
    """The stable form for editors' tools (documented in docs/check.md)."""
    import json
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    return json.dumps({"schema": JSON_SCHEMA, "counts": counts, "findings": [
        {"path": f.path, "line": f.line, "severity": f.severity, "code": f.code, "message": f.message,
         "data": dict(f.data)} for f in found]}, ensure_ascii=False, indent=1)


def report_text(found: tuple[Finding, ...]) -> str:
    """Problems to fix first, one `path:line: severity: message` a line; then the
    names to add, ranked; then the quotes that differ between copies."""
    fixes = [f.format(severity=True) for f in found if f.severity != "info"]
    names = [f for f in found if f.code == "name-unknown"]
    quotes = [f for f in found if f.code == "quote-altered"]
    out = fixes[:]
    if names:
        out += ["", "Names the sources use that the dossier does not know yet (most mentioned first):"]
        for f in names:
            n = f.data
            kind = f" [{n['kind']}]" if n["kind"] else ""
            out.append(f"  {n['count']:>4}  {n['name']}{kind}  ({len(n['sources'])} file"
                       f"{'s' if len(n['sources']) != 1 else ''}; first at {f.path}:{f.line or '?'}: “{_cut(n['sentence'], 90)}”)")
    if quotes:
        out += ["", "Quotations worded differently in a copy of a story:"]
        out += [f"  {f.format()}" for f in quotes]
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    out += ["" if len(out) else None, f"{_n(counts['error'], 'error')}, {_n(counts['warning'], 'warning')}, "
            f"{_n(len(names), 'unknown name')}, {_n(len(quotes), 'altered quote')}"]
    return "\n".join(line for line in out if line is not None).lstrip("\n")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
