"""The memo's map: whatever the last call's items were, a map gives [fn(x) for x in
items]. Identity only spares work; it never decides a result."""
from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.memo import Memo, differing

SETTINGS = settings(max_examples=int(os.environ.get("PROP_EXAMPLES", 100)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class Item:
    """An item with a content key, compared by identity like the model's documents are
    when they are the memo's own."""

    def __init__(self, text: str):
        self.text = text


# each step: the items of one call, as (pick an object of the last call or a new one, its text)
calls = st.lists(st.lists(st.tuples(st.booleans(), st.integers(0, 9), st.sampled_from("abcd")), max_size=12),
                 min_size=1, max_size=6)


@SETTINGS
@given(calls)
def test_a_map_gives_fn_of_each_item_whatever_the_last_call_was(steps):
    memo, last, asked = Memo(warm=True), [], []
    for step in steps:
        items = [last[k % len(last)] if reuse and last else Item(text) for reuse, k, text in step]
        asked.clear()
        out = memo.map("upper", lambda x: x.text.upper(), items, key=lambda x: asked.append(x) or x.text)
        assert out == [x.text.upper() for x in items]
        if len(items) == len(last):  # at the same places, only the other objects are keyed
            assert {id(x) for x in asked} <= {id(x) for x, y in zip(items, last) if x is not y}
        last = items


def test_differing_names_the_places_of_other_objects():
    a, b, c = Item("a"), Item("b"), Item("c")
    assert differing([a, b, c], [a, Item("b"), c]) == [1]
    assert differing([a, b, c], [a, b, c]) == []
    assert differing([a, b], [a, b, c]) is None


class NoCluster:
    """An engine that is not this machine's: a map sent to it fails."""
    workers = 2

    def map(self, fn, items):
        raise AssertionError("sent to the cluster")

    def begun(self, fn, items):
        raise AssertionError("sent to the cluster")


def test_a_local_map_runs_on_this_machines_cores_whatever_the_engine():
    memo, items = Memo(NoCluster()), [Item(str(k)) for k in range(500)]  # enough for workers
    parent = os.getpid()
    slow = lambda x: time.sleep(0.002) or (x.text, os.getpid())  # noqa: E731 (long enough for the worker to take some)
    out = memo.map("pid", slow, items, key=lambda x: x.text, parallel=True, local=True)
    assert [t for t, _ in out] == [x.text for x in items]
    assert {pid for _, pid in out} - {parent}, "no item was made in a forked worker"


def test_a_released_memo_keeps_the_asked_keys_of_the_tables_it_saves_only(tmp_path):
    from dossier.memo.disk import DiskMemo
    memo = DiskMemo(tmp_path)
    memo.map("clean", str.upper, ["a", "b"], key=lambda x: x)  # persisted (memo/disk.py PERSISTED)
    memo.map("read", str.lower, ["A", "B"], key=lambda x: x)  # not
    memo.get("piece", "k", lambda: 1)
    memo.release()
    assert memo.used("clean") == {"a", "b"}
    assert memo.used("read") == set() and memo.used("piece") == set()  # let go with their tables
    memo.save()  # which reads them
    import pickle
    assert pickle.loads((tmp_path / "clean.pickle").read_bytes()) == {"a": "A", "b": "B"}
