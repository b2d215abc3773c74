"""The rebuild engine of `dossier serve`: a change in, the files whose bytes changed out.

Every change is classified by kind (Zola's ChangeKind) and gets the cheapest
correct action:

- static (a file of a theme's static/): read the themes' static files again; no
  model, no page. A stylesheet is swapped in the open pages without a reload.
- template: a fresh jinja2 environment, every page rendered again from the Pages
  already computed; only pages whose bytes changed are reloaded.
- content: the model and the pages again (`build.build_model` and
  `plan_pages`, the very composition of `dossier build`) through a memo kept
  warm for the whole session, so each stage redoes only what depends on the files
  that changed; only pages that differ from the last build's are rendered. Pages
  are frozen data, so `==` is an exact test of "this page would print the same".
- config: all of the above.

Pages open in a browser are rendered before the build is published; the other
changed pages (the print edition, the sources table...) and the data files
become `Deferred`: rendered when first asked for, by a request or by the search
indexer (Hugo's "fast render" idea). A reader never gets a stale page: a deferred
page is rendered from the same model as the rest of its build.

Nothing is committed until a build has finished, so a build that fails or is
superseded leaves the last good site as it was.
"""
from __future__ import annotations

import gc
import hashlib
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Union

from ..build import Timings, build_model
from ..config import Config, load_config
from ..memo import Memo, differing
from ..models import Dossier, Page
from ..output.folder import read_static, theme_dirs
from ..output.render import environment, output_path, render_page
from ..output.outputs import Listed
from ..output.site import other_files, render
from ..pages.builders import Group, plan_pages
from ..pages.index import Index
from ..pages.health import health_page

ChangeKind = Literal["content", "config", "template", "static"]
ORDER: tuple[ChangeKind, ...] = ("config", "template", "content", "static")
HEALTH = "health/index.html"
# Changed pages made at once when no browser shows them (so that only those that really
# differ are rendered and reported); past this many (a new title changes the structure
# every page reads), the rest wait until asked for
EAGER = 64  # the editor's page of `dossier check` findings: serve only


class Superseded(Exception):
    """A newer change arrived during this build: its result would be stale on arrival."""


class Deferred:
    """A file (or a group of files) made when first needed, once, whichever thread asks first."""

    __slots__ = ("_make", "_data", "_lock", "etag")

    def __init__(self, make: Callable[[], object]):
        self._make, self._data, self._lock, self.etag = make, None, threading.Lock(), ""

    def get(self):
        with self._lock:
            if self._data is None:
                self._data = self._make()
                self._make = None  # let go of the model it was made from
                if isinstance(self._data, bytes):
                    self.etag = hashlib.blake2b(self._data, digest_size=12).hexdigest()
            return self._data

    @property
    def ready(self) -> bool:
        return self._data is not None


File = Union[bytes, Deferred]


def classify(path: Path, site: Path, themes: Iterable[Path]) -> ChangeKind | None:
    """What kind of change a file event is, or None when no build reads that file."""
    path = Path(path)
    if path == site / "dossier.yaml":
        return "config"
    if path.is_relative_to(site / "content"):
        return "content"
    for theme in themes:
        if path.is_relative_to(theme / "static"):
            return "static"
        if path.is_relative_to(theme / "templates") or path == theme:
            return "template"
    return None


@dataclass(frozen=True)
class Rebuilt:
    """What one build changed in the served site."""

    files: Mapping[str, File]  # the whole site: path → bytes, or a page rendered when asked for
    changed: frozenset[str]  # paths added, removed, or with new bytes (deferred ones: maybe new)
    rendered: int  # pages rendered before publishing
    deferred: int  # pages left to render on demand
    warnings: tuple[str, ...]
    timings: Mapping[str, float] = field(default_factory=dict)

    def message(self) -> dict | None:
        """The change event for the open tabs, or None when nothing they load changed.

        A stylesheet is swapped in place; a changed script, image or font may be on
        any page, so every page reloads; data files (feed, sitemap) are not shown."""
        if not self.changed:
            return None
        if any(p.startswith("assets/") and not p.endswith(".css") for p in self.changed):
            return {"pages": "*", "css": []}
        return {"pages": sorted(p for p in self.changed if p.endswith(".html")),
                "css": sorted(p for p in self.changed if p.endswith(".css"))}


