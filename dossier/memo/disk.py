"""SITE/.dossier-cache/: what one `dossier build` leaves for the next (docs/cache.md).

One folder per dossier version and cache format (`.dossier-cache/0.1.0-f1/`); a
build drops every other folder there, so a new release never reads what an old
one wrote. Inside:

- `manifest-<out>.json`, one per output folder: a digest of every input, the
  listing of the output folder as the build left it, and the summary and warnings
  to print again. Same inputs and an untouched output folder: `dossier build`
  answers from it without building (`unchanged`).
- `clean.pickle`: clean() results keyed as `cache.Reuse.clean` keys them (id, kind,
  sha256, body line, front matter), so a changed corpus re-cleans only what changed.

All of it is an optimisation. A missing, corrupt, foreign or unwritable cache is
ignored (and rewritten), never an error, so the folder is always safe to delete.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import dossier

from ..pipeline.clean import clean
from ..pipeline.stories import counts  # the home page's own counts: one definition
from ..models import Document, Source

CACHE_DIR = ".dossier-cache"
FORMAT = 1  # bump when what is stored here changes shape
PACKAGE = Path(__file__).resolve().parents[1]  # dossier/: its code is part of the cache key


@dataclass(frozen=True)
class Summary:
    """What `dossier build` prints at the end, kept so a no-change run prints it again."""

    articles: int  # article files
    stories: int  # independent reports, a story's copies folded in
    folded: int
    notes: int  # published editor's notes
    entities: int  # people, places and events files
    written: int
    warnings: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()  # "search index skipped: …"

    @classmethod
    def of(cls, d, written: int, notices) -> "Summary":
        return cls(**counts(d), written=written, warnings=tuple(d.warnings), notices=tuple(notices))


def version_tag() -> str:
    # read at call time (not import time) so a test can pose as another release
    return f"{dossier.__version__}-f{FORMAT}"


class BuildCache:
    """The cache of one site, for one output folder, for one build."""

    def __init__(self, site: Path, out: Path, config, themes: list[Path]):
        self.folder = site / CACHE_DIR / version_tag()
        self.out = out.resolve()
        self.manifest = self.folder / f"manifest-{_short(str(self.out))}.json"
        self.inputs = input_digest(site, config, self.out, themes)
        self._old = self._read_manifest()
        self._cleans: dict[tuple, Document] | None = None  # loaded on first use: a no-change run never needs it
        self._used: set[tuple] = set()
        self._dirty = False

    # -- the no-change fast path ------------------------------------------------

    def unchanged(self, strict: bool = False) -> Summary | None:
        """The last build's summary when nothing it read changed and the output
        folder is as it left it; None when a build is needed. Under --strict a
        build with warnings is run again, so that it fails as it should."""
        old = self._old
        if not old or old.get("inputs") != self.inputs:
            return None
        summary = Summary(**{**old["summary"], "warnings": tuple(old["summary"]["warnings"]),
                             "notices": tuple(old["summary"]["notices"])})
        if strict and summary.warnings:
            return None
        return summary if listing(self.out) == old.get("files") else None

    def previous_output(self) -> dict[str, list[int]]:
        """The files of the last build into this folder, as [size, mtime_ns], if the
        inputs changed but the build is otherwise ours; write_site reuses the ones
        whose bytes are the same."""
        return dict(self._old.get("files") or {}) if self._old else {}

    def forget_output(self) -> None:
        """Before the output folder is replaced: a manifest describes finished builds only."""
        try:
            self.manifest.unlink(missing_ok=True)
        except OSError:
            pass

    def record(self, summary: Summary) -> None:
        """After the swap: the inputs, the folder as written and what to print."""
        data = {"inputs": self.inputs, "out": str(self.out), "files": listing(self.out),
                "summary": {**summary.__dict__, "warnings": list(summary.warnings),
                            "notices": list(summary.notices)}}
        _write_atomic(self.manifest, json.dumps(data, ensure_ascii=False).encode())
        self._save_cleans()
        self._drop_other_versions()

    def _read_manifest(self) -> dict | None:
        try:
            data = json.loads(self.manifest.read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("out") == str(self.out) else None

    # -- clean results ---------------------------------------------------------

    def clean(self, source: Source) -> Document:
        """clean.clean, from the cache when an earlier build cleaned these bytes."""
        cleans = self._load_cleans()
        key = clean_key(source)
        self._used.add(key)
        if key not in cleans:
            cleans[key], self._dirty = clean(source), True
        return cleans[key]

    def missing(self, sources: list[Source]) -> list[Source]:
        cleans = self._load_cleans()
        return [s for s in sources if clean_key(s) not in cleans]

    def add(self, source: Source, document: Document) -> None:
        """A result cleaned elsewhere (the worker pool)."""
        self._load_cleans()[clean_key(source)], self._dirty = document, True

    def _load_cleans(self) -> dict[tuple, Document]:
        if self._cleans is None:
            self._cleans = _load_pickle(self.folder / "clean.pickle")
        return self._cleans

    def _save_cleans(self) -> None:
        if self._cleans is None:
            return
        if not self._dirty and len(self._used) == len(self._cleans):
            return  # nothing new, nothing gone: the file on disk is this already
        kept = {k: v for k, v in self._cleans.items() if k in self._used}  # deleted and edited files go
        _write_atomic(self.folder / "clean.pickle", pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))

    def _drop_other_versions(self) -> None:
        try:
            for entry in self.folder.parent.iterdir():
                if entry != self.folder and entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def clean_key(source: Source) -> tuple:
    """What clean() reads of a Source: the key of a clean result, here and in
    `dossier serve` (cache.Reuse.clean)."""
    return (source.id, source.kind, source.sha, source.body_line, repr(source.meta))


# -- inputs and outputs --------------------------------------------------------

def input_digest(site: Path, config, out: Path, themes: list[Path]) -> str:
    """sha256 over everything a build's output depends on. Hashing the content
    (32 MB at 4,000 articles) costs ~0.1 s, so no file's stat is trusted in
    place of its bytes."""
    from ..output.search import find_binary  # where the index comes from changes the output too
    binary, why = find_binary()
    h = hashlib.sha256()
    for part in (version_tag(), _code_digest(), repr(config), str(out),
                 # every page's footer prints the build date, so a new day is a new output
                 datetime.now(timezone.utc).date().isoformat(),
                 f"{binary} {_stat_key(binary)}" if binary else why):
        h.update(part.encode() + b"\0")
    for root in [site / "content", site / "dossier.yaml", *themes]:
        for path in _files(root):
            h.update(f"{path}\0".encode())
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                h.update(b"unreadable")
    return h.hexdigest()


def listing(out: Path) -> dict[str, list[int]]:
    """Every file under `out` as {relative path: [size, mtime_ns]}: an edit, a
    deletion or a stray file shows as a difference."""
    found: dict[str, list[int]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    walk(e.path, f"{prefix}{e.name}/")
                else:
                    st = e.stat(follow_symlinks=False)
                    found[prefix + e.name] = [st.st_size, st.st_mtime_ns]
    try:
        walk(str(out), "")
    except OSError:
        return {}
    return found


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        found += [Path(folder, n) for n in sorted(names)]
    return found


_CODE: str | None = None


def _code_digest() -> str:
    """dossier's own files: a development checkout keeps its version number while
    clean() or a template changes, and must not reuse what the old code made."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        for path in _files(PACKAGE):
            if path.suffix in (".py", ".js", ".html", ".css"):
                h.update(f"{path.relative_to(PACKAGE)}\0".encode() + path.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _stat_key(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return f"{st.st_size} {st.st_mtime_ns}"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader sees the old file or the new one, whole.
    A cache that cannot be written (read-only site, full disk) is only slower."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


# -- loading pickles safely ----------------------------------------------------

# What a clean.pickle may name. Anything else (a crafted file in a downloaded site
# folder) is refused before it runs, and the cache is treated as missing.
_ALLOWED = {("dossier.models", "Document"), ("dossier.models", "Removed"),
            ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
            ("datetime", "timedelta"), ("datetime", "timezone"), ("builtins", "frozenset"),
            ("builtins", "set")}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def _load_pickle(path: Path) -> dict:
    try:
        data = _Unpickler(io.BytesIO(path.read_bytes())).load()
    except Exception:  # missing, truncated, corrupt, foreign: a cache miss, never a failed build
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, Document) for v in data.values()):
        return {}
    return data
