"""Render every page and the non-HTML outputs into {path: bytes}; guard the output folder."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .errors import DossierError
from .models import Dossier, Page
from .outputs import dump_json, feed, robots, sitemap
from .render import STAMP, environment, output_path, render_page


def render_site(d: Dossier, pages: tuple[Page, ...], site: Path, extra: dict | None = None) -> dict[str, bytes]:
    env = environment(site, d.config.theme)
    files = {output_path(p.url): render_page(env, p, d.config, extra).encode() for p in pages}
    generated = datetime.now(timezone.utc).date().isoformat()
    files["404.html"] = render_page(env, Page("404.html", "404.html", "Page not found", "404", {}), d.config,
                                    {**(extra or {}), "root": _root(d.config.base_url)}).encode()
    files["dossier.json"] = dump_json(d)
    files["sitemap.xml"] = sitemap(pages, d.config.base_url)
    files["robots.txt"] = robots(d.config.base_url)
    files["feed.xml"] = feed(d, pages, generated)
    files[".nojekyll"] = b""
    if d.config.cname:
        files["CNAME"] = d.config.cname.encode() + b"\n"
    return files


def _root(base_url: str) -> str:
    """404.html is served at any depth, so its links are absolute under the base path."""
    from urllib.parse import urlsplit
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"


def guard_output(site: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would lose the user's files."""
    site, out = site.resolve(), out.resolve()
    content = site / "content"
    shown = str(out)
    if out in (Path("/"), Path.home()) or out == site:
        raise DossierError(shown, "refusing to build into this folder: it would be replaced whole",
                           hint="pick an empty folder or the default build/")
    if out == content or content.is_relative_to(out) or out.is_relative_to(content):
        raise DossierError(shown, "refusing to build into or over content/", hint="use build/")
    if out.exists() and not out.is_dir():
        raise DossierError(shown, "is a file, not a folder")
    if out.is_dir() and not (out / STAMP).exists() and any(p.name != ".gitkeep" for p in out.iterdir()):
        raise DossierError(shown, "is a folder dossier did not make and is not empty",
                           hint="empty it, or choose another output folder with -o")
