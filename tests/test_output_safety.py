"""Never losing the editor's work: the output folders dossier refuses, a failed build
that leaves the previous site byte for byte, nothing ever written into content/,
and what a killed build leaves behind cleaned up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from dossier.errors import DossierError
from dossier.output.folder import STAMP, write_site
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


@pytest.mark.parametrize("path", ["../escaped.html", "a/../../escaped.html", "{tmp}/escaped.html", ""])
def test_an_output_path_that_would_leave_the_folder_is_refused(root, tmp_path, path):
    with pytest.raises(DossierError, match="output path would leave the output folder"):
        write_site({path.format(tmp=tmp_path): b"x"}, tmp_path / "out", root, "")
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


# --- the swap, killed halfway ------------------------------------------------------------

# `dossier build` killed (SIGKILL) right after the first of the swap's two renames,
# when the system has no atomic exchange ("no-exchange") or when it has one.
KILLED_IN_SWAP = """
import os, signal, sys
from dossier.output import folder
rename = os.rename
def killed_after(a, b):
    rename(a, b)
    if os.path.basename(str(b)).startswith(".out-old-"):
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = killed_after
if sys.argv[1] == "no-exchange":
    folder._RENAMEAT2 = None
from dossier.commands.cli import main
sys.exit(main(["build", sys.argv[2], "-o", sys.argv[3]]))
"""


def _build_killed_in_swap(root: Path, out: Path, how: str) -> int:
    env = {**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}
    return subprocess.run([sys.executable, "-c", KILLED_IN_SWAP, how, str(root), str(out)], env=env,
                          capture_output=True, timeout=120).returncode


def test_the_swap_never_leaves_the_output_folder_absent(root, capsys, tmp_path):
    out = tmp_path / "out"
    assert build(capsys, root, out=out)[0] == 0
    (root / "content/notes/a.md").write_text(NOTE.replace("river", "bridge"))
    assert _build_killed_in_swap(root, out, "exchange") == 0  # one exchange: no moment without OUT to kill in
    assert "Text about the bridge." in (out / "notes/a/index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_a_kill_between_the_two_renames_is_recovered_by_the_next_build(root, capsys, tmp_path):
    out = tmp_path / "out"
    assert build(capsys, root, out=out)[0] == 0
    before = tree(out)
    (root / "content/notes/a.md").write_text(NOTE.replace("river", "bridge"))
    assert _build_killed_in_swap(root, out, "no-exchange") == -signal.SIGKILL
    assert not out.exists()  # the moment the kill hit: the old site aside, the new one not yet in
    (root / "content/notes/bad.md").write_text("---\ntitle: [unclosed\n---\n")
    code, err = build(capsys, root, out=out)  # fails, but first puts the previous site back
    assert code == 1 and len(err) == 1
    assert tree(out) == before
    (root / "content/notes/bad.md").unlink()
    assert build(capsys, root, out=out)[0] == 0
    assert "Text about the bridge." in (out / "notes/a/index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # the killed build's temp folder went


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o027, 0o750), (0o002, 0o775)])
def test_the_output_folder_is_made_as_the_umask_says(root, capsys, tmp_path, umask, mode):
    """mkdtemp makes a private (0700) folder, which became build/: a web server
    running as another user could not read the site."""
    old = os.umask(umask)
    try:
        assert build(capsys, root, out=tmp_path / "out")[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out/notes/a/index.html").stat().st_mode & 0o777 == mode & 0o666


# --- a full disk -------------------------------------------------------------------------

@contextmanager
def tiny_disk(folder: Path, size: str):
    """A real filesystem of `size` (tmpfs; needs root), so the disk really fills."""
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_is_one_short_line(root, capsys, tmp_path):
    """copytree's shutil.Error lists every file it could not copy: printed whole it
    was a 1,126-character line."""
    with tiny_disk(tmp_path / "disk", "16k") as disk:
        code, err = build(capsys, root, out=disk / "out")
        assert code == 1 and len(err) == 1, err
        assert err[0].endswith(": could not write the site: No space left on device "
                               "(the previous build was left as it was)"), err
        assert err[0].startswith(f"{disk}/out/assets/") and len(err[0]) < 200
        assert os.listdir(disk) == []


def test_a_full_disk_under_the_pdf_names_the_pdf_not_the_site(capsys, tmp_path, site):
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": NOTE * 50})
    with tiny_disk(tmp_path / "disk", "8k") as disk:
        code, err, _ = dossier(capsys, "pdf", "-s", str(root), "-o", str(disk / "x.pdf"))
        assert (code, err) == (1, [f"{disk}/x.pdf: could not write the PDF: No space left on device "
                                   "(no PDF was written)"])
        assert os.listdir(disk) == []


def test_a_killed_pdf_leaves_a_part_file_the_next_run_removes(site, tmp_path):
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": NOTE})
    env = {**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}
    cmd = [sys.executable, "-m", "dossier", "pdf", "-s", str(root), "-o", str(tmp_path / "x.pdf")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".x.pdf.*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    assert list(tmp_path.glob(".x.pdf.*.part"))  # what SIGKILL leaves: no clean-up runs
    other = tmp_path / f".x.pdf.{os.getpid()}.abcdef.part"  # a run still going: not touched
    other.write_bytes(b"half")
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".x.pdf")) == [other.name]
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
