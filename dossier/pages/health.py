"""The "Dossier health" page: what `dossier check` finds, for the editor while the
preview server runs (serve/incremental.py adds it). Never part of a published build,
since it is about the content, not for readers."""
from __future__ import annotations

from ..pipeline.checks import CODES, SEVERITIES, findings
from ..models import Dossier, Page, SourceId
from .index import Index
from .quote_views import speaker_link
from ..pipeline.wording import quote_changes

_COMMAND = {"person": "dossier new person", "place": "dossier new place"}


def health_page(d: Dossier, ix: Index | None = None) -> Page:
    ix = ix or Index(d)
    found = findings(d)
    groups = []
    for code, title in CODES.items():
        items = [f for f in found if f.code == code and code not in ("name-unknown", "quote-altered")]
        if items:
            groups.append({"code": code, "title": title, "severity": items[0].severity,
                           "findings": [_item(ix, f) for f in items]})
    names = [_name(ix, f.data) for f in found if f.code == "name-unknown"]
    quotes = [_quote(ix, f.data) for f in found if f.code == "quote-altered"]
    counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITIES}
    return Page("health/", "health.html", "Dossier health", "health",
                {"groups": groups, "names": names, "quotes": quotes, "counts": counts},
                description="What dossier check finds in the content: problems to fix, names to add, "
                            "quotations that differ between copies.", crumbs=())


def _sid(path: str, data) -> SourceId | None:
    if data.get("source"):
        return SourceId(data["source"])
    return SourceId(path[len("content/"):]) if path.startswith("content/") else None


def _item(ix: Index, f) -> dict:
    sid = _sid(f.path, f.data)
    return {"where": f"{f.path}:{f.line}" if f.line else f.path, "message": f.message,
            "url": ix.url_of(sid) if sid else None, "title": ix.title_of(sid) if sid else ""}


def _at(ix: Index, sid: SourceId, paragraph: int, caption: bool = False) -> str | None:
    """A link to the paragraph on its story page, or to the version when it is a copy."""
    story = ix.story_of.get(sid)
    if story and story.canonical == sid:
        return f"stories/{story.slug}/#{'c' if caption else 'p'}{paragraph + 1}"
    return ix.url_of(sid)


def _name(ix: Index, n) -> dict:
    command = f'{_COMMAND.get(n["kind"], "dossier new person|place|event")} "{n["name"]}"'
    return {**n, "url": _at(ix, n["document"], n["paragraph"], n["caption"]),
            "files": [ix.source_row(sid) for sid in n["sources"]], "command": command}


def _quote(ix: Index, q) -> dict:
    story = next((s for s in ix.d.stories if s.slug == q["story"]), None)
    return {**q, "speaker": speaker_link(ix, q["speaker"]), "story_title": story.title if story else "",
            "story_url": f"stories/{story.slug}/" if story else None,
            "url": _at(ix, q["document"], q["paragraph"]), "row": ix.source_row(q["document"]),
            "changes": quote_changes(q["canonical"], q["quote"])}
