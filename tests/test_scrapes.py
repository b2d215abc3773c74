"""Real scrapes end to end (issue 12): what clean keeps is in dossier.json, saved web
pages are sources, and the furniture of one site never makes two articles one story."""
from __future__ import annotations

import gzip
import json

from bs4 import BeautifulSoup

from conftest import run_dossier


def build(site, files: dict) -> dict:
    root = site({"dossier.yaml": "title: Scrapes\n", **files})
    result = run_dossier("build", str(root), "-q")
    assert result.returncode == 0, result.stderr
    return json.loads((root / "build" / "dossier.json").read_text())


def story_byline(site) -> tuple[str, str, str]:
    """(outlet, author, date) as the one story page of the last build prints them."""
    page = next((site({}) / "build").glob("stories/*/index.html"))
    line = BeautifulSoup(page.read_text(), "html.parser").select_one("main p.byline")
    return (line.select_one(".outlet").get_text(), line.select_one(".author").get_text(),
            line.select_one("time")["datetime"])


def test_dossier_json_carries_the_cleaned_paragraphs_in_order(site):
    model = build(site, {"content/articles/a.txt": """
        Menu
        Home
        A harbour reopens after the storm

        The harbour of Vardø reopened on Monday after a week of repairs to the breakwater.

        Fishing boats queued at the quay before dawn, their holds empty.
        Advertisement
        """})
    src = next(s for s in model["sources"] if s["id"] == "articles/a.txt")
    assert src["paragraphs"] == [
        "The harbour of Vardø reopened on Monday after a week of repairs to the breakwater.",
        "Fishing boats queued at the quay before dawn, their holds empty."]
    assert {r["text"] for r in src["removed"]} >= {"Menu", "Home", "Advertisement"}


PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Ferry line to Vardø restored | North Coast Times</title>
<meta property="og:site_name" content="North Coast Times">
<meta name="author" content="Ingrid Dahl">
<meta property="article:published_time" content="2024-02-11T08:00:00+01:00">
<link rel="canonical" href="https://northcoast.example/2024/02/ferry-vardo">
<script>window.tracker = "SCRIPT-PAYLOAD-1"; alert("SCRIPT-PAYLOAD-1")</script>
<style>body { background: url("javascript:alert('STYLE-PAYLOAD')") }</style>
</head><body>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sponsored">Sponsored Content</a></li></ul></nav>
<div class="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies?</p>
<button onclick="alert('BUTTON-PAYLOAD')">Accept</button></div>
<article>
<h1>Ferry line to Vardø restored</h1>
<p class="byline">By Ingrid Dahl</p>
<p>The ferry line between Vardø and Kirkenes resumed service on Sunday after a winter of
storm damage to the harbour, the operator said in a statement.</p>
<figure><img src="x.jpg" onerror="alert('ONERROR-PAYLOAD')" alt="the quay">
<figcaption>Passengers board the first ferry at Vardø on Sunday.</figcaption></figure>
<p>Residents had relied on a single road to the south for supplies since November, and
several shops ran short of fresh food during the coldest weeks.</p>
<p>“We finally feel connected again,” said Ola Nilsen, who runs a bakery near the quay.
<a href="javascript:alert('LINK-PAYLOAD')">More</a></p>
<iframe src="https://ads.example/IFRAME-PAYLOAD"></iframe>
<p>The operator plans two sailings a day until the summer timetable starts in June,
when a third sailing will be added for tourists heading to the bird cliffs.</p>
<p onmouseover="alert('HANDLER-PAYLOAD')">Repairs to the breakwater cost the municipality
about 40 million kroner, according to figures released by the harbour board on Friday.</p>
</article>
<footer><p>© 2024 North Coast Times. All rights reserved.</p></footer>
</body></html>
"""
PAYLOADS = ("PAYLOAD", "alert(", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "<script>window")


def test_a_saved_web_page_is_an_article_with_its_title_date_and_body(site):
    model = build(site, {"content/articles/ferry.html": PAGE})
    src = next(s for s in model["sources"] if s["id"] == "articles/ferry.html")
    story = next(s for s in model["stories"] if s["canonical"] == "articles/ferry.html")
    assert story["title"] == src["title"] == "Ferry line to Vardø restored"
    assert src["paragraphs"][0].startswith("The ferry line between Vardø and Kirkenes resumed service")
    assert src["paragraphs"][-1].startswith("Repairs to the breakwater cost the municipality")
    assert len(src["paragraphs"]) == 5
    assert src["captions"] == ["Passengers board the first ferry at Vardø on Sunday."]
    removed = {r["text"]: r["reason"] for r in src["removed"]}
    assert removed["Sponsored Content"] == "navigation"
    assert removed["We use cookies to improve your experience. Accept all cookies?"] == "consent"
    assert removed["© 2024 North Coast Times. All rights reserved."] == "footer"
    lines = PAGE.split("\n")
    for r in src["removed"]:  # each at the file line where its text starts
        assert r["text"].split()[0] in lines[r["line"] - 1], r
    assert story_byline(site) == ("North Coast Times", "Ingrid Dahl", "2024-02-11")


def test_the_sidecar_overrides_what_the_page_says(site):
    model = build(site, {"content/articles/ferry.html": PAGE, "content/articles/ferry.yaml": """
        title: Vardø ferry back after storm
        published: 2024-02-12
        outlet: NCT
        """})
    src = next(s for s in model["sources"] if s["id"] == "articles/ferry.html")
    assert src["title"] == "Vardø ferry back after storm"
    assert story_byline(site) == ("NCT", "Ingrid Dahl", "2024-02-12")


def test_no_markup_or_script_of_a_saved_page_reaches_any_output(site):
    root = site({"dossier.yaml": "title: Scrapes\n", "content/articles/ferry.html": PAGE})
    result = run_dossier("build", str(root), "-q")
    assert result.returncode == 0, result.stderr
    out = root / "build"
    checked = 0
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix in (".js", ".css", ".wasm", ".png", ".ico", ".svg", ".woff2"):
            continue
        data = path.read_bytes()
        if path.suffix.startswith(".pf_"):  # Pagefind's records: gzip of a signature and JSON
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        for payload in PAYLOADS:
            assert payload not in text, f"{payload} in {path.relative_to(out)}"
        checked += 1
    assert checked > 10
    story = next(out.glob("stories/*/index.html"))
    assert "bakery near the quay" in BeautifulSoup(story.read_text(), "html.parser").get_text()
    assert not (out / "articles").exists() and not list(out.rglob("ferry.html"))


FRAME_TOP = """The Harbour Herald
The Harbour Herald is an independent newspaper for the coast, founded in 1881 and owned by its readers.
"""
FRAME_END = """Sign up to the Morning Tide, our daily newsletter with the stories that matter on the coast.
The Harbour Herald is published by Coastal Media Ltd, 12 Quay Street, Vardø, and is a member of the press council.
"""
ONE = """Ferry line to Vardø restored

