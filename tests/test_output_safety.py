"""Never losing the editor's work: the output folders dossier refuses, a failed build
that leaves the previous site byte for byte, nothing ever written into content/,
and what a killed build leaves behind cleaned up."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.errors import DossierError
from dossier.output.render import STAMP, write_site
from safety import NO_SEARCH, build, dossier, tree

NOTE = "---\ntitle: A note\n---\nText about the river.\n"
HINT = "(choose another output folder with -o, or use the default SITE/build)"


@pytest.fixture(autouse=True)
def _no_search(monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", NO_SEARCH)


@pytest.fixture
def root(site):
    return site({"dossier.yaml": "title: T\n", "content/notes/a.md": NOTE})


@pytest.mark.parametrize("where, message", [
    ("site", "refusing to build into the site folder itself: it would replace dossier.yaml and content/ " + HINT),
    ("parent", "refusing to build into a folder that holds the site: it would replace content/ " + HINT),
    ("content", "refusing to build into content/: dossier never writes there " + HINT),
    ("content/notes", "refusing to build into content/: dossier never writes there " + HINT),
    ("content/new", "refusing to build into content/: dossier never writes there " + HINT),
    ("/", "refusing to build into / or your home folder: it would be replaced whole " + HINT),
    ("~", "refusing to build into / or your home folder: it would be replaced whole " + HINT),
    ("file", "is a file, not a folder " + HINT),
    ("stranger", "is a non-empty folder without dossier's .dossier-build stamp: dossier did not make it "
                 "(empty it, or choose another output folder with -o)"),
])
def test_dangerous_output_folders_are_refused(where, message, root, capsys, tmp_path):
    (tmp_path / "stranger").mkdir()
    (tmp_path / "stranger" / "thesis.docx").write_bytes(b"years of work")
    (tmp_path / "file").write_text("a file")
    out = {"site": root, "parent": tmp_path, "/": Path("/"), "~": Path.home(), "file": tmp_path / "file",
           "stranger": tmp_path / "stranger"}.get(where, root / where)
    before = tree(tmp_path)
    code, err = build(capsys, root, out=out)
    assert (code, err) == (2, [f"{out.resolve()}: {message}"])
    assert tree(tmp_path) == before  # not a byte written, anywhere under the test's folder


def test_content_reached_through_a_symlink_is_still_refused(site, capsys, tmp_path):
    real = tmp_path / "elsewhere" / "content"
    (real / "notes").mkdir(parents=True)
    (real / "notes" / "a.md").write_text(NOTE)
    root = tmp_path / "site"
    root.mkdir()
    (root / "dossier.yaml").write_text("title: T\n")
    (root / "content").symlink_to(real)
    code, err = build(capsys, root, out=real / "build")
    assert code == 2 and "refusing to build into content/" in err[0]
    assert not (real / "build").exists()


def test_a_failed_build_leaves_the_previous_site_byte_identical(root, capsys, tmp_path):
    out = tmp_path / "out"
    assert build(capsys, root, out=out)[0] == 0
    before = tree(out)
    assert STAMP in before
    (root / "content" / "notes" / "bad.md").write_text("---\ntitle: [unclosed\n---\n")
    code, err = build(capsys, root, out=out)
    assert code == 1 and err == ["content/notes/bad.md:2: invalid YAML front matter: expected ',' or ']', "
                                 "but got '<stream end>'"]
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no temp folder left behind


def test_a_second_build_replaces_its_own_folder_and_keeps_gitkeep(root, capsys):
    out = root / "build"
    out.mkdir()
    (out / ".gitkeep").touch()
    assert build(capsys, root, out=out)[0] == 0  # an empty build/ holding only .gitkeep is fine
    (out / "stale.html").write_text("from an old build")
    assert build(capsys, root, out=out)[0] == 0
    assert (out / ".gitkeep").exists() and (out / STAMP).exists() and not (out / "stale.html").exists()


def test_a_write_that_fails_midway_keeps_the_old_site_and_leaves_no_temp(root, tmp_path):
    out = tmp_path / "out"
    write_site({"index.html": b"old"}, out, root, "")
    before = tree(out)
    # "a" as a file and as a folder: the second write fails after the first succeeded
    with pytest.raises(DossierError) as e:
        write_site({"a": b"file", "a/index.html": b"page"}, out, root, "")
    assert "could not write the site" in e.value.format() and "previous build was left as it was" in e.value.format()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_an_output_path_that_would_leave_the_folder_is_refused(root, tmp_path):
    with pytest.raises(DossierError, match="output path would leave the output folder"):
        write_site({"../escaped.html": b"x"}, tmp_path / "out", root, "")
    assert not (tmp_path / "escaped.html").exists()


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)  # it has exited: nobody owns this pid now


def test_what_a_killed_build_left_behind_is_cleaned_and_nothing_else(root, capsys, tmp_path):
    out = tmp_path / "out"
    dead, alive = _dead_pid(), os.getppid()
    leftovers = {f".out-tmp-{dead}-abc123": True, f".out-old-{dead}": True,  # a dead build's: removed
                 f".out-tmp-{alive}-xyz789": True,  # a build still running (another process): kept
                 ".out-tmp-1-mine": False, ".out-notes": False}  # no stamp, or not our name: kept
    for name, stamped in leftovers.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text("half written")
        if stamped:
            (tmp_path / name / STAMP).write_text("made by dossier build\n")
    assert build(capsys, root, out=out)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted(
        [".out-notes", ".out-tmp-1-mine", f".out-tmp-{alive}-xyz789"])


def test_an_output_folder_that_cannot_be_made_is_one_line(root, capsys, tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    out = tmp_path / "blocker" / "out"
    code, err = build(capsys, root, out=out)
    assert code == 1
    assert err[0].startswith(f"{tmp_path / 'blocker'}: cannot write the site here: ")
    assert err[0].endswith("(choose another output folder with -o)")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read and write anything")
def test_unreadable_content_and_unwritable_output_are_one_line(root, capsys, tmp_path):
    locked = root / "content" / "notes" / "locked.md"
    locked.write_text(NOTE)
    locked.chmod(0)
    try:
        code, err = build(capsys, root)
        assert (code, err) == (1, ["content/notes/locked.md: cannot be read: Permission denied"])
    finally:
        locked.chmod(0o644)
    locked.unlink()
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, err = build(capsys, root, out=ro / "out")
        assert code == 1 and err[0].startswith(f"{ro}: cannot write the site here: Permission denied")
    finally:
        ro.chmod(0o755)


def test_check_writes_nothing(root, capsys):
    before = tree(root)
    code, _, _ = dossier(capsys, "check", str(root))
    assert code == 0 and tree(root) == before and not (root / "build").exists()
