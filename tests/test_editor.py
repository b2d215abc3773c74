"""What the editor wrote reaches the reader: a sidecar's `notes:` on the story and
sources pages, in print and in dossier.json."""
from __future__ import annotations

from pathlib import Path

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
A, A1 = "articles/000_b0046fc09b710f13.txt", "articles/001_444e9492e3c91cc6.txt"
HEIHE = "stories/no-one-else-wants-to-be-friends-with-us-view-from-the-china"


def soup(out, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text(), "html.parser")


def text(el) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def sidecar_notes(sid: str) -> str:
    return " ".join(yaml.safe_load((ROOT / "content" / sid).with_suffix(".yaml").read_text())["notes"].split())


def test_every_shipped_sidecar_note_is_in_dossier_json(shipped):
    _, model = shipped
    notes = {s["id"]: s["notes"] for s in model["sources"] if s["kind"] == "article"}
    assert len(notes) == 5
    for sid, note in notes.items():
        assert note == sidecar_notes(sid)
    assert all(s["notes"] is None for s in model["sources"] if s["kind"] != "article")


def test_the_story_page_shows_the_note_of_each_file(shipped):
    out, _ = shipped
    page = soup(out, HEIHE)
    head = page.select_one(".doc-head .editor-note")
    assert text(head) == "Editor’s note on this file: " + sidecar_notes(A)
    rewrite = page.select_one("#v-articles-001-444e9492e3c91cc6-txt .editor-note")
    assert "content-farm paraphrase" in text(rewrite) and text(rewrite).endswith(sidecar_notes(A1))


def test_the_sources_page_and_the_print_edition_show_them(shipped):
    out, _ = shipped
    row = soup(out, "sources").select_one("#articles-001-444e9492e3c91cc6-txt")
    note = next(div for div in row.select(".facts > div") if text(div.dt) == "Editor’s note")
    assert text(note.dd) == sidecar_notes(A1)
    edition = soup(out, "print")
    part = edition.select_one(f"#{HEIHE.replace('/', '-')}")
    assert sidecar_notes(A) in text(part) and sidecar_notes(A1) in text(part)


def test_the_lead_note_comes_first_on_the_home_page(shipped):
    out, model = shipped
    main = soup(out, "").select_one("main")
    sections = main.select("article.memo > section")
    assert [s.get("class") for s in sections[:2]] == [["bottom-line"], ["lead-note"]]
    lead = sections[1]
    assert lead.h2.a["href"] == "notes/overview/index.html"
    assert [h.get_text() for h in lead.select(".prose h3")] == ["Key judgements"]  # one level under its title
    assert lead.select(".prose ol > li")[0].get_text().startswith("The relationship is a lifeline for Russia")
    listed = [a["href"] for a in main.select(".note-list a")]
    assert "notes/overview/index.html" not in listed and len(listed) == len(model["notes"]) - 1


def test_the_lead_note_comes_first_in_print(shipped):
    out, _ = shipped
    edition = soup(out, "print")
    briefing = edition.select_one("#sec-briefing")
    assert [p["id"] for p in briefing.select(":scope > .print-part")] == ["home", "notes-overview"]
    assert not edition.select_one("#sec-notes #notes-overview")
    assert edition.select_one("#home .lead-note") is None  # printed once, as its own part
    # a link to the lead note anywhere in the edition goes to that part
    assert edition.select('a[href="#notes-overview"]')


def test_a_note_marked_lead_on_a_tiny_site(site, tmp_path):
    from conftest import run_dossier
    root = site({"dossier.yaml": "title: T\n",
                 "content/notes/a.md": "---\ntitle: Background\ndate: 2024-01-02\n---\nOlder notes on the port.\n",
                 "content/notes/b.md": "---\ntitle: Judgements\ndate: 2024-01-01\nlead: true\n---\n"
                                       "## Key judgements\n\nThe port will close.\n"})
    result = run_dossier("build", str(root), "-o", str(tmp_path / "out"))
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    home = soup(tmp_path / "out", "")
    assert home.select_one(".lead-note h2").get_text() == "Judgements"
    assert [a.get_text() for a in home.select(".note-list a")] == ["Background"]