The ferry line between Vardø and Kirkenes resumed service on Sunday after a winter of storm damage to the harbour.

Residents had relied on a single road to the south for supplies since November, the municipality said.

The operator plans two sailings a day until the summer timetable starts in June.
"""
TWO = """Fish prices climb after a poor winter season

Cod prices at the Båtsfjord auction rose by a fifth in March as boats stayed in port through the storms.

Buyers from Tromsø said they had never paid so much for a kilo of skrei at this time of year.

The fishermen’s union expects prices to ease once the spring season opens in April.
"""


def test_two_articles_of_one_site_with_the_same_frame_stay_two_stories(site):
    model = build(site, {"content/articles/one.txt": FRAME_TOP + "\n" + ONE + "\n" + FRAME_END,
                         "content/articles/two.txt": FRAME_TOP + "\n" + TWO + "\n" + FRAME_END})
    assert sorted(len(s["versions"]) for s in model["stories"]) == [1, 1]
    by_id = {s["id"]: s for s in model["sources"]}
    for sid, text in (("articles/one.txt", ONE), ("articles/two.txt", TWO)):
        kept = " ".join(by_id[sid]["paragraphs"])
        assert "Harbour Herald" not in kept and "Morning Tide" not in kept
        assert text.split("\n")[2] in kept
        templates = [r for r in by_id[sid]["removed"] if r["reason"] == "template"]
        assert {r["text"] for r in templates} >= {FRAME_TOP.split("\n")[1], FRAME_END.split("\n")[1]}
        lines = (FRAME_TOP + "\n" + text + "\n" + FRAME_END).split("\n")
        assert all(lines[r["line"] - 1].strip() == r["text"] for r in templates)


def test_a_saved_page_is_read_in_the_charset_it_declares(site):
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            "<title>港の再開</title></head><body><article><h1>港の再開</h1>"
            "<p>嵐で壊れたバルドー港は日曜日に再開し、最初のフェリーが午前七時に到着した。住民は長い冬の間、"
            "南へ続く一本の道路だけに頼って生活してきたと市は説明している。</p>"
            "<p>パン屋を営む住民は、ようやく小麦粉を近くで仕入れられるようになったと喜んでいる。</p>"
            "</article></body></html>")
    model = build(site, {"content/articles/minato.html": page.encode("shift_jis")})
    src = next(s for s in model["sources"] if s["id"] == "articles/minato.html")
    assert src["title"] == "港の再開"
    assert src["paragraphs"][0].startswith("嵐で壊れたバルドー港は日曜日に再開し")
    assert model["warnings"] == [  # no "not UTF-8" warning; the date goes in the sidecar
        "content/articles/minato.yaml: article has no date: add published: 2023-04-01 "
        "in the .yaml beside it (a day, a month or a year)"]


def test_the_titles_in_an_articles_references_are_not_quotations(site):
    # the notes that close an article are kept (clean.md); the titles they quote are works
    # cited, not words someone said
    story = ("The harbour of Vardø reopened on Monday after a week of repairs to the breakwater, "
             "the port authority said in a statement.\n\n"
             "“We finally feel connected again,” said Ola Nilsen, who runs a bakery near the quay "
             "and had driven four hours each week to fetch flour.\n\n"
             "Fishing boats queued at the quay before dawn, their holds empty after a week ashore.\n\n")
    notes = ("References\n"
             "^ Nilsen, Ola (12 March 2024). “Ferry back at last in Vardø”. Finnmarken. Retrieved 13 March 2024.\n"
             "^ “Storm damage to Vardø harbour”. NRK. 2 December 2023. Retrieved 13 March 2024.\n")
    model = build(site, {"content/articles/a.txt": "A harbour reopens after the storm\n\n" + story + notes})
    src = next(s for s in model["sources"] if s["id"] == "articles/a.txt")
    assert src["paragraphs"][-2:] == notes.splitlines()[1:]
    assert [q["text"] for q in model["quotes"]] == ["We finally feel connected again"]
