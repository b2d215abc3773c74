"""SITE/.dossier-cache: a no-change build answers from the manifest, anything read
or written that changed forces a build, a foreign or broken cache is ignored, and
cached or pooled clean results equal the serial ones."""
from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

import dossier
from dossier.memo import engine
from dossier.memo.engine import LocalEngine
from dossier.pipeline.clean import clean
from dossier.memo.disk import CACHE_DIR, version_tag
from dossier.pipeline.load import load_sources
from safety import NO_SEARCH, dossier as run, tree

SITE = {
    "dossier.yaml": "title: Cache test\n",
    "content/people/xi-jinping.md": "---\nname: Xi Jinping\naliases: [President Xi]\n---\nPresident of China.\n",
    "content/articles/a1.md": "---\ntitle: Trade talks\npublished: 2024-01-02\n---\nXi Jinping met traders in Heihe.\n",
    "content/articles/a2.md": "---\ntitle: Bridge opens\npublished: 2024-02-03\n---\nThe bridge opened to trucks.\n",
    "content/notes/n1.md": "---\ntitle: A note\ndate: 2024-03-01\n---\nPresident Xi was not there.\n",
    "content/articles/undated.md": "---\ntitle: No date\n---\nA story without a date.\n",  # one warning
}
REBUILT = "files written to"
SKIPPED = "nothing rebuilt"


@pytest.fixture(autouse=True)
def _no_search(monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", NO_SEARCH)


@pytest.fixture
def built(site, capsys, tmp_path):
    """A site built once: (site folder, output folder, a build command)."""
    root, out = site(SITE), tmp_path / "out"

    def again(*args: str) -> tuple[int, list[str], str]:
        return run(capsys, "build", str(root), "-o", str(out), *args)
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err
    again.first = (code, err, stdout)
    return root, out, again


def _counts(stdout: str) -> str:
    """The summary line but for what differs between a build and a no-change run."""
    return stdout.strip().splitlines()[-1].rsplit(";", 1)[0]


def test_unchanged_site_is_not_rebuilt_and_output_is_byte_identical(built):
    root, out, again = built
    before = tree(out)
    _, _, first = again.first
    code, err, stdout = again()
    assert code == 0 and SKIPPED in stdout and REBUILT not in stdout
    assert tree(out) == before
    assert _counts(stdout) == _counts(first), "a no-change run prints the summary of the build it skips"
    assert any("no date" in line for line in err), "warnings are printed again on a no-change run"
    assert re.match(r"\d+ articles: \d+ stories", stdout), stdout  # the summary, printed again


def test_a_no_change_run_imports_neither_the_pipeline_nor_jinja2(built):
    """What makes it quick (docs/benchmarks.md): only the digest of the inputs is made."""
    import os
    import subprocess
    import sys
    root, out, _ = built
    probe = ("import sys; from dossier.commands.cli import main; code = main(['build', sys.argv[1], '-o', sys.argv[2]]);"
             "print(code, sorted(m for m in sys.modules if m == 'jinja2' or m.startswith('dossier.pipeline.')))")
    run = subprocess.run([sys.executable, "-c", probe, str(root), str(out)], capture_output=True, text=True,
                         env={**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}, cwd=Path(dossier.__file__).parent.parent)
    assert SKIPPED in run.stdout, run.stderr
    code, modules = run.stdout.strip().splitlines()[-1].split(" ", 1)
    stages = {"jinja2", *(f"dossier.pipeline.{m}" for m in ("clean", "dedup", "link", "quotes", "checks", "registry"))}
    assert code == "0" and not stages & set(eval(modules)), modules  # the walk of content/ (load), no stage


def test_editing_a_content_file_rebuilds(built):
    root, out, again = built
    (root / "content/articles/a2.md").write_text("---\ntitle: Bridge closes\npublished: 2024-02-03\n---\nShut.\n")
    code, _, stdout = again()
    assert code == 0 and REBUILT in stdout
    assert "Bridge closes" in (out / "index.html").read_text() + "".join(
        p.read_text() for p in out.glob("stories/*/index.html"))


@pytest.mark.parametrize("change", ["config", "base_url", "template", "theme_static"])
def test_other_inputs_rebuild(built, change):
    root, out, again = built
    args: tuple[str, ...] = ()
    if change == "config":
        (root / "dossier.yaml").write_text("title: Another title\n")
    elif change == "base_url":
        args = ("--base-url", "https://example.org/x/")
    else:  # a site theme: its templates and static files are inputs
        (root / "mytheme/templates").mkdir(parents=True)
        (root / "mytheme/static").mkdir()
        (root / "dossier.yaml").write_text("title: Cache test\ntheme: mytheme\n")
        code, err, stdout = again()
        assert code == 0 and REBUILT in stdout, err
        if change == "template":
            (root / "mytheme/templates/404.html").write_text("{% extends 'base.html' %}")
        else:
            (root / "mytheme/static/extra.css").write_text("a{}")
    _, _, stdout = again(*args)
    assert REBUILT in stdout


def test_deleted_or_edited_output_rebuilds(built):
    root, out, again = built
    page = out / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Cache test", b"Defaced"))
    _, _, stdout = again()
    assert REBUILT in stdout and page.read_bytes() == original
    (out / "stray.html").write_text("not ours")
    _, _, stdout = again()
    assert REBUILT in stdout and not (out / "stray.html").exists()
    import shutil
    shutil.rmtree(out)
    _, _, stdout = again()
    assert REBUILT in stdout and page.read_bytes() == original


def test_strict_with_warnings_is_never_answered_from_the_cache(built):
    root, out, again = built
    code, err, stdout = again("--strict")
    assert code == 1 and REBUILT in stdout and any("--strict" in line for line in err)
    code, _, stdout = again("--strict")
    assert code == 1 and REBUILT in stdout


def test_a_cache_of_another_version_is_ignored_and_dropped(built, monkeypatch):
    root, out, again = built
    old = root / CACHE_DIR / version_tag()
    assert old.is_dir()
    monkeypatch.setattr(dossier, "__version__", "99.0.0")
    _, _, stdout = again()
    assert REBUILT in stdout
    assert not old.exists() and (root / CACHE_DIR / version_tag()).is_dir()


@pytest.mark.parametrize("garbage", [b"", b"\x80\x04not a pickle", b"{\"inputs\": 3", pickle.dumps({"k": 1})])
def test_corrupt_cache_files_are_ignored(built, garbage):
    root, out, again = built
    for f in (root / CACHE_DIR / version_tag()).iterdir():
        f.write_bytes(garbage)
    before = tree(out)
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err
    assert tree(out).keys() == before.keys()
    _, _, stdout = again()
    assert SKIPPED in stdout, "the next build writes a good cache again"


def test_a_pickle_naming_other_code_is_refused_not_run(built, tmp_path):
    root, out, again = built
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))
    (root / CACHE_DIR / version_tag() / "clean.pickle").write_bytes(pickle.dumps({"k": Evil()}))
    (root / "content/articles/a2.md").write_text("---\ntitle: Edited\n---\nEdited.\n")
    code, _, stdout = again()
    assert code == 0 and REBUILT in stdout and not marker.exists()


