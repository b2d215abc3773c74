"""Untrusted text: the classic payloads in every field a scraped page or a pasted note
can reach, and none of them live in the output. Article text is escaped (shown as
text, not dropped); a note's raw HTML passes only through nh3, so `<b>` works and
`<script>` does not; template syntax is never evaluated.

Every HTML file is parsed and compared with a clean build of the same shape: no
script but the theme's own, no `on*` attribute, no javascript:/data:/vbscript:
URL, none of iframe/object/embed/base/svg/style/meta refresh."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import run_dossier, write_site

SCRIPT = "<script>alert('xss-1')</script>"
IMG = "<img src=x onerror=alert('xss-2')>"
SVG = "<svg onload=alert('xss-3')>"
BREAK = "\"><script>alert('xss-4')</script>"
BREAK1 = "'><img src=x onerror=alert('xss-5')>"
JS = "javascript:alert('xss-6')"
SEVEN = "{{ 7*7 }}"
EVAL = "{{ 1234*1000 }}"  # "1234000" would appear if anything evaluated it
LOOP = "{% for x in range(3) %}loop{% endfor %}"
MORE = ("<iframe src=\"javascript:alert('xss-7')\"></iframe> <a href=\"&#106;avascript:alert('xss-8')\">ent</a> "
        "<style>body{display:none}</style> <object data=\"javascript:alert(1)\"></object> "
        "<base href=\"https://evil.example/\"> <meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"> "
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math> <a href=\" java\tscript:alert(1)\">tab</a>")
ALL = f"{SCRIPT} {IMG} {SVG} {BREAK} {BREAK1} {JS} {SEVEN} {EVAL} {LOOP} {MORE}"
MD_LINKS = (f"[click]({JS}) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
            "[vb](vbscript:msgbox) <javascript:alert(1)> ![img](data:image/svg+xml,<svg onload=alert(1)>)")
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "svg", "math", "style", "frame", "frameset", "applet"}
URL_SCHEMES = re.compile(r"^(?:javascript|data|vbscript):", re.I)


def q(text: str) -> str:
    """A YAML double-quoted scalar holding `text` exactly."""
    return json.dumps(text)


def article(*extra: str, drop: int = 0) -> str:
    lines = ["Evil report from the border town", "",
             f"The border town of Heihe was quiet on Monday. {SCRIPT} was printed on a sign.",
             f"Evil Person met officials at The Evil Summit. {IMG} {SVG}",
             f"A trader said {BREAK} and {BREAK1} while {SEVEN} Town slept.",
             f"Prices rose sharply across the river this winter. {EVAL} {LOOP}",
             f"Officials denied everything. {MORE}",
             "Trucks carried coal and sand across the new bridge in the morning.",
             "The customs post closed early because of the snow and the cold."]
    return "\n\n".join(lines[:len(lines) - drop] + list(extra)) + "\n"


PAYLOAD_SITE = {
    "dossier.yaml": f"title: {q(BREAK + ' ' + SEVEN)}\nsummary: {q(ALL + ' ' + MD_LINKS)}\nauthor: {q(IMG)}\n",
    "content/articles/evil.txt": article(),
    "content/articles/evil.yaml": f"title: {q('Evil ' + BREAK + ' ' + EVAL)}\noutlet: {q(IMG)}\nurl: {q(JS)}\n"
                                  f"author: {q(SVG)}\npublished: 2023-03-01\n",
    # a shorter copy with a sentence of its own: a version whose diff shows payloads
    "content/articles/evil-copy.txt": article(f"Then {SCRIPT} {BREAK1} appeared in the copy only.", drop=2),
    "content/articles/evil-copy.yaml": f"title: {q('Copy ' + BREAK1)}\noutlet: {q(SVG)}\npublished: 2023-03-02\n",
    "content/articles/evil-md.md": f"---\ntitle: {q('Md ' + BREAK)}\noutlet: {q(SEVEN)}\n"
                                   f"url: {q('data:text/html,' + SCRIPT)}\npublished: 2023-03-03\n---\n"
                                   f"Markdown from a scraper: {SCRIPT} and [click]({JS}).\n\n"
                                   "Nothing in common with the other articles: grain prices fell in Harbin.\n",
    "content/notes/evil.md": f"---\ntitle: {q('Note ' + BREAK + ' ' + SEVEN)}\ntags: [{q(IMG)}, {q(SEVEN)}]\n"
                             f"people: [Evil Person]\ndate: 2023-03-04\nurl: {q(JS)}\n---\n"
                             "The editor's own view, in **bold** and <b>kept</b> and <sup>1</sup>.\n\n"
                             "Several sources repeat the same claim about the bridge, none with numbers.\n\n"
                             "The timeline below is approximate and should be checked against the wires.\n\n"
                             f"{ALL}\n\n{MD_LINKS}\n\n"
                             f"[[Evil Person|{BREAK}]] and [[{SCRIPT}]] and [[Evil Person]].\n\n"
                             f"<div onclick=\"alert(1)\">{SCRIPT}</div>\n",
    "content/people/evil.md": f"---\nname: Evil Person\naliases: [{q('Mr <Evil> ' + SEVEN)}]\nrole: {q(IMG)}\n---\n"
                              f"{ALL}\n\n{MD_LINKS}\n",
    "content/places/town.md": f"---\nname: Border Town\naliases: [{q(SEVEN + ' Town')}]\ncountry: {q(SCRIPT)}\n"
                              f"kind: {q(SVG)}\ncoordinates: {q(JS)}\n---\n{ALL}\n",
    "content/events/summit.md": f"---\ntitle: The Evil Summit\ndate: 2023-03-01\npeople: [{q(SCRIPT)}]\n"
                                f"places: [town]\n---\n{ALL}\n",
}
CLEAN_SITE = {  # the same shape, harmless words: what the theme itself puts in pages
    "dossier.yaml": "title: Clean\nsummary: A summary.\nauthor: Someone\n",
    "content/articles/a.txt": "A report from the border town\n\nThe border town was quiet. Evil Person came.\n",
    "content/articles/a.yaml": "title: A report\noutlet: Outlet\nurl: https://example.org/a\npublished: 2023-03-01\n",
    "content/notes/n.md": "---\ntitle: Note\npeople: [Evil Person]\n---\n**bold** [[Evil Person]].\n",
    "content/people/evil.md": "---\nname: Evil Person\nrole: Role\n---\nProfile.\n",
    "content/places/town.md": "---\nname: Border Town\n---\nPlace.\n",
    "content/events/summit.md": "---\ntitle: The Evil Summit\ndate: 2023-03-01\n---\nEvent.\n",
}


def _build(tmp: Path, files: dict) -> tuple[Path, str]:
    root = write_site(tmp / "site", files)
    result = run_dossier("build", str(root), "-o", str(tmp / "out"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return tmp / "out", result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(payload build, clean build, the payload build's stderr)."""
    evil, err = _build(tmp_path_factory.mktemp("evil"), PAYLOAD_SITE)
    return evil, _build(tmp_path_factory.mktemp("clean"), CLEAN_SITE)[0], err


