"""Slugs and relative URLs: pure functions, no I/O, tested by a table.

Every internal link is relative to the page it sits on, so one build works at a
domain root, under /repo/ on GitHub Pages and from file://. Page URLs are folder
URLs ("people/xi-jinping/") written as folder/index.html.
"""
from __future__ import annotations

import posixpath
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Callable
import re
import unicodedata
from pathlib import PurePosixPath

from .models import Slug

# names Windows refuses as file names (with any extension); a slug never becomes one
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, fallback: str = "untitled") -> Slug:
    """ASCII, lowercase, hyphens: "Xi Jinping" → "xi-jinping". Never escapes a folder."""
    return _slugify(str(text), fallback)


@lru_cache(maxsize=1 << 16)  # titles and names are slugged again after every edit in `dossier serve`
def _slugify(text: str, fallback: str) -> Slug:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
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
    return dict(_note_slugs(tuple(n.id for n in notes)))


def note_keys(notes) -> dict[str, str]:
    """What a [[wikilink]] to a note may say, slugified (the note's slug, or its title's)
    → the note's slug; a key two notes share goes to the first."""
    slugs, keys = note_slugs(notes), {}
    for n in notes:
        keys.setdefault(slugs[n.id], slugs[n.id])
        keys.setdefault(slugify(n.title), slugs[n.id])
    return keys


@lru_cache(maxsize=8)  # asked for by pages, checks and the clash warnings, after every edit
def _note_slugs(ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(zip(ids, unique_slugs([slugify(PurePosixPath(sid).stem) for sid in ids])))


def slug_clashes(sids: list[str], slugs: list[str], section: str) -> list[str]:
    """A file whose address was taken by another (`a b.md` and `a-b.md` both want a-b):
    it is published under a numbered slug, stably, and the editor is told which."""
    holder = dict(zip(slugs, sids))
    out = []
    for sid, slug in zip(sids, slugs):
        wanted = slugify(PurePosixPath(sid).stem)
        if slug != wanted:
            out.append(f"content/{sid}: address {section}{wanted}/ is taken by content/{holder.get(wanted, '?')}; "
                       f"published as {section}{slug}/ (rename one of the files to choose)")
    return out


def note_clashes(notes) -> tuple[str, ...]:
    return _note_clashes(tuple(n.id for n in notes))


@lru_cache(maxsize=8)
def _note_clashes(ids: tuple[str, ...]) -> tuple[str, ...]:
    slugs = dict(_note_slugs(ids))
    return tuple(slug_clashes(list(slugs), list(slugs.values()), "notes/"))


@lru_cache(maxsize=1 << 16)  # every page links the same few hundred targets: compute each once
def relative(target: str, page: str) -> str:
    """Link from page URL `page` to site URL `target` (both relative to the site root).

    Folder URLs end in "/"; the result for a folder keeps "index.html" off, except
    that from file:// a folder link needs index.html, so callers pass `target`
    with "index.html" when they want it (see `href`)."""
    page_dir = page if page.endswith("/") or page == "" else posixpath.dirname(page) + "/"
    if page_dir == "/":
        page_dir = ""
    target_path, _, frag = target.partition("#")
    rel = _relpath(target_path, page_dir)
    if (target_path.endswith("/") or not target_path) and rel != ".":
        rel += "/"
    if rel == ".":
        rel = "./"
    return rel + (f"#{frag}" if frag else "")


def _relpath(path: str, folder: str) -> str:
    """posixpath.relpath("/" + path, "/" + folder), by comparing the two lists of names:
    relpath makes both absolute and normal first, a third of a page's link time at 4,000
    articles. A "." or ".." in either goes to relpath itself."""
    to, at = path.split("/"), folder.split("/")
    if "." in to or ".." in to or "." in at or ".." in at:
        return posixpath.relpath("/" + path, "/" + folder)
    to, at = [n for n in to if n], [n for n in at if n]
    common = 0
    for a, b in zip(to, at):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(at) - common) + to[common:]) or "."


def href(target: str, page: str) -> str:
    """A link that works from file:// as well: folder targets point at index.html."""
    return links_from(page)(target)


def links_from(page: str) -> Callable[[str], str]:
    """href(·, page): what depends on the page alone is worked out once for all its links."""
    head, slash, _ = page.partition("/")
    # out of the page's top folder (a story's link to a person): up to the root, then
    # down. relative()'s cache is keyed by the page, which every page changes: it
    # missed on each of the ~200,000 links of a 4,000-article build
    up = "../" * page.count("/") if slash and not _ODD.search(page.removesuffix("/")) else None

    def link(target: str) -> str:
        path, far, near = _target(target)
        if up is not None and far is not None and not path.startswith(head):
            return up + far
        return relative(near, page)
    return link


@lru_cache(maxsize=1 << 16)  # what a target is, kept for every page that links it
def _target(target: str) -> tuple[str, str | None, str]:
    """(its path, a folder's with index.html; that path and its #fragment, linked from
    the root, None when relative() must read it; the same for relative())."""
    path, hash_, frag = target.partition("#")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path, None if _ODD.search(path) else path + (f"#{frag}" if frag else ""), path + hash_ + frag


# what the quick way of href leaves to relative(): a "." or ".." name, an empty one
# (a leading, doubled or, but for a page's own, trailing "/")
_ODD = re.compile(r"(?:^|/)\.{0,2}(?:/|$)")


# The link() of the page being rendered (output/render.render_page and
# pages/printpage.print_part set it). macros.html is imported without the page's
# context, so that jinja2 makes its module once per worker instead of once per page
# (0.5 s of a 4,000-article build); its macros, and the functions of
# output/fragments.py they call, reach the page's link() through the global `link`.
PAGE_LINK: ContextVar = ContextVar("page_link")


def page_link(target: str) -> str:
    return PAGE_LINK.get()(target)


@contextmanager
def linking_from(link):
    """`link` is page_link while the block renders a page (blocks nest: the print
    edition renders each of its parts inside its own page)."""
    token = PAGE_LINK.set(link)
    try:
        yield
    finally:
        PAGE_LINK.reset(token)


def is_web_url(value) -> bool:
    """An http(s) address with nothing that could leave an attribute: the only kind of
    URL from content (an article's `url`) that a page turns into a link."""
    return isinstance(value, str) and re.fullmatch(r"https?://[^\s\"'<>`]+", value.strip(), re.IGNORECASE) is not None


def absolute(target: str, base_url: str) -> str:
    """Canonical URL for sitemap, feed, Open Graph: base_url + target."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + target.lstrip("/")