def test_a_changed_corpus_recleans_only_the_changed_source(built, monkeypatch):
    root, out, again = built
    cleaned = []
    monkeypatch.setattr("dossier.build.clean", lambda s: cleaned.append(s.id) or clean(s))
    (root / "content/articles/a2.md").write_text("---\ntitle: Bridge closes\n---\nShut.\n")
    _, _, stdout = again()
    assert REBUILT in stdout and cleaned == ["articles/a2.md"]


def test_unchanged_files_are_linked_from_the_last_build_changed_ones_written(built):
    root, out, again = built
    story = next(p for p in out.glob("stories/*/index.html") if "Trade talks" in p.read_text())
    note = next(out.glob("notes/*/index.html"))
    inode = story.stat().st_ino
    note.write_text("edited by hand")  # edited output must not be reused
    (root / "content/articles/a2.md").write_text("---\ntitle: Bridge closes\n---\nShut.\n")
    _, _, stdout = again()
    assert REBUILT in stdout
    assert story.stat().st_ino == inode, "a page whose bytes did not change is hard-linked, not rewritten"
    assert "edited by hand" not in note.read_text()
    fresh = tree(out)
    import shutil
    shutil.rmtree(root / CACHE_DIR)
    shutil.rmtree(out)
    again()
    assert tree(out) == fresh, "a build from a cache gives the bytes of a cold build"


def test_pool_and_serial_clean_give_equal_documents(monkeypatch):
    root = Path(__file__).resolve().parent.parent
    sources, _ = load_sources(root / "content")
    wanted = [s for s in sources if s.kind in ("article", "note")]
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    pooled = LocalEngine(workers=2).map(clean, wanted)
    assert pooled == [clean(s) for s in wanted]
    assert len(pooled) > 5


