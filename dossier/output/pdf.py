"""The HTML→PDF library (WeasyPrint): the print edition, or pages of the site,
laid out with print.css (running header, "Page X of Y", bookmarks, contents page
numbers); every `href="#…"` becomes a link inside the PDF. `dossier pdf` (the
command, commands/pdf.py) and `dossier build` with `pdf: true` both call it.
"""
from __future__ import annotations

import gc
import logging
import re
from contextlib import contextmanager
from io import BytesIO
from typing import BinaryIO
from pathlib import Path

from ..errors import DossierError
from ..pages.printpage import PRINT_URL
from .folder import theme_dirs

_SCREEN_READER_ONLY = re.compile(r'<span class="visually-hidden">[^<]*</span>')


def pdf_bytes(html: str, site: Path, config, root: Path) -> bytes:
    """The whole-dossier PDF for `build` (`pdf: true`), from the print page it rendered."""
    buffer = BytesIO()
    write_pdf(html, buffer, site, config, root, config.title)
    return buffer.getvalue()


def write_pdf(html: str, stream: BinaryIO, site: Path, config, root: Path, title: str, debug: bool = False) -> int:
    """Lay out `html` (a page rendered at PRINT_URL under `root`) and write the PDF."""
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: WeasyPrint is there but Pango is not
        raise DossierError("weasyprint", f"cannot make PDFs here: {e}",
                           hint="pip install weasyprint; on Debian also apt-get install libpango-1.0-0 "
                                "libpangoft2-1.0-0") from None
    fetcher = _theme_fetcher(weasyprint, site, config.theme, root)
    # print.css hides screen-reader-only text; removing it here as well spares
    # WeasyPrint styling thousands of hidden spans (~8% of a whole-dossier PDF)
    html = _SCREEN_READER_ONLY.sub("", html)
    base = root.resolve().as_uri() + "/" + PRINT_URL + "index.html"
    with _quiet(not debug), _no_cycle_gc():
        document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render()
        document.metadata.title = title
        if config.author:
            document.metadata.authors = [config.author]
        document.metadata.generator = "dossier (WeasyPrint)"
        # untagged (WeasyPrint's default): pdf_tags=True cost +34% CPU on the shipped
        # dossier and +43% on 500 articles (docs/benchmarks.md#pdf), past the 15% allowed
        document.write_pdf(stream)
    return len(document.pages)


def _theme_fetcher(weasyprint, site: Path, theme: str, root: Path):
    """WeasyPrint fetches only the theme's static files (…/assets/x → the site's
    theme, else the default theme): never the network, never a stale build/."""
    assets = root.resolve().as_uri() + "/assets/"

    class ThemeFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(assets):
                raise ValueError(f"dossier pdf does not fetch {url}")
            name = url[len(assets):].split("?")[0].split("#")[0]
            for folder in theme_dirs(site, theme):
                path = (folder / "static" / name).resolve()
                if path.is_file() and path.is_relative_to((folder / "static").resolve()):
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"no theme file {name}")

    return ThemeFetcher()


@contextmanager
def _no_cycle_gc():
    """WeasyPrint makes millions of small objects; Python's cycle collector walks
    them all again and again as they pile up (a seventh of the time of a
    100-page PDF, more for a large one). Reference counting still frees what it
    can; what cycles remain are collected once, after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _quiet(on: bool):
    """WeasyPrint warns about every CSS property it does not support (the screen
    styles are full of them); only --debug shows those."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if on:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)

