"""`dossier init` and the GitHub Pages workflow it writes (the same as this repository's)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_dossier
from dossier.commands import init

SCAFFOLD_PAGES = ["stories/harbour-bridge-opens-in-portvale-after-six-years-of-work/", "notes/start-here/",
                  "people/ana-ribeiro/", "places/portvale/", "events/bridge-opening/"]


def test_the_scaffold_builds_strict_with_no_warning(tmp_path):
    made = run_dossier("init", str(tmp_path / "briefing"))
    assert made.returncode == 0, made.stderr
    site = tmp_path / "briefing"
    for rel in ("dossier.yaml", ".gitignore", "requirements.txt", ".github/workflows/pages.yml",
                "content/articles/example-report.txt", "content/articles/example-report.yaml"):
        assert (site / rel).is_file(), rel
    built = run_dossier("build", "--strict", cwd=site)
    assert built.returncode == 0 and "warning" not in built.stderr, built.stderr
    for url in SCAFFOLD_PAGES:
        assert (site / "build" / url / "index.html").is_file(), url
    note = (site / "build/notes/start-here/index.html").read_text()
    assert 'href="../../people/ana-ribeiro/index.html"' in note  # the [[wikilink]] resolved
    model = json.loads((site / "build/dossier.json").read_text())
    assert model["title"] == "Briefing" and [t["event"] for t in model["timeline"]] == ["bridge-opening"]
    assert set((site / ".gitignore").read_text().split()) >= {"build/", ".dossier-cache/"}


def test_init_refuses_to_overwrite_and_lists_what_is_there(tmp_path):
    (tmp_path / "content/notes").mkdir(parents=True)
    (tmp_path / "dossier.yaml").write_text("title: Mine\n")
    (tmp_path / "content/notes/start-here.md").write_text("my note\n")
    result = run_dossier("init", str(tmp_path))
    assert result.returncode == 1
    assert "content/notes/start-here.md, dossier.yaml; nothing was written" in result.stderr
    assert (tmp_path / "dossier.yaml").read_text() == "title: Mine\n"
    assert not (tmp_path / ".gitignore").exists()


def test_init_defaults_to_the_current_folder(tmp_path):
    result = run_dossier("init", "--title", 'The "Port" file: a\\b', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((tmp_path / "dossier.yaml").read_text())["title"] == 'The "Port" file: a\\b'


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_the_repository_publishes_itself_on_pages():
    wf = _workflow(ROOT / ".github/workflows/pages.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"] == "pages"
    steps = wf["jobs"]["build"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                    "actions/upload-pages-artifact"]
    assert next(s for s in steps if "setup-python" in s.get("uses", ""))["with"]["python-version"] == "3.11"
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ["pip install .", 'dossier build --base-url "${{ steps.pages.outputs.base_url }}/"']
    assert next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"] == "build"
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_scaffold_workflow_is_the_repository_one_but_for_the_install(tmp_path):
    init.init(tmp_path)
    mine = (ROOT / ".github/workflows/pages.yml").read_text()
    theirs = (tmp_path / ".github/workflows/pages.yml").read_text()
    assert theirs == mine.replace("run: pip install .", "run: pip install -r requirements.txt")


@pytest.mark.parametrize("direct, expected", [
    ({}, f"dossier=={init.__version__}"),  # from a package index
    ({"url": "https://github.com/o/dossier", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
     "dossier @ git+https://github.com/o/dossier@abc123"),
])
def test_ci_installs_the_same_dossier(monkeypatch, direct, expected):
    monkeypatch.setattr(init, "_direct_url", lambda: direct)
    assert init.requirement() == (expected, "")


def test_a_local_checkout_is_installed_from_its_git_remote(monkeypatch, tmp_path):
    git = lambda *a: subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True, text=True)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    git("remote", "add", "origin", "git@github.com:owner/dossier.git")
    sha = git("rev-parse", "HEAD").stdout.strip()
    monkeypatch.setattr(init, "_direct_url", lambda: {"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    line, note = init.requirement()
    assert line == f"dossier @ git+https://github.com/owner/dossier.git@{sha}" and "push that commit" in note


def test_a_local_folder_without_remote_leaves_a_line_pip_refuses(monkeypatch, tmp_path):
    monkeypatch.setattr(init, "_direct_url", lambda: {"url": tmp_path.as_uri(), "dir_info": {}})
    line, note = init.requirement()
    assert line.splitlines()[-1] == "dossier @ <replace me: see the comment above>" and note
