"""Fixtures: tiny sites written from a dict (MkDocs' @tempdir(files=...)), and one
build of the shipped dossier shared by the end-to-end tests."""
from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium, never a downloaded browser; without the background-networking
# flags it keeps trying (and failing) to reach Google's hosts on this closed network
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


# The fast tier: `python -m pytest -m "not slow and not browser"` (README); `make test`
# runs everything. `browser`: the tests that drive Chromium, known by the fixtures that
# launch it (a test's own parameter of the same name, test_urls' `page`, is not one).
BROWSER_FIXTURES = {"browser", "page", "phone"}
# `slow`: whole modules, by name, and not single tests by a time: a module's cost is
# mostly in fixtures its tests share (a site built once per module, a cluster, a PDF),
# which a mark on one test would only move to the next; and the suite's time is spread
# over a hundred tests of 1-2 s each (mostly a build in a subprocess), so that marking
# the dozen tests over 3 s would leave the fast tier at two thirds of the suite. These
# are the modules over ~15 s in a full run on 2 cores (together three quarters of its
# time); test_cluster is also marked `cluster`.
SLOW_MODULES = {"test_hostile", "test_cluster", "test_diskcache", "test_reproducible", "test_serve",
                "test_dedup_update", "test_search", "test_pdf", "test_bad_input"}


def make_corpus(site: Path, n: int = 300, seed: int = 15) -> None:
    """`n` articles of 5 to 8 paragraphs of 3 sentences drawn from the shipped articles,
    every fifth a copy of the one before less its last paragraph (dedup has stories to
    fold), with the shipped people, places, events and notes (link has names to find)."""
    pool = sorted({s for f in sorted((ROOT / "content/articles").glob("*.txt"))
                   for p in f.read_text(encoding="utf-8").split("\n\n")[2:] if len(p) > 120
                   for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", p) if len(s) > 40})
    rng = random.Random(seed)
    for kind in ("people", "places", "events", "notes"):
        shutil.copytree(ROOT / "content" / kind, site / "content" / kind)
    (site / "content/articles").mkdir(parents=True)
    body: list[str] = []
    for k in range(n):
        if k % 5 == 4:
            body = body[:-1]
        else:
            body = [" ".join(rng.sample(pool, 3)) for _ in range(rng.randint(5, 8))]
        day = f"2023-{1 + k % 12:02d}-{1 + k % 28:02d}"
        text = f"---\ntitle: Report {k} from the border\npublished: {day}\n---\n" + "\n\n".join(body) + "\n"
        (site / "content/articles" / f"a{k:04d}.md").write_text(text, encoding="utf-8")
    (site / "dossier.yaml").write_text("title: Cluster test\nbase_url: https://example.org/c/\n")


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if any(name in BROWSER_FIXTURES and name not in params for name in item.fixturenames):
            item.add_marker(pytest.mark.browser)
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return root


def run_dossier(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dossier", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def site(tmp_path):
    """site(files) → a site folder holding those files."""
    return lambda files: write_site(tmp_path / "site", files)


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """The shipped dossier, built once: (output folder, dossier.json as data)."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    result = run_dossier("build", str(ROOT), "-o", str(out), "--base-url", "https://example.github.io/heihe/")
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "dossier.json").read_text())
