"""The whole-dossier lists in pages (pages/lists.py; Hugo's `paginate`): the sources
table SOURCES_PER_PAGE files a page and the lists ITEMS_PER_PAGE items a page, at
sources/, sources/page/2/, …; every item once across the pages, in the order of the
one page they were; counts the whole dossier's on every page; a windowed pager; the
home page's first HOME_ITEMS stories and a link to all. Built from the shipped
dossier with the sizes made small, and asserted on dossier.json and the parsed HTML."""
from __future__ import annotations

import posixpath
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dossier.build import build, build_model
from dossier.config import load_config
from dossier.memo import Memo
from dossier.pages import lists
from dossier.pages.builders import plan_pages
from dossier.pages.shards import indexed

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("article", "note", "person", "place", "event")  # the sources table's order
PER_PAGE, ITEMS, HOME = 3, 2, 2


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """The shipped dossier (39 files, 3 stories, 4 notes) built with 3 files a page of
    sources, 2 items a page of a list, 2 stories on the home page: (out, dossier.json)."""
    import json
    site = tmp_path_factory.mktemp("paged")
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "dossier.yaml", site / "dossier.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lists, "SOURCES_PER_PAGE", PER_PAGE)
        mp.setattr(lists, "ITEMS_PER_PAGE", ITEMS)
        mp.setattr(lists, "HOME_ITEMS", HOME)
        build(site, site / "out", load_config(site))
    return site / "out", json.loads((site / "out" / "dossier.json").read_text())


def soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def target(path: str, href: str) -> str:
    """The file a relative link on the page at `path` leads to."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), href.split("#")[0]))


def walk(out: Path, first: str) -> list[str]:
    """The pages of a list from its first, by rel=next, each one's rel=prev leading back."""
    pages, prev = [first], None
    while True:
        nav = soup(out, pages[-1]).select_one("nav.pager")
        back = nav.select_one('a[rel="prev"]') if nav else None
        assert (target(pages[-1], back["href"]) if back else None) == prev
        ahead = nav.select_one('a[rel="next"]') if nav else None
        if ahead is None:
            return pages
        prev = pages[-1]
        pages.append(target(pages[-1], ahead["href"]))
        assert (out / pages[-1]).is_file() and pages[-1] not in pages[:-1]


def relations(model) -> Counter:
    return Counter(v["relation"] for s in model["stories"] for v in s["versions"])


