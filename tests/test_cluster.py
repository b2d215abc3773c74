"""`dossier build --scheduler`: a real Dask cluster (a `dask scheduler` and two `dask
worker` processes on 127.0.0.1) cleans, links and renders a few hundred articles, and
the site is the local build's, byte for byte (same SOURCE_DATE_EPOCH).

Marked `cluster`: the fast tier deselects it (`pytest -m "not cluster"`); `make test`
runs it. The corpus is made here from the shipped articles' paragraphs, so the test
needs nothing outside the repository."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, make_corpus
from safety import dossier as run, tree
from test_reproducible import EPOCH

distributed = pytest.importorskip("distributed")  # the `cluster` extra; the test extra pulls it in
pytestmark = pytest.mark.cluster

ARTICLES = 300
DASK = Path(sys.executable).with_name("dask")  # the dask CLI of the Python that runs dossier


@contextmanager
def local_cluster(root: Path, workers: int = 2, memory: str = "2GB", wrap: tuple[str, ...] = ()):
    """A `dask scheduler` and `workers` single-thread `dask worker`s on 127.0.0.1, on
    ports the system picks (each worker command run through `wrap`), logging into
    `root`; always torn down. Yields (the scheduler's address, {name: process})."""
    address_file = root / "scheduler.json"
    procs: dict[str, subprocess.Popen] = {}

    def start(name: str, *args: str) -> None:
        with open(root / f"{name}.log", "wb") as out:
            procs[name] = subprocess.Popen([*args], stdout=out, stderr=subprocess.STDOUT, cwd=root)
    try:
        start("scheduler", str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(address_file))
        for k in range(1, workers + 1):
            start(f"worker{k}", *wrap, str(DASK), "worker", "--scheduler-file", str(address_file), "--host",
                  "127.0.0.1", "--nthreads", "1", "--no-dashboard", "--memory-limit", memory,
                  "--local-directory", str(root / f"w{k}"))
        with distributed.Client(scheduler_file=str(address_file), timeout=60) as client:
            if workers:
                client.wait_for_workers(workers, timeout=60)
            address = client.scheduler.address
        yield address, procs
    finally:
        for name in reversed(list(procs)):  # workers first, then the scheduler
            procs[name].terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(tmp_path_factory.mktemp("dask")) as (address, _):
        yield address


def build(site: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "dossier", "build", str(site), "-o", str(out), *args],
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def ran_on(address: str) -> dict[str, int]:
    """How many tasks of each dossier stage the scheduler saw finish."""
    with distributed.Client(address, timeout=30) as client:
        return client.run_on_scheduler(lambda dask_scheduler: {
            name: prefix.state_counts["memory"] for name, prefix in dask_scheduler.task_prefixes.items()
            if name.startswith("dossier_")})


def test_a_cluster_build_is_the_local_build_byte_for_byte(cluster, tmp_path):
    site = tmp_path / "site"
    make_corpus(site)
    before = ran_on(cluster)
    build(site, tmp_path / "local")
    shutil.rmtree(site / ".dossier-cache")  # the cluster build cleans every file again, on the workers
    build(site, tmp_path / "cluster", "--scheduler", cluster)
    done = {k: n - before.get(k, 0) for k, n in ran_on(cluster).items()}
    # clean, link and the pages ran as tasks: 8 partitions a map on 2 one-thread workers
    assert done.get("dossier_clean", 0) >= 8 and done.get("dossier_linked", 0) >= 8, done
    assert done.get("dossier_page", 0) >= 8, done
    # and nothing else: reading the files, placing quotations and the checks read this
    # machine's files or the whole model, and run on its cores (Memo.map's `local`)
    assert {k for k, n in done.items() if n} == {"dossier_clean", "dossier_linked", "dossier_page"}, done
    local, remote = tree(tmp_path / "local"), tree(tmp_path / "cluster")
    assert remote == local
    model = json.loads((tmp_path / "cluster/dossier.json").read_text())
    assert sum(s["kind"] == "article" for s in model["sources"]) == ARTICLES
    story = {v["source"]: s["slug"] for s in model["stories"] for v in s["versions"]}
    # (articles drawn from 125 sentences also share some by chance: only the copies are certain)
    assert all(story[f"articles/a{k - 1:04d}.md"] == story[f"articles/a{k:04d}.md"] for k in range(4, ARTICLES, 5))
    assert len(model["mentions"]) > ARTICLES  # the shipped people and places are found


def test_the_output_folder_holds_only_the_site(cluster, tmp_path):
    """The workers write into the staging folder, which is swapped in whole: nothing of
    theirs is left beside the output folder."""
    site = tmp_path / "site"
    make_corpus(site, n=40)
    build(site, tmp_path / "out", "--scheduler", cluster)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    assert (tmp_path / "out/index.html").is_file() and (tmp_path / "out/.dossier-build").is_file()


def _can_mount() -> bool:
    """A mount namespace of our own, with a tmpfs in it: root, unshare(1), and a
    container that allows it."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="needs a mount namespace: root and unshare(1)")
def test_a_worker_that_cannot_see_the_output_folder_stops_the_build(tmp_path, capsys):
    """Else it would write its pages onto its own disk, and the site would lack them.
    The worker runs in its own mount namespace, with an empty tmpfs over the folder
    that holds the output."""
    site, outs = tmp_path / "site", tmp_path / "outs"
    make_corpus(site, n=10)
    outs.mkdir()
    (tmp_path / "dask").mkdir()
    blind = ("unshare", "-m", "--propagation", "private", "sh", "-c", f'mount -t tmpfs tmpfs "{outs}" && exec "$@"', "sh")
    with local_cluster(tmp_path / "dask", workers=1, wrap=blind) as (address, _):
        code, err, _ = run(capsys, "build", str(site), "-o", str(outs / "out"), "--scheduler", address)
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith(f"{outs}: the Dask worker tcp://127.0.0.1:") and "does not see the output folder" in err[0]
    assert list(outs.iterdir()) == [], "the staging folder is removed, nothing is swapped in"


def test_a_scheduler_without_workers_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("dossier.memo.cluster.CONNECT_TIMEOUT", 2)
    site = tmp_path / "site"
    make_corpus(site, n=5)
    (tmp_path / "dask").mkdir()
    with local_cluster(tmp_path / "dask", workers=0) as (address, _):
        code, err, _ = run(capsys, "build", str(site), "-o", str(tmp_path / "out"), "--scheduler", address)
    assert code == 2 and err == [f"{address}: no Dask worker joined this scheduler in 2 s "
                                 f"(start some: dask worker {address} --nthreads 1)"], err


def test_a_worker_with_another_dossier_stops_the_build(tmp_path, capsys):
    """Two versions would clean and link differently: the site would be a mix. The
    worker imports a copy of dossier whose code differs by one comment."""
    other = tmp_path / "other"
    shutil.copytree(ROOT / "dossier", other / "dossier", ignore=shutil.ignore_patterns("__pycache__"))
    with open(other / "dossier/text.py", "a") as f:
        f.write("# another release\n")
    site = tmp_path / "site"
    make_corpus(site, n=5)
    (tmp_path / "dask").mkdir()
    with local_cluster(tmp_path / "dask", workers=1, wrap=("env", f"PYTHONPATH={other}")) as (address, _):
        code, err, _ = run(capsys, "build", str(site), "-o", str(tmp_path / "out"), "--scheduler", address)
    assert code == 2 and len(err) == 1, err
    assert re.match(r"tcp://127\.0\.0\.1:\d+: this Dask worker runs another dossier \(", err[0]), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where, value, message", [
    ("option", "10.0.0.5:8786", "is not a Dask scheduler's address"),
    ("yaml", "http://10.0.0.5:8786", "is not a Dask scheduler's address"),
    ("option", "tcp://127.0.0.1:9", "no Dask scheduler answers there"),
])
def test_a_bad_scheduler_is_one_line(site, capsys, monkeypatch, where, value, message):
    monkeypatch.setattr("dossier.memo.cluster.CONNECT_TIMEOUT", 2)
    root = site({"content/articles/a.md": "---\ntitle: A\npublished: 2024-01-01\n---\nText.\n",
                 "dossier.yaml": f"scheduler: {value}\n" if where == "yaml" else "title: T\n"})
    args = ("--scheduler", value) if where == "option" else ()
    code, err, _ = run(capsys, "build", str(root), "-o", str(root.parent / "out"), *args)
    assert code == (1 if where == "yaml" else 2) and len(err) == 1, err
    assert message in err[0] and not (root.parent / "out").exists()


def test_local_overrides_the_setting(site, capsys):
    root = site({"content/articles/a.md": "---\ntitle: A\npublished: 2024-01-01\n---\nText.\n",
                 "dossier.yaml": "scheduler: tcp://127.0.0.1:9\n"})
    code, err, _ = run(capsys, "build", str(root), "-o", str(root.parent / "out"), "--scheduler", "local")
    assert code == 0, err


def test_a_theme_error_is_one_line_as_on_one_machine(cluster, tmp_path, capsys):
    """A template linked out of its theme is refused before it is shipped; a template
    that does not compile fails on the workers, and is reported from the client."""
    site = tmp_path / "site"
    make_corpus(site, n=5)
    (site / "theme/templates").mkdir(parents=True)
    (site / "dossier.yaml").write_text("title: T\ntheme: theme\n")
    (tmp_path / "outside.html").write_text("{{ secret }}")
    (site / "theme/templates/story.html").symlink_to(tmp_path / "outside.html")
    code, err, _ = run(capsys, "build", str(site), "-o", str(tmp_path / "out"), "--scheduler", cluster)
    assert code == 1 and len(err) == 1, err
    assert err[0].startswith(f"{site}/theme/templates/story.html: is a link to ")
    (site / "theme/templates/story.html").unlink()
    (site / "theme/templates/story.html").write_text('{% extends "base.html" %}\n{% block content %}{{ x | nosuch }}{% endblock %}\n')
    code, err, _ = run(capsys, "build", str(site), "-o", str(tmp_path / "out"), "--scheduler", cluster)
    assert code == 1 and len(err) == 1 and "story.html:2: template error: No filter named 'nosuch'" in err[0], err
    assert not (tmp_path / "out").exists()
