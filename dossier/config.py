"""dossier.yaml: the site's settings, each documented, unknown keys refused."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from .errors import DossierError


@dataclass(frozen=True)
class Config:
    title: str = "Dossier"
    """The dossier's title: home page heading, page titles, feed and PDF cover."""
    summary: str = ""
    """The bottom line, one paragraph of Markdown, shown first on the home page."""
    base_url: str = ""
    """Where the site is published, e.g. https://user.github.io/repo/. Used for canonical
    links, sitemap.xml, feed.xml and Open Graph tags; internal links stay relative."""
    language: str = "en"
    """The `lang` of every page."""
    author: str = ""
    """Who compiled the dossier: feed author and PDF cover."""
    theme: str = ""
    """A theme folder (relative to the site) whose templates/ and static/ override the
    default theme file by file."""
    dedup_threshold: float = 0.5
    """Share of the shorter text's sentences that must closely match another document's
    for the two to be folded into one story (0..1)."""
    pdf: bool = False
    """Also write the whole-dossier PDF into the build, linked from the home page."""
    cname: str = ""
    """Custom domain for GitHub Pages: written to the CNAME file when set."""


def config_keys() -> list[str]:
    return [f.name for f in fields(Config)]


def load_config(site: Path) -> Config:
    path = site / "dossier.yaml"
    if not path.exists():
        return Config()
    shown = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except UnicodeDecodeError:
        raise DossierError(shown, "is not UTF-8 text")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise DossierError(shown, f"invalid YAML: {getattr(e, 'problem', None) or e}",
                           line=mark.line + 1 if mark else None)
    if not isinstance(data, dict):
        raise DossierError(shown, "must be a mapping of settings (key: value)", line=1)
    known = config_keys()
    values = {}
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            raise DossierError(shown, f"unknown setting {key!r}", line=_line_of(path, key),
                               hint=f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}")
        values[key] = _typed(shown, path, key, value)
    return Config(**values)


def _typed(shown: str, path: Path, key: str, value):
    default = getattr(Config, key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise DossierError(shown, f"{key} must be true or false", line=_line_of(path, key))
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise DossierError(shown, f"{key} must be a number between 0 and 1", line=_line_of(path, key))
        return float(value)
    if value is None:
        return default
    if not isinstance(value, (str, int, float)):
        raise DossierError(shown, f"{key} must be text", line=_line_of(path, key))
    return str(value).strip()


def _line_of(path: Path, key) -> int | None:
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    return None
