"""Reproducible builds (reproducible-builds.org's SOURCE_DATE_EPOCH): the shipped
dossier, built twice in two processes into two folders with the same
SOURCE_DATE_EPOCH, is the same bytes file for file, and that date is the one
every page, the feed and the print edition say the dossier was built on."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from safety import dossier as run, tree

EPOCH = "1714521600"  # 2024-05-01T00:00:00Z
DAY = "2024-05-01"

# Pagefind 1.x writes its filter index from a Rust HashMap, in an order that changes
# from run to run (same filters, same pages, another byte order; Pagefind issue #638:
# fragments and the word index are stable since 1.3, "filter/metadata indexes" are not).
# The filter file is named by the hash of its bytes, and that name is written into
# pagefind-entry.json and the .pf_meta file, which is named by its own hash.
UNSTABLE = re.compile(r"pagefind(?:-\d+)?/(filter/.*|pagefind-entry\.json|pagefind\.[\w-]+\.pf_meta)")


def build(site: Path, out: Path, epoch: str = EPOCH) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    return subprocess.run([sys.executable, "-m", "dossier", "build", str(site), "-o", str(out)],
                          env=env, capture_output=True, text=True)


def comparable(files: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in files.items() if not UNSTABLE.fullmatch(k)}


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The shipped site (its PDF on too) built twice: a cold build and one from its cache."""
    root = tmp_path_factory.mktemp("golden")
    site = root / "site"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "dossier.yaml").write_text((ROOT / "dossier.yaml").read_text() + "pdf: true\n")
    outs = [root / "one", root / "two"]
    for out in outs:
        result = build(site, out)
        assert result.returncode == 0, result.stderr
    return outs


def test_two_builds_are_byte_identical(twice):
    one, two = map(tree, twice)
    assert "dossier.pdf" in one and "pagefind/pagefind-ui.js" in one
    assert comparable(one) == comparable(two)
    unstable = sorted(set(one) - set(comparable(one)))
    assert len(unstable) == 3, unstable  # the filter index, its metadata, the entry file: nothing else left out
    assert sum(k.startswith("pagefind/fragment/") for k in one) >= 30  # the index proper is compared


def test_the_build_date_is_source_date_epoch(twice):
    out = twice[0]
    for page in ("index.html", "people/xi-jinping/index.html", "print/index.html"):
        soup = BeautifulSoup((out / page).read_text(), "html.parser")
        assert {t["datetime"] for t in soup.select("footer time, dd time")} == {DAY}, page
    feed = BeautifulSoup((out / "feed.xml").read_text(), "xml")
    assert feed.find("feed").find("updated", recursive=False).text == f"{DAY}T00:00:00Z"


def test_another_epoch_is_another_build(tmp_path):
    """The date is part of the build cache's key: a new SOURCE_DATE_EPOCH rebuilds."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    out = tmp_path / "out"
    assert build(site, out).returncode == 0
    again = build(site, out, "1717200000")  # 2024-06-01
    assert again.returncode == 0 and "files written" in again.stdout, again.stdout
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert soup.select_one("footer time")["datetime"] == "2024-06-01"


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5e9", ""])
def test_a_malformed_epoch_is_one_line_and_exit_2(site, capsys, monkeypatch, value):
    """Refused, as the specification asks, empty too (numpy's f2py, which the build
    imports, dies on an empty SOURCE_DATE_EPOCH with a traceback)."""
    root = site({"content/articles/a.md": "---\ntitle: A\n---\nText.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, err, _ = run(capsys, "build", str(root), "-o", str(root.parent / "out"))
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("SOURCE_DATE_EPOCH: ") and repr(value) in err[0]
    assert not (root.parent / "out").exists()
