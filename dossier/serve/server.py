"""`dossier serve`: build into memory, serve it, watch the files; on each change,
classify → rebuild → notify. A thin composition of three parts:

- `incremental.Builder` does each build, redoing only what the kind of change needs;
- `livereload.Server` serves the last good build and streams changes to open pages;
- watchdog reports file events; `Rebuilds` debounces them and runs one build at a time.

Epochs: every file event a build reads bumps `wanted`; a build is started for the
`wanted` of that moment and, when it is done, becomes `visible`. A build that
finds `wanted` moved on while it ran is dropped (Quartz does the same) and the
newer one starts at once, unless that happened MAX_DROPS times in a row: an
editor who saves every second on a site that takes two to build still sees
something. Nothing is published before it is complete.
"""
from __future__ import annotations

import ipaddress
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

import jinja2

from ..config import Config
from ..errors import DossierError, printable, template_error
from .incremental import Builder, Deferred, Rebuilt, Superseded, classify
from .livereload import Server, Snapshot, base_path, bind, client_script

QUIET = 0.02  # seconds with no new event before a burst of saves (temp file, rename) is built
SETTLED = 0.005  # ...after an event that ends a write (close, rename): only a same-moment save joins it
LONGEST = 0.3  # ...but a steady stream of events (a git checkout) is still built this often
MAX_DROPS = 3  # superseded builds dropped in a row before one is finished regardless
SEARCH_QUIET = 2.0  # seconds of calm (at least two builds' time) before the search index is updated
JOIN = 3.0  # seconds each thread gets to finish on Ctrl-C