@dataclass
class _State:
    """The last good build: what the next one is compared with."""

    config: Config | None = None
    env: object = None
    model: Dossier | None = None
    plan: list[Group] = field(default_factory=list)  # the groups of pages, in plan_pages' order
    groups: Mapping[str, Group] = field(default_factory=dict)  # the same by URL
    index: Index | None = None  # the lookups the plan's pages are made with
    pages: Mapping[str, Page] = field(default_factory=dict)  # the pages made so far, by URL
    files: Mapping[str, File] = field(default_factory=dict)
    data: tuple[str, ...] = ()  # the files besides the pages (feed, sitemap, 404...)
    deferred: tuple[str, ...] = ()  # the files that were Deferred, some maybe made since


class Builder:
    """Builds the site into memory, then again after each change, doing only what it must."""

    def __init__(self, site: Path, base_url: str | None, extra: Callable[[Config], Mapping[str, object]],
                 health: bool = True):
        """`base_url` overrides dossier.yaml's (like `build --base-url`); `extra(config)`
        is what serving adds to every page (the live-reload script); `health` adds the
        editor's "Dossier health" page (docs/check.md), which a published build leaves out."""
        self.site, self.base_url, self.extra, self.health = Path(site), base_url, extra, health
        self.state = _State()
        self._retired: _State | None = None  # the build the last one replaced, until tidy()
        self.memo = Memo(warm=True)  # every stage's results, kept for the next build

    def themes(self) -> list[Path]:
        """The theme folders the last build read (the site's theme, then the default)."""
        return theme_dirs(self.site, self.state.config.theme if self.state.config else "")

    def build(self, kinds: Iterable[ChangeKind] = ORDER, superseded: Callable[[], bool] = lambda: False,
              paths: Iterable[Path] = (), open_pages: frozenset[str] = frozenset()) -> Rebuilt:
        """Rebuild after changes of these kinds (`paths`: the files the watcher named;
        `open_pages`: site paths shown in a browser, rendered before the others).
        Raises DossierError (bad content) or Superseded; either way nothing changes."""
        self.tidy()
        gc.disable()  # until tidy()
        try:
            return self._build(set(kinds), superseded, paths, open_pages)
        except BaseException:
            self.tidy()
            raise

    def tidy(self) -> None:
        """After a build is published (serve), or before the next one: let go of the
        build it replaced, and put the garbage collector back to work.

        The model and the memo are a heap of 10⁶ objects that live from one build to
        the next: they are frozen (gc.freeze), or each full collection would walk them
        all (a 1 s pause on a 4,000-article dossier, in the middle of an edit). During a
        build the collector is off: what a build makes is mostly big tables (a corpus's
        quotes, its pages by URL), which every young collection would walk again. Here
        the build's cycles are collected once and the rest frozen; with freeing the last
        build, that is a sixth of a one-note edit, done once its page is out."""
        self._retired = None
        if not gc.isenabled():
            gc.collect(0)
            gc.freeze()
            gc.enable()

    def _build(self, kinds: set, superseded: Callable[[], bool], paths: Iterable[Path],
               open_pages: frozenset[str]) -> Rebuilt:
        old, timed = self.state, Timings()
        new = replace(old)
        if "config" in kinds or old.config is None:
            config = load_config(self.site)
            new.config = replace(config, base_url=self.base_url) if self.base_url else config
            kinds |= set(ORDER)
        if "template" in kinds or new.env is None:
            new.env = environment(self.site, new.config.theme)
        if "content" in kinds or new.model is None:
            self._forget(paths)
            new.model = build_model(self.site, new.config, self.memo, timed)
            _check(superseded)
            with timed("pages"):
                plan, new.index = plan_pages(new.model, self.memo)
                new.plan, new.groups = plan, {url: g for g in plan for url in g.urls}
            _check(superseded)
        files = dict(old.files)
        rendered = deferred = 0
        if kinds & {"config", "template", "content"}:
            with timed("render"):
                outputs, rendered, deferred = self._render(old, new, kinds, open_pages)
            self.memo.finish()
            if new.groups.keys() != old.groups.keys() or kinds & {"config", "template"}:
                keep = outputs.keys() | {output_path(url) for url in new.groups} | {HEALTH}
                for path in [p for p in files if not p.startswith("assets/") and p not in keep]:
                    del files[path]  # a page whose file was deleted, a CNAME no longer set
            files.update(outputs)
            new.deferred = tuple(p for p in (*old.deferred, *outputs) if _pending(files.get(p)))
        if kinds & {"static", "config"} or not any(p.startswith("assets/") for p in files):
            with timed("static"):
                static = read_static(theme_dirs(self.site, new.config.theme))
            for path in [p for p in files if p.startswith("assets/") and p not in static]:
                del files[path]
            files.update(static)
        _check(superseded)
        new.files = files
        changed = _changed(old.files, files)
        self.state, self._retired = new, old  # the commit: only a finished build gets here
        return Rebuilt(files, changed, rendered, deferred, new.model.warnings, dict(timed.stages))

    def _forget(self, paths: Iterable[Path]) -> None:
        """The files the watcher named are read again, whatever their stat says (a rewrite
        within one tick of the filesystem clock keeps it); the others are trusted as they
        were. A file the last listing does not have, or one gone, means a walk again."""
        named = {str(p) for p in paths}
        listed = {str(item[0]) for listing in self.memo.table("listing").values() for item in listing}
        if any(p not in listed or not os.path.isfile(p) for p in named) or not paths:
            self.memo.forget("listing", lambda key: True)
        # (a test per file read: the sidecars' stems only when a sidecar was named)
        stems = {p[:p.rfind(".")] for p in named if p.endswith(".yaml")}
        self.memo.forget("read", lambda key: key[0] in named or bool(stems) and _stem(key[0]) in stems)

    @staticmethod
    def _looked_at(old: _State, new: _State, everything: bool, urls: set[str]) -> list[Group]:
        """The groups `_render` looks at: every one after a template or config change;
        else those that are not the very group at their place in the last plan, and
        those of these pages (shown in a browser, or still waiting to be rendered)."""
        other = None if everything else differing(new.plan, old.plan)
        if other is None:
            return new.plan
        return list(dict.fromkeys([*(new.plan[i] for i in other), *(new.groups[u] for u in sorted(urls))]))

    def pages(self) -> dict[str, Page]:
        """Every page of the last build, made now where serve has not made it yet."""
        return {p.url: p for g in self.state.plan for p in g.pages(self.state.index)}

    def _render(self, old: _State, new: _State, kinds: set, open_pages: frozenset[str]):
        """Open pages now; other changed pages and the data files when first asked for.

        A group of pages whose key is the last build's is the same pages. Another is
        made now, and only its pages that differ from the last build's are rendered,
        unless it is `lazy` (it reads much of the dossier) or past the first EAGER
        changed pages, and not shown: then it is made and rendered when first asked for. A template or config change renders
        everything now, so a template error shows at once."""
        d, extra, memo, ix = new.model, dict(self.extra(new.config)), self.memo, new.index
        everything = bool(kinds & {"config", "template"})
        table = memo.table("page")
        now, later, waiting, made_now = [], [], [], 0
        shown_urls = {u for p in open_pages for u in _urls_of(p, new.groups)}
        pending = {p for p in old.deferred if _pending(old.files.get(p))}
        pages = dict(old.pages)  # the pages of a group left as it was stay; the others are looked at
        for url in old.pages.keys() - new.groups.keys():
            del pages[url]
        waited = {u for p in pending for u in _urls_of(p, new.groups)}
        for g in self._looked_at(old, new, everything, shown_urls | waited):
            last = old.groups.get(g.urls[0])
            shown = everything or any(u in shown_urls for u in g.urls)
            unrendered = bool(pending) and any(output_path(u) in pending for u in g.urls)
            if last is g and not (everything or shown or unrendered):  # the very group: the same pages
                continue
            if not shown and not (last is not None and last.key == g.key and g.key in table) and (
                    g.lazy or made_now >= EAGER):
                later.append(g)
                for url in g.urls:
                    pages.pop(url, None)
                continue
            made, made_now = g.pages(ix), made_now + (g.key not in table)
            pages.update((p.url, p) for p in made)
            for p in made:
                before = old.pages.get(p.url)
                if shown and (everything or before is None or (before is not p and before != p) or unrendered):
                    now.append(p)
                elif everything or before is None or (before is not p and before != p) or unrendered:
                    waiting.append(p)  # a page still waiting from an older build is bound to this one's model
        memo.keep("page", [g.key for g in new.plan])  # still used (a group left for later too: its key is its pages')
        new.pages = pages
        outputs: dict[str, File] = {}
        render(new.env, d, now, outputs.__setitem__, extra)
        for page in waiting:
            outputs[output_path(page.url)] = Deferred(lambda page=page: render_page(new.env, page, d.config, extra).encode())
        for g in later:  # made and rendered when first asked for, bound to this build's model
            made = Deferred(lambda g=g: {output_path(p.url): p for p in g.pages(ix)})
            for url in g.urls:
                outputs[output_path(url)] = Deferred(lambda path=output_path(url), made=made: render_page(
                    new.env, made.get()[path], d.config, extra).encode())
        if self.health:  # the editor's page: its findings only when shown (names take a while)
            def health() -> bytes:
                return render_page(new.env, health_page(d), d.config, extra).encode()
            outputs[HEALTH] = health() if everything or HEALTH in open_pages else Deferred(health)
        groups = new.plan
        def all_pages() -> list[Listed]:
            return [Listed.of(p) for g in groups for p in g.pages(ix)]
        if everything:
            data = other_files(new.env, d, all_pages(), extra)
            outputs.update(data)
            new.data = tuple(data)
        else:  # feed, sitemap, dossier.json, 404: one render for all of them, when first needed
            group = Deferred(lambda: other_files(new.env, d, all_pages(), extra))
            for path in old.data:  # only a config change (which renders everything) adds or removes one (CNAME)
                outputs[path] = Deferred(lambda path=path: group.get()[path])
        return outputs, len(now), len(waiting) + sum(len(g.urls) for g in later)


