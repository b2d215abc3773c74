"""SITE/.dossier-cache/: what one `dossier build` leaves for the next (docs/cache.md).

One folder per dossier version and cache format (`.dossier-cache/0.1.0-f2/`); a
build drops every other such folder there, so a new release never reads what an
old one wrote. Inside:

- `<stage>.pickle`: a `DiskMemo` table (clean results, by the key build_model gives
  them), so a changed corpus redoes only what changed;
- `manifest-<out>.json`, one per output folder (`Manifest`): a digest of every
  input, the listing of the output folder as the build left it, and the summary
  and warnings to print again. Same inputs and an untouched output folder:
  `dossier build` answers from it without building.

All of it is an optimisation. A missing, corrupt, foreign or unwritable cache is
ignored (and rewritten), never an error; a `.dossier-cache` that is a link or a
file is not used at all (a link could point anywhere, and a build deletes in it).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import re
import shutil
import stat
from dataclasses import dataclass, fields
from pathlib import Path

import dossier

from ..dates import build_date
from ..files import MAX_FILE_BYTES
from ..keys import code_digest
from ..pipeline.stories import counts  # the home page's own counts: one definition
from . import Memo

CACHE_DIR = ".dossier-cache"
FORMAT = 2  # bump when what is stored here changes shape
PERSISTED = ("clean",)  # the tables worth a file: the rest is quicker made again than read
_TAG = re.compile(r"[\w.+-]+-f\d+(?:-[0-9a-f]{12})?")  # what version_tag() makes: the only folders a build may drop
CHUNK = 1 << 20


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

    @classmethod
    def parse(cls, data) -> "Summary | None":
        """From a manifest; None when it is not the shape this version writes."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            return None
        lists = (data["warnings"], data["notices"])
        if not all(isinstance(data[k], int) for k in names - {"warnings", "notices"}) or \
                not all(isinstance(x, list) and all(isinstance(s, str) for s in x) for x in lists):
            return None
        return cls(**{**data, "warnings": tuple(data["warnings"]), "notices": tuple(data["notices"])})


def version_tag() -> str:
    """The cache folder's name: dossier's version, the cache's format, and a digest of
    dossier's own code (a development checkout changes clean() without changing its
    version, and must not reuse what the old code made). Read at call time (not
    import time) so a test can pose as another release."""
    return f"{dossier.__version__}-f{FORMAT}-{code_digest()[:12]}"


def cache_folder(site: Path) -> tuple[Path | None, str]:
    """This version's folder in SITE/.dossier-cache, or (None, why) when the cache
    must not be used: a link (its target could be anywhere) or something not a folder."""
    root = site / CACHE_DIR
    if root.is_symlink():
        return None, f"build cache not used: {root} is a link"
    if root.exists() and not root.is_dir():
        return None, f"build cache not used: {root} is not a folder"
    return root / version_tag(), ""


class DiskMemo(Memo):
    """A Memo whose PERSISTED tables are read from and saved to the cache folder."""

    def __init__(self, folder: Path | None, engine=None):
        super().__init__(engine)
        self.folder = folder
        self._loaded: dict[str, int] = {}  # stage → entries read from disk

    def _load(self, stage: str) -> dict:
        if self.folder is None or stage not in PERSISTED:
            return {}
        table = _load_pickle(self.folder / f"{stage}.pickle")
        self._loaded[stage] = len(table)
        return table

    def persisted(self, stage: str) -> bool:
        return self.folder is not None and stage in PERSISTED

    def save(self) -> None:
        """The entries this build used of each persisted table (deleted and edited files go)."""
        if self.folder is None:
            return
        for stage in PERSISTED:
            used, table = self.used(stage), self._tables.get(stage)
            if table is None or (len(used) == len(table) == self._loaded.get(stage)):
                continue  # not asked for, or nothing new and nothing gone
            kept = {k: v for k, v in table.items() if k in used}
            _write_atomic(self.folder / f"{stage}.pickle", pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        _drop_other_versions(self.folder)


class Manifest:
    """The no-change fast path of one output folder, and the listing of what it holds."""

    def __init__(self, folder: Path | None, out: Path, inputs: str):
        self.out, self.inputs = out.resolve(), inputs
        self.path = folder / f"manifest-{_short(str(self.out))}.json" if folder else None
        self._old = self._read()

    def unchanged(self, strict: bool = False) -> Summary | None:
        """The last build's summary when nothing it read changed and the output
        folder is as it left it; None when a build is needed. Under --strict a
        build with warnings is run again, so that it fails as it should."""
        old = self._old
        if not old or old.get("inputs") != self.inputs:
            return None
        summary = Summary.parse(old.get("summary"))
        if summary is None or (strict and summary.warnings):
            return None
        return summary if listing(self.out) == old.get("files") else None

    def previous_output(self) -> dict[str, list[int]]:
        """The files of the last build into this folder, as [size, mtime_ns]: the
        render reuses the ones whose bytes are the same."""
        files = self._old.get("files") if self._old else None
        return dict(files) if isinstance(files, dict) else {}

    def forget(self) -> None:
        """Before the output folder is replaced: a manifest describes finished builds only."""
        if self.path:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass

    def record(self, summary: Summary) -> None:
        """After the swap: the inputs, the folder as written and what to print."""
        if self.path:
            data = {"inputs": self.inputs, "out": str(self.out), "files": listing(self.out),
                    "summary": {**summary.__dict__, "warnings": list(summary.warnings),
                                "notices": list(summary.notices)}}
            _write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode())

    def _read(self) -> dict | None:
        if not self.path:
            return None
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("out") == str(self.out) else None