class Rebuilds:
    """The builder thread: pending changes, debounce, wanted and visible epochs."""

    def __init__(self, builder: Builder, site: Path, publish: Callable[[Rebuilt, int], None],
                 failed: Callable[[str], None], say: Callable[[str], None],
                 open_pages: Callable[[], frozenset[str]] = frozenset):
        self.builder, self.site, self.publish, self.failed, self.say = builder, site, publish, failed, say
        self.open_pages = open_pages
        self._cond = threading.Condition()
        self._pending: dict[Path, str] = {}  # path → change kind, since the last build started
        self._first = self._last = 0.0
        self._quiet = QUIET
        self.wanted = self.visible = 0
        self.seconds = 0.0  # how long the last build took
        self.warnings: set[str] = set()  # the last build's, so only new ones are printed
        self._stopping = False

    def changed(self, path: Path, settled: bool = False) -> None:
        """From watchdog's thread: a file event, kept if a build reads that file.
        `settled`: the event ends a write (closed, moved into place)."""
        rel = path.relative_to(self.site).parts if path.is_relative_to(self.site) else ()
        if any(part.startswith(".") for part in rel):  # editor swap files; load skips them too
            return
        kind = classify(path, self.site, self.builder.themes())
        if kind is None:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending[path] = kind
            self._last, self._quiet = now, SETTLED if settled else QUIET
            self.wanted += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def _next(self) -> tuple[dict[Path, str], int] | None:
        """Wait for changes and for the burst to settle; None when stopping."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._stopping)
            while not self._stopping:
                wait = min(self._last + self._quiet, self._first + LONGEST) - time.monotonic()
                if wait <= 0:
                    break
                self._cond.wait(wait)
            if self._stopping:
                return None
            pending, self._pending = self._pending, {}
            return pending, self.wanted

    def run(self) -> None:
        drops, failed = 0, {}
        while (batch := self._next()) is not None:
            pending, target = batch
            pending = {**failed, **pending}  # a config or template change that has not built yet still counts
            late = (lambda: self.wanted != target) if drops < MAX_DROPS else (lambda: False)
            t0 = time.perf_counter()
            try:
                rebuilt = self.builder.build(set(pending.values()), late, pending, self.open_pages())
            except Superseded:
                drops += 1
                with self._cond:  # what this build would have covered goes to the next one
                    self._pending = {**pending, **self._pending}
                continue
            except Exception as e:
                drops, failed = 0, pending
                self.failed(self.describe(e))
                continue
            drops, failed, self.visible, self.seconds = 0, {}, target, time.perf_counter() - t0
            self.publish(rebuilt, target)
            self.builder.tidy()
            files = ", ".join(sorted(_shown(p, self.site) for p in pending)[:3])
            self.say(f"{files}: {rebuilt.rendered} pages rendered, {len(rebuilt.changed)} files changed "
                     f"in {self.seconds * 1000:.0f} ms"
                     + (f" ({rebuilt.deferred} more when first asked for)" if rebuilt.deferred else ""))
            for warning in sorted(set(rebuilt.warnings) - self.warnings):  # what this edit brought
                self.say(f"warning: {warning}")
            self.warnings = set(rebuilt.warnings)


    @staticmethod
    def describe(e: Exception) -> str:
        if isinstance(e, DossierError):
            return e.format()
        if isinstance(e, jinja2.TemplateError):  # a site theme's template: the user's to fix
            return template_error(e)
        traceback.print_exc()  # a bug in dossier: still never the end of the server
        return f"internal error: {type(e).__name__}: {e} (please report it)"


def _shown(path: Path, site: Path) -> str:
    return path.relative_to(site).as_posix() if path.is_relative_to(site) else str(path)


class Site:
    """What the server shows: the last good build plus the search index, published together."""

    def __init__(self, server: Server):
        self.server, self._lock = server, threading.Lock()
        self.build: dict[str, bytes] = dict(server.snapshot.files)
        self.search: dict[str, bytes] = {}

    def published(self, rebuilt: Rebuilt, epoch: int, base: str) -> None:
        with self._lock:
            self.build = dict(rebuilt.files)
            self.server.base = base
            self._swap(epoch, rebuilt.message())
        self.server.hub.set_error(None)

    def indexed(self, files: dict[str, bytes]) -> None:
        with self._lock:
            self.search = files
            self._swap(self.server.snapshot.epoch, None)  # nothing an open page shows changed

    def _swap(self, epoch: int, message: dict | None) -> None:
        files = {**self.search, **self.build}
        self.server.publish(Snapshot.make(epoch, files, self.server.snapshot), message)


class SearchIndex:
    """Pagefind over a serve-only copy of the HTML, run when the edits have settled.

    The copy is written file by file, only where the bytes changed, into a
    temporary folder (never the user's build/); every bundle of the index is read back
    into memory."""

    def __init__(self, site: Site, say: Callable[[str], None], built: bool = True):
        """`built`: the first build succeeded, so there is a site to index now (else
        the first good build schedules it: the placeholder page has nothing to find)."""
        self.site, self.say = site, say
        self.folder = Path(tempfile.mkdtemp(prefix="dossier-serve-"))
        self._written: dict[str, bytes] = {}
        self._cond = threading.Condition()
        self._due: float | None = time.monotonic() if built else None
        self._stopping = False

    def schedule(self, build_seconds: float = 0.0) -> None:
        """After a build: index once the edits have been calm for a while. The wait
        grows with the build time, so that on a big site the indexer (which renders
        every page not yet rendered) does not take turns with each build."""
        with self._cond:
            self._due = time.monotonic() + max(SEARCH_QUIET, 2 * build_seconds)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def run(self) -> None:
        from ..output.search import find_binary, index_site
        from ..pages.shards import plan_shards
        said = ""
        try:
            while True:
                with self._cond:
                    while not self._stopping and (self._due is None or self._due > time.monotonic()):
                        self._cond.wait(None if self._due is None else self._due - time.monotonic())
                    if self._stopping:
                        return
                    self._due = None
                files = self.site.build
                self._write(files)
                # the shards of the pages served, as their search page names them
                shards = plan_shards(p.removesuffix("index.html") for p in files)
                why = index_site(self.folder, shards)
                if why:
                    if why != said:  # once, not after every save
                        self.say(f"search: {why}")
                    said = why
                    if find_binary()[0] is None:
                        return  # no Pagefind: no edit brings one
                    continue  # a site with nothing to index yet: the next build may have something
                said = ""
                self.site.indexed({p.relative_to(self.folder).as_posix(): p.read_bytes()
                                   for s in shards for p in (self.folder / s.bundle).rglob("*") if p.is_file()})
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _write(self, files: dict[str, bytes]) -> None:
        for path in self._written.keys() - files.keys():
            (self.folder / path).unlink(missing_ok=True)
        for path, data in files.items():
            if path.endswith(".html") and self._written.get(path) is not data:
                target = self.folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data.get() if isinstance(data, Deferred) else data)
        self._written = {p: d for p, d in files.items() if p.endswith(".html")}


_TELL = threading.Lock()


def tell(line: str, stream=None) -> None:
    """One whole line per write, under a lock: print() writes the text and its newline
    apart, so two threads' lines could run together (the builder's and the indexer's)."""
    stream = stream or sys.stdout
    line = "\n".join(map(printable, line.split("\n")))  # a file name's escape sequence is shown, not run
    with _TELL:
        stream.write(line + "\n")
        stream.flush()


def placeholder(base: str, error: str) -> dict[str, bytes]:
    """The site before its first good build: a page that waits for one."""
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<title>dossier serve: no site yet</title>\n"
            "<body style=\"font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem\">\n"
            "<h1>The site did not build</h1>\n<p>Fix the error shown above and save: this page loads the site "
            f"by itself.</p>\n{client_script(base)}\n</body>\n</html>\n").encode()
    return {"index.html": page, "404.html": page}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _extra(config: Config) -> dict:
    return {"live_reload": client_script(base_path(config.base_url))}


