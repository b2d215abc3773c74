"""render: Page[] → files. jinja2 with autoescape; the theme is a ChoiceLoader over
[the site's theme, the default theme], so a user overrides one template at a time.

Output goes to a fresh temporary folder beside OUT and is swapped in whole, so a
failed build never leaves a half-written site. Only the writers do I/O.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .models import Page
from .pages import SECTIONS
from .urls import absolute, href

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
if not DEFAULT_THEME.exists():  # installed as a wheel: the theme ships inside the package
    DEFAULT_THEME = Path(__file__).resolve().parent / "themes" / "default"
STAMP = ".dossier-build"  # marks a folder dossier made, so it may replace it


def theme_dirs(site: Path, theme: str) -> list[Path]:
    return ([site / theme] if theme else []) + [DEFAULT_THEME]


def environment(site: Path, theme: str) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(site, theme)])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda x: f"{round(100 * x)}%" if x is not None else ""
    return env


def render_page(env: jinja2.Environment, page: Page, config, extra: dict[str, Any] | None = None) -> str:
    url = page.url
    context = {
        **page.context,
        "page": page, "site": config, "nav": SECTIONS,
        "link": lambda target: href(target, url),
        "asset": lambda path: href(f"assets/{path}", url),
        "canonical": absolute(url, config.base_url) if config.base_url else "",
        "generated": datetime.now(timezone.utc).date().isoformat(),
        "live_reload": Markup(""),
        **(extra or {}),
    }
    return env.get_template(page.template).render(context)


def output_path(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url


def write_site(files: dict[str, bytes], out: Path, site: Path, theme: str) -> int:
    """Write every file plus the theme's static/ into a temp folder, then swap it in."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for d in reversed(theme_dirs(site, theme)):  # default first, the site's theme on top
            if (d / "static").is_dir():
                shutil.copytree(d / "static", tmp / "assets", dirs_exist_ok=True)
        for rel, data in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp / STAMP).write_text("made by dossier build; this folder is replaced on every build\n")
        if (out / ".gitkeep").exists():  # the repository keeps an empty build/ with this file
            (tmp / ".gitkeep").touch()
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(files)


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` with `tmp`: two renames, so `out` is never half there."""
    if not out.exists():
        os.rename(tmp, out)
        return
    old = out.with_name(f".{out.name}-old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
