"""Where the work runs past this machine: `DaskEngine`, the engine of `dossier build
--scheduler tcp://HOST:8786` (docs/cluster.md), beside memo/engine.py's LocalEngine.

Same contract: `map(fn, items)` is `[fn(x) for x in items]`, in order, and an item
that raised on a worker is done again here, so that its error is raised as the
serial run raises it. What crosses the network, once each: `fn`, scattered to every
worker (the Linker's automaton, the page writer with its templates); the items, cut
into partitions that go straight from here to one worker each (the scheduler sees
only their keys); the results, back. Rendering returns nothing: the workers write
the pages into the output folder themselves.

dask.distributed is imported only here, and only when a scheduler is named: it is
an extra (`pip install 'dossier[cluster]'`), and a build without `--scheduler`
never loads it.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

from ..errors import DossierError, UsageError
from ..keys import code_digest

T = TypeVar("T")
R = TypeVar("R")

PARTITIONS_PER_THREAD = 4  # a slow partition then holds up one thread for a quarter of its share
MOST_PER_PARTITION = 250  # items: bounds what one task holds in memory, and what a lost worker costs again
ATTEMPTS = 3  # runs of one map, when workers are lost during it
CONNECT_TIMEOUT = 20  # seconds to reach the scheduler, and for a first worker to join it


class DaskEngine:
    def __init__(self, address: str, timeout: float | None = None):
        timeout = timeout or CONNECT_TIMEOUT
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--scheduler", "needs dask.distributed, which is not installed here",
                             hint="pip install 'dossier[cluster]'") from None
        self.address = address
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise UsageError(address, f"no Dask scheduler answers there: {e}",
                             hint="start one with `dask scheduler`, or give its address as tcp://HOST:8786") from None
        try:
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except TimeoutError:
                raise UsageError(address, f"no Dask worker joined this scheduler in {timeout:g} s",
                                 hint=f"start some: dask worker {address} --nthreads 1") from None
            self._same_code()
        except BaseException:
            self.close()
            raise

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if not len(items):
            return []
        import asyncio  # (already imported by distributed; not by a build without a cluster, 18 ms)
        self._pickles(fn)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                done = self._run(fn, items)
                break
            # a worker lost mid-map takes its scattered partitions with it, and Dask says so in
            # many ways (KilledWorker, a KeyError from its scheduler, a cancelled future): the
            # items are all still here, so the map runs again on the workers that are left
            except (Exception, asyncio.CancelledError) as e:
                if attempt == ATTEMPTS:
                    raise DossierError(self.address, f"the Dask cluster failed running dossier's {_name(fn)} tasks "
                                       f"{ATTEMPTS} times, last with {type(e).__name__}: {e}",
                                       hint="is a worker running out of memory? (dask worker --memory-limit)") from None
        return [r if ok else fn(x) for (ok, r), x in zip((r for part in done for r in part), items)]

    @contextmanager
    def begun(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[Callable[[], list[R]]]:
        """On a cluster a map begun early runs when it is waited for: the cores it would
        fill beside this process are the workers', not this machine's."""
        yield lambda: self.map(fn, items)

    def _run(self, fn: Callable, items: Sequence) -> list[list[tuple[bool, object]]]:
        client = self.client
        size = partition_size(len(items), sum(client.nthreads().values()))
        [shipped] = client.scatter([fn], broadcast=True, hash=False)
        futures = client.map(_partition, client.scatter([list(items[k:k + size]) for k in range(0, len(items), size)],
                                                        hash=False), fn=shipped, key=f"dossier_{_name(fn)}", pure=False)
        return client.gather(futures)

    @staticmethod
    def _pickles(fn: Callable) -> None:
        """Pickle `fn` here first: an error of the user's that pickling meets (a theme's
        template linked out of the theme) is raised as itself, where Dask would log
        three tracebacks and raise its own TypeError."""
        import cloudpickle
        cloudpickle.dumps(fn)

    def sharing(self, folder: Path) -> "DaskEngine":
        """This engine, once every worker is seen to reach `folder` at this same path:
        the staging folder, whose name is new, so a worker that sees it shares this
        machine's disk there. The workers write the pages into it."""
        seen = self.client.run(os.path.isdir, str(folder))
        blind = sorted(w for w, ok in seen.items() if not ok)
        if blind:
            raise UsageError(str(folder.parent), f"the Dask worker {blind[0]} does not see the output folder: with "
                             "--scheduler it must be a folder every worker reaches at the same path",
                             hint="an NFS share or a mounted volume; docs/cluster.md")
        return self

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _same_code(self) -> None:
        """Every worker must run this very dossier: another version cleans and links
        otherwise, and the site would be a mix of two."""
        mine = code_version()
        try:
            theirs = self.client.run(code_version)
        except Exception as e:  # the function could not be unpickled there: no dossier at all
            raise UsageError(self.address, f"the Dask workers cannot run dossier: {type(e).__name__}: {e}",
                             hint="install this dossier in the workers' Python environment") from None
        other = sorted(w for w, v in theirs.items() if v != mine)
        if other:
            raise UsageError(other[0], f"this Dask worker runs another dossier ({theirs[other[0]][:24]}…, "
                             f"this build {mine[:24]}…)", hint="install the same dossier on every worker")


def partition_size(items: int, threads: int) -> int:
    """Items per task: PARTITIONS_PER_THREAD tasks for each worker thread, at most
    MOST_PER_PARTITION items each."""
    return max(1, min(MOST_PER_PARTITION, -(-items // max(1, threads * PARTITIONS_PER_THREAD))))


def code_version() -> str:
    """This process's dossier: its version and a digest of its code."""
    import dossier
    return f"{dossier.__version__} {code_digest()}"


def _partition(items: list, fn: Callable) -> list[tuple[bool, object]]:
    """One task: fn over a partition, each item's failure kept for the client to redo."""
    out = []
    for x in items:
        try:
            out.append((True, fn(x)))
        except Exception:
            out.append((False, None))
    return out


def _name(fn) -> str:
    fn = getattr(fn, "func", fn)  # a partial's own function: "linked", not "partial"
    return getattr(fn, "__name__", type(fn).__name__).strip("_").lower()
