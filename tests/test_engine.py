"""memo/engine.py's `shared`: the work of a map or of render, split between this
process and forked workers, with the serial run's results and errors; and a map
begun on the workers while this process does other work (`begun`)."""
from __future__ import annotations

import os
import time

import pytest

from dossier.memo import engine
from dossier.memo.engine import LocalEngine, shared


def _slow_pid(k: int) -> tuple[int, int]:
    time.sleep(0.02)  # long enough that every process gets some of the tasks
    return k, os.getpid()


def test_every_task_is_done_once_and_this_process_takes_a_share():
    seen: dict[int, tuple[int, int]] = {}
    shared(_slow_pid, 40, 3, lambda k, result: seen.setdefault(k, result))
    assert sorted(seen) == list(range(40))
    assert all(seen[k][0] == k for k in seen)
    pids = {pid for _, pid in seen.values()}
    assert os.getpid() in pids and len(pids) > 1


def test_a_map_keeps_the_items_order(monkeypatch):
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    items = list(range(300))
    assert LocalEngine(workers=2).map(lambda x: x * x, items) == [x * x for x in items]


def test_a_content_error_returned_by_a_worker_comes_back_whole(monkeypatch):
    """A stage that returns a DossierError as a value (load does) gets it back whole
    from a worker, through pickle."""
    from dossier.errors import DossierError
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    parent = os.getpid()

    def refused(x: int) -> tuple[DossierError, bool]:
        time.sleep(0.002)  # long enough that the worker gets some of the items
        return DossierError(f"content/{x}.md", "bad", line=x, hint="fix it"), os.getpid() != parent

    got = LocalEngine(workers=2).map(refused, list(range(300)))
    assert [e.format() for e, _ in got] == [f"content/{x}.md:{x}: bad (fix it)" if x else "content/0.md: bad (fix it)"
                                            for x in range(300)]
    assert any(in_worker for _, in_worker in got)


def _stamped(x: int) -> tuple[int, int, float]:
    time.sleep(0.005)
    return x, os.getpid(), time.monotonic()


def test_a_map_begun_runs_on_the_workers_while_this_process_does_other_work(monkeypatch):
    """build_model begins link's map, then runs dedup: the worker's share is done
    meanwhile, and the call gives the serial run's results in order, this process
    taking its share once it calls."""
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    items = list(range(400))
    with LocalEngine(workers=2).begun(_stamped, items) as results:
        time.sleep(1.0)  # this process's other work
        called = time.monotonic()
        got = results()
    assert [x for x, _, _ in got] == items
    before = [pid for _, pid, at in got if at < called]
    assert before and os.getpid() not in before  # begun by the worker alone...
    assert os.getpid() in {pid for _, pid, at in got if at >= called}  # ...this process took its share after


def test_a_map_begun_and_left_unfinished_stops_its_workers(monkeypatch):
    import multiprocessing
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    with pytest.raises(ValueError, match="dedup failed"):
        with LocalEngine(workers=2).begun(_stamped, list(range(2000))) as results:
            assert multiprocessing.active_children()
            raise ValueError("dedup failed")
    assert not multiprocessing.active_children()


def test_a_map_too_small_for_workers_is_begun_when_it_is_called():
    calls = []
    with LocalEngine(workers=2).begun(calls.append, [1, 2, 3]) as results:
        assert calls == []
        results()
    assert calls == [1, 2, 3]


def test_no_worker_is_forked_while_a_program_is_being_started():
    """engine.SPAWN_LOCK: a worker forked while another thread's subprocess.Popen waits
    for its child's exec would hold Popen's pipe open, and Popen would wait for it."""
    import threading
    seen: list = []
    with engine.SPAWN_LOCK:
        mapper = threading.Thread(target=shared, args=(_slow_pid, 4, 2, lambda k, r: seen.append(k)),
                                  kwargs={"here": False})
        mapper.start()
        time.sleep(0.5)
        assert seen == []  # no worker yet: the fork waits for the lock
    mapper.join(30)
    assert sorted(seen) == [0, 1, 2, 3]


def test_an_error_in_a_worker_is_raised_here_as_the_serial_run_raises_it(monkeypatch):
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    parent = os.getpid()

    def fails_in_a_worker(x: int) -> int:
        if x == 250 and os.getpid() != parent:
            raise ValueError("worker")
        if x == 250:
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match="item 250"):
        LocalEngine(workers=2).map(fails_in_a_worker, list(range(300)))


def test_a_worker_that_dies_is_an_error_not_a_hang():
    parent = os.getpid()

    def dies_in_a_worker(k: int) -> int:
        time.sleep(0.02)
        if os.getpid() != parent:
            os._exit(1)  # as the kernel's out-of-memory killer would
        return k

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="worker process died"):
        shared(dies_in_a_worker, 20, 2, lambda k, result: None)
    assert time.monotonic() - started < 30


def test_a_worker_past_its_memory_budget_retires_and_a_fresh_one_takes_its_place(monkeypatch):
    monkeypatch.setattr(engine, "WORKER_BUDGET", 1)  # every task's first page fault is past it
    seen: dict[int, tuple[int, int]] = {}
    shared(_slow_pid, 30, 2, lambda k, result: seen.setdefault(k, result))
    assert sorted(seen) == list(range(30)) and all(seen[k][0] == k for k in seen)
    workers = {pid for _, pid in seen.values()} - {os.getpid()}
    assert len(workers) == sum(pid != os.getpid() for _, pid in seen.values()) > 1  # one task each


