"""render: Page[] → files. jinja2 with autoescape; the theme is a ChoiceLoader over
[the site's theme, the default theme], so a user overrides one template at a time.

Output goes to a fresh temporary folder beside OUT and is swapped in whole, so a
failed build never leaves a half-written site. Only the writers do I/O.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2
from markupsafe import Markup, escape

from ..errors import DossierError
from ..models import Page
from ..pages.builders import SECTIONS
from ..pages.printpage import print_part
from ..urls import absolute, href

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
if not DEFAULT_THEME.exists():  # installed as a wheel: the theme ships inside the package
    DEFAULT_THEME = Path(__file__).resolve().parents[1] / "themes" / "default"
STAMP = ".dossier-build"  # marks a folder dossier made, so it may replace it


def theme_dirs(site: Path, theme: str) -> list[Path]:
    return ([site / theme] if theme else []) + [DEFAULT_THEME]


def environment(site: Path, theme: str) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(site, theme)])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["segments_html"] = segments_html
    env.filters["pct"] = lambda x: f"{round(100 * x)}%" if x is not None else ""
    env.globals["print_part"] = print_part  # print.html renders each page of the edition with it
    return env


@jinja2.pass_context
def segments_html(ctx, segs) -> Markup:
    """Text with its entity links, as the `segments` macro of macros.html prints it,
    in Python: pages with thousands of linked sentences spent most of their render
    time in one macro call per run of text. Links go through the page's own link()."""
    link, out = ctx["link"], []
    for s in segs:
        text = _escape(s["text"])
        if s.get("url"):
            kind = _escape(s["kind"])
            out.append(f'<a class="ent ent-{kind}" href="{_escape(link(s["url"]))}">{text}'
                       f'<span class="visually-hidden"> ({kind})</span></a>')
        elif s.get("mark"):
            out.append(f'<mark class="ent ent-{_escape(s["kind"])}">{text}</mark>')
        else:
            out.append(text)
    return Markup("".join(out))


def _escape(value) -> str:
    """markupsafe.escape's text for a plain str, without a Markup object per call
    (a third of segments_html's time); anything else (Markup keeps its own HTML)
    goes through escape itself."""
    if type(value) is str:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace('"', "&#34;"))
    return str(escape(value))


def render_page(env: jinja2.Environment, page: Page, config, extra: dict[str, Any] | None = None) -> str:
    url = page.url
    links: dict[str, str] = {}  # a page links the same entities many times; relative()'s LRU is shared by all pages

    def link(target: str) -> str:
        found = links.get(target)
        if found is None:
            found = links[target] = href(target, url)
        return found
    context = {
        **page.context,
        "page": page, "site": config, "nav": SECTIONS,
        "link": link,
        "asset": lambda path: href(f"assets/{path}", url),
        "canonical": absolute(url, config.base_url) if config.base_url else "",
        "generated": datetime.now(timezone.utc).date().isoformat(),
        "live_reload": Markup(""),
        **(extra or {}),
    }
    return env.get_template(page.template).render(context)


