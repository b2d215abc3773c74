"""search: a Pagefind index of the finished site (https://pagefind.app).

Pagefind reads the built HTML, not the model: it indexes what a reader sees, and
the templates say what that is (`data-pagefind-body` on the main content of story,
note, person, place and event pages, `data-pagefind-filter="kind:…"`,
`data-pagefind-ignore` on source tables and link lists). It writes a static index
plus its own UI into `pagefind/`; the search page loads them with URLs relative
to itself, so search works under /repo/, at a domain root and from `dossier serve`.

The index is built in the staging folder before it is swapped in (build.py,
`folder.Staging`), so a published site never has HTML newer
than its index. Search is an extra: without the binary the build still succeeds
and reports why search was skipped.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

BUNDLE = "pagefind"  # folder of the index and UI inside the site; search.js expects this name
GLOB = "{stories,notes,people,places,events}/*/index.html"
TIMEOUT = 300  # seconds; a 45-page site takes under one


def find_binary() -> tuple[Path | None, str]:
    """The Pagefind executable, or None and the reason, in words a user can act on.

    Pagefind's own lookup is used (PAGEFIND_BINARY_PATH, then the `pagefind[bin]`
    wheel, then `pagefind` on PATH); PAGEFIND_BINARY_PATH is how a user points at
    a binary of their own, or turns search off by pointing it at nothing."""
    forced = os.environ.get("PAGEFIND_BINARY_PATH")
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except (ImportError, OSError):  # pagefind not installed, or a `pagefind_bin` without its binary
        found = None
    if found is None:
        which = shutil.which("pagefind_extended") or shutil.which("pagefind")
        found = Path(which) if which else None
    if found is None:
        return None, "the pagefind binary is not installed (pip install 'pagefind[bin]')"
    if not found.is_file() or not os.access(found, os.X_OK):
        where = f"PAGEFIND_BINARY_PATH={forced}" if forced else str(found)
        return None, f"no pagefind program at {where}"
    return found, ""


def index_site(folder: Path) -> str:
    """Index the HTML in `folder` into `folder/pagefind/`. Returns "" when done, or
    why search was skipped; never raises for a missing or failing binary, because
    a site without search is still worth publishing."""
    with Indexer() as indexer:
        indexer.start(folder)
        return indexer.wait()


class Indexer:
    """Pagefind in the background: `dossier build` starts it as soon as the indexed
    pages are on disk and renders the rest (the print edition, dossier.json) while it
    runs. Pagefind keeps about one core busy, so on two cores the two overlap.
    Leaving the block stops a run nobody waited for (the build failed)."""

    def __init__(self):
        self._run: subprocess.Popen | None = None
        self._folder: Path | None = None
        self._why = "the search index was not started"

    def start(self, folder: Path) -> None:
        binary, self._why = find_binary()
        if binary is None:
            return
        # text for screen readers only ("(person)" after each entity link) and the "¶ 9"
        # links back to a paragraph are not what a reader looks for, and read oddly in excerpts
        cmd = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE, "--silent",
               "--exclude-selectors", ".visually-hidden, .para-link",
               # only the pages that carry data-pagefind-body: parsing the print edition (the
               # whole dossier in one file) and the sources list cost Pagefind most of its time
               "--glob", GLOB]
        try:
            self._run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as e:
            self._why = f"pagefind did not run: {e}"
        self._folder = folder

    def wait(self) -> str:
        """"" when the index is written, or why search was skipped."""
        run = self._run
        if run is None:
            return self._why
        try:
            stdout, stderr = run.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            run.kill()
            run.communicate()
            return f"pagefind did not run: {e}"
        finally:
            self._run = None
        if run.returncode != 0 or not (self._folder / BUNDLE / "pagefind-ui.js").is_file():
            detail = (stderr or stdout).strip().splitlines()
            return f"pagefind failed (exit {run.returncode}): {detail[-1] if detail else 'no output'}"
        return ""

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, *exc) -> None:
        if self._run is not None:
            self._run.kill()
            self._run.communicate()
            self._run = None


INDEXED = re.compile(r"(?:stories|notes|people|places|events)/[^/]+/index\.html")  # GLOB, as a regex


def indexed(path: str) -> bool:
    """Whether Pagefind reads this output file (GLOB): these are written first."""
    return INDEXED.fullmatch(path) is not None