def contexts(out, url: str) -> list[str]:
    """The context sentences as a reader sees them (no screen-reader "(person)")."""
    page = soup(out, url)
    for hidden in page.select(".visually-hidden"):
        hidden.decompose()
    return [" ".join(s.get_text().split()) for s in page.select(".mentions li.context .context__text")]


def test_context_sentences_are_text_without_headings_or_run_in_labels(shipped):
    out, _ = shipped
    page = soup(out, "places/heihe")
    assert page.select(".mentions li.context") and not page.select(".mentions q")  # the text's words, not quotes
    said = contexts(out, "places/heihe")
    assert "In Heihe" not in said  # public-opinion.md's "## In Heihe" heading
    assert not [s for s in said if s.startswith(("Summary.", "Bottom line.", "Assessment.", "Caveat."))]
    assert "Heihe's economy has shifted from people to commodities." in said  # border-economy's, label cut off
    # a run-in label that is a sentence of its own ("**The politics are warm…**") is cut too
    putin = contexts(out, "people/vladimir-putin")
    assert any(s.startswith("Vladimir Putin and Xi Jinping declared their") for s in putin), putin


def test_a_name_only_in_a_heading_shows_the_heading(site, tmp_path):
    from conftest import run_dossier
    root = site({"content/people/anna.md": "---\nname: Anna Petrova\n---\nA fisherwoman.\n",
                 "content/notes/a.md": "---\ntitle: A\n---\n## Anna Petrova\n\n**Summary.** The harbour is busy.\n",
                 "content/notes/b.md": "---\ntitle: B\n---\n## About Anna Petrova\n\n"
                                       "**Summary.** Anna Petrova sells fish at dawn.\n"})
    assert run_dossier("build", str(root), "-o", str(tmp_path / "out")).returncode == 0
    assert sorted(contexts(tmp_path / "out", "people/anna")) == ["Anna Petrova", "Anna Petrova sells fish at dawn."]


def test_china_and_russia_have_pages_from_the_sources(shipped):
    out, model = shipped
    places = {p["slug"]: p for p in model["places"]}
    for slug in ("china", "russia"):
        assert len(places[slug]["stories"]) == 3  # named in all three reports
        profile = soup(out, f"places/{slug}").select_one(".profile .prose")
        assert {a.get_text() for a in profile.select("a.cite")} <= {"000", "003", "004"}


def test_a_citation_by_file_number_links_to_its_story(shipped):
    out, model = shipped
    stories = {v["source"].split("/")[1][:3]: s["slug"] for s in model["stories"] for v in s["versions"]}
    for url in ("places/china", "people/xi-jinping", "notes/overview", "notes/source-assessment"):
        cites = soup(out, url).select("main a.cite")
        assert cites, url
        for a in cites:
            target = a["href"].split("/index.html")[0].rsplit("/", 1)[-1]
            assert target.split("#")[0] == stories[a.get_text()] or stories[a.get_text()] in a["href"], (url, a)


def test_only_a_number_naming_one_file_is_a_citation(site, tmp_path):
    from conftest import run_dossier
    root = site({"content/articles/007_a.txt": "A report from the port.\n\nThe ferry sails at dawn every day.\n",
                 "content/articles/007_a.yaml": "title: Port\noutlet: Coast News\n",
                 "content/notes/n.md": "---\ntitle: N\n---\nThe ferry sails (007). It carries (1,000) cars "
                                       "(2023) over 120 km (120), as 007 says.\n"})
    assert run_dossier("build", str(root), "-o", str(tmp_path / "out")).returncode == 0
    cites = soup(tmp_path / "out", "notes/n").select("a.cite")
    assert [a.get_text() for a in cites] == ["007"] and cites[0]["href"] == "../../stories/port/index.html"