def cmd_serve(site: Path, args) -> int:
    """Serve until Ctrl-C; 0 when stopped that way, whatever the state of the content."""
    stopping: list[Callable[[], None]] = []
    try:
        return _serve(site.resolve(), args, stopping)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        for stop in reversed(stopping):
            stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _serve(site: Path, args, stopping: list) -> int:
    def say(line: str) -> None:
        tell(f"{time.strftime('%H:%M:%S')} {line}")

    # `kill` stops it as cleanly as Ctrl-C; and Ctrl-C works even when started from a
    # script as a background job, which inherits SIGINT ignored
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    builder = Builder(site, args.base_url, _extra)
    t0 = time.perf_counter()
    first, error = None, None
    try:
        first = builder.build()
        builder.tidy()
        say(f"built {sum(p.endswith('.html') for p in first.files)} pages in {time.perf_counter() - t0:.2f} s"
            + (f", {len(first.warnings)} warnings (dossier check lists them)" if first.warnings else ""))
    except Exception as e:  # served as the overlay on a page that waits for a good build
        error = Rebuilds.describe(e)
        tell(error, sys.stderr)
    config = builder.state.config
    base = base_path(config.base_url if config else (args.base_url or ""))
    server, taken = bind(args.host, args.port, base, Snapshot.make(0, first.files if first else placeholder(base, error)),
                         allowed_hosts=frozenset(getattr(args, "allow_host", None) or ()))
    stopping.append(server.server_close)  # last: joins every request thread
    stopping.append(server.stop)
    site_view = Site(server)
    if error:
        server.hub.set_error(error)

    def failed(message: str) -> None:
        tell(message, sys.stderr)
        server.hub.set_error(message)

    def published(rebuilt: Rebuilt, epoch: int) -> None:
        site_view.published(rebuilt, epoch, base_path(builder.state.config.base_url))
        search.schedule(rebuilds.seconds)
        watcher.refresh()

    rebuilds = Rebuilds(builder, site, published, failed, say, server.open_pages)
    rebuilds.warnings = set(first.warnings if first else ())
    search = SearchIndex(site_view, say, built=first is not None)
    watcher = Watcher(site, builder, rebuilds)
    for worker in (rebuilds, search):
        thread = threading.Thread(target=worker.run, name=type(worker).__name__, daemon=True)
        thread.start()
        stopping.append(lambda thread=thread, worker=worker: (worker.stop(), thread.join(JOIN)))
    watcher.start()
    stopping.append(watcher.stop)

    host, port = server.server_address[:2]
    if taken:
        say(f"port {taken[0]} is in use; serving on port {port} instead")
    if not is_loopback(args.host):
        say(f"warning: listening on {args.host}: anyone who can reach this machine can read the dossier "
            "(the default --host 127.0.0.1 keeps it to this computer)")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}{server.base}"
    say(f"serving {config.title if config else 'the site'} at {url} (Ctrl-C to stop)")
    if args.open:
        import webbrowser
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    server.serve_forever(poll_interval=0.2)
    return 0


class Watcher:
    """content/ and the themes recursively; the site folder itself only for dossier.yaml
    (a recursive watch there would also take in build/, .git and virtualenvs)."""

    def __init__(self, site: Path, builder: Builder, rebuilds: Rebuilds):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        class Events(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write") or (
                        event.is_directory and event.event_type == "modified"):
                    return
                settled = event.event_type in ("closed", "moved")  # the end of a write
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path:
                        rebuilds.changed(Path(path if isinstance(path, str) else path.decode()), settled)

        self.site, self.builder, self.handler = site, builder, Events()
        self.observer, self.watched = Observer(), set()
        self.observer.schedule(self.handler, str(site), recursive=False)
        self.refresh()

    def refresh(self) -> None:
        """Watch what the current config reads: a new theme, a themes/ folder made since."""
        folders = {f.resolve() for f in [self.site / "content", self.site / "themes", *self.builder.themes()]
                   if f.is_dir()}
        for folder in sorted(folders - self.watched):
            if not any(folder.is_relative_to(other) for other in self.watched | (folders - {folder})):
                self.observer.schedule(self.handler, str(folder), recursive=True)
            self.watched.add(folder)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(JOIN)
