"""Reproducible builds (reproducible-builds.org's SOURCE_DATE_EPOCH): the shipped
dossier, built twice in two processes into two folders with the same
SOURCE_DATE_EPOCH, is the same bytes file for file, and that date is the one
every page, the feed and the print edition say the dossier was built on."""
from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from safety import dossier as run, tree

EPOCH = "1714521600"  # 2024-05-01T00:00:00Z
DAY = "2024-05-01"



def build(site: Path, out: Path, epoch: str = EPOCH) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    return subprocess.run([sys.executable, "-m", "dossier", "build", str(site), "-o", str(out)],
                          env=env, capture_output=True, text=True)


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
    assert one == two  # Pagefind's filter index too (output/stable_index.py)
    assert sum(k.startswith("pagefind/fragment/") for k in one) >= 30  # the index proper is compared
    assert [k for k in one if k.startswith("pagefind/filter/")] and any(k.endswith(".pf_meta") for k in one)


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


@pytest.mark.parametrize("change", ["meta", "entry"])
def test_a_bundle_laid_out_otherwise_is_left_as_pagefind_wrote_it(twice, tmp_path, change):
    """stable_index.settle rewrites only what it can read: a metadata file it does not
    know, or an entry file written another way (another Pagefind version), leaves every
    file of the bundle as it was."""
    from dossier.output.stable_index import settle
    bundle = tmp_path / "pagefind"
    shutil.copytree(twice[0] / "pagefind", bundle)
    if change == "meta":
        meta = next(bundle.glob("*.pf_meta"))
        meta.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(["9.0", {"filters": "elsewhere"}])))
    else:
        entry = bundle / "pagefind-entry.json"
        entry.write_text(entry.read_text().replace('"hash":', '"hash": '))
    before = tree(bundle)
    assert settle(bundle) is False
    assert tree(bundle) == before
