"""The built site as GitHub Pages serves it: a link crawl under a sub-path, 404.html
at any depth, and the files Pages and feed readers look for (sitemap, feed, robots,
CNAME, .nojekyll, Open Graph)."""
from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from conftest import run_dossier
from ghpages import serve

BASE_URL = "https://example.github.io/heihe/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Links(HTMLParser):
    """Every URL a browser would fetch or follow from a page, and the ids it defines."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("a", "link") and a.get("href"):
            self.urls.append(a["href"])
        if tag in ("script", "img", "source", "iframe") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "form" and a.get("action"):
            self.urls.append(a["action"])


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, final url, body); 404s are answers here, not errors."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.url, r.read()
    except urllib.error.HTTPError as e:
        return e.code, url, e.read()


def parse(body: bytes) -> Links:
    p = Links()
    p.feed(body.decode("utf-8"))
    return p


def crawl(root: str) -> tuple[dict[str, Links], list[str]]:
    """Breadth-first from `root` over every internal URL; returns the HTML pages by
    URL and each broken target once ("url (why, from page)"), fragments included."""
    pages: dict[str, Links] = {}
    status: dict[str, int] = {}
    queue, wanted = [root], []
    broken: dict[str, str] = {}  # target → "why, from page": one line per target, as site-audit counts
    while queue:
        url = queue.pop(0)
        if url in status:
            continue
        code, final, body = fetch(url)
        status[url] = code
        if code == 200 and final.endswith((".html", "/")):
            pages[final.removesuffix("index.html")] = links = parse(body)  # x/ and x/index.html: one page
            for ref in links.urls:
                target = urljoin(final, ref)
                if not target.startswith(root):  # other hosts, or outside the base path
                    if urlsplit(target).netloc == urlsplit(root).netloc:
                        broken.setdefault(target, f"outside the base path, from {final}")
                    continue
                clean, frag = urldefrag(target)
                wanted.append((clean, frag, final))
                queue.append(clean)
    for clean, frag, page in wanted:
        if status.get(clean) != 200:
            broken.setdefault(clean, f"HTTP {status.get(clean)}, from {page}")
        elif frag and clean.endswith(("/", ".html")) and frag not in pages[clean.removesuffix("index.html")].ids:
            broken.setdefault(f"{clean}#{frag}", f"no such anchor, from {page}")
    return pages, [f"{target} ({why})" for target, why in sorted(broken.items())]


def test_every_internal_link_resolves_under_a_sub_path(shipped):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        pages, broken = crawl(root)
    assert not broken, "\n".join(broken)
    reached = {urlsplit(u).path.removeprefix("/heihe/") for u in pages}
    reached = {u if u.endswith(".html") else u + "index.html" for u in reached}
    built = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    assert built - reached == set(), "pages no link leads to"
    assert len(reached) > 40


def test_internal_links_are_relative_except_in_404(shipped):
    out, _ = shipped
    for page in out.rglob("*.html"):
        if page.name == "404.html" or "pagefind" in page.parts:
            continue
        for ref in parse(page.read_bytes()).urls:
            assert not ref.startswith("/"), f"{page.relative_to(out)}: root-absolute link {ref}"


def test_404_works_at_any_depth(shipped):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        for missing in ("nope", "stories/gone/", "a/b/c/d/missing.html"):
            code, final, body = fetch(root + missing)
            assert code == 404 and b"Page not found" in body
            for ref in parse(body).urls:  # stylesheet, favicon, feed, nav, search form
                target = urljoin(final, ref)
                if target.startswith("http://127.0.0.1") and not ref.startswith("#"):
                    assert fetch(urldefrag(target)[0])[0] == 200, f"{missing}: {ref} is broken"
        html = BeautifulSoup(fetch(root + "x/y/z")[2], "html.parser")
        assert html.find("link", rel="stylesheet")["href"] == "/heihe/assets/dossier.css"
        assert html.find("form", role="search")["action"] == "/heihe/search/"
        assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_sitemap_lists_every_page_absolutely(shipped):
    out, _ = shipped
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(BASE_URL) for loc in locs)
    for loc in locs:
        assert (out / loc.removeprefix(BASE_URL) / "index.html").is_file(), loc
    assert len(locs) == sum(1 for p in out.rglob("index.html") if "pagefind" not in p.parts)


def test_feed_is_atom_with_stories_and_notes(shipped):
    out, model = shipped
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}title").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(model["stories"]) + len(model["notes"])
    stamps = [e.find(f"{ATOM}updated").text for e in entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    for e in entries:
        href = e.find(f"{ATOM}link").get("href")
        assert href.startswith(BASE_URL) and (out / href.removeprefix(BASE_URL) / "index.html").is_file()
        summary = e.find(f"{ATOM}summary").text
        assert "**" not in summary and "[[" not in summary  # a note's Markdown is not a summary


def test_pages_files(shipped):
    out, _ = shipped
    assert (out / ".nojekyll").is_file()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (out / "robots.txt").read_text()
    assert not (out / "CNAME").exists()  # the shipped dossier sets no custom domain


def test_cname_from_config(site, tmp_path):
    root = site({"dossier.yaml": "title: T\ncname: dossier.example.org\n",
                 "content/notes/a.md": "---\ntitle: A\n---\nText.\n"})
    result = run_dossier("build", str(root), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "CNAME").read_text() == "dossier.example.org\n"


def test_titles_descriptions_and_open_graph(shipped):
    out, _ = shipped
    slug = "stories/no-one-else-wants-to-be-friends-with-us-view-from-the-china/"
    html = BeautifulSoup((out / slug / "index.html").read_text(), "html.parser")
    og = {m["property"]: m["content"] for m in html.find_all("meta", property=True)}
    assert html.title.text.startswith("‘No one else wants to be friends with us’")
    assert html.find("link", rel="canonical")["href"] == og["og:url"] == BASE_URL + slug
    assert og["og:type"] == "article" and og["og:site_name"] == "Heihe: China and Russia across the Amur"
    assert og["og:description"] == html.find("meta", attrs={"name": "description"})["content"] != ""
    note = BeautifulSoup((out / "notes/overview/index.html").read_text(), "html.parser")
    assert not any(c in note.find("meta", attrs={"name": "description"})["content"] for c in ("**", "[["))
    assert html.find("a", class_="skip-link")["href"] == "#main" and html.find(id="main")


def test_the_crawl_catches_what_pages_would_break(tmp_path):
    """The crawl above is only worth its 0 if it can count: a tiny site with one of each fault."""
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">a</a> <a href="gone.html">x</a> <a href="/about/">y</a>'
                                         '<img src="a/pic.png" alt="">')
    (tmp_path / "a/index.html").write_text('<p id="here"></p><a href="../index.html#nowhere">z</a>'
                                           '<a href="#here">ok</a>')
    with serve(tmp_path, "/repo/") as root:
        pages, broken = crawl(root)
    assert len(pages) == 2
    assert [b.split(" (")[1].split(",")[0] for b in broken] == [
        "outside the base path", "HTTP 404", "HTTP 404", "no such anchor"], broken
