"""memo: what a stage returned, kept under the content key of what it read.

Every stage is a pure function, so a result can be reused wherever its inputs'
content is the same: a Source's sha256, a Document's key, the entity files' key.
Never an object's identity: two reads of one unchanged file are two objects with
one key. `build_model` and `build_pages` run their stages through one Memo:

- `dossier build` passes a `DiskMemo` (memo/disk.py): the per-document tables
  worth keeping are read from and written to `.dossier-cache/`;
- `dossier serve` keeps one `Memo` warm in memory for its whole life, so an edit
  costs about the work of the files it changed;
- `dossier check` and `dossier pdf` pass a new, empty `Memo`.

`finish()` after a build drops what that build did not ask for (deleted and
superseded files), so a long serve session holds one build's worth.
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable, Sequence, TypeVar

from .engine import Engine, LocalEngine

T = TypeVar("T")
R = TypeVar("R")


class Memo:
    def __init__(self, engine: Engine | None = None):
        self.engine = engine or LocalEngine()
        self._tables: dict[str, dict] = {}
        self._used: dict[str, set] = {}
        self._states: dict[str, object] = {}

    def table(self, stage: str) -> dict:
        """The results of `stage` by key (DiskMemo fills it from disk on first use)."""
        table = self._tables.get(stage)
        if table is None:
            table = self._tables[stage] = self._load(stage)
        return table

    def get(self, stage: str, key: Hashable, make: Callable[[], R]) -> R:
        """`make()`, or what it returned for this key before."""
        table = self.table(stage)
        self._used.setdefault(stage, set()).add(key)
        try:
            return table[key]
        except KeyError:
            value = table[key] = make()
            return value

    def map(self, stage: str, fn: Callable[[T], R], items: Sequence[T], key: Callable[[T], Hashable],
            parallel: bool = False) -> list[R]:
        """[fn(x) for x in items], each from the memo when its key was seen; the misses
        run on the engine (over local cores, or a cluster) when `parallel`."""
        table, keys = self.table(stage), [key(x) for x in items]
        self._used.setdefault(stage, set()).update(keys)
        todo = {k: x for k, x in zip(keys, items) if k not in table}
        if todo:
            run = self.engine.map if parallel else _serial
            table.update(zip(todo, run(fn, list(todo.values()))))
        return [table[k] for k in keys]

    def state(self, stage: str, make: Callable[[], T]) -> T:
        """An object that updates itself from one build to the next (dedup's index)."""
        if stage not in self._states:
            self._states[stage] = make()
        return self._states[stage]  # type: ignore[return-value]

    def forget(self, stage: str, where: Callable[[Hashable], bool]) -> None:
        """Drop the results whose key `where` picks (serve: files the watcher named,
        which may have changed within one tick of the filesystem's clock)."""
        table = self.table(stage)
        for key in [k for k in table if where(k)]:
            del table[key]

    def finish(self) -> None:
        """After a build: forget what it did not use, once that is worth a pass."""
        for stage, used in self._used.items():
            table = self._tables.get(stage, {})
            if len(table) > 1.1 * len(used) + 20:
                self._tables[stage] = {k: v for k, v in table.items() if k in used}
        self._used = {}

    def save(self) -> None:
        """Keep what is worth keeping beyond this process (DiskMemo: on disk)."""

    def _load(self, stage: str) -> dict:
        return {}


def _serial(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    return [fn(x) for x in items]
