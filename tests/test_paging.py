"""A person, place or event named in many stories gets pages of STORIES_PER_PAGE
stories (people/x/page/2/, Hugo's scheme): the notes and the profile on the first,
every story once across them, pager links between them, and the print edition's
index of every story on the one part it prints."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dossier.pages import builders as pages_module
from dossier.build import build_model
from dossier.pages.builders import build_pages
from dossier.pages.views import KIND_SECTION
from dossier.output.render import environment, output_path, render_page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def paged(tmp_path, monkeypatch):
    """The shipped dossier with one story a page: Xi Jinping is named in all three."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "dossier.yaml", tmp_path / "dossier.yaml")
    monkeypatch.setattr(pages_module, "STORIES_PER_PAGE", 1)
    d = build_model(tmp_path)
    return d, {p.url: p for p in build_pages(d)}


def html(d, page) -> BeautifulSoup:
    env = environment(ROOT, "")
    return BeautifulSoup(render_page(env, page, d.config, {"root": "/"}), "html.parser")


def test_every_story_once_across_the_pages_notes_on_the_first(paged):
    d, pages = paged
    first = pages["people/xi-jinping/"]
    stories = [g for g in first.context["all_mentions"] if not g["key"].startswith("n:")]
    assert len(stories) == 3
    urls = ["people/xi-jinping/", "people/xi-jinping/page/2/", "people/xi-jinping/page/3/"]
    assert all(u in pages for u in urls) and "people/xi-jinping/page/4/" not in pages
    shown = [g["key"] for u in urls for g in pages[u].context["mentions"] if not g["key"].startswith("n:")]
    assert shown == [g["key"] for g in stories]  # each once, in order
    assert any(g["key"].startswith("n:") for g in first.context["mentions"])
    assert not any(g["key"].startswith("n:") for u in urls[1:] for g in pages[u].context["mentions"])
    assert pages[urls[1]].context["quotes"] == [] and pages[urls[1]].context["related"] == {}


def test_pager_links_on_the_rendered_pages(paged):
    d, pages = paged
    second = html(d, pages["people/xi-jinping/page/2/"])
    nav = second.select_one("nav.pager")
    assert nav.select_one('[aria-current="page"]').get_text() == "2"
    assert nav.select_one('a[rel="prev"]')["href"] == "../../index.html"
    assert nav.select_one('a[rel="next"]')["href"] == "../3/index.html"
    assert second.select_one(".profile") is None  # the profile is on the first page only
    first = html(d, pages["people/xi-jinping/"])
    assert first.select_one('nav.pager a[rel="next"]')["href"] == "page/2/index.html"
    assert first.select_one(".profile") is not None


def test_a_person_in_few_stories_has_one_page_and_no_pager(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    d = build_model(tmp_path)
    pages = {p.url: p for p in build_pages(d)}
    assert not any("/page/" in u for u in pages)
    assert html(d, pages["people/xi-jinping/"]).select_one("nav.pager") is None


def test_print_edition_indexes_every_story_of_a_paged_person(paged):
    d, pages = paged
    edition = html(d, pages["print/"])
    part = edition.select_one("#people-xi-jinping")
    titles = [li.a.get_text() for li in part.select(".mention-index li") if li.a]
    stories = [g["title"] for g in pages["people/xi-jinping/"].context["all_mentions"]]
    assert titles == stories and len(titles) >= 4  # three stories and the notes
    assert output_path("people/xi-jinping/page/2/") == "people/xi-jinping/page/2/index.html"


def test_print_edition_counts_each_storys_mentions_exactly(tmp_path):
    """The print index says how often each story or note names the entity: the count of
    its mentions in the model, not the three sentences the site shows plus the mentions
    after them (the NBC report names China 24 times in 19 sentences: it said 23)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "dossier.yaml", tmp_path / "dossier.yaml")
    d = build_model(tmp_path)
    pages = {p.url: p for p in build_pages(d)}
    edition = html(d, pages["print/"])
    counted = 0
    for e in d.entities:
        section = KIND_SECTION[e.kind]
        said = [li.select_one(".meta").get_text().rsplit("·", 1)[1].strip()
                for li in edition.select(f"#{section}-{e.slug} .mention-index li")]
        named = [sum(m.entity == e.slug and m.kind == e.kind for m in d.mentions[g["docs"][0]])
                 for g in pages[f"{section}/{e.slug}/"].context["all_mentions"]]
        assert said == [f"{n} mention{'' if n == 1 else 's'}" for n in named], e.slug
        counted += sum(named)
    assert counted > 100
