"""Where the per-document stages run: `LocalEngine` maps a function over items in
forked worker processes (this machine's cores).

The work is per item and pure (a Source in, a Document out), so it splits across
processes with no change in result. Workers are forked: they inherit the function
and the items, so only indices go out and results come back.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from typing import Callable, Protocol, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POOL_FROM = 200  # below this many items, starting workers costs more than it saves


class Engine(Protocol):
    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


class LocalEngine:
    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.workers < 2 or len(items) < POOL_FROM or multiprocessing.parent_process() is not None:
            return [fn(x) for x in items]
        global _JOB
        _JOB = (fn, items)
        # Without this, each child's first full garbage collection walks (and so copies,
        # page by page) the parent's whole heap: the pool was slower than one process
        gc.freeze()
        try:
            # small chunks dealt in order: one long item does not hold up a worker's whole share
            with multiprocessing.get_context("fork").Pool(self.workers, quiet_worker, (os.getpid(),)) as pool:
                results = pool.map(_one, range(len(items)), chunksize=max(1, len(items) // (self.workers * 8)))
        finally:
            _JOB = None
            gc.unfreeze()
        # an item that raised in a worker is done here again, so that the error is
        # raised as the serial run raises it, with its own traceback
        return [r if ok else fn(x) for (ok, r), x in zip(results, items)]


def quiet_worker(parent: int) -> None:
    """A forked pool worker's first act (the pool's initializer; output/site.py's too).
    Ctrl-C is the parent's to handle: it stops the pool (each worker printed a
    KeyboardInterrupt traceback). And a worker dies with its parent: orphaned by a
    kill, it found the result pipe closed and printed a BrokenPipeError traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the pool stops its workers: quietly
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(0)


_JOB: tuple[Callable, Sequence] | None = None  # the running pool's function and items, inherited by the workers


def _one(i: int):
    fn, items = _JOB
    try:
        return True, fn(items[i])
    except Exception:
        return False, None