def _pending(file: File | None) -> bool:
    return isinstance(file, Deferred) and not file.ready


def _urls_of(path: str, groups: Mapping[str, Group]) -> list[str]:
    """The page URLs whose file is `path` (output_path the other way)."""
    cut = path[:-len("index.html")] if path.endswith("index.html") else None
    return [u for u in (path, cut) if u is not None and u in groups and output_path(u) == path]


def _changed(before: Mapping[str, File], after: dict[str, File]) -> frozenset[str]:
    """Paths whose file differs; where new bytes equal the old, the old object is kept,
    so next time the test is a cheap identity check."""
    changed = set()
    # (the paths whose file is another object, found by C: most files are the same ones)
    for path in {path for path, _ in before.items() ^ after.items()}:
        old, new = before.get(path), after.get(path)
        if new is old:
            continue
        if isinstance(new, bytes) and isinstance(old, bytes) and new == old:
            after[path] = old
        else:
            changed.add(path)
    return frozenset(changed)


def _check(superseded: Callable[[], bool]) -> None:
    if superseded():
        raise Superseded()


def _stem(path: str) -> str:
    """An article's path without its suffix: its sidecar is the stem and ".yaml"."""
    return path[:path.rfind(".")]


def render_all(files: Mapping[str, File], stop: Callable[[], bool] = lambda: False) -> bool:
    """Render every deferred file, stopping early when `stop()`; True when all are done."""
    for value in files.values():
        if stop():
            return False
        if isinstance(value, Deferred):
            value.get()
    return True