def evil_story(soups: dict) -> BeautifulSoup:
    return soups["stories/evil-script-alert-xss-4-script-1234-1000/index.html"]


def pages(out: Path) -> dict[str, BeautifulSoup]:
    return {p.relative_to(out).as_posix(): BeautifulSoup(p.read_text(), "html.parser") for p in sorted(out.rglob("*.html"))}


def scripts(soups) -> set[str]:
    return {Path(s["src"]).name if s.get("src") else s.get_text() for soup in soups.values() for s in soup.find_all("script")}


def test_no_script_but_the_themes_own(built):
    evil, clean = pages(built[0]), pages(built[1])
    assert len(evil) > 15
    assert scripts(evil) <= scripts(clean), scripts(evil) - scripts(clean)


def test_no_event_handler_attribute_and_no_dangerous_url(built):
    found = []
    for name, soup in pages(built[0]).items():
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                if attr.lower().startswith("on"):
                    found.append((name, tag.name, attr))
                if URL_SCHEMES.match(re.sub(r"[\x00-\x20]", "", value)):
                    found.append((name, tag.name, attr, value))
    assert not found, found


def test_no_dangerous_element_and_no_refresh(built):
    clean_tags = {t.name for soup in pages(built[1]).values() for t in soup.find_all(True)}
    found = [(name, t.name) for name, soup in pages(built[0]).items() for t in soup.find_all(True)
             if (t.name in FORBIDDEN_TAGS and t.name not in clean_tags) or t.get("http-equiv")]
    assert not found, found
    actions = {f.get("action") for soup in pages(built[1]).values() for f in soup.find_all("form")}
    assert {f.get("action") for soup in pages(built[0]).values() for f in soup.find_all("form")} <= actions


def test_template_syntax_is_never_evaluated(built):
    out = built[0]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".js", ".txt"):
            assert "1234000" not in path.read_text(errors="replace"), path
    text = evil_story(pages(out)).get_text()
    assert SEVEN in text and "{% for x in range(3) %}loop{% endfor %}" in text


