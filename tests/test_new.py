"""`dossier new`: a file per kind with its front matter filled, never an overwrite, and
the README's walkthrough (new note → check says what is missing)."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import run_dossier
from dossier.build import build_model
from dossier.pipeline.checks import findings
from dossier.commands.new import new_file

ROOT = Path(__file__).resolve().parent.parent


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.parametrize("kind, folder, keys", [
    ("note", "notes", {"title": "Border trade: a second look", "date": "2024-05-01", "people": [],
                       "places": [], "events": [], "sources": [], "tags": []}),
    ("person", "people", {"name": "Border trade: a second look", "aliases": [], "short": [], "role": ""}),
    ("place", "places", {"name": "Border trade: a second look", "aliases": [], "kind": "", "coordinates": []}),
    ("event", "events", {"title": "Border trade: a second look", "date": "", "end": "", "aliases": [],
                         "people": [], "places": []}),
    ("source", "articles", {"title": "Border trade: a second look", "outlet": "", "url": "", "published": "",
                            "author": ""}),
])
def test_each_kind(site, kind, folder, keys):
    root = site({"dossier.yaml": "title: T\n"})
    path = new_file(root, kind, "Border trade:  a second look", today=date(2024, 5, 1))
    assert path == root / "content" / folder / "border-trade-a-second-look.md"
    assert keys.items() <= front_matter(path).items()


def test_the_command_prints_the_path_and_never_overwrites(site):
    root = site({"dossier.yaml": "title: T\n"})
    before = date.today().isoformat()
    first = run_dossier("new", "note", 'He said "no": part 2', str(root))
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert path == root / "content" / "notes" / "he-said-no-part-2.md"
    assert front_matter(path)["title"] == 'He said "no": part 2'  # quoted safely for YAML
    assert front_matter(path)["date"] in (before, date.today().isoformat())  # today (past midnight too)
    path.write_text("---\ntitle: Mine\n---\nMy words.\n")
    again = run_dossier("new", "note", 'He said "no": part 2', "-s", str(root))
    assert again.returncode == 1
    assert again.stderr.startswith(f"{path}: already exists")
    assert path.read_text() == "---\ntitle: Mine\n---\nMy words.\n"


def test_a_source_does_not_shadow_a_scraped_file(site):
    root = site({"content/articles/border-trade.txt": "Scraped text.\n"})
    with pytest.raises(Exception, match="already exists"):
        new_file(root, "source", "Border trade")
    assert not (root / "content" / "articles" / "border-trade.md").exists()


def test_scaffolds_build_and_check_lists_what_is_left_to_do(site):
    root = site({"dossier.yaml": "title: T\n"})
    for kind in ("note", "person", "place", "event", "source"):
        new_file(root, kind, f"A {kind}")
    codes = sorted((f.code, f.path) for f in findings(build_model(root)) if f.severity != "info")
    todo = [p for c, p in codes if c == "todo"]
    assert len(todo) == 5  # the TODO line of each file
    assert ("event-undated", "content/events/a-event.md") in codes
    assert ("source-undated", "content/articles/a-source.md") in codes


def test_readme_walkthrough(tmp_path):
    """README "Keep the dossier consistent", on a copy of the shipped dossier."""
    root = tmp_path / "heihe"
    root.mkdir()
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "dossier.yaml", root)
    made = run_dossier("new", "note", "Lenin on the shelves", cwd=root)
    assert made.stdout.strip() == "content/notes/lenin-on-the-shelves.md"
    note = root / made.stdout.strip()
    note.write_text(re.sub(r"(?m)^TODO:.*$", "Heihe's Russian stores sell [[Vladimir Lenin]] merchandise (000).",
                           note.read_text()))
    check = run_dossier("check", cwd=root)
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert lines[0] == "content/notes/lenin-on-the-shelves.md:10: error: wikilink [[Vladimir Lenin]] points to nothing"
    assert any(re.match(r"\s+2  Vladimir Lenin  \(2 files; first at content/articles/000_b0046fc09b710f13.txt:21:", line)
               for line in lines)
    assert lines[-1] == "1 error, 0 warnings, 9 unknown names, 4 altered quotes"
    assert run_dossier("new", "person", "Vladimir Lenin", cwd=root).returncode == 0
    check = run_dossier("check", cwd=root)
    assert check.returncode == 0, check.stdout
    assert check.stdout.startswith("content/people/vladimir-lenin.md:7: warning: still says 'TODO:")
    assert "Vladimir Lenin" not in check.stdout.split("\n", 1)[1]