class Rebuilder:
    """Serve's rebuild path writing to a folder: what benchmarks/run.py times as the
    one-note-edit incremental build. After `full()`, `changed(paths)` rebuilds as
    serve would, writes the pages of the edited files (what serve renders before it
    tells the browser) and returns; `settle()` then writes every other file whose
    bytes changed (the pages serve renders on demand), so the folder is complete.
    Not `dossier build`: no output guard, no swap, no search index, no live-reload script."""

    def __init__(self, site: Path, out: Path, base_url: str | None = None):
        self.builder = Builder(Path(site).resolve(), base_url, lambda config: {}, health=False)
        self.out = Path(out)
        self.pending: Rebuilt | None = None

    def full(self) -> int:
        return self._write(self.builder.build())

    def changed(self, paths: Iterable[Path]) -> int:
        self.settle()
        paths = [Path(p).resolve() for p in paths]
        kinds = {classify(p, self.builder.site, self.builder.themes()) for p in paths} - {None}
        if not kinds:
            return 0
        content = self.builder.site / "content"
        urls = [self._url_of(p.relative_to(content).as_posix()) if p.is_relative_to(content) else None
                for p in paths]
        self.pending = self.builder.build(kinds, paths=paths, open_pages=frozenset(
            output_path(url.split("#")[0]) for url in urls if url))
        return self._write(self.pending, ready_only=True)

    def _url_of(self, sid: str) -> str | None:
        """The page showing a content file in the last build (its note, its story)."""
        ix = self.builder.state.index
        return ix.url_of(sid) if ix is not None else None

    def settle(self) -> int:
        pending, self.pending = self.pending, None
        self.builder.tidy()  # as serve does once a build is published
        return self._write(pending, deferred_only=True) if pending else 0

    def _write(self, rebuilt: Rebuilt, ready_only: bool = False, deferred_only: bool = False) -> int:
        written = 0
        for path in rebuilt.changed:
            target, data = self.out / path, rebuilt.files.get(path)
            if isinstance(data, Deferred) and ready_only or not isinstance(data, Deferred) and deferred_only:
                continue
            written += 1
            if data is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.get() if isinstance(data, Deferred) else data)
        return written