def test_article_text_is_escaped_and_shown_not_dropped(built):
    soups = pages(built[0])
    story = evil_story(soups)
    text = story.get_text()
    for payload in (SCRIPT, IMG, SVG, BREAK, BREAK1):
        assert payload in text
    assert story.find("h1").get_text(strip=True).startswith("Evil " + BREAK)
    assert story.title.get_text().startswith("Evil " + BREAK)
    # the sidecar's javascript: url is not a link (and the build said so)
    assert not [a for a in story.find_all("a") if "alert" in a.get("href", "")]
    # the rewrite's diff: payloads inside <ins>, as text
    assert any(SCRIPT in ins.get_text() for ins in story.find_all("ins"))


def test_entity_snippets_and_sources_page_escape(built):
    soups = pages(built[0])
    person = soups["people/evil/index.html"]
    assert IMG in person.get_text()  # the role, as text
    assert any(SCRIPT in s.get_text() for s in person.find_all(["blockquote", "li", "p"]))
    place = soups["places/town/index.html"]
    assert SCRIPT in place.get_text() and JS in place.get_text()
    sources = soups["sources/index.html"].get_text()
    assert "Evil " + BREAK in sources and IMG in sources


def test_notes_keep_safe_html_and_lose_the_rest(built):
    note = pages(built[0])["notes/evil/index.html"]
    body = note.find(class_="note-text")
    assert body.find("b").get_text() == "kept" and body.find("strong").get_text() == "bold"
    assert body.find("sup").get_text() == "1"
    assert body.find("div") is not None and not body.find("div").get("onclick")
    assert note.find("h1").get_text() == "Note " + BREAK + " " + SEVEN
    links = [a for a in body.find_all("a", class_="ent")]
    assert links and all(a["href"].endswith("people/evil/index.html") for a in links)
    assert "1234000" not in body.get_text() and SEVEN in body.get_text()


def test_feed_and_sitemap_parse_and_hold_payloads_as_text(built):
    raw = (built[0] / "feed.xml").read_text()
    assert "<script" not in raw and "<img" not in raw
    feed = ET.fromstring(raw)
    ns = "{http://www.w3.org/2005/Atom}"
    titles = {e.findtext(f"{ns}title") for e in feed.iter(f"{ns}entry")}
    assert "Evil " + BREAK + " " + EVAL in titles and "Note " + BREAK + " " + SEVEN in titles
    assert feed.findtext(f"{ns}title") == BREAK + " " + SEVEN
    assert feed.find(f"{ns}author").findtext(f"{ns}name") == IMG
    ET.fromstring((built[0] / "sitemap.xml").read_text())


def test_dossier_json_is_data(built):
    model = json.loads((built[0] / "dossier.json").read_text())
    assert model["title"] == BREAK + " " + SEVEN
    assert "Evil " + BREAK + " " + EVAL in {s["title"] for s in model["stories"]}


def test_the_unsafe_urls_were_reported(built):
    lines = built[2].splitlines()
    assert "warning: content/articles/evil.yaml:3: url \"javascript:alert('xss-6')\" is not an http(s) address; " \
           "not linked" in lines
    assert "warning: content/articles/evil-md.md:4: url \"data:text/html,<script>alert('xss-1')</script>\" is not " \
           "an http(s) address; not linked" in lines


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make system-deps)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def test_no_page_runs_a_payload_in_a_browser(built, browser):
    """Every page opened in Chromium, and a search whose results show the payloads:
    no dialog opens and no payload's alert runs (search excerpts come from Pagefind,
    which escapes the indexed text before it marks the matches)."""
    from ghpages import serve
    out = built[0]
    fired: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    with serve(out, "/") as root:
        for name in pages(out):
            page.goto(root + name, wait_until="load")
        if (out / "pagefind" / "pagefind-ui.js").is_file():
            page.goto(root + "search/")
            page.locator("#search-ui input[type=text]").press_sequentially("onerror", delay=20)
            page.wait_for_selector(".pagefind-ui__result-excerpt", timeout=15_000)
            excerpts = page.locator(".pagefind-ui__result-excerpt")
            assert any("onerror=alert" in t for t in excerpts.all_inner_texts())  # shown, as text
            assert page.locator(".pagefind-ui__result-excerpt img, .pagefind-ui__result-excerpt svg").count() == 0
            page.wait_for_timeout(300)
    context.close()
    assert not fired, fired
