"""search: a Pagefind index of the finished site (https://pagefind.app).

Pagefind reads the built HTML, not the model: it indexes what a reader sees, and
the templates say what that is (`data-pagefind-body` on the main content of story,
note, person, place and event pages, `data-pagefind-filter="kind:…"`,
`data-pagefind-ignore` on source tables and link lists). It writes a static index
plus its own UI into `pagefind/`; the search page loads them with URLs relative
to itself, so search works under /repo/, at a domain root and from `dossier serve`.

The pages are indexed in the shards the plan cut them into (pages/shards.py: at
most SHARD_PAGES each, so that Pagefind's memory stays bounded), one Pagefind run
after another, never two at once, each into its own bundle (`pagefind/`,
`pagefind-2/`, …), which the search page merges. A small dossier is one shard: the
one bundle `pagefind/`. Each run reads a folder laid out as the site, its `--glob`
naming the shard's pages one by one, so it gives the same URLs as a run over the
whole site: the site folder itself (`dossier serve`), or, in `dossier build`, a copy
of each indexed page cut to what Pagefind indexes (`for_index`: the head and the
`data-pagefind-body`, less what is marked `data-pagefind-ignore`): a third of the
HTML, the same word index to the byte (the fragments lack only the anchors no
search UI of ours reads), a third less of Pagefind's time. The copies are
written in memory (SCRATCH, a tmpfs) when it has room and the pages are rendered on
this machine, else in the staging folder; each shard's are laid out in a folder of
their own in the pages' order (Indexer._laid_out) as the shard is written, and
removed once read.

Pagefind writes its filter index in an order of its own that changes from run to
run; each bundle is put in one order once written (stable_index.py), so that two
builds of the same content are the same bytes.

The index is built in the staging folder before it is swapped in (build.py,
`folder.Staging`), so a published site never has HTML newer
than its index. Search is an extra: without the binary the build still succeeds
and reports why search was skipped.
"""
from __future__ import annotations

import operator
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..memo.engine import SPAWN_LOCK
from ..pages.shards import Shard, plan_shards
from .entity_link import ENTITY_LINK
from .folder import alive
from .stable_index import settle

TIMEOUT = 300  # seconds one shard may take; one of 1,200 story pages takes about 5
INPUT = ".pagefind-input"  # the name of the folder of the pages cut for Pagefind (the staging folder's)
# Where that folder goes when there is room: in memory. On this machine's disk (ext4 on
# a virtual disk) a file made cost ~0.3 ms of system time, and the 3,280 cut pages of a
# 4,000-article build took the time the cut saved Pagefind. A container's /dev/shm is
# 64 MB: it is used only with SCRATCH_ROOM free, the copies of a shard about 10 MB.
SCRATCH, SCRATCH_ROOM = Path("/dev/shm"), 256 * 2**20
LEFT_AFTER = 3600  # seconds: a folder in SCRATCH of a process that is gone, untouched this long, is removed