def test_under_its_budget_a_worker_lives_through_the_map():
    seen: dict[int, tuple[int, int]] = {}
    shared(_slow_pid, 30, 2, lambda k, result: seen.setdefault(k, result))
    assert len({pid for _, pid in seen.values()} - {os.getpid()}) == 1


def test_left_to_workers_alone_this_process_takes_no_task(monkeypatch):
    monkeypatch.setattr(engine, "WORKER_BUDGET", 1)  # and they retire after each: fresh ones go on
    seen: dict[int, tuple[int, int]] = {}
    shared(_slow_pid, 30, 2, lambda k, result: seen.setdefault(k, result), here=False)
    assert sorted(seen) == list(range(30)) and all(seen[k][0] == k for k in seen)
    assert os.getpid() not in {pid for _, pid in seen.values()}


def test_workers_alone_that_all_die_are_an_error_not_a_hang():
    def dies(k: int) -> int:
        os._exit(1)

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="worker process died"):
        shared(dies, 20, 2, lambda k, result: None, here=False)
    assert time.monotonic() - started < 30


def test_a_worker_that_retires_is_replaced_at_once_not_after_a_wait_for_results(monkeypatch):
    """One worker alone, retiring after each task: each fresh one is forked as soon as
    the last says it retires. (Forked when the next result came, or after a second
    without one, the lone worker's place stood empty a second each time.)"""
    monkeypatch.setattr(engine, "WORKER_BUDGET", 1)
    waited = []
    real = engine._next

    def counted(results, wait: bool):
        got = real(results, wait)
        waited.append(wait and got is None)
        return got
    monkeypatch.setattr(engine, "_next", counted)
    seen: dict[int, tuple[int, int]] = {}
    shared(_slow_pid, 10, 1, lambda k, result: seen.setdefault(k, result), here=False)
    assert sorted(seen) == list(range(10)) and len({pid for _, pid in seen.values()}) == 10
    assert sum(waited) < 3  # a second gone by without a result: 9 of them before


def test_no_full_collection_is_due_while_the_model_and_the_page_plan_are_made(monkeypatch, tmp_path):
    """The model's objects live to the end of the build: a full collection walked them
    all again after every parallel map (25 s of 554 at 100k). Young collections go on,
    and the thresholds are as they were once the build is done."""
    import gc
    from pathlib import Path
    import dossier.build as b
    seen = []
    for name in ("Linker", "plan_pages"):
        real = getattr(b, name)
        monkeypatch.setattr(b, name, lambda *a, real=real, **k: seen.append(gc.get_threshold()) or real(*a, **k))
    before = gc.get_threshold()
    root = Path(__file__).resolve().parents[1]
    b.build(root, tmp_path / "site", b.load_config(root))
    assert len(seen) == 2 and gc.get_threshold() == before
    assert all(t[:2] == before[:2] and t[2] >= 2**30 for t in seen)


def test_past_its_bounds_the_build_runs_stages_here_and_gives_the_same_site(monkeypatch, tmp_path):
    """build_model begins link's workers before dedup (up to LINK_BESIDE_DEDUP
    documents) and reads the files, places the quotations and checks the files in
    workers (up to FILES_IN_WORKERS); past those it runs link after dedup and the
    others here: the same site, byte for byte."""
    import multiprocessing
    import os
    import dossier.build as b
    from conftest import make_corpus
    from safety import tree
    from test_reproducible import EPOCH
    site = tmp_path / "site"
    make_corpus(site)  # 300 articles and the shipped notes: past POOL_FROM, so the maps have workers
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(engine, "POOL_FROM", 100)  # (and the map of the stories too)
    real, seen = b.Dedup.update, []
    monkeypatch.setattr(b.Dedup, "update", lambda self, docs: seen.append(bool(multiprocessing.active_children()))
                        or real(self, docs))
    def ran(stage, real):  # each item's process noted in a file: a worker's memory is its own
        def spy(*a, **k):
            with open(tmp_path / stage, "a") as f:
                f.write(f"{os.getpid()}\n")
            return real(*a, **k)
        return spy
    monkeypatch.setattr(b, "load_entry", ran("read", b.load_entry))
    monkeypatch.setattr(b.checks, "file_findings", ran("checks", b.checks.file_findings))
    monkeypatch.setattr(b.q, "place_story", ran("placed", b.q.place_story))
    trees, where = [], []
    for bound in (b.LINK_BESIDE_DEDUP, 0):
        monkeypatch.setattr(b, "LINK_BESIDE_DEDUP", bound)
        monkeypatch.setattr(b, "FILES_IN_WORKERS", bound)
        b.build(site, tmp_path / f"out-{bound}", b.load_config(site))
        trees.append(tree(tmp_path / f"out-{bound}"))
        stages = ("read", "placed", "checks")
        where.append({stage: set((tmp_path / stage).read_text().split()) - {str(os.getpid())} for stage in stages})
        for stage in stages:
            (tmp_path / stage).unlink()
    assert all(where[0].values()) and not any(where[1].values())  # in workers; then here alone
    assert seen == [True, False]  # link's worker was running while dedup ran; then not
    assert trees[0] == trees[1] and len(trees[0]) > 300
