"""Search end to end: the Pagefind index built with the site, queried in headless
Chromium on the site served under a sub-path as GitHub Pages serves it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dossier.output import search
from ghpages import serve

from conftest import CHROMIUM, CHROMIUM_ARGS as ARGS
HEIHE_STORY = "/heihe/stories/no-one-else-wants-to-be-friends-with-us-view-from-the-china/"
RESULT_LINKS = "#search-ui .pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title a"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (make system-deps)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def result_urls(page) -> list[str]:
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.getAttribute('href'))")


def test_typing_finds_the_story_and_the_kind_filter_narrows(shipped, page):
    out, _ = shipped
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/")
        page.locator("#search-ui input[type=text]").press_sequentially("Slava", delay=20)
        page.wait_for_function(f"[...document.querySelectorAll('{RESULT_LINKS}')]"
                               f".some(a => a.getAttribute('href') === '{HEIHE_STORY}')")
        story = page.locator(".pagefind-ui__result", has=page.locator(f"a[href='{HEIHE_STORY}']")).first
        assert "Slava" in story.locator(".pagefind-ui__result-excerpt mark").first.inner_text()
        assert "?q=Slava" in page.url  # the query is in the address, to bookmark or share
        page.locator("#search-ui input[type=checkbox][value=person]").check()
        page.wait_for_function(f"document.querySelectorAll('{RESULT_LINKS}').length === 1")
        assert result_urls(page) == ["/heihe/people/slava/"]


TERRA = "/heihe/stories/putin-and-xi-jinping-meet-to-strengthen-anti-western/"


@pytest.mark.parametrize("query, expected", [
    ("empty bridge", TERRA),  # the one report that watched the empty bridge
    ("ticking time bomb", HEIHE_STORY),  # Mr Jia's words: his page quotes them, the story has them
    ("Power of Siberia", HEIHE_STORY),
    ("key judgements", "/heihe/notes/overview/"),
    ("three independent reports", "/heihe/notes/source-assessment/"),
    ("machine translation", "/heihe/notes/source-assessment/"),
])
def test_the_story_or_note_a_query_is_about_comes_in_the_first_three(shipped, page, query, expected):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/?q=" + query.replace(" ", "+"))
        page.wait_for_selector(RESULT_LINKS)
        page.wait_for_function(f"document.querySelectorAll('{RESULT_LINKS}').length > 0")
        page.wait_for_timeout(300)  # let the result list settle (Pagefind UI renders as results load)
        assert expected in result_urls(page)[:3], result_urls(page)


def test_an_entity_page_is_found_by_its_aliases_not_its_lists(shipped, page):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/?q=Chinese+President+Xi+Jinping")  # an alias
        page.wait_for_selector(RESULT_LINKS)
        assert result_urls(page)[0] == "/heihe/people/xi-jinping/"
        # a note's title is in Xi's list of mentions, which is not indexed
        page.fill("#search-ui input[type=text]", "Chinese views of Russia and the war")
        page.wait_for_selector(f"{RESULT_LINKS}[href='/heihe/notes/public-opinion/']")
        page.wait_for_timeout(300)
        assert "/heihe/people/xi-jinping/" not in result_urls(page)


def test_the_header_box_searches_from_any_page(shipped, page):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        page.goto(root + "people/slava/")
        page.fill("#site-search-q", "Blagoveshchensk")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(f"{RESULT_LINKS}[href='/heihe/places/blagoveshchensk/']")
        assert page.url.endswith("search/index.html?q=Blagoveshchensk")
        # only main content is indexed: the footer's "Atom feed" is on every page, in no result
        page.fill("#search-ui input[type=text]", "feed")
        page.wait_for_selector(".pagefind-ui__message:has-text('No results for feed')", timeout=10_000)


def test_from_a_file_the_page_says_search_needs_a_server(shipped, page):
    out, _ = shipped
    page.goto((out / "search" / "index.html").as_uri() + "?q=Slava")
    assert "opened as a file" in page.inner_text("#search-help")


def test_without_the_binary_the_build_succeeds_and_says_why(site, tmp_path, page):
    # PAGEFIND_BINARY_PATH is Pagefind's own override; pointing it at nothing is how a
    # machine without the binary looks to dossier
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": "---\ntitle: A\n---\nText.\n"})
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")}
    result = subprocess.run([sys.executable, "-m", "dossier", "build", str(root), "-o", str(tmp_path / "out"),
                             "--strict"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert f"search index skipped: no pagefind program at PAGEFIND_BINARY_PATH={tmp_path}" in result.stderr
    assert (tmp_path / "out" / "search" / "index.html").is_file() and not (tmp_path / "out" / "pagefind").exists()
    with serve(tmp_path / "out", "/repo/") as url:
        page.goto(url + "search/")
        page.wait_for_function("document.getElementById('search-why').textContent.includes('no search index')")


def test_without_the_pagefind_package(monkeypatch, tmp_path):
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # import fails, as when not installed
    monkeypatch.setenv("PATH", str(tmp_path))  # and no pagefind on PATH either
    assert search.index_site(tmp_path) == "the pagefind binary is not installed (pip install 'pagefind[bin]')"


def test_a_failing_binary_is_reported_not_raised(monkeypatch, tmp_path):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: no pages to index' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    assert search.index_site(tmp_path) == "pagefind failed (exit 1): Error: no pages to index"
