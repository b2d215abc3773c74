"""`dossier check`: each finding appears for a site that has the problem and not for
one that has not; exit codes, JSON for tools, and the health page of `dossier serve`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import run_dossier
from dossier.build import build_model
from dossier.pages.health import health_page
from dossier.pipeline.checks import Finding, findings
from dossier.pages.builders import build_pages
from dossier.output.render import environment, render_page

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = """---
title: The vote in Oldport
outlet: Coast News
published: 2024-04-02
---
Anna Petrova voted against the marina in Oldport on Monday, after a long meeting.

“We will keep the quay for the boats,” she said after the marina vote.
"""
NOTE = """---
title: The vote
date: 2024-04-03
people: [Anna Petrova]
places: [Oldport]
events: [vote]
sources: [articles/vote.md]
---
[[Anna Petrova]] led the fishers at the [[Marina vote]].
"""
BASE = {
    "dossier.yaml": "title: Oldport\n",
    "content/people/anna.md": "---\nname: Anna Petrova\n---\nA fisherwoman.\n",
    "content/places/oldport.md": "---\nname: Oldport\n---\nA harbour town.\n",
    "content/events/vote.md": ("---\ntitle: Marina vote\ndate: 2024-04-01\naliases: [marina vote]\n"
                               "people: [anna]\nplaces: [oldport]\n---\nThe council voted.\n"),
    "content/articles/vote.md": ARTICLE,
    "content/notes/n.md": NOTE,
}
STORY = "\n\n".join([
    "The harbour town of Oldport wakes early, long before the ferries leave for the islands.",
    "Fishing boats line the quay, and the market opens at five every morning, even in winter.",
    "Anna Petrova has fished these waters for thirty years and knows every rock in the bay.",
    "“The sea gives and the sea takes,” she says, mending a net on the harbour wall.",
    "The council plans a new marina that would take half the quay for yachts.",
    "Local traders fear the plan will drive the fishing fleet away within a decade."])


def copy_of(body: str, n: int) -> str:
    return f"---\ntitle: Harbour {n}\noutlet: Site {n}\npublished: 2024-03-0{n}\n---\n{body}\n"


# (code, severity, files changed from BASE (None removes a file), what the message says)
CASES = [
    ("wikilink-broken", "error", {"content/notes/n.md": NOTE + "\nSee [[Nobody Known]].\n"}, "[[Nobody Known]]"),
    ("front-matter-unknown", "error", {"content/notes/n.md": NOTE.replace("people: [Anna Petrova]",
                                                                           "people: [Anna Petrova, Ghost]")}, "'Ghost'"),
    ("front-matter-unknown", "error", {"content/events/vote.md": BASE["content/events/vote.md"].replace(
        "people: [anna]", "people: [anna, ghost]")}, "'ghost'"),
    ("source-missing", "error", {"content/notes/n.md": NOTE.replace("[articles/vote.md]",
                                                                     "[articles/vote.md, articles/gone.txt]")},
     "articles/gone.txt"),
    ("event-undated", "warning", {"content/events/vote.md": BASE["content/events/vote.md"].replace(
        "date: 2024-04-01\n", "")}, "no date"),
    ("event-unsourced", "warning", {"content/articles/vote.md": ARTICLE.replace(" after the marina vote", "")},
     "only notes"),
    ("entity-unmentioned", "warning", {"content/people/carl.md": "---\nname: Carl Jones\n---\nNobody.\n"},
     "no source or note mentions"),
    ("source-undated", "warning", {"content/articles/vote.md": ARTICLE.replace("published: 2024-04-02\n", "")},
     "published"),
    ("todo", "warning", {"content/notes/n.md": NOTE + "\nTODO: ask the harbour master.\n"}, "TODO: ask"),
    ("name-unknown", "info", {"content/articles/ferry.md": copy_of(
        "The ferry to Greyhaven was cancelled, and Greyhaven was cut off.", 5)}, "'Greyhaven'"),
    ("quote-altered", "info", {"content/articles/h1.md": copy_of(STORY, 1), "content/articles/h2.md": copy_of(
        STORY.replace("The sea gives and the sea takes", "The sea gives, the sea takes away"), 2)},
     "Anna Petrova's quote differs"),
    ("quote-altered", "info", {"content/articles/h1.md": copy_of(STORY, 1), "content/articles/h2.md": copy_of(
        STORY.replace("The sea gives and the sea takes", "The sea gives and the sea"), 2)},
     "where it reads “The sea gives and the sea takes” (drops “takes”)"),
]


def found(site, files) -> tuple[Finding, ...]:
    root = site({k: v for k, v in {**BASE, **files}.items() if v is not None})
    return findings(build_model(root))


def test_the_base_site_is_clean(site):
    assert found(site, {}) == ()


@pytest.mark.parametrize("code, severity, files, words", CASES, ids=[c[0] for c in CASES])
def test_each_finding(site, code, severity, files, words):
    hits = [f for f in found(site, files) if f.code == code]
    assert len(hits) >= 1, [f.format() for f in found(site, files)]
    assert hits[0].severity == severity
    assert words in hits[0].message
    assert hits[0].path.startswith("content/")


def test_an_unchanged_copy_is_not_an_altered_quote(site):
    files = {"content/articles/h1.md": copy_of(STORY, 1), "content/articles/h2.md": copy_of(STORY, 2)}
    assert [f.code for f in found(site, files)] == []


def test_errors_and_warnings_point_at_the_line(site):
    hits = {f.code: f for f in found(site, {**CASES[0][2], **CASES[7][2]})}
    assert hits["wikilink-broken"].format() == "content/notes/n.md:11: wikilink [[Nobody Known]] points to nothing"
    assert hits["source-undated"].path == "content/articles/vote.md"


def test_build_warns_about_errors_and_warnings_but_not_info(site):
    root = site({**BASE, **CASES[0][2], **CASES[9][2]})
    warnings = build_model(root).warnings
    assert any("[[Nobody Known]]" in w for w in warnings)
    assert not any("Greyhaven" in w for w in warnings)


def test_exit_codes_and_json(site):
    root = site({**BASE, **CASES[0][2], **CASES[7][2], **CASES[9][2]})
    text = run_dossier("check", str(root))
    assert text.returncode == 1
    assert "content/notes/n.md:11: error: wikilink [[Nobody Known]] points to nothing" in text.stdout
    assert "1 error, 1 warning, 1 unknown name, 0 altered quotes" in text.stdout
    report = json.loads(run_dossier("check", "-s", str(root), "--format", "json").stdout)
    assert report["schema"] == 1 and report["counts"] == {"error": 1, "warning": 1, "info": 1}
    assert {tuple(sorted(f)) for f in report["findings"]} == {
        ("code", "data", "line", "message", "path", "severity")}
    name = next(f for f in report["findings"] if f["code"] == "name-unknown")
    assert name["data"]["name"] == "Greyhaven" and name["data"]["count"] == 2
    assert not (root / "build").exists()  # check writes nothing


def test_warnings_fail_only_with_strict(site):
    root = site({**BASE, **CASES[4][2]})
    assert run_dossier("check", str(root)).returncode == 0
    assert run_dossier("check", str(root), "--strict").returncode == 1


def test_the_shipped_dossier_checks_clean_with_names_and_quotes():
    result = run_dossier("check", str(ROOT), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["error"] == 0 and report["counts"]["warning"] == 0
    names = [f["data"]["name"] for f in report["findings"] if f["code"] == "name-unknown"]
    assert {"Vladimir Lenin", "Biden"} <= set(names)
    altered = [f["data"] for f in report["findings"] if f["code"] == "quote-altered"]
    assert {"quote": "They’re nice and simple.", "canonical": "They are nice and straightforward",
            "speaker": "mr-jia"}.items() <= next(a for a in altered if a["speaker"] == "mr-jia").items()


def test_health_page_is_for_serve_only(site, shipped):
    root = site({**BASE, **CASES[0][2], **CASES[9][2]})
    d = build_model(root)
    assert "health/" not in [p.url for p in build_pages(d)]
    page = health_page(d)
    html = BeautifulSoup(render_page(environment(root, d.config.theme), page, d.config), "html.parser")
    broken = html.find(id="wikilink-broken")
    assert "[[Nobody Known]]" in broken.get_text()
    assert broken.find("a")["href"] == "../notes/n/index.html"  # the page the problem is on
    row = html.find(id="name-unknown").find("tbody").find("tr")
    assert row.th.get_text(" ", strip=True).startswith("Greyhaven") and "2" in row.td.get_text()
    out, _ = shipped  # the published build has no health page, nor a link to one
    assert not (out / "health").exists()
    assert "health/" not in (out / "sitemap.xml").read_text()