def for_index(html: str) -> str:
    """A page as Pagefind reads it: its head, then its `<main data-pagefind-body>`
    without the elements marked `data-pagefind-ignore` (the quotes, the versions and
    their diffs, the source tables): what Pagefind indexes of it, in a third of the
    bytes. Pagefind makes the same word index of it, byte for byte, and the same
    fragments but for the anchors its search UI never reads (tests/test_search.py),
    in two thirds of the time: parsing what it then ignores was most of the rest.

    An entity link is handed over as its name (entity_link.ENTITY_LINK), an element
    in the body but a heading without its id (_ANCHOR). An ignored
    element is kept, not cut, where cutting could change what Pagefind reads: it holds
    another `data-pagefind-` attribute (a filter or a meta that "ignore" leaves
    counted), a comment, a script or a style (where a tag is not a tag), or its end is
    not found.
    A page not of this shape (no such <main>, a `data-pagefind-` attribute outside it)
    is returned whole."""
    head, main, end = html.find("</head>"), html.find("<main"), html.rfind("</main>")
    body = html.find(">", main) + 1
    if not 0 <= head < main < end or "data-pagefind-body" not in html[main:body] \
            or "data-pagefind-" in html[head:main] or "data-pagefind-" in html[end:]:
        return html
    parts, at = [html[:head], "</head><body>", html[main:body]], body
    while (hit := html.find(" data-pagefind-ignore", at, end)) >= 0:
        start, opened = html.rfind("<", at, hit), html.find(">", hit) + 1
        tag = _TAG.match(html, start) if start >= 0 and html.find(">", start, hit) < 0 else None
        close = _end_of(html, tag.group(1).lower(), opened, end) if tag else -1
        if close < 0 or any(html.find(mark, opened, close) >= 0 for mark in _UNSAFE):
            parts.append(html[at:hit + 1])  # kept whole; an ignored element within may still be cut
            at = hit + 1
            continue
        parts.append(html[at:start])
        at = close
    parts += [html[at:end], "</main></body></html>"]
    return "".join(parts[:3]) + _ANCHOR.sub(r"\1", ENTITY_LINK.sub(_NAME, "".join(parts[3:])))


_NAME = operator.methodcaller("group", 2)  # (re expands a template "\2" in Python, match by match)
# An id inside the body that is not a heading's (a story's paragraph anchors). Pagefind
# keeps every element's id in the page's fragment as an anchor, but its search UI makes
# sub-results of the headings' alone (calculate_sub_results: /h\d/); a story's dozen
# paragraph anchors were a tenth of its fragment and ~7% of Pagefind's time.
_ANCHOR = re.compile(r'(<(?![hH][1-6][\s/>])[a-zA-Z][a-zA-Z0-9-]*(?:\s+[a-zA-Z][\w:.-]*(?:="[^"<>]*")?)*?)'
                     r'\s+id="[^"<>]*"')


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_UNSAFE = ("data-pagefind-", "<!--", "<script", "<style", "<textarea", "<template")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def _end_of(html: str, tag: str, at: int, end: int) -> int:
    """Where the element whose start tag ends at `at` ends (after its end tag), or -1
    before `end`: its own tag name's start and end tags counted (one of the same name
    may nest in it); a void element ends with its tag."""
    if tag in _VOID:
        return at
    depth = 1
    for m in _tags(tag).finditer(html, at, end):
        depth += -1 if m.group(1) else 1
        if not depth:
            return m.end()
    return -1


@lru_cache(maxsize=64)
def _tags(tag: str) -> re.Pattern:
    return re.compile(rf"<(/?){re.escape(tag)}(?=[\s/>])[^>]*>", re.I)


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


def _scratch(folder: Path) -> Path:
    """A new folder for the cut pages: in SCRATCH when it has room (after removing the
    folders there of builds killed before they removed theirs), else in `folder`.

    A folder is a killed build's when its process is gone and it is untouched for
    LEFT_AFTER: containers that share /dev/shm do not share their process ids, and a
    live build there adds and removes a shard's folder in it every few seconds."""
    try:
        room = os.statvfs(SCRATCH)
        if room.f_bavail * room.f_frsize >= SCRATCH_ROOM and os.access(SCRATCH, os.W_OK):
            for left in SCRATCH.glob("dossier-pagefind-*"):
                pid = left.name.split("-")[2]
                if pid.isdigit() and not alive(int(pid), left) and time.time() - left.stat().st_mtime > LEFT_AFTER:
                    shutil.rmtree(left, ignore_errors=True)
            return Path(tempfile.mkdtemp(prefix=f"dossier-pagefind-{os.getpid()}-", dir=SCRATCH))
    except (OSError, AttributeError):  # no such folder, not ours to write in; no statvfs (Windows)
        pass
    return Path(tempfile.mkdtemp(prefix=INPUT, dir=folder))