def test_every_file_once_across_the_sources_pages_in_the_table_order(paged):
    out, model = paged
    files = sorted(model["sources"], key=lambda s: KINDS.index(s["kind"]))  # stable: the model's order in a kind
    pages = walk(out, "sources/index.html")
    shown = [code.get_text() for path in pages for code in soup(out, path).select("li.source-file code.file-id")]
    assert shown == [s["id"] for s in files]
    assert len(pages) == -(-len(files) // PER_PAGE) > 7  # more pages than the pager's window
    assert pages[1:3] == ["sources/page/2/index.html", "sources/page/3/index.html"]


def test_the_pager_is_a_window_whose_links_resolve(paged):
    out, _ = paged
    pages = walk(out, "sources/index.html")
    for k, path in enumerate(pages, 1):
        nav = soup(out, path).select_one("nav.pager")
        assert nav["aria-label"] == "Pages of sources"
        assert nav.select_one('[aria-current="page"]').get_text() == str(k)
        items = nav.select(".pager__pages li")
        numbers = [int(li.get_text()) for li in items if li.get_text().isdigit()]
        assert numbers[0] == 1 and numbers[-1] == len(pages) and k in numbers and len(items) <= 2 * lists.WINDOW + 5
        # the first, the last, the window around k, and a page between that "…" would stand for
        assert all(abs(n - k) <= lists.WINDOW + 1 for n in numbers if n not in (1, len(pages)))
        for a in nav.select(".pager__pages a"):  # each number leads to that page
            assert target(path, a["href"]) == pages[int(a.get_text()) - 1]
        gaps = [li for li in items if not li.get_text().isdigit()]
        assert len(gaps) == (k - 1 - lists.WINDOW > 2) + (len(pages) - k - lists.WINDOW > 2)


def test_counts_on_a_later_page_are_the_whole_dossiers(paged, shipped):
    out, model = paged
    page = soup(out, "sources/page/2/index.html")
    counts = {div.dt.get_text(): int(div.dd.get_text()) for div in page.select("dl.counts > div")}
    assert counts == {r.capitalize(): n for r, n in relations(model).items()}
    one_page = soup(shipped[0], "sources/index.html")  # the same table unpaged
    assert str(one_page.select_one("dl.counts")) == str(page.select_one("dl.counts"))
    kinds = Counter(s["kind"] for s in model["sources"])
    for h2 in page.select("section.source-group h2"):  # "(first–last of total)" of its kind
        first, last, total = map(int, re.fullmatch(r"\((\d+)–(\d+) of (\d+)\)", h2.span.get_text()).groups())
        kind = h2["id"].removeprefix("sg-")
        assert total == kinds[kind] and last - first + 1 == len(h2.find_parent("section").select("li.source-file"))
    index = page.select("nav.source-kinds li")
    assert [int(li.select_one(".meta").get_text().strip("()")) for li in index] == [kinds[k] for k in KINDS if kinds[k]]
    for li, kind in zip(index, [k for k in KINDS if kinds[k]]):  # each kind's link: the page it starts on
        path = target("sources/page/2/index.html", li.a["href"])
        assert soup(out, path).select_one(f"#sg-{kind}") is not None
    intro = page.select(".doc-head .section-note")[0].get_text()
    assert f"({len(model['sources'])})" in intro


def test_lists_in_pages_each_item_once_in_order(paged):
    out, model = paged
    pages = walk(out, "stories/index.html")
    shown = [target(p, a["href"]) for p in pages for a in soup(out, p).select("ul.story-list .story-list__title a")]
    assert shown == [f"stories/{s['slug']}/index.html" for s in model["stories"]]
    assert len(pages) == -(-len(model["stories"]) // ITEMS) > 1
    assert soup(out, pages[1]).select_one("nav.pager")["aria-label"] == "Pages of stories"
    notes = walk(out, "notes/index.html")
    listed = [target(p, a["href"]) for p in notes for a in soup(out, p).select("ul.story-list .story-list__title a")]
    newest = sorted(model["notes"], key=lambda n: (n["date"] or "", n["title"]), reverse=True)
    assert listed == [f"notes/{n['slug']}/index.html" for n in newest]


def test_the_print_edition_still_holds_every_story_and_note(paged):
    out, model = paged
    edition = soup(out, "print/index.html")
    for s in model["stories"]:
        assert edition.select_one(f"#stories-{s['slug']}") is not None
    for n in model["notes"]:
        assert edition.select_one(f"#notes-{n['slug']}") is not None


def test_home_lists_the_first_stories_and_links_to_all(paged):
    out, model = paged
    section = soup(out, "index.html").select_one('section[aria-labelledby="stories-h"]')
    listed = [target("index.html", a["href"]) for a in section.select("ul.story-list a")]
    assert listed == [f"stories/{s['slug']}/index.html" for s in model["stories"][:HOME]]
    more = section.select_one("p.more a")
    assert target("index.html", more["href"]) == "stories/index.html"
    assert str(len(model["stories"])) in more.get_text()


def test_the_extra_pages_are_in_the_sitemap_and_not_in_search(paged):
    out, _ = paged
    sitemap = (out / "sitemap.xml").read_text()
    for url in ("sources/page/2/", "sources/page/13/", "stories/page/2/", "notes/page/2/"):
        assert f"{url}</loc>" in sitemap and not indexed(url)
        assert soup(out, f"{url}index.html").select_one("main[data-pagefind-body]") is None


def test_making_one_page_builds_its_rows_only(monkeypatch, tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.setattr(lists, "SOURCES_PER_PAGE", PER_PAGE)
    d = build_model(tmp_path)
    groups, ix = plan_pages(d, Memo())
    sources = [g for g in groups if g.urls[0].startswith("sources/")]
    assert [g.urls for g in sources] == [(lists.page_url("sources/", n),) for n in range(1, len(sources) + 1)]
    assert len({g.key for g in sources}) == len(sources) and all(g.lazy for g in sources)
    (page,) = sources[1].pages(ix)
    made = [key[1] for key in ix.memo.table("piece") if key[0] == "source"]
    assert made == [row["id"] for row in page.context["rows"]] and len(made) == PER_PAGE


def test_below_one_page_nothing_changes(shipped):
    out, model = shipped
    assert not any("page" in p.relative_to(out).parts for p in out.rglob("*.html"))
    assert not any(soup(out, str(p.relative_to(out))).select_one("nav.pager") for p in out.rglob("index.html"))
    home = soup(out, "index.html").select_one('section[aria-labelledby="stories-h"]')
    assert len(home.select("ul.story-list li")) == len(model["stories"]) and home.select_one("p.more") is None
    table = soup(out, "sources/index.html")
    assert len(table.select("li.source-file")) == len(model["sources"]) and table.select_one("nav.source-kinds") is None


@pytest.mark.parametrize("n, pages, shown", [
    (1, 1, [1]),
    (2, 3, [1, 2, 3]),
    (3, 5, [1, 2, 3, 4, 5]),  # a gap of one page shows it
    (1, 13, [1, 2, None, 13]),
    (4, 13, [1, 2, 3, 4, 5, None, 13]),
    (7, 13, [1, None, 6, 7, 8, None, 13]),
    (13, 13, [1, None, 12, 13]),
    (250, 500, [1, None, 249, 250, 251, None, 500]),
    (5, 9, [1, None, 4, 5, 6, None, 9]),
])
def test_window(n, pages, shown):
    assert lists.window(n, pages, around=1) == shown
    assert lists.window(7, 13, around=2) == [1, None, 5, 6, 7, 8, 9, None, 13]