def _drop_other_versions(folder: Path) -> None:
    """Other versions' folders of a real .dossier-cache: only names a version could have made."""
    root = folder.parent
    try:
        if root.is_symlink() or not root.is_dir():
            return
        for entry in root.iterdir():
            if entry != folder and _TAG.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        pass


# -- inputs and outputs --------------------------------------------------------

def input_digest(site: Path, config, out: Path, themes: list[Path], content_files) -> str:
    """sha256 over everything a build's output depends on. `content_files` are the
    files load reads (their bytes, streamed); anything else under content/ counts
    by its stat, so a 2 GB video or a FIFO there is never read."""
    from ..output.search import find_binary  # where the index comes from changes the output too
    binary, why = find_binary()
    h = hashlib.sha256()
    for part in (version_tag(), code_digest(), repr(config), str(out),
                 # every page's footer prints the build date (SOURCE_DATE_EPOCH's, or today's)
                 build_date(),
                 f"{binary} {_stat_key(binary)}" if binary else why):
        h.update(part.encode() + b"\0")
    # (paths as strings: a Path object each is a third of a no-change run at 4,500 files)
    read, content = {str(p) for p in content_files}, str(site / "content")
    for root in [site / "content", site / "dossier.yaml", *themes]:
        for path in _files(str(root)):
            h.update(f"{path}\0".encode())
            inside = path == content or path.startswith(content + os.sep)
            h.update(_file_digest(path) if path in read or not inside else _stat_key(path).encode())
    return h.hexdigest()


def _file_digest(path: str) -> bytes:
    """A regular file's bytes, hashed in chunks; anything else (a FIFO, a device, a
    link to one) only by what it is, without opening it."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return f"special {stat.S_IFMT(st.st_mode)}".encode()
        h = hashlib.sha256(str(st.st_size).encode())
        with open(path, "rb") as f:  # no further than load reads: it refuses a bigger file
            while (chunk := f.read(CHUNK)) and f.tell() <= MAX_FILE_BYTES + CHUNK:
                h.update(chunk)
        return h.digest()
    except OSError:
        return b"unreadable"


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


def _files(root: str) -> list[str]:
    """Every file below `root` (links to folders not followed), in a stable order;
    a loop, not os.walk's recursion: a folder 1,500 deep is no RecursionError."""
    if not os.path.isdir(root):
        return [root] if os.path.lexists(root) else []
    found, folders = [], [root]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        found += [e.path for e in entries if not e.is_dir(follow_symlinks=False)]
        folders += [e.path for e in reversed(entries) if e.is_dir(follow_symlinks=False)]
    return found


def _stat_key(path: str | Path) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{stat.S_IFMT(st.st_mode)} {st.st_size} {st.st_mtime_ns}"


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
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


# -- loading pickles safely ----------------------------------------------------

# What a cache pickle may name. Anything else (a crafted file in a downloaded site
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
    from ..models import Document
    if not isinstance(data, dict) or not all(isinstance(v, Document) and isinstance(k, tuple)
                                             for k, v in data.items()):
        return {}
    return data
