"""serve's rebuild after an edit (build_model and build_pages through a warm memo)
must give the very model and pages a fresh `dossier build` gives. Each test makes
one kind of edit to a copy of the shipped dossier and compares both, field by
field and page by page."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.build import build, build_model
from dossier.config import load_config
from dossier.memo import Memo
from dossier.pages.builders import build_pages
from dossier.serve.incremental import Builder

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("sources", "documents", "stories", "notes", "entities", "mentions", "timeline", "quotes", "warnings",
          "findings", "names", "ties")


@pytest.fixture
def site(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "dossier.yaml", tmp_path / "dossier.yaml")
    return tmp_path.resolve()


def rebuild_matches_fresh(builder: Builder, *paths: Path) -> dict:
    """Rebuild after `paths` changed; assert it equals a fresh build; the pages that changed."""
    before = builder.pages()
    builder.build({"content"}, paths=[p.resolve() for p in paths])
    builder.tidy()
    model = builder.state.model
    fresh = build_model(builder.site, builder.state.config)
    for name in FIELDS:
        assert getattr(model, name) == getattr(fresh, name), f"{name} differs from a fresh build"
    pages = {p.url: p for p in build_pages(fresh)}
    served = builder.pages()
    assert pages.keys() == served.keys()
    assert [u for u in pages if pages[u] != served[u]] == []
    return {u for u, p in served.items() if before.get(u) != p}


def builder_for(site: Path) -> Builder:
    b = Builder(site, None, lambda config: {}, health=False)
    b.build()
    b.tidy()
    return b


def notes(site: Path) -> list[Path]:
    return sorted((site / "content/notes").glob("*.md"))


def test_note_edit_changes_only_what_it_touches(site):
    b = builder_for(site)
    note = notes(site)[0]
    note.write_text(note.read_text() + "\n\nLater, Qin Gang met the press in Harbin.\n")
    changed = rebuild_matches_fresh(b, note)
    assert {"people/qin-gang/", "places/harbin/", "notes/border-economy/"} <= changed
    assert not any(u.startswith("stories/") and u != "stories/" for u in changed)  # no story shows the note


def test_only_serve_keeps_the_corpus_indexes_between_builds(site):
    """A memo that serves one build hands each corpus stage a new index and keeps none
    (dedup's was a third of a 100k build's memory through link and quotes); serve's
    memo keeps them, to update them after an edit."""
    assert builder_for(site).memo.warm
    for memo, made in ((Memo(), 2), (Memo(warm=True), 1)):
        calls = []
        for _ in range(2):
            memo.state("dedup", lambda: calls.append(1) or object())
        assert len(calls) == made


def test_only_serve_keeps_the_files_texts_through_the_pages(site, tmp_path):
    """`dossier build` makes its pages from a model without the files' texts as read
    (a saved web page is mostly markup; the checks were the last to read them); serve
    keeps them, to check an edit again."""
    d, _ = build(site, tmp_path / "out", load_config(site))
    assert d.sources and all(s.text == "" for s in d.sources)
    assert d.documents == build_model(site).documents  # what the pages read is all there
    assert all(s.text for s in builder_for(site).state.model.sources)


def test_article_edit_that_breaks_a_copy_out_of_its_story(site):
    b = builder_for(site)
    copies = {v.source for s in b.state.model.stories for v in s.versions if v.relation == "identical"}
    copy = site / "content" / sorted(copies)[0]
    copy.write_text("A different story entirely: the harbour of Vladivostok froze early this year, "
                    "and the fishermen of the bay waited for the ice to break.\n")
    rebuild_matches_fresh(b, copy)
    assert not any(v.source in copies for s in b.state.model.stories for v in s.versions[1:])


def test_note_that_pastes_an_article_joins_its_story(site):
    b = builder_for(site)
    article = next(d for d in b.state.model.documents if d.id == "articles/004_a63e6bb9adf78811.txt")
    note = notes(site)[1]
    head = note.read_text().split("\n---\n", 1)[0] + "\n---\n"
    note.write_text(head + "\n\n".join(article.paragraphs) + "\n")
    rebuild_matches_fresh(b, note)
    story = b.state.model.stories[[s.canonical for s in b.state.model.stories].index(article.id)]
    assert "notes/" + note.name in {v.source for v in story.versions}


@pytest.mark.parametrize("edit", ["title", "new", "delete", "entity", "wikilink", "sources", "sidecar"])
def test_structure_edits(site, edit):
    b = builder_for(site)
    note = notes(site)[2]
    text = note.read_text()
    if edit == "title":
        path = note
        note.write_text(text.replace("title:", "title: Renamed —", 1))
    elif edit == "new":
        path = note.with_name("zz-new.md")
        path.write_text("---\ntitle: A new note\n---\nXi Jinping and [[Vladimir Putin]] in Heihe.\n")
    elif edit == "delete":
        path = note
        note.unlink()
    elif edit == "entity":
        path = site / "content/people/xi-jinping.md"
        path.write_text(path.read_text().replace("aliases: [", "aliases: [Chairman Xi, ", 1))
    elif edit == "wikilink":
        path = note
        note.write_text(text + "\n\nSee [[Heihe]] and [[No Such Place]].\n")
    elif edit == "sources":
        path = note
        note.write_text(text.replace("sources: [", "sources: [articles/001_444e9492e3c91cc6.txt, ", 1))
    else:  # an article's metadata lives in the .yaml beside it
        path = site / "content/articles/003_63f1341303a8e582.yaml"
        path.write_text(path.read_text() + "outlet: A Renamed Outlet\n")
    rebuild_matches_fresh(b, path)


def test_many_edits_in_a_row_stay_equal_to_fresh(site):
    b = builder_for(site)
    for i, note in enumerate(notes(site) * 2):
        note.write_text(note.read_text() + f"\n\nEdit {i}: Xi Jinping, in Moscow.\n")
        rebuild_matches_fresh(b, note)


@pytest.mark.parametrize("article, change", [
    ("002_6cc53403c4d55935", "outlet: A Renamed Outlet"),  # an identical copy: its story's cluster is unchanged
    ("001_444e9492e3c91cc6", "outlet: A Renamed Outlet"),  # the rewrite in the same story
    ("000_b0046fc09b710f13", "title: A Renamed Canonical"),  # the canonical's title: the story's own
])
def test_a_version_whose_metadata_changes_in_an_unchanged_story(site, article, change):
    """The story (its cluster) stays the same object from one build to the next, while
    a version's document changes: what the story's pages read of its versions must not
    be taken from the last build by the story's identity."""
    b = builder_for(site)
    path = site / f"content/articles/{article}.yaml"
    key = change.split(":")[0] + ":"
    lines = path.read_text().splitlines()
    assert any(line.startswith(key) for line in lines)
    path.write_text("\n".join(change if line.startswith(key) else line for line in lines) + "\n")
    changed = rebuild_matches_fresh(b, path)
    assert any(u.startswith("stories/") for u in changed)


def test_an_article_edited_down_to_no_content_words_rebuilds_as_a_fresh_build(site):
    """Dedup has no shingles for it and drops it from its LSH index; the update then
    asked the index for its buckets (KeyError), so the edit broke serve's rebuild."""
    b = builder_for(site)
    article = sorted((site / "content/articles").glob("*.txt"))[-1]
    article.write_text("It is what it is.\n", encoding="utf-8")
    assert rebuild_matches_fresh(b, article)
