"""The clean stage over many sources: cached results first, the rest in forked workers.

Cleaning is per file and pure (a Source in, a Document out), so it splits across
processes with no change in result. Workers are forked, as output/site.py's render pool
is: they inherit the sources, so only indices go out and Documents come back.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from contextlib import contextmanager
from contextvars import ContextVar

from .clean import clean
from ..models import Document, Source

POOL_FROM = 200  # below this many sources to clean, starting workers costs more than it saves
_TODO: list[Source] | None = None  # the sources of the running pool, inherited by the forked workers
# The on-disk clean results of the running `dossier build` (diskcache.BuildCache).
# Not a parameter: build_model's signature is shared with serve, check and pdf, and
# the disk cache is build's own business.
_DISK: ContextVar = ContextVar("dossier_clean_cache", default=None)


@contextmanager
def disk_cleans(cache):
    """Within this block, clean_sources takes and keeps results in `cache`."""
    token = _DISK.set(cache)
    try:
        yield
    finally:
        _DISK.reset(token)


def clean_sources(sources, reuse=None) -> tuple[Document, ...]:
    """Every article and note cleaned, in source order. With `reuse` (serve's
    `cache.Reuse`: an edit re-cleans one file) one by one through it; otherwise from
    the disk cache when `dossier build` set one, the rest in the pool."""
    wanted = [s for s in sources if s.kind in ("article", "note")]
    if reuse is not None:
        return reuse.clean_all(wanted)
    disk = _DISK.get()
    if disk is None:
        return tuple(clean_many(wanted))
    todo = disk.missing(wanted)
    for source, document in zip(todo, clean_many(todo)):
        disk.add(source, document)
    return tuple(disk.clean(s) for s in wanted)


def clean_many(sources: list[Source], workers: int | None = None) -> list[Document]:
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(sources) < POOL_FROM or multiprocessing.parent_process() is not None:
        return [clean(s) for s in sources]
    global _TODO
    _TODO = sources
    # Without this, each child's first full garbage collection walks (and so copies,
    # page by page) the parent's whole heap: the pool was slower than one process
    gc.freeze()
    try:
        # small chunks dealt in order: one long article does not hold up a worker's whole share
        with multiprocessing.get_context("fork").Pool(workers, quiet_worker, (os.getpid(),)) as pool:
            results = pool.map(_clean_one, range(len(sources)), chunksize=max(1, len(sources) // (workers * 8)))
    finally:
        _TODO = None
        gc.unfreeze()
    # a source whose clean raised in a worker is cleaned here again, so that the
    # error is raised as the serial run raises it, with its own traceback
    return [r if isinstance(r, Document) else clean(s) for r, s in zip(results, sources)]


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


def _clean_one(i: int) -> Document | None:
    try:
        return clean(_TODO[i])
    except Exception:
        return None
