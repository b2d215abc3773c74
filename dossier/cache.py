"""Per-file results kept between builds in one process (`dossier serve`).

`build_model(..., reuse=Reuse())` re-reads a content file only when it changed on
disk and re-cleans a source only when its bytes or front matter changed, so an
edit to one note costs one file's read and clean, not the whole folder's.

Reading is keyed by the file's stat (and its sidecar's), and `forget(paths)`
drops what the file watcher reported: a file rewritten within one tick of the
filesystem clock, at the same size, keeps its stat, and the event is what tells.
Cleaning is keyed by content (sha256 and front matter), so it cannot go stale.
Entries of files that were not part of the last build are dropped after it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from .clean import clean
from .load import read_source
from .models import Document, Kind, Source, SourceId


def _stat(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


class Reuse:
    def __init__(self, read: Callable = read_source, cleaner: Callable[[Source], Document] = clean):
        self._reader, self._cleaner = read, cleaner
        self._reads: dict[Path, tuple[tuple, tuple]] = {}
        self._cleans: dict[tuple, Document] = {}
        self._used_reads: set[Path] = set()
        self._used_cleans: set[tuple] = set()

    def forget(self, paths: Iterable[Path]) -> None:
        for path in paths:
            path = Path(path)
            self._reads.pop(path, None)
            for suffix in (".txt", ".md", ".markdown"):  # a sidecar .yaml belongs to its article
                self._reads.pop(path.with_suffix(suffix), None)

    def read(self, path: Path, sid: SourceId, kind: Kind):
        """load.read_source, again only for a file whose stat changed."""
        key = (sid, kind, _stat(path), _stat(path.with_suffix(".yaml")) if kind == "article" else None)
        self._used_reads.add(path)
        hit = self._reads.get(path)
        if hit and hit[0] == key:
            return hit[1]
        result = self._reader(path, sid, kind)  # a DossierError is not kept: the file is read again next time
        self._reads[path] = (key, result)
        return result

    def clean(self, source: Source) -> Document:
        """clean.clean, again only for a source whose text or front matter changed."""
        key = (source.id, source.kind, source.sha, source.body_line, repr(source.meta))
        self._used_cleans.add(key)
        if key not in self._cleans:
            self._cleans[key] = self._cleaner(source)
        return self._cleans[key]

    def prune(self) -> None:
        """After a build: drop what it did not use (deleted and superseded files)."""
        self._reads = {p: v for p, v in self._reads.items() if p in self._used_reads}
        self._cleans = {k: v for k, v in self._cleans.items() if k in self._used_cleans}
        self._used_reads, self._used_cleans = set(), set()
