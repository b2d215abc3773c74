"""search.for_index: a page cut to what Pagefind indexes of it. Where a cut could
change what Pagefind reads, the element (or the page) is kept as it is; the whole
shipped dossier's index from the cut pages is compared with Pagefind's own reading
of the pages in test_search.py."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from dossier.output.search import for_index

HEAD = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<title>A story</title>\n</head>\n'
MAIN = '<main id="main" data-pagefind-body data-pagefind-filter="kind:story">'


def page(body: str, chrome: str = '<header class="site-header"><nav><a href="/">Home</a></nav></header>') -> str:
    return f"{HEAD}<body class=\"page-story\">\n{chrome}\n{MAIN}{body}</main>\n<footer>Built by dossier</footer>\n</body>\n</html>\n"


def texts(html: str) -> list[str]:
    main = BeautifulSoup(html, "html.parser").find("main")
    return [" ".join(el.get_text(" ").split()) for el in main.find_all(recursive=False)]


def test_the_chrome_and_the_ignored_sections_are_cut_the_indexed_text_kept():
    html = page('<h1>Heihe</h1><div class="prose"><p id="p1">The bridge <span class="visually-hidden">(place)</span> '
                'opened.</p></div><section class="versions" data-pagefind-ignore><section class="version">'
                '<h3>A copy</h3><section class="rewrite"><p>changed</p></section></section></section>'
                '<p>After the versions.</p>')
    cut = for_index(html)
    soup = BeautifulSoup(cut, "html.parser")
    assert soup.find("title").get_text() == "A story" and soup.find("html")["lang"] == "en"
    assert soup.find("header") is None and soup.find("footer") is None
    assert soup.find("main").attrs == BeautifulSoup(html, "html.parser").find("main").attrs
    assert texts(cut) == ["Heihe", "The bridge (place) opened.", "After the versions."]


@pytest.mark.parametrize("inside", [
    '<span data-pagefind-filter="outlet:TASS">TASS</span>',  # "ignore" still counts a filter inside
    '<!-- </section> -->',  # a comment: a tag in it is not a tag
    '<script>let s = "<section>";</script>',
])
def test_an_ignored_element_is_kept_where_cutting_it_could_change_what_pagefind_reads(inside):
    html = page(f'<p>Kept.</p><section class="quotes" data-pagefind-ignore><p>Quoted</p>{inside}</section>'
                '<section class="sources" data-pagefind-ignore><p>Sources</p></section>')
    cut = for_index(html)
    assert 'class="quotes"' in cut and inside in cut
    assert 'class="sources"' not in cut  # the next one is cut all the same


def test_an_element_whose_end_is_not_found_is_kept():
    html = page('<p>Kept.</p><section data-pagefind-ignore><p>Never closed</p><p>After.</p>')
    assert texts(for_index(html)) == texts(html)


def test_the_words_data_pagefind_ignore_in_the_text_are_text():
    html = page('<p>Mark a section data-pagefind-ignore to leave it out.</p><p>More.</p>')
    assert texts(for_index(html)) == ["Mark a section data-pagefind-ignore to leave it out.", "More."]


def test_a_void_element_marked_ignored_is_cut_alone():
    html = page('<p>Before <img src="a.png" alt="a chart" data-pagefind-ignore> after.</p><p>Next.</p>')
    cut = for_index(html)
    assert "<img" not in cut and texts(cut) == ["Before after.", "Next."]


@pytest.mark.parametrize("html", [
    page("<p>Text</p>").replace(" data-pagefind-body", ""),  # Pagefind reads the whole <body>: nothing to cut
    page("<p>Text</p>", chrome='<nav data-pagefind-meta="section:news">News</nav>'),  # read outside <main>
    "<p>not a page</p>",
])
def test_a_page_not_of_that_shape_is_returned_whole(html):
    assert for_index(html) is html


def test_the_scratch_folder_of_a_killed_build_is_removed_by_the_next(tmp_path, monkeypatch):
    """The cut pages are written in memory (search.SCRATCH, a tmpfs): a build killed
    before it removed its folder there would hold that memory until the machine
    restarts, so the next build removes the folders of processes that are gone."""
    import os
    import subprocess
    import sys

    from dossier.output import search

    monkeypatch.setattr(search, "SCRATCH", tmp_path / "shm")
    (tmp_path / "shm").mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / "shm" / f"dossier-pagefind-{gone.stdout.strip()}-x1"
    recent = tmp_path / "shm" / f"dossier-pagefind-{gone.stdout.strip()}-x2"  # (another container's, maybe)
    running = tmp_path / "shm" / f"dossier-pagefind-{os.getppid()}-x3"
    for folder in (left, recent, running):
        (folder / "stories" / "a").mkdir(parents=True)
    for folder in (left, running):
        os.utime(folder, (0, os.stat(folder).st_mtime - 2 * search.LEFT_AFTER))
    made = search._scratch(tmp_path / "site")
    assert made.parent == tmp_path / "shm" and made.name.startswith(f"dossier-pagefind-{os.getpid()}-")
    assert not left.exists() and recent.exists() and running.exists()


def test_an_entity_link_is_handed_over_as_its_text():
    link = '<a class="ent ent-place" href="../../places/heihe/index.html">Heihe<span class="visually-hidden"> (place)</span></a>'
    other = '<a class="ent ent-place" href="x" data-pagefind-meta="place">Amur<span class="visually-hidden"> (place)</span></a>'
    cut = for_index(page(f'<p id="p1">In {link}, by the {other}.</p>'))
    assert "In Heihe, by the " + other in cut and 'href="../../places' not in cut


def test_an_id_is_handed_over_on_headings_alone():
    """Pagefind keeps every id in the body as an anchor of the page's fragment; the
    search UI makes sub-results of the headings' alone: the others are left out."""
    html = page('<h2 id="quotes-h">Quotes</h2><p id="p1">One.</p><li class="x" id="c2" data-id="k">Two.</li>'
                '<section class="version" id="v-a"><H3 id="v-h">A copy</H3><p>Three <b id="b">bold</b>.</p></section>')
    soup = BeautifulSoup(for_index(html), "html.parser")
    assert [el.name for el in soup.find_all(id=True)] == ["main", "h2", "h3"]
    assert soup.find("li").attrs == {"class": ["x"], "data-id": "k"} and texts(str(soup)) == texts(html)