def index_site(folder: Path, shards: Sequence[Shard] | None = None) -> str:
    """Index the HTML in `folder` into `shards`' bundles (`folder/pagefind/`, …), by
    default the shards of the indexed pages found there. Returns "" when done, or why
    search was skipped; never raises for a missing or failing binary, because a site
    without search is still worth publishing."""
    with Indexer() as indexer:
        indexer.start(folder, shards)
        return indexer.wait()


def found(folder: Path) -> tuple[Shard, ...]:
    """The shards of the indexed pages in `folder`, as the plan would cut them."""
    return plan_shards(p.relative_to(folder).as_posix().removesuffix("index.html")
                       for p in folder.glob("*/*/index.html"))


class Indexer:
    """Pagefind in the background: `dossier build` starts it before the pages are
    rendered, and each shard is read as soon as its pages are on disk (`written`),
    while the next shard's pages are rendered. While pages are rendered one thread
    runs the shards one after another: two Pagefinds at once would hold two indexes
    in memory beside the render workers, which is what the shards are for avoiding.
    Once every page is written and the workers are gone (`rendered`, or `wait`) a
    second thread takes the shards left beside the first (at 100,000 articles the
    search tail after render was 38 s on one core of two). Leaving the block stops
    the runs nobody waited for (the build failed), and the shards after them."""

    def __init__(self):
        self._threads: list[threading.Thread] = []
        self._runs: set[subprocess.Popen] = set()
        self._lock = threading.Lock()  # between the threads that start runs and the one that stops them
        self._stopped = False
        self._why = "the search index was not started"
        self._written: list[threading.Event] = []
        self._job: tuple = ()  # (binary, folder, shards)
        self.input: Path | None = None  # where the pages cut for Pagefind are written (`cut`)
        self._scratch: Path | None = None  # where each shard of them is laid out for Pagefind
        self._next = 0  # the next shard a thread takes
        self._read: deque[Path] = deque()  # the laid-out shards Pagefind has read, not yet removed

    def start(self, folder: Path, shards: Sequence[Shard] | None = None, pending: bool = False,
              cut: bool = False, here: bool = True) -> None:
        """Index `shards` (by default those of the pages in `folder`) into `folder`; with
        `pending`, each only once `written(i)` says its pages are on disk. With `cut`,
        Pagefind reads the pages not from `folder` but as the caller writes each one
        `for_index` into `self.input` (None when there is no Pagefind to read them): in
        memory when there is room and the writers are `here` (not a cluster's workers,
        whose memory is theirs), else in `folder`. Each shard's are moved into a folder
        of their own (`_laid_out`), in memory when there is room, and removed once read."""
        shards = found(folder) if shards is None else tuple(shards)
        self._written = [threading.Event() for _ in shards]
        if not pending:
            for written in self._written:
                written.set()
        binary, self._why = find_binary()
        if binary is None:
            return
        if cut:
            self._scratch = _scratch(folder)
            self.input = self._scratch if here else Path(tempfile.mkdtemp(prefix=INPUT, dir=folder))
        self._job = (binary, folder, shards)
        self._spawn()

    def written(self, i: int) -> None:
        """The pages of shard i are all on disk: Pagefind may read them. With `cut`, the
        shard's pages are laid out here, and those of the shards Pagefind has read are
        removed: by the thread that writes the pages, which waits on its workers while
        they render. In Pagefind's thread each of those thousands of file operations
        waited for the interpreter lock while this process wrote dossier.json, and the
        last shard started up to a second late (0.3–0.9 s a shard at 4,000 articles)."""
        if self.input is not None and not self._stopped:  # (not under the lock, which a
            # Pagefind thread holds while it starts a run: see memo/engine.py's SPAWN_LOCK)
            self._laid_out(i, self._job[2][i])
            while self._read:
                shutil.rmtree(self._read.popleft(), ignore_errors=True)
        self._written[i].set()

    def rendered(self) -> None:
        """Every page is written and the render workers are gone: a shard not yet taken
        is taken by a second Pagefind beside the first, while the build writes the rest
        (dossier.json, the feed)."""
        if len(self._threads) == 1:
            with self._lock:
                more = not self._stopped and self._next < len(self._job[2])
            if more:
                self._spawn()

    def wait(self) -> str:
        """"" when every shard's bundle is written, or why search was skipped."""
        if self._threads:
            self.rendered()
            for thread in self._threads:
                thread.join()
            self._threads = []
            for scratch in {self.input, self._scratch} - {None}:  # read: not pages of the site
                shutil.rmtree(scratch, ignore_errors=True)
            if self._why:  # an index without some shards would miss pages silently: none, and the page says so
                for each in self._job[2]:
                    shutil.rmtree(self._job[1] / each.bundle, ignore_errors=True)
        return self._why

    def _spawn(self) -> None:
        thread = threading.Thread(target=self._index, name="pagefind", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _index(self) -> None:
        binary, folder, shards = self._job
        while True:
            with self._lock:
                if self._stopped or self._next == len(shards):
                    return
                i, self._next = self._next, self._next + 1
            self._written[i].wait()
            site = folder if self.input is None else self._shard_folder(i)
            why = self._shard(binary, site, folder, shards[i])
            if site is not folder:  # read: `written` lets it go (in SCRATCH, it is memory), or `wait`
                self._read.append(site)
            with self._lock:
                if why and not self._stopped:  # the first failure is the reason given
                    self._why, self._stopped = why, True
                    for run in self._runs:
                        run.kill()

    def _laid_out(self, i: int, shard: Shard) -> None:
        """The shard's cut pages moved into a folder of their own, each made in the
        pages' sorted order. Pagefind numbers the pages in the order it lists them, which
        is the folders' (a tmpfs lists a folder in the order it was made in; ext4 in an
        order of the names): laid out so, in the same place, the index is the same bytes
        whatever order the workers wrote them in, and wherever they did (a cluster's)."""
        into = self._shard_folder(i)
        for page in shard.files:  # (sorted: shards.plan_shards)
            (into / page).parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.move(self.input / page, into / page)
            except FileNotFoundError:  # not written: the build failed, and says why
                pass

    def _shard_folder(self, i: int) -> Path:
        """Where shard i's cut pages are laid out for Pagefind."""
        return self._scratch / f".shard-{i}"

    def _shard(self, binary: Path, site: Path, folder: Path, shard: Shard) -> str:
        # text for screen readers only ("(person)" after each entity link) and the "¶ 9"
        # links back to a paragraph are not what a reader looks for, and read oddly in excerpts
        cmd = [str(binary), "--site", str(site), "--output-path", str(folder / shard.bundle), "--silent",
               "--exclude-selectors", ".visually-hidden, .para-link", "--glob", shard.glob]
        with self._lock:
            if self._stopped:
                return "the search index was stopped"
            try:
                with SPAWN_LOCK:
                    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            except OSError as e:
                return f"pagefind did not run: {e}"
            self._runs.add(run)
        try:
            stdout, stderr = run.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            run.kill()
            run.communicate()
            return f"pagefind did not run: {e}"
        finally:
            with self._lock:
                self._runs.discard(run)
        if run.returncode != 0 or not (folder / shard.bundle / "pagefind-entry.json").is_file():
            detail = (stderr or stdout).strip().splitlines()
            return f"pagefind failed (exit {run.returncode}): {detail[-1] if detail else 'no output'}"
        settle(folder / shard.bundle)
        return ""

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._threads and not self._stopped:
                self._why = self._why or "the search index was stopped"
            self._stopped = True
            for run in self._runs:
                run.kill()
        for written in self._written:  # a shard still waiting for its pages is not run
            written.set()
        self.wait()

