"""PDF print: the /print/ edition in the site, `dossier pdf` of the whole shipped
dossier and of one page, opened with pypdf and poppler's pdftotext/pdffonts.

WeasyPrint is slow-ish, so each PDF is made once per session (fixtures)."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, run_dossier

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts) not installed")


def pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace folded (a title may wrap across lines)."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")[:-1]]


def outline(reader) -> list:
    """[(title, page number, [children…])] from pypdf's nested outline list."""
    out, items = [], list(reader.outline)
    for i, item in enumerate(items):
        if isinstance(item, list):
            continue
        kids = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], list) else []
        out.append((item.title, reader.get_destination_page_number(item) + 1,
                    [(k.title, reader.get_destination_page_number(k) + 1) for k in kids if not isinstance(k, list)]))
    return out


@pytest.fixture(scope="session")
def whole(tmp_path_factory, shipped):
    """The whole shipped dossier as a PDF: (path, reader, page texts, dossier.json)."""
    path = tmp_path_factory.mktemp("pdf") / "dossier.pdf"
    result = run_dossier("pdf", "-s", str(ROOT), "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert re.match(rf"{re.escape(str(path))}: \d+ pages in [\d.]+s$", result.stdout.strip())
    return path, pypdf.PdfReader(path), pdf_text(path) if POPPLER else [], shipped[1]


@pytest.fixture(scope="session")
def person_pdf(tmp_path_factory):
    """`dossier pdf people/xi-jinping` run in a folder: the default name is the slug."""
    cwd = tmp_path_factory.mktemp("one")
    result = run_dossier("pdf", "people/xi-jinping", "--site", str(ROOT), cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "xi-jinping.pdf"


def test_page_count_is_sane_and_every_page_is_numbered(whole):
    path, reader, texts, _ = whole
    n = len(reader.pages)
    assert 20 <= n <= 150, n
    if texts:
        assert f"Page 3 of {n}" in texts[2]
        assert f"Page {n} of {n}" in texts[-1]
        assert "Page 1 of" not in texts[0]  # the cover has no header or footer


@needs_poppler
def test_cover_and_contents(whole):
    _, reader, texts, model = whole
    cover = texts[0]
    assert model["title"] in cover
    articles = sum(1 for s in model["sources"] if s["kind"] == "article")
    assert f"Reports {len(model['stories'])} independent reports, from {articles} article files" in cover
    assert f"Notes {len(model['notes'])} editor’s notes" in cover
    assert re.search(r"Compiled \d{4}-\d\d-\d\d", cover)
    assert "Contents" in texts[1] and "Briefing" in texts[1]


@needs_poppler
def test_every_story_title_and_person_name_is_printed(whole):
    _, _, texts, model = whole
    body = " ".join(texts)
    quotes = str.maketrans("‘’“”", "''\"\"")
    body = body.translate(quotes)
    missing = [s["title"] for s in model["stories"] if s["title"].translate(quotes) not in body]
    missing += [p["name"] for p in model["people"] if p["name"] not in body]
    assert not missing


def test_outline_mirrors_the_contents(whole):
    path, reader, texts, model = whole
    tree = outline(reader)
    titles = [t for t, _, _ in tree]
    assert titles == ["Contents", "Briefing", "Timeline", "Stories", "People", "Places", "Events", "Notes"]
    kids = {t: [k for k, _ in children] for t, _, children in tree}
    assert len(kids["Stories"]) == len(model["stories"])
    assert sorted(kids["People"]) == sorted(p["name"] for p in model["people"])
    assert len(kids["Places"]) == len(model["places"]) and len(kids["Events"]) == len(model["events"])
    pages = [page for _, page, _ in tree]
    assert pages == sorted(pages) and pages[0] == 2  # in reading order, after the cover
    if texts:  # the contents page prints, after its leader dots, the page each bookmark goes to
        contents = " ".join(region(path, page, False, left, 298) for page in range(2, pages[1])
                            for left in (0, 298))  # its two columns, one after the other
        for name, page in [(t, p) for t, p, _ in tree[1:]] + [kid for _, _, c in tree for kid in c]:
            assert re.search(re.escape(name) + r"[ .]*\b" + str(page) + r"\b", contents), (name, page)


def test_internal_links_land_inside_the_document(whole):
    _, reader, _, _ = whole
    names = reader.named_destinations
    internal = external = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/URI":
                external += 1
                assert str(action["/URI"]).startswith(("https://", "http://")), action
                continue
            dest = annot.get("/Dest") if action is None else action.get("/D")
            internal += 1
            target = names[str(dest)] if isinstance(dest, str) else dest
            assert target is not None, dest
            assert 0 <= reader.get_destination_page_number(target) < len(reader.pages)
    assert internal > 300  # every entity mention, contents line, "page N" reference
    assert external >= 1  # the published site's address on the cover, kept as a link


@needs_poppler
def test_fonts_are_embedded(whole):
    path, *_ = whole
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), out  # the "emb" column


@needs_poppler
def test_running_header_names_the_section_and_the_story(whole):
    _, reader, texts, model = whole
    stories = next(children for t, _, children in outline(reader) if t == "Stories")
    title, page = stories[1]
    header = texts[page]  # the page after the story starts: a running header, not its h1
    assert "STORIES" in header[:200] and title[:30] in header


def region(path: Path, page: int, header: bool, left: int = 0, width: int = 596) -> str:
    """The text of a page's running header (its top margin, 22 mm) or of the rest, from
    `left` across `width` points (A4 is 596 wide: a column of the contents is half)."""
    top, height = (0, 62) if header else (62, 780)
    box = ["-x", str(left), "-y", str(top), "-W", str(width), "-H", str(height)]
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", *box, str(path), "-"],
                         capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@needs_poppler
def test_the_header_names_what_the_top_of_the_page_belongs_to(whole):
    """A story or entry that starts half-way down a page is not named in that page's
    header: the page's top still belongs to the one before it; one that starts at the
    top of a page is."""
    path, reader, _, _ = whole
    pairs = [pair for group, _, children in outline(reader) if group in ("Stories", "People", "Places", "Events")
             for pair in zip(children, children[1:])]
    on_top = below = 0
    for (before, _), (title, page) in pairs:
        header, body = region(path, page, True), region(path, page, False)
        if body.split(title[:20])[0].strip() in ("", "STORY", "PERSON", "PLACE", "EVENT"):
            assert title[:25] in header, (page, header, title)
            on_top += 1
        else:
            assert before[:25] in header and title[:25] not in header, (page, header, title)
            below += 1
    assert on_top >= 3 and below >= 3


@needs_poppler
def test_the_contents_fit_one_page_and_the_counts_print_spaced(whole):
    path, reader, texts, _ = whole
    pages = {t: p for t, p, _ in outline(reader)}
    assert pages["Contents"] == 2 and pages["Briefing"] == 3  # no page of leftovers between them
    assert "Independent reports: 3 Article files: 5 Copies folded in: 2 Editor’s notes: 4" in texts[2]


@needs_poppler
def test_a_rewrite_diff_prints_with_text_cues(whole):
    _, _, texts, _ = whole
    body = " ".join(texts)
    assert "[+" in body and "[−" in body  # underline/strike-through carry no colour on paper
    assert "Sentence by sentence against the canonical text" in body
    assert "Changes meaning: a quotation" in body  # the flags are words, not colour


@needs_poppler
def test_one_page_alone(person_pdf):
    reader = pypdf.PdfReader(person_pdf)
    texts = pdf_text(person_pdf)
    assert 1 <= len(reader.pages) <= 12
    body = " ".join(texts)
    assert "Xi Jinping" in texts[0] and "Contents" not in texts[0]  # no cover, no contents
    assert "Mentions" in body and "Sources" in body  # the page in full, not the edition's index
    assert [item.title for item in reader.outline if not isinstance(item, list)][0] == "Xi Jinping"
    assert f"Page 1 of {len(reader.pages)}" in texts[0]
    assert "Read in context" not in body  # screen-reader text stays off paper


def test_unknown_page_lists_close_matches(tmp_path):
    result = run_dossier("pdf", "people/xi-jinpin", "-s", str(ROOT), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("people/xi-jinpin: no such page in the dossier "
                                     "(did you mean people/xi-jinping?)")
    assert not list(tmp_path.iterdir())  # nothing written, not even a temp file


@pytest.mark.parametrize("out, message", [
    ("missing-folder/x.pdf", "cannot write the PDF: no folder"),
    ("notes.txt", "exists and is not a PDF"),
])
def test_unwritable_output_is_a_clear_error(tmp_path, out, message):
    (tmp_path / "notes.txt").write_text("keep me")
    result = run_dossier("pdf", "timeline", "-s", str(ROOT), "-o", out, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_failure_leaves_no_truncated_pdf(tmp_path, monkeypatch):
    from dossier.commands import pdf
    from dossier.config import load_config

    target = tmp_path / "dossier.pdf"
    target.write_bytes(b"%PDF-1.7 the previous, complete file")

    def broken(html, stream, *args, **kwargs):
        stream.write(b"%PDF-1.7 half of it")
        raise RuntimeError("layout failed")
    monkeypatch.setattr(pdf, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        pdf.make_pdf(ROOT, load_config(ROOT), [], target)
    assert target.read_bytes() == b"%PDF-1.7 the previous, complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["dossier.pdf"]  # the temp file is gone


def test_print_edition_is_one_document_with_unique_ids(shipped):
    out, model = shipped
    html = (out / "print" / "index.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    ids = Counter(el["id"] for el in page.find_all(id=True))
    assert not [i for i, n in ids.items() if n > 1]
    local = [a["href"][1:] for a in page.select("main a[href^='#']")]
    assert len(local) > 300 and not [h for h in local if h not in ids]
    relative = [a["href"] for a in page.select("main a[href]") if not a["href"].startswith(("#", "http"))]
    assert not relative  # every page of the site it shows is inside it
    for attr in ("aria-labelledby", "for"):
        for el in page.find_all(attrs={attr: True}):
            assert all(x in ids for x in el[attr].split()), el
    text = page.get_text(" ")
    assert all(s["title"] in text for s in model["stories"])
    assert "Print edition" in (out / "index.html").read_text()  # linked from every page's footer


def tiny_build(site, tmp_path, config: str) -> None:
    """A one-article, one-person dossier built into tmp_path/out."""
    root = site({
        "dossier.yaml": config,
        "content/articles/a.md": "---\ntitle: Border trade\noutlet: Wire\n---\nAnna Berg runs a shop in Heihe.\n",
        "content/people/anna-berg.md": "---\nname: Anna Berg\nrole: Shop owner\n---\nRuns a shop.\n",
    })
    result = run_dossier("build", str(root), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr


def test_pdf_option_puts_the_pdf_in_the_build(site, tmp_path):
    tiny_build(site, tmp_path, "title: Tiny\npdf: true\n")
    pdf_file = tmp_path / "out" / "dossier.pdf"
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(pdf_file)
    assert reader.metadata.title == "Tiny"
    home = BeautifulSoup((tmp_path / "out" / "index.html").read_text(), "html.parser")
    link = home.find("a", string="Download PDF")
    assert link and link["href"] == "dossier.pdf"


def test_no_pdf_link_without_the_option(shipped):
    out, _ = shipped
    assert not (out / "dossier.pdf").exists()
    assert "Download PDF" not in (out / "index.html").read_text()


ANCHORS = {"people/xi-jinping/": "people-xi-jinping", "stories/a/": "stories-a", "": "home",
           "people/": "sec-people"}


@pytest.mark.parametrize("page_url, html, expected", [
    # ids are prefixed with the part's id, and so is every reference to one
    ("stories/a/", '<p id="p3">', '<p id="stories-a--p3">'),
    ("stories/a/", '<nav aria-labelledby="mentions-h sources-h">',
     '<nav aria-labelledby="stories-a--mentions-h stories-a--sources-h">'),
    # a part's sections and asides lose their landmark names: dozens of "Sources"
    # landmarks in one document would tell a screen reader nothing
    ("stories/a/", '<section aria-labelledby="sources-h">', '<section>'),
    ("stories/a/", '<aside class="captions">x</aside>', '<div role="group" class="captions">x</div>'),
    ("stories/a/", '<a href="#versions-h">', '<a href="#stories-a--versions-h">'),
    # a page in the edition becomes an anchor; a fragment inside it keeps its prefix
    ("stories/a/", '<a href="../../people/xi-jinping/index.html">', '<a href="#people-xi-jinping">'),
    ("people/xi-jinping/", '<a href="../../stories/a/index.html#p3">', '<a href="#stories-a--p3">'),
    ("people/xi-jinping/", '<a href="../../index.html">', '<a href="#home">'),
    ("stories/a/", '<a href="../../people/index.html">', '<a href="#sec-people">'),  # a list: its section
    ("stories/a/", '<a href="../../people/">', '<a href="#sec-people">'),
    # a page not in the edition goes to the published site, marked as the site's own
    ("stories/a/", '<a href="../../sources/index.html#x">',
     '<a data-site href="https://ex.org/d/sources/#x">'),
    # the web and other schemes are left as they are
    ("stories/a/", '<a href="https://bbc.co.uk/x" rel="noopener">', '<a href="https://bbc.co.uk/x" rel="noopener">'),
    ("stories/a/", '<a href="mailto:a@b.c">', '<a href="mailto:a@b.c">'),
    # text is never touched: an escaped quote cannot end an attribute
    ("stories/a/", '<p>id=&#34;p3&#34; href=&#34;x&#34;</p>', '<p>id=&#34;p3&#34; href=&#34;x&#34;</p>'),
    ("stories/a/", '<details class="diff">', '<details open class="diff">'),
])
def test_relink(page_url, html, expected):
    from dossier.pages.printpage import part_id, relink
    assert relink(html, page_url, part_id(page_url), ANCHORS, "https://ex.org/d/") == expected


def test_relink_without_a_base_url_stays_relative_to_print():
    from dossier.pages.printpage import relink
    out = relink('<a href="../../sources/index.html">', "stories/a/", "stories-a", ANCHORS, "")
    assert out == '<a data-site href="../sources/index.html">'


@pytest.mark.parametrize("arg, url", [
    ("people/xi-jinping", "people/xi-jinping/"), ("/people/xi-jinping/", "people/xi-jinping/"),
    ("people/xi-jinping/index.html", "people/xi-jinping/"), ("xi-jinping", "people/xi-jinping/"),
    ("timeline", "timeline/"), ("/", ""), ("index.html", ""),
])
def test_page_arguments(arg, url):
    from dossier.models import Page
    from dossier.commands.pdf import find_pages
    pages = tuple(Page(u, "x.html", u, "x", {}) for u in ("", "people/xi-jinping/", "timeline/", "stories/b/"))
    assert find_pages(pages, [arg])[0].url == url


def test_a_last_part_shared_by_two_pages_is_not_guessed():
    from dossier.errors import DossierError
    from dossier.models import Page
    from dossier.commands.pdf import find_pages
    pages = (Page("people/lu/", "x.html", "Lu", "person", {}), Page("places/lu/", "x.html", "Lu", "place", {}))
    with pytest.raises(DossierError, match="did you mean"):
        find_pages(pages, ["lu"])


def test_print_edition_without_events_links_no_missing_section(site, tmp_path):
    """A dossier with no events has no Events section in the edition: the nav's
    Events link goes to the site, not to a #sec-events that is not there."""
    tiny_build(site, tmp_path, "title: Tiny\n")
    page = BeautifulSoup((tmp_path / "out" / "print" / "index.html").read_text(), "html.parser")
    ids = {el["id"] for el in page.find_all(id=True)}
    local = [a["href"][1:] for a in page.select("a[href^='#']")]
    assert local and [h for h in local if h not in ids and h != "top"] == []


def test_a_list_in_pages_prints_every_page():
    """`dossier pdf sources` is the whole sources table, not its first 200 rows: a list
    cut into pages (sources/, sources/page/2/, …), or an entity's pages, are printed
    with all of them, titled once; a page of it named alone is that page."""
    from dossier.models import Page
    from dossier.commands.pdf import find_pages
    from dossier.pages.printpage import page_alone
    pages = (Page("sources/", "sources.html", "Sources", "sources", {}),
             Page("sources/page/2/", "sources.html", "Sources (page 2 of 3)", "sources", {}, crumbs=(("Sources", "sources/"),)),
             Page("sources/page/3/", "sources.html", "Sources (page 3 of 3)", "sources", {}, crumbs=(("Sources", "sources/"),)),
             Page("stories/b/", "story.html", "B", "story", {}, crumbs=(("Stories", "stories/"),)),
             Page("people/xi/", "entity.html", "Xi", "person", {}, crumbs=(("People", "people/"),)),
             Page("people/xi/page/2/", "entity.html", "Xi (page 2 of 2)", "person", {},
                  crumbs=(("People", "people/"), ("Xi", "people/xi/"))))
    whole = find_pages(pages, ["sources"])
    assert [p.url for p in whole] == ["sources/", "sources/page/2/", "sources/page/3/"]
    assert page_alone(whole).title == "Sources"
    assert [p.url for p in find_pages(pages, ["sources/page/2"])] == ["sources/page/2/"]
    assert page_alone(find_pages(pages, ["sources", "b"])).title == "Sources; B"
    assert [p.url for p in find_pages(pages, ["xi"])] == ["people/xi/", "people/xi/page/2/"]
    assert page_alone(find_pages(pages, ["xi"])).title == "Xi"


def test_a_list_in_pages_is_one_pdf_of_every_row_without_its_pager(monkeypatch, tmp_path):
    """`dossier pdf sources` of a table cut into pages: every file's row is in the PDF,
    and the pager ("← Previous", the page numbers), which paper cannot follow, is not."""
    from dossier.build import build_model
    from dossier.commands.pdf import make_pdf
    from dossier.config import load_config
    from dossier.pages import lists
    shutil.copytree(ROOT / "content", tmp_path / "site" / "content")
    shutil.copy(ROOT / "dossier.yaml", tmp_path / "site" / "dossier.yaml")
    monkeypatch.setattr(lists, "SOURCES_PER_PAGE", 10)
    site = tmp_path / "site"
    files = [source.id for source in build_model(site).sources]
    target, _, _ = make_pdf(site, load_config(site), ["sources"], tmp_path / "sources.pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    assert len(files) > 30 and [f for f in files if f not in text.replace("\n", "")] == []
    assert "Previous" not in text and "Next →" not in text
