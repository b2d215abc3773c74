"""`print_edition`: /print/ is published for a dossier a browser can show as one page
(auto: up to PRINT_AUTO_STORIES stories), on request, or with `pdf: true`; when it is
not, no page links to it and the sitemap does not list it."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import dossier.config
from conftest import run_dossier

WORDS = ("harbour", "ministry", "railway", "tariff", "election", "drought", "pipeline", "festival", "court",
         "vaccine", "bridge", "satellite", "strike", "budget", "border", "reactor", "museum", "treaty")
# three unrelated reports: no two share a run of words, so dedup keeps three stories
ARTICLES = {f"content/articles/a{i}.txt": f"Report {i} on the {WORDS[i * 6]}\n\n" + " ".join(
    f"The {WORDS[i * 6 + k % 6]} {word} was {k * 7 + i} {WORDS[i * 6 + (k + 1) % 6]}s {WORDS[(i * 6 + k + 2) % 18]}." for k, word in
    enumerate(("opened", "closed", "moved", "sold", "halted", "seized", "rebuilt", "praised")))
    for i in range(3)}


def _build(site, setting: str, monkeypatch, most: int) -> Path:
    monkeypatch.setattr(dossier.config, "PRINT_AUTO_STORIES", most)
    root = site({"dossier.yaml": f"title: Print test\n{setting}", **ARTICLES})
    from dossier.build import build
    from dossier.config import load_config
    build(root, root / "build", load_config(root))
    return root / "build"


def _links_to_print(out: Path) -> list[str]:
    found = []
    for page in out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        found += [str(page.relative_to(out)) for a in soup.find_all("a", href=True)
                  if a["href"].rstrip("/").endswith("print") or "print/index.html" in a["href"]]
    return found


def test_auto_publishes_the_print_edition_of_a_small_dossier(site, monkeypatch):
    out = _build(site, "", monkeypatch, most=3)
    assert (out / "print" / "index.html").is_file()
    assert _links_to_print(out)  # the footer of every page
    assert "print/" in (out / "sitemap.xml").read_text()


@pytest.mark.parametrize("setting", ["", "print_edition: auto\n", "print_edition: false\n"])
def test_past_the_limit_or_off_no_print_edition_and_no_link_to_it(site, monkeypatch, setting):
    out = _build(site, setting, monkeypatch, most=2 if "false" not in setting else 500)
    assert not (out / "print").exists()
    assert _links_to_print(out) == []
    assert "print/" not in (out / "sitemap.xml").read_text()
    assert (out / "stories").is_dir()


@pytest.mark.parametrize("setting", ["print_edition: true\n"])
def test_asked_for_it_is_published_at_any_size(site, monkeypatch, setting):
    out = _build(site, setting, monkeypatch, most=0)
    assert (out / "print" / "index.html").is_file()


def test_a_value_other_than_true_false_or_auto_is_refused_with_its_line(site):
    root = site({"dossier.yaml": "title: T\nprint_edition: 3\n"})
    result = run_dossier("build", str(root))
    assert result.returncode != 0
    assert "dossier.yaml:2:" in result.stderr and "print_edition" in result.stderr
    assert "Traceback" not in result.stderr
