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
import queue
import resource
import signal
import threading
from contextlib import contextmanager
from typing import Callable, ContextManager, Iterator, Protocol, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POOL_FROM = 200  # below this many items, starting workers costs more than it saves
# What a forked worker may make its own before it retires: at 100,000 articles a render
# worker that lived the whole render held 4.3 GB (PSS). It bounds the worker's copies,
# not this process's: each page this process writes to while a worker shares it is
# copied here (docs/benchmarks.md, eighth round)
WORKER_BUDGET = 256 * 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")
RETIRED = -1  # a worker's last word on the results queue: (RETIRED, its pid)
# Held while a worker is forked, and by a thread that starts a program (search's Pagefind)
# while it does: subprocess.Popen waits for its child's exec on a pipe, and a worker
# forked meanwhile holds that pipe open too, so Popen waited for the worker to exit. (At
# 100,000 articles the build hung: the thread waiting in Popen held the Indexer's lock,
# and the main thread, waiting for that, stopped reading the workers' results.)
SPAWN_LOCK = threading.Lock()


class Engine(Protocol):
    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...

    def begun(self, fn: Callable[[T], R], items: Sequence[T]) -> ContextManager[Callable[[], list[R]]]: ...


class LocalEngine:
    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        with self.begun(fn, items) as results:
            return results()

    @contextmanager
    def begun(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[Callable[[], list[R]]]:
        """map(fn, items) begun now by the workers, while this process goes on with
        other work: the block's value is a call that waits for the rest, taking this
        process's share, and returns the results. What is left when the block is left
        is stopped. (A map too small for workers is done by that call, here.)"""
        if self.workers < 2 or len(items) < POOL_FROM or multiprocessing.parent_process() is not None:
            yield lambda: [fn(x) for x in items]
            return
        # small chunks taken in order: one long item does not hold up a worker's whole share
        size = max(1, len(items) // (self.workers * 8))
        chunks = [range(at, min(at + size, len(items))) for at in range(0, len(items), size)]
        results: list = [None] * len(items)

        def done(k: int, chunk: list | None) -> None:
            # a chunk that raised in a worker is done here, so the error is raised as serially
            for i, r in zip(chunks[k], chunk if chunk is not None else [fn(items[i]) for i in chunks[k]]):
                results[i] = r

        with pooled(lambda k: [fn(items[i]) for i in chunks[k]], len(chunks), self.workers) as finish:
            yield lambda: finish(done) or results


def shared(task: Callable[[int], R], n: int, workers: int, done: Callable[[int, R | None], None],
           here: bool = True) -> None:
    """task(k) for k in range(n), shared between this process and `workers - 1` forked
    ones (or, not `here`, done by `workers` forked ones alone); `pooled` says how."""
    with pooled(task, n, workers, here) as finish:
        finish(done)


@contextmanager
def pooled(task: Callable[[int], R], n: int, workers: int, here: bool = True) \
        -> Iterator[Callable[[Callable[[int, R | None], None]], None]]:
    """task(k) for k in range(n), begun by forked workers when the block is entered:
    `workers - 1` of them (or, not `here`, `workers`), each taking the next k when it
    is free. The block's value, finish(done), waits for the rest (this process taking
    its share when `here`) and calls done(k, result) here as results arrive, with None
    for a task that raised in a worker (the caller does it again here, so the error is
    raised with the serial run's traceback; one that raises here is raised). Between
    the two this process may do other work (dedup, while link's workers begin): a
    worker's results wait in its pipe, and one that retires is replaced only then.

    A forked worker copies, page by page, whatever of the parent's heap its reference
    counts touch (for render, most of the model). So a forked worker retires once it
    has made WORKER_BUDGET of memory its own, and a fresh one is forked in its place
    (multiprocessing.Pool's maxtasksperchild, by memory): what it copied goes with it,
    and no worker ends holding a copy of the whole model. This process taking its
    share is one copy fewer for a map; but what it makes while it works it keeps to
    the end, and every page it writes while a worker shares it is copied, so render,
    which makes pieces of pages as it goes, leaves the work to workers alone."""
    ctx = multiprocessing.get_context("fork")
    taken, results = ctx.Value("i", 0), ctx.Queue()

    def take() -> int:
        with taken.get_lock():
            k, taken.value = taken.value, taken.value + 1
        return k

    def fork() -> None:
        # Without the freeze, each child's first full garbage collection walks (and so
        # copies, page by page) the parent's whole heap: the pool was slower than one process
        gc.freeze()
        child = ctx.Process(target=_work, args=(os.getpid(), task, take, n, results), daemon=True)
        with SPAWN_LOCK:
            child.start()
        children.append(child)

    def replace(pid: int) -> None:
        """A worker said it retires: once it is gone (its copies with it), a fresh one
        in its place, while tasks are left. At once, not when the next result comes:
        at 100k a worker retires every few seconds, and waiting left one core idle
        about a second each time."""
        child = next(c for c in children if c.pid == pid)
        children.remove(child)
        child.join()
        if taken.value < n:
            fork()

    def arrival(wait: bool) -> tuple | None:
        while (got := _next(results, wait)) is not None and got[0] == RETIRED:
            replace(got[1])
        return got

    def finish(done: Callable[[int, R | None], None]) -> None:
        left = n
        while left:
            k = take() if here else n
            if k < n:
                done(k, task(k))
                left -= 1
            elif (arrived := arrival(wait=True)) is not None:  # nothing of its own to do: wait
                done(*arrived)
                left -= 1
            elif all(c.exitcode is not None for c in children) and results.empty():  # a second without a result
                raise RuntimeError("a worker process died before it finished its share (out of memory?)")
            while left and (arrived := arrival(wait=False)):
                done(*arrived)
                left -= 1
        stop()  # every result is in: the workers go now, not when the block is left

    def stop() -> None:
        while children:
            child = children.pop()
            child.kill()
            child.join()

    children: list = []
    try:
        for _ in range(workers - 1 if here else workers):
            fork()
        yield finish
    finally:
        gc.unfreeze()
        stop()


def _work(parent: int, task, take, n: int, results) -> None:
    quiet_worker(parent)
    while (k := take()) < n:
        try:
            results.put((k, task(k)))
        except Exception:
            results.put((k, None))
        # a minor fault is a page made this process's own: copied on write from the
        # parent's, or new (the counts start at zero in a forked child)
        if resource.getrusage(resource.RUSAGE_SELF).ru_minflt * PAGE >= WORKER_BUDGET:
            results.put((RETIRED, os.getpid()))
            break


def _next(results, wait: bool) -> tuple | None:
    """The next (k, result), or None if none arrives: at once, or when `wait`, within a second."""
    try:
        return results.get(timeout=1.0) if wait else results.get_nowait()
    except queue.Empty:
        return None


def give_back_memory() -> None:
    """Return the C heap's free memory to the system (glibc's malloc_trim). Python
    frees large objects (texts) to malloc, which keeps the pages; a process about to
    fork, or to wait beside another, should not hold them. A no-op elsewhere."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


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
