"""Slugs and relative URLs: pure functions, no I/O, tested by a table.

Every internal link is relative to the page it sits on, so one build works at a
domain root, under /repo/ on GitHub Pages and from file://. Page URLs are folder
URLs ("people/xi-jinping/") written as folder/index.html.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import PurePosixPath

from .models import Slug

# names Windows refuses as file names; a slug never becomes one
RESERVED = {"con", "prn", "aux", "nul", "com1", "lpt1"}


def slugify(text: str, fallback: str = "untitled") -> Slug:
    """ASCII, lowercase, hyphens: "Xi Jinping" → "xi-jinping". Never escapes a folder."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > 60:  # cut long headlines at a word, not mid-word
        slug = slug[:61].rsplit("-", 1)[0]
    if not slug:
        return Slug(fallback)
    return Slug(f"{slug}-page" if slug in RESERVED else slug)


def unique_slugs(wanted: list[Slug]) -> list[Slug]:
    """Disambiguate repeats stably and visibly: a, a-2, a-3 (in input order)."""
    seen: dict[str, int] = {}
    out = []
    for slug in wanted:
        n = seen.get(slug, 0) + 1
        seen[slug] = n
        out.append(Slug(slug if n == 1 else f"{slug}-{n}"))
    # a generated "a-2" may collide with a real "a-2": go again until stable
    return out if len(set(out)) == len(out) else unique_slugs(out)


def note_slugs(notes) -> dict:
    """A note's slug is its file name: stable while the title is edited."""
    return dict(zip([n.id for n in notes], unique_slugs([slugify(PurePosixPath(n.id).stem) for n in notes])))


def relative(target: str, page: str) -> str:
    """Link from page URL `page` to site URL `target` (both relative to the site root).

    Folder URLs end in "/"; the result for a folder keeps "index.html" off, except
    that from file:// a folder link needs index.html, so callers pass `target`
    with "index.html" when they want it (see `href`)."""
    page_dir = page if page.endswith("/") or page == "" else posixpath.dirname(page) + "/"
    if page_dir == "/":
        page_dir = ""
    target_path, _, frag = target.partition("#")
    rel = posixpath.relpath("/" + target_path, "/" + page_dir)
    if (target_path.endswith("/") or not target_path) and rel != ".":
        rel += "/"
    if rel == ".":
        rel = "./"
    return rel + (f"#{frag}" if frag else "")


def href(target: str, page: str) -> str:
    """A link that works from file:// as well: folder targets point at index.html."""
    path, hash_, frag = target.partition("#")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return relative(path + hash_ + frag, page)


def absolute(target: str, base_url: str) -> str:
    """Canonical URL for sitemap, feed, Open Graph: base_url + target."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + target.lstrip("/")
