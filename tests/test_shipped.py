"""The golden build: the shipped Heihe dossier, asserted on the model and on parsed HTML."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

A = "articles/000_b0046fc09b710f13.txt"
A1 = "articles/001_444e9492e3c91cc6.txt"
A2 = "articles/002_6cc53403c4d55935.txt"
A3 = "articles/003_63f1341303a8e582.txt"
A4 = "articles/004_a63e6bb9adf78811.txt"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
JUNK_NAMES = ["Viktor Baturin", "Ridley Scott", "Oliver Reed", "Dimash Qudaibergen", "Yuri Luzhkov",
              "Maltese dentist"]


def soup(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text(), "html.parser")


def entity(model, kind, slug):
    return next(e for e in model[kind] if e["slug"] == slug)


def test_articles_are_the_seeds_byte_for_byte():
    root = Path(__file__).resolve().parent.parent / "content" / "articles"
    if not SEEDS.is_dir():
        pytest.skip("shared/seeds not beside the repository")
    for seed in SEEDS.iterdir():
        assert (root / seed.name).read_bytes() == seed.read_bytes()


def test_three_stories_with_the_right_versions(shipped):
    _, model = shipped
    clusters = sorted(sorted(v["source"] for v in s["versions"]) for s in model["stories"])
    assert clusters == [[A, A1, A2], [A3], [A4]]
    heihe = next(s for s in model["stories"] if s["canonical"] in (A, A1, A2))
    assert heihe["canonical"] == A  # the most complete verbatim version, never the rewrite
    relations = {v["source"]: v["relation"] for v in heihe["versions"]}
    assert relations == {A: "canonical", A1: "rewrite", A2: relations[A2]}
    assert relations[A2] in ("identical", "copy")


@pytest.mark.parametrize("kind, slug, must, must_not", [
    ("people", "xi-jinping", [A, A1, A2, A3, A4], []),
    ("people", "dmitry-chernyshenko", [A], [A3, A4]),       # only in 000's photo caption
    ("people", "vladimir-putin", [A3, A4], [A, A2]),         # "(Vladimir) Lenin" is not Putin
    ("people", "lu-shaye", [A3], [A, A4]),                   # "Lu's remarks", by context
    ("people", "tang-lu", [A3], [A]),
    ("people", "jon-yuan-jiang", [A3], [A4]),                # not inside "Heilongjiang"
    ("people", "slava", [A, A1, A2], [A3]),
    ("people", "mr-jia", [A, A1, A2], [A3, A4]),
    ("people", "shi", [A3], [A, A4]),
    ("places", "blagoveshchensk", [A3, A4], []),             # 003 misspells it
    ("places", "harbin", [A4], [A3]),
    ("places", "heilongjiang", [A4], [A3]),                  # the province, not the river
    ("places", "amur-river", [A, A3], [A4]),
    ("events", "xi-moscow-visit", [A, A1, A2], [A4]),
    ("events", "belt-and-road-forum", [A4], [A]),
    ("events", "lu-shaye-remarks", [A3], [A]),
])
def test_mentions_cover_every_version_and_only_the_right_ones(shipped, kind, slug, must, must_not):
    _, model = shipped
    mentions = set(entity(model, kind, slug)["mentions"])
    assert set(must) <= mentions
    assert not set(must_not) & mentions


def test_notes_count_as_mentions_too(shipped):
    _, model = shipped
    assert any(m.startswith("notes/") for m in entity(model, "people", "xi-jinping")["mentions"])
    assert len(model["notes"]) >= 3


def test_events_have_dates_at_their_precision(shipped):
    _, model = shipped
    events = {e["slug"]: e for e in model["events"]}
    assert events["winter-olympics-pact"]["date"] == "2022-02-04"
    assert events["invasion-of-ukraine"]["date"] == "2022-02-24"
    assert events["xi-moscow-visit"]["date"] == "2023-03-20" and events["xi-moscow-visit"]["end"] == "2023-03-22"
    assert events["peace-proposal"]["date"] == "2023-02"
    assert events["belt-and-road-forum"]["end"] == "2023-10-18"
    dates = [t["date"] for t in model["timeline"]]
    assert dates == sorted(dates)


def test_junk_never_reaches_a_page(shipped):
    out, model = shipped
    for page in out.rglob("*.html"):
        text = BeautifulSoup(page.read_text(), "html.parser").get_text(" ")
        for name in JUNK_NAMES:
            assert name not in text, f"{name} on {page.relative_to(out)}"


def test_clean_recorded_what_it_removed(shipped):
    _, model = shipped
    reasons = {s["id"]: {r["reason"] for r in s["removed"]} for s in model["sources"]}
    assert {"navigation", "video-note", "teaser", "sidebar"} <= reasons[A1]
    assert {"caption", "teaser", "video-note"} <= reasons[A]
    assert {"byline", "caption", "repeated-caption"} <= reasons[A3]
    assert {"source-line", "sidebar"} <= reasons[A4]
    captions = {s["id"]: " ".join(s["captions"]) for s in model["sources"]}
    assert "Chernyshenko" in captions[A]


def test_story_page_links_people_and_shows_the_rewrite_diff(shipped):
    out, model = shipped
    heihe = next(s for s in model["stories"] if s["canonical"] == A)
    page = soup(out, f"stories/{heihe['slug']}")
    hrefs = {a["href"] for a in page.select("main a[href]")}
    assert "../../people/slava/index.html" in hrefs
    assert "../../places/heihe/index.html" in hrefs
    assert "../../events/xi-moscow-visit/index.html" in hrefs
    assert page.find("ins") and page.find("del")  # the rewrite's word-level diff
    inserted = " ".join(i.get_text() for i in page.find_all("ins"))
    deleted = " ".join(d.get_text() for d in page.find_all("del"))
    assert "trucker" in inserted and "bleak" in deleted  # 001's rewording, both ways


def test_person_page_quotes_each_mention_and_links_back(shipped):
    out, model = shipped
    page = soup(out, "people/lu-shaye")
    text = page.get_text(" ")
    assert "Lu’s remarks" in text
    story = next(s for s in model["stories"] if s["canonical"] == A3)
    hrefs = {a["href"].split("#")[0] for a in page.select("main a[href]")}
    assert f"../../stories/{story['slug']}/index.html" in hrefs


def test_timeline_is_a_semantic_ordered_list(shipped):
    out, _ = shipped
    page = soup(out, "timeline")
    times = [t["datetime"] for t in page.select("main ol time[datetime]")]
    assert "2022-02-04" in times and "2023-02" in times
    starts = [t for t in times if len(t) >= 7]
    assert starts.index("2022-02-04") < starts.index("2023-02")
    assert "February 2023" in page.get_text(" ")  # month precision shows as a month
    assert "20–22 March 2023" in page.get_text()  # a range as a range


def _targets(out: Path, page: Path, soup_: BeautifulSoup):
    for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
        for el in soup_.find_all(tag):
            value = el.get(attr)
            if not value or urlsplit(value).scheme or value.startswith(("#", "//", "mailto:")):
                continue
            path = unquote(urlsplit(value).path)
            resolved = posixpath.normpath(posixpath.join(page.parent.relative_to(out).as_posix(), path))
            yield value, out / resolved


def test_every_internal_link_resolves_and_every_page_is_reachable(shipped):
    out, _ = shipped
    seen, queue = set(), [out / "index.html"]
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        for value, target in _targets(out, page, BeautifulSoup(page.read_text(), "html.parser")):
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(out)} links to missing {value}"
            if target.suffix == ".html":
                queue.append(target)
    pages = {p for p in out.rglob("*.html") if p.name != "404.html"}
    assert pages <= seen, f"unreachable: {sorted(str(p.relative_to(out)) for p in pages - seen)}"


def test_no_external_assets(shipped):
    out, _ = shipped
    for page in out.rglob("*.html"):
        s = BeautifulSoup(page.read_text(), "html.parser")
        for el in s.find_all(["script", "link", "img"]):
            url = el.get("src") or (el.get("href") if el.name == "link" and "stylesheet" in (el.get("rel") or []) else "")
            assert not re.match(r"^(https?:)?//", url or ""), f"{page}: external asset {url}"
