"""dossier.yaml: the site's settings, each documented, unknown keys refused."""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ContentErrors, DossierError
from .files import key_lines, load_yaml, read_bytes


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
    print_edition: bool | str = "auto"
    """Publish /print/, the whole dossier as one page (what `dossier pdf` prints): true,
    false, or auto: while the dossier has at most 500 stories (past that it is tens of
    megabytes of HTML that no browser shows well; `dossier pdf` still makes it), and
    always with `pdf: true`."""
    cname: str = ""
    """Custom domain for GitHub Pages: written to the CNAME file when set."""
    scheduler: str = ""
    """A Dask scheduler's address (tcp://HOST:8786): `dossier build` runs its per-document
    stages and renders its pages on that cluster (docs/cluster.md). `--scheduler` wins."""
    follow_outside_symlinks: bool = False
    """Read files in content/ that are symbolic links to places outside the site folder.
    Off, such a link is refused with an error, so a dossier built by CI from a shared
    repository cannot publish the machine's own files (a link to /etc/passwd)."""


PRINT_AUTO_STORIES = 500  # print_edition: auto publishes /print/ up to this many stories


def with_print_edition(config: Config, stories: int) -> Config:
    """`print_edition` decided for a dossier of this many stories: true or false."""
    wanted = config.print_edition
    on = config.pdf or wanted is True or (wanted == "auto" and stories <= PRINT_AUTO_STORIES)
    return config if wanted is on else replace(config, print_edition=on)


def config_keys() -> list[str]:
    return [f.name for f in fields(Config)]


def load_config(site: Path) -> Config:
    """The settings, or a DossierError listing every bad key (each `dossier.yaml:line:`)."""
    path = site / "dossier.yaml"
    shown = path.name
    if not os.path.lexists(path):
        return Config()
    if path.is_dir():
        raise DossierError(shown, "is a folder, not a file")
    raw = read_bytes(path, shown)  # a FIFO, a device, a broken link: refused unread
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        raise DossierError(shown, "is not UTF-8 text", line=raw[: e.start].count(b"\n") + 1,
                           hint="save it as UTF-8") from None
    data = load_yaml(text, shown, first_line=1, what="")
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise DossierError(shown, "must be a mapping of settings (key: value)", line=1)
    lines = key_lines(text.split("\n"), first_line=1)
    known = config_keys()
    values, errors = {}, []
    for key, value in data.items():
        line = lines.get(str(key))
        try:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                raise DossierError(shown, f"unknown setting {key!r}", line=line,
                                   hint=f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}")
            values[key] = _checked(site, shown, line, key, _typed(shown, line, key, value))
        except DossierError as e:
            errors.append(e)
    if errors:  # every bad key at once: one round trip for the editor, not one per key
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    return Config(**values)


def _typed(shown: str, line: int | None, key: str, value):
    default = getattr(Config, key)
    if key == "print_edition":
        if not (isinstance(value, bool) or value == "auto"):
            raise DossierError(shown, f"{key} must be true, false or auto, not {value!r}", line=line)
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise DossierError(shown, f"{key} must be true or false, not {value!r}", line=line)
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise DossierError(shown, f"{key} must be a number between 0 and 1, not {value!r}", line=line)
        return float(value)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DossierError(shown, f"{key} must be text, not a {type(value).__name__}", line=line,
                           hint="put it in quotes" if isinstance(value, (bool, list, dict)) else None)
    return str(value).strip()


def _checked(site: Path, shown: str, line: int | None, key: str, value):
    """Values whose shape matters beyond their type: each ends up in a link or a file."""
    if key == "base_url":
        check_base_url(value, shown, line)
    elif key == "theme" and value and not (site / value).is_dir():
        raise DossierError(shown, f"theme {value!r} is not a folder", line=line,
                           hint=f"create {value}/templates/ in the site, or remove the setting")
    elif key == "scheduler" and value:
        check_scheduler(value, shown, line)
    elif key == "cname" and value and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", value):
        raise DossierError(shown, f"cname {value!r} is not a domain name", line=line,
                           hint="like docs.example.org, without https:// or a path")
    return value


# No space, quote, angle bracket, control character or backslash (a browser reads
# "/\\x" as "//x"): the value is written into every page's canonical link, og:url,
# the sitemap, robots.txt and the feed.
_URL_CHAR = r"[^\s\"'<>\\\x00-\x1f\x7f]"
_BASE_URL = re.compile(rf"https?://(?:(?!/){_URL_CHAR})+(?:/{_URL_CHAR}*)?|/(?!/){_URL_CHAR}*", re.IGNORECASE)


def check_base_url(value: str, shown: str = "dossier.yaml", line: int | None = None) -> None:
    """An http(s) address, or a path starting with one "/": "//other.example/" is an
    address on another host (protocol-relative), so every canonical link would be."""
    if value and not _BASE_URL.fullmatch(value):
        raise DossierError(shown, f"base_url {value!r} is not a web address", line=line,
                           hint="like https://user.github.io/repo/")


def check_scheduler(value: str, shown: str = "dossier.yaml", line: int | None = None) -> None:
    """A Dask scheduler's address, tcp://HOST:PORT (or tls://, ws://, wss://), or `local`."""
    if value != "local" and not re.fullmatch(r"(?:tcp|tls|wss?)://[^\s/:]+(?::\d+)?", value):
        raise DossierError(shown, f"scheduler {value!r} is not a Dask scheduler's address", line=line,
                           hint="like tcp://10.0.0.5:8786, or local for this machine")