@lru_cache(maxsize=1 << 16)  # asked for every page after every edit in `dossier serve`
def output_path(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url


def write_site(files: dict[str, bytes], out: Path, site: Path, theme: str,
               before_swap: Callable[[Path], None] | None = None, previous: dict[str, list[int]] | None = None) -> int:
    """Write every file plus the theme's static/ into a temp folder, then swap it in.

    `before_swap(tmp)` runs on the finished temp folder (the search index is built
    there), so what is swapped in is complete, index included."""
    with Staging(out, site, theme) as staged:
        write_files(staged.tmp, out, files.items(), previous)
        if before_swap:
            before_swap(staged.tmp)
        staged.swap()
    return len(files)


class Staging:
    """A fresh temp folder beside OUT holding the theme's static/. `swap()` puts it
    in OUT's place whole; leaving the block without it (an error) removes it: OUT
    is never half written. An OSError becomes one line for the user."""

    def __init__(self, out: Path, site: Path, theme: str):
        self.out, self._themes = out.resolve(), theme_dirs(site, theme)
        self.tmp: Path | None = None

    def __enter__(self) -> "Staging":
        out = self.out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(out)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
            (self.tmp / STAMP).write_text("made by dossier build; this folder is replaced on every build\n")
        except OSError as e:
            raise DossierError(str(out.parent), f"cannot write the site here: {e.strerror or e}",
                               hint="choose another output folder with -o") from None
        try:
            write_files(self.tmp, self.out, read_static(self._themes).items())
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def swap(self) -> None:
        (self.tmp / STAMP).write_text("made by dossier build; this folder is replaced on every build\n")
        if (self.out / ".gitkeep").exists():  # the repository keeps an empty build/ with this file
            (self.tmp / ".gitkeep").touch()
        _swap(self.tmp, self.out)
        self.tmp = None

    def __exit__(self, kind, e, tb) -> None:
        if self.tmp is None:
            return  # swapped in
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None
        if isinstance(e, OSError):  # disk full, permissions: the previous site is untouched
            raise DossierError(str(e.filename or self.out), f"could not write the site: {e.strerror or e}",
                               hint="the previous build was left as it was") from None


def read_static(themes: list[Path]) -> dict[str, bytes]:
    """Every theme's static/ as assets/…, the site's theme on top of the default: what
    `dossier build` writes and `dossier serve` serves. A symlink is followed only while
    it stays inside its static/ folder, so a file elsewhere on the disk is never published."""
    out: dict[str, bytes] = {}
    for theme in reversed(themes):
        root = theme / "static"
        if not root.is_dir():
            continue
        real_root = root.resolve()
        for path in sorted(root.rglob("*")):
            try:
                if not path.is_file() or not path.resolve().is_relative_to(real_root):
                    continue
                out["assets/" + path.relative_to(root).as_posix()] = path.read_bytes()
            except OSError:
                continue  # vanished between the listing and the read: the next event rebuilds
    return out


def write_files(tmp: Path, out: Path, files: Iterable[tuple[str, bytes]],
                previous: dict[str, list[int]] | None = None) -> int:
    """Write `files` into the staging folder `tmp` of OUT. `previous` is the last
    build's listing of OUT ({path: [size, mtime_ns]}, diskcache): a file whose bytes
    did not change is hard-linked from OUT instead of written again."""
    n = 0
    for rel, data in files:
        target = tmp / rel
        if not target.resolve().is_relative_to(tmp):  # the last guard: nothing lands outside OUT
            raise DossierError(rel, "output path would leave the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not (previous and _link_unchanged(out / rel, target, data, previous.get(rel))):
            target.write_bytes(data)
        n += 1
    return n


def _link_unchanged(old: Path, target: Path, data: bytes, listed: list[int] | None) -> bool:
    """Hard-link `old` to `target` if it is the file the last build wrote (same size
    and mtime: nobody edited it since) and holds exactly `data`. The unchanged file
    keeps its mtime, so a deploy by rsync skips it. Any failure: write instead."""
    if not listed or listed[0] != len(data):
        return False
    try:
        st = os.stat(old, follow_symlinks=False)
        if [st.st_size, st.st_mtime_ns] != listed or old.read_bytes() != data:
            return False
        os.link(old, target, follow_symlinks=False)
    except OSError:  # gone, or a filesystem without hard links
        return False
    return True


def remove_stale(out: Path) -> None:
    """Temp and old folders a killed build left beside OUT (`.build-tmp-PID-…`,
    `.build-old-PID`): removed once their process is gone. Only folders carrying
    the stamp are touched, so a user's own `.build-something` stays."""
    pattern = re.compile(rf"\.{re.escape(out.name)}-(?:tmp|old)-(\d+)(?:-\w+)?")
    for path in out.parent.glob(f".{out.name}-*"):
        m = pattern.fullmatch(path.name)
        if m and path.is_dir() and (path / STAMP).is_file() and not _running(int(m.group(1)), path):
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int, path: Path) -> bool:
    if pid == os.getpid():
        return True  # a build of this process (dossier serve) may be writing it now
    if os.name != "posix":  # no signal 0 there: trust age instead
        return time.time() - path.stat().st_mtime < 24 * 3600
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, someone else's
    return True


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` with `tmp`: two renames, so `out` is never half there."""
    if not out.exists():
        os.rename(tmp, out)
        return
    old = out.with_name(f".{out.name}-old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