@pytest.fixture
def pooled(monkeypatch):
    """Render and clean in two forked workers however small the site."""
    import os
    from dossier.output import site as site_module
    monkeypatch.setattr(site_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(engine, "POOL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_pooled_render_writes_the_bytes_of_the_serial_one(site, capsys, tmp_path, pooled, monkeypatch):
    root = site(SITE)
    code, err, _ = run(capsys, "build", str(root), "-o", str(tmp_path / "pool"))
    assert code == 0, err
    from dossier.output import site as site_module
    monkeypatch.setattr(site_module, "PARALLEL_FROM", 10**9)
    monkeypatch.setattr(engine, "POOL_FROM", 10**9)
    import shutil
    shutil.rmtree(root / CACHE_DIR)
    code, err, _ = run(capsys, "build", str(root), "-o", str(tmp_path / "serial"))
    assert code == 0, err
    assert tree(tmp_path / "pool") == tree(tmp_path / "serial")


def test_a_template_error_in_a_worker_is_one_line_and_leaves_the_old_site(site, capsys, tmp_path, pooled):
    root = site({**SITE, "dossier.yaml": "title: Cache test\ntheme: t\n",
                 "t/templates/note.html": "{% extends 'base.html' %}{% block content %}{{ page.no_such }}"
                                          "{% endblock %}"})
    out = tmp_path / "out"
    out.mkdir()
    code, err, _ = run(capsys, "build", str(root), "-o", str(out))
    assert code == 1 and len(err) == 1 and "no_such" in err[0], err
    assert list(out.iterdir()) == [] and [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


# ---- a cache that is not what it should be: never a traceback, never a deletion outside it

def test_a_cache_folder_that_is_a_link_is_not_used_and_nothing_in_its_target_goes(built, tmp_path):
    root, out, again = built
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "precious").mkdir(parents=True)
    (elsewhere / "precious" / "file.txt").write_text("keep me")
    (elsewhere / "0.0.1-f1").mkdir()  # named like an old version's folder
    import shutil
    shutil.rmtree(root / CACHE_DIR)
    (root / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    (root / "content/articles/a2.md").write_text("---\ntitle: Edited\n---\nEdited.\n")
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err
    assert any("build cache not used" in line and "link" in line for line in err)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["0.0.1-f1", "precious"]
    assert (elsewhere / "precious" / "file.txt").read_text() == "keep me"


def test_a_cache_that_is_a_file_is_not_used_and_the_build_succeeds(built):
    root, out, again = built
    import shutil
    shutil.rmtree(root / CACHE_DIR)
    (root / CACHE_DIR).write_text("not a folder")
    (root / "content/articles/a2.md").write_text("---\ntitle: Edited\n---\nEdited.\n")
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err
    assert (root / CACHE_DIR).read_text() == "not a folder"
    assert "Edited" in "".join(p.read_text() for p in out.glob("stories/*/index.html"))


@pytest.mark.parametrize("manifest", [
    {"inputs": None, "out": None, "files": [], "summary": 3},
    "SELF",  # the right inputs and folder, a summary of the wrong shape
])
def test_a_manifest_of_the_wrong_shape_is_a_miss(built, manifest):
    import json
    root, out, again = built
    (path,) = (root / CACHE_DIR / version_tag()).glob("manifest-*.json")
    data = json.loads(path.read_text())
    if manifest == "SELF":
        data["summary"] = {"sources": "five", "warnings": "none"}
    else:
        data = {**manifest, "out": data["out"]}
    path.write_text(json.dumps(data))
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err


def test_a_clean_pickle_of_the_wrong_shape_is_a_miss(built):
    root, out, again = built
    (root / CACHE_DIR / version_tag() / "clean.pickle").write_bytes(pickle.dumps({"k": {"not": "a document"}}))
    (root / "content/articles/a2.md").write_text("---\ntitle: Edited\n---\nEdited.\n")
    code, err, stdout = again()
    assert code == 0 and REBUILT in stdout, err


def test_a_fifo_or_a_big_file_load_skips_is_never_read_for_the_cache_key(built):
    import os
    import threading
    root, out, again = built
    os.mkfifo(root / "content/articles/stream.mp4")  # a reader would wait for a writer forever
    done = threading.Event()
    result = {}

    def build():
        result["run"] = again()
        done.set()
    threading.Thread(target=build, daemon=True).start()
    assert done.wait(60), "the build hung on a FIFO in content/"
    code, err, stdout = result["run"]
    assert code == 0, err


def test_a_cache_made_by_other_code_of_the_same_version_is_not_read(built, monkeypatch):
    """A development checkout edits clean() without changing its version: results the
    old code made must not come back (they did: the clean table was keyed by version)."""
    from dossier import keys
    root, out, again = built
    old = root / CACHE_DIR / version_tag()
    monkeypatch.setattr(keys, "_CODE", "0" * 64)  # as if dossier's code had changed
    cleaned = []
    monkeypatch.setattr("dossier.build.clean", lambda s: cleaned.append(s.id) or clean(s))
    _, _, stdout = again()
    assert REBUILT in stdout and len(cleaned) == 4, cleaned  # every article and note again
    assert not old.exists() and (root / CACHE_DIR / version_tag()).is_dir()


def test_dossier_json_written_as_made_is_linked_when_its_bytes_did_not_change(built):
    """dossier.json is written in chunks (never held whole), then compared with the
    last build's file on disk: the same bytes keep the old file, other bytes replace it."""
    root, out, again = built
    model = out / "dossier.json"
    inode, before = model.stat().st_ino, model.read_bytes()
    (root / "dossier.yaml").write_text("title: Cache test\nauthor: A. Analyst\n")  # every page, not the model
    _, _, stdout = again()
    assert REBUILT in stdout and model.read_bytes() == before
    assert model.stat().st_ino == inode, "an unchanged dossier.json is hard-linked, not rewritten"
    (root / "content/articles/a2.md").write_text("---\ntitle: Bridge closes\n---\nShut.\n")
    _, _, stdout = again()
    assert REBUILT in stdout
    assert model.stat().st_ino != inode and b"Bridge closes" in model.read_bytes()
    assert json.loads(model.read_bytes())["stories"]
