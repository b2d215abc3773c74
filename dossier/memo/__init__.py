"""memo: what a stage returned, kept under the content key of what it read.

Every stage is a pure function, so a result can be reused wherever its inputs'
content is the same: a Source's sha256, a Document's key, the entity files' key.
Never an object's identity: two reads of one unchanged file are two objects with
one key. `build_model` and `plan_pages` run their stages through one Memo:

- `dossier build` passes a `DiskMemo` (memo/disk.py): the per-document tables
  worth keeping are read from and written to `.dossier-cache/`;
- `dossier serve` keeps one `Memo` warm in memory for its whole life, so an edit
  costs about the work of the files it changed;
- `dossier check` and `dossier pdf` pass a new, empty `Memo`.

`finish()` after a build drops what that build did not ask for (deleted and
superseded files), so a long serve session holds one build's worth.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager, nullcontext
from functools import wraps
from itertools import compress
from operator import is_not
from typing import Callable, Hashable, Iterable, Iterator, Sequence, TypeVar

from .engine import Engine, LocalEngine, give_back_memory

T = TypeVar("T")
R = TypeVar("R")


def _locked(method):
    """serve renders some pages when a browser first asks for them, in the server's
    threads, while the next build may be running: one memo operation at a time."""
    @wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return run


class Memo:
    def __init__(self, engine: Engine | None = None, warm: bool = False):
        self._lock = threading.RLock()
        self.engine = engine or LocalEngine()
        # this machine's cores, for the maps a cluster cannot take: they read this
        # machine's files, or the model held here
        self.cores = self.engine if isinstance(self.engine, LocalEngine) else LocalEngine()
        self.warm = warm  # serve: the corpus stages' indexes are kept for the next build
        self._tables: dict[str, dict] = {}
        # stage → the keys this build asked for: single ones (get) and whole maps' lists,
        # made one set only when a table is pruned (hashing 10⁴ keys a map is most of a
        # serve edit's map time, and the table lookups already did it once)
        self._used: dict[str, tuple[set, list[list]]] = {}
        self._states: dict[str, object] = {}
        self._last: dict[str, tuple] = {}  # stage → (context, items, keys, results) of its last map
        self.released = False  # release(): serves this one build, no other after it

    @_locked
    def table(self, stage: str) -> dict:
        """The results of `stage` by key (DiskMemo fills it from disk on first use)."""
        table = self._tables.get(stage)
        if table is None:
            table = self._tables[stage] = self._load(stage)
        return table

    @_locked
    def get(self, stage: str, key: Hashable, make: Callable[[], R]) -> R:
        """`make()`, or what it returned for this key before."""
        table = self.table(stage)
        self._asked(stage)[0].add(key)
        try:
            return table[key]
        except KeyError:
            value = table[key] = make()
            return value

    @_locked
    def map(self, stage: str, fn: Callable[[T], R], items: Sequence[T], key: Callable[[T], Hashable],
            context: Hashable = None, parallel: bool = False, local: bool = False) -> list[R]:
        """[fn(x) for x in items], each from the memo when it was made before: under
        (key(x), context), where key(x) is the item's own content key and `context` what
        the stage reads besides it (the entities' key). The misses run on the engine
        (over local cores, or a cluster) when `parallel`; over this machine's cores
        whatever the engine when also `local`.

        The items a stage gets are mostly what the memo handed out last time, the very
        same objects, mostly at the same places: for those, key and result are taken
        from the last call by identity (the last call's items are kept, so an id cannot
        be another's), which spares 10⁴ keys and lookups after a one-file edit. An
        optimisation only: any other object is looked up by its key."""
        with self.begun(stage, fn, items, key, context, parallel, local=local) as results:
            return results()

    @contextmanager
    def begun(self, stage: str, fn: Callable[[T], R], items: Sequence[T], key: Callable[[T], Hashable],
              context: Hashable = None, parallel: bool = True, now: bool = True,
              local: bool = False) -> Iterator[Callable[[], list[R]]]:
        """`map`, its misses begun on the engine's workers now (`LocalEngine.begun`)
        while this process goes on with other work; the block's value is a call that
        waits for them and returns what `map` returns. What is left undone when the
        block is left is stopped. Not `now`: the map is run by that call."""
        with self._lock:
            keys, out, todo = self._lookup(stage, items, key, context)
        misses = [items[ix[0]] for ix in todo.values()]
        engine = self.cores if local else self.engine
        later = lambda: (engine.map if parallel else _serial)(fn, misses)  # noqa: E731
        with engine.begun(fn, misses) if parallel and now else nullcontext(later) as run:
            def results() -> list[R]:
                made = run()
                with self._lock:
                    table = self.table(stage)
                    for k, result in zip(todo, made):
                        table[k] = result
                        for i in todo[k]:
                            out[i] = result
                    self.keep(stage, keys)
                    self._last[stage] = (context, list(items), keys, out)
                return out
            yield results

    def _lookup(self, stage: str, items: Sequence[T], key: Callable[[T], Hashable], context: Hashable) \
            -> tuple[list, list, dict[Hashable, list[int]]]:
        """A map's keys and the results found for them, and the misses: key → the places
        of the items that have it."""
        table = self.table(stage)
        last = self._last.get(stage)
        before, before_keys, before_out = last[1:] if last is not None and last[0] == context else ((), (), ())
        other = differing(items, before)
        if other is not None:  # the same places: only the other objects are looked at
            keys, out, at = list(before_keys), list(before_out), {}
        else:  # items added or removed: the last call's objects are found wherever they moved
            keys, out, other = [None] * len(items), [None] * len(items), range(len(items))
            at = {id(y): k for k, y in enumerate(before)}
        todo: dict = {}
        for i in other:
            x = items[i]
            j = at.get(id(x))
            if j is not None and before[j] is x:
                keys[i], out[i] = before_keys[j], before_out[j]
                continue
            k = keys[i] = key(x) if context is None else (key(x), context)
            if k in table:
                out[i] = table[k]
            else:
                todo.setdefault(k, []).append(i)
        return keys, out, todo

    @_locked
    def keep(self, stage: str, keys: list) -> None:
        """Count these keys as used by this build without asking for their values."""
        self._asked(stage)[1].append(keys)

    @_locked
    def state(self, stage: str, make: Callable[[], T]) -> T:
        """An object that updates itself from one build to the next (dedup's index), kept
        in a warm memo (serve). Any other serves one build: it gets a new object, let go
        as soon as its update has returned, not after the whole model (dedup's index was
        a third of the main process's memory through link and quotes: 4 GB at 100k)."""
        if not self.warm:
            return make()
        if stage not in self._states:
            self._states[stage] = make()
        return self._states[stage]  # type: ignore[return-value]

    def let_go(self) -> None:
        """After a corpus stage: the index a one-build memo made it (`state`) is garbage
        now, some of it in reference cycles, and its memory goes back to the system
        before the next stage forks its workers. (A warm memo keeps its indexes.)"""
        if not self.warm:
            gc.collect()
            give_back_memory()

    @_locked
    def release(self) -> None:
        """`dossier build`, once the model is made and again once the pages are written:
        its memo is not used for another build, so what it will not save (the last
        maps' items, the page pieces) is let go, and the freed memory given back to the
        system: before the render workers are forked, and before Pagefind runs beside
        this process. (A memo that is not warm kept no corpus index to let go.)"""
        self.released = True
        self._last = {}
        self._tables = {stage: table for stage, table in self._tables.items() if self.persisted(stage)}
        # and the keys each stage asked for, which only save() reads, of the tables it saves
        # (every file's key, several times over: 150 MB at 100,000 articles)
        self._used = {stage: used for stage, used in self._used.items() if self.persisted(stage)}
        gc.collect()
        give_back_memory()

    def persisted(self, stage: str) -> bool:
        """Whether save() writes this stage's table (memo/disk.py): a plain Memo saves none."""
        return False

    @_locked
    def forget(self, stage: str, where: Callable[[Hashable], bool]) -> None:
        """Drop the results whose key `where` picks (serve: files the watcher named,
        which may have changed within one tick of the filesystem's clock)."""
        table = self.table(stage)
        for key in [k for k in table if where(k)]:
            del table[key]
        last = self._last.get(stage)
        if last is not None:  # so that the next map looks these up by key again
            last[1][:] = [None if where(k) else x for x, k in zip(last[1], last[2])]

    @_locked
    def finish(self) -> None:
        """After a build: forget what it did not use, once that is worth a pass."""
        for stage, (single, lists) in self._used.items():
            table = self._tables.get(stage, {})
            if len(table) > 1.1 * (len(single) + sum(map(len, lists))) + 20:
                used = self.used(stage)
                self._tables[stage] = {k: v for k, v in table.items() if k in used}
        self._used = {}

    def used(self, stage: str) -> set:
        """The keys of `stage` this build asked for."""
        single, lists = self._used.get(stage, (set(), []))
        return single.union(*lists)

    def _asked(self, stage: str) -> tuple[set, list[list]]:
        found = self._used.get(stage)
        if found is None:
            found = self._used[stage] = (set(), [])
        return found

    def save(self) -> None:
        """Keep what is worth keeping beyond this process (DiskMemo: on disk)."""

    def _load(self, stage: str) -> dict:
        return {}


def differing(items: Sequence, before: Sequence) -> list[int] | None:
    """The places where `items` holds another object than `before`, found by C rather
    than one by one (after a one-file edit, all but one of 10⁴); None when the lengths
    differ, and so the places say nothing."""
    if len(items) != len(before):
        return None
    return list(compress(range(len(items)), map(is_not, items, before)))


def _serial(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    return [fn(x) for x in items]
