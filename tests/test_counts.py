"""One count everywhere: independent reports (stories; a story's copies are files of
one report) and editor's notes apart, on the shipped dossier's pages, in dossier.json,
the build summary and the print cover; rankings by reports; copies grouped under
their report wherever sources are listed."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from conftest import ROOT, run_dossier

A, A1, A2 = "articles/000_b0046fc09b710f13.txt", "articles/001_444e9492e3c91cc6.txt", "articles/002_6cc53403c4d55935.txt"


def soup(out, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text(), "html.parser")


def text(el) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def entity(model, kind, slug):
    return next(e for e in model[kind] if e["slug"] == slug)


def test_xi_is_named_in_three_reports_of_five_files_and_three_notes(shipped):
    out, model = shipped
    xi = entity(model, "people", "xi-jinping")
    assert len(xi["stories"]) == 3 and len(xi["mentions"]) == 8  # 5 article files + 3 notes
    assert sum(m.startswith("notes/") for m in xi["mentions"]) == 3
    head = soup(out, "people/xi-jinping").select_one(".doc-head .reach")
    assert text(head).startswith("Named in 3 reports (5 files) · 3 notes")


def test_every_entity_page_counts_what_dossier_json_lists(shipped):
    out, model = shipped
    for kind in ("people", "places", "events"):
        for e in model[kind]:
            notes = sum(m.startswith("notes/") for m in e["mentions"])
            files = sum(m.startswith("articles/") for m in e["mentions"])
            said = text(soup(out, f"{kind}/{e['slug']}").select_one(".doc-head .reach"))
            reports = re.search(r"(\d+) reports?", said)
            assert (int(reports.group(1)) if reports else 0) == len(e["stories"]), (e["slug"], said)
            shown_notes = re.search(r"(\d+) notes?", said)
            assert (int(shown_notes.group(1)) if shown_notes else 0) == notes, (e["slug"], said)
            assert (f"({files} files)" in said) == (files > len(e["stories"])), (e["slug"], said)


def test_home_ranks_people_by_independent_reports(shipped):
    out, model = shipped
    home = soup(out, "")
    people = [text(c.select_one(".card__name a")).removesuffix(" (person)")
              for c in home.select("#key-h ~ .cards")[0].select(".card")]
    reports = {e["name"]: len(e["stories"]) for e in model["people"]}
    assert people[0] == "Xi Jinping" and people.index("Vladimir Putin") < people.index("Slava")
    assert people.index("Vladimir Putin") < people.index("Mr Jia")  # one story in three files is one report
    assert [reports[p] for p in people] == sorted((reports[p] for p in people), reverse=True)
    counts = {text(d.dt): text(d.dd) for d in home.select("dl.counts > div")}
    assert counts == {"Independent reports": "3", "Article files": "5", "Copies folded in": "2",
                      "Editor’s notes": "4"}


def test_timeline_lists_a_storys_copies_under_it(shipped):
    out, _ = shipped
    entry = next(li for li in soup(out, "timeline").select(".timeline-list > li")
                 if "visit to Moscow" in text(li.select_one(".what")))
    line = entry.select_one(".sources-line")
    assert text(line.select_one(".sources-line__label")) == "Sources (2 reports (4 files) · 2 notes):"
    items = line.select(".inline-list > li")
    sky = next(li for li in items if text(li).startswith("Sky News"))
    copies = sky.select_one(".copies")
    assert text(copies).startswith("(and 2 copies of it:")
    assert {a["href"].split("#")[1] for a in copies.select("a")} == {"v-articles-001-444e9492e3c91cc6-txt",
                                                                       "v-articles-002-6cc53403c4d55935-txt"}
    assert len(items) == 4  # Sky News (with its copies), NBC News, two notes


def test_an_event_pages_sources_group_the_copies_of_a_report(shipped):
    out, _ = shipped
    table = soup(out, "events/xi-moscow-visit").select_one(".sources-table")
    groups = [[tr.th.select_one("code").get_text() for tr in tb.select("tr")] for tb in table.select("tbody")]
    sky = next(g for g in groups if f"content/{A}".removeprefix("content/") in g)
    assert sky == [A, A1, A2]
    rows = table.select("tbody tr")
    assert all(("copy-row" in (tr.get("class") or [])) == (code in (A1, A2))
               for tr, code in zip(rows, [tr.th.select_one("code").get_text() for tr in rows]))


def test_the_build_summary_names_articles_stories_copies_notes_and_entity_files(tmp_path):
    result = run_dossier("build", str(ROOT), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"5 articles: 3 stories \(2 copies folded in\); 4 notes; 30 people, places and events "
                        r"files; \d+ files written to .* in [\d.]+s", result.stdout.strip()), result.stdout


def test_the_print_cover_counts_reports_and_notes(shipped):
    out, _ = shipped
    facts = {text(d.dt): text(d.dd) for d in soup(out, "print").select(".print-cover__facts > div")}
    assert facts["Reports"] == "3 independent reports, from 5 article files (2 copies folded in)"
    assert facts["Notes"] == "4 editor’s notes"
