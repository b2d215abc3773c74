"""serve's rebuild after an edit (cache.Reuse, dedup_update, affected.update_pages)
must give the very model and pages a fresh `dossier build` gives. Each test makes
one kind of edit to a copy of the shipped dossier and compares both, field by
field and page by page."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.serve.affected import fresh_pages
from dossier.build import build_model
from dossier.serve.incremental import Builder

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("sources", "documents", "stories", "notes", "entities", "mentions", "timeline", "quotes", "warnings")


@pytest.fixture
def site(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "dossier.yaml", tmp_path / "dossier.yaml")
    return tmp_path.resolve()


def rebuild_matches_fresh(builder: Builder, *paths: Path) -> dict:
    """Rebuild after `paths` changed; assert it equals a fresh build; the pages that changed."""
    before = dict(builder.state.pages)
    builder.build({"content"}, paths=[p.resolve() for p in paths])
    model = builder.state.model
    fresh = build_model(builder.site, builder.state.config)
    for name in FIELDS:
        assert getattr(model, name) == getattr(fresh, name), f"{name} differs from a fresh build"
    pages, _ = fresh_pages(fresh)
    assert pages.keys() == builder.state.pages.keys()
    assert [u for u in pages if pages[u] != builder.state.pages[u]] == []
    return {u for u, p in builder.state.pages.items() if before.get(u) != p}


def builder_for(site: Path) -> Builder:
    b = Builder(site, None, lambda config: {}, health=False)
    b.build()
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


MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"


@pytest.mark.skipif(not MAKE_CORPUS.exists(), reason="needs ../shared/bench/make_corpus.py")
def test_dedup_update_on_a_synthetic_corpus_equals_a_full_run(tmp_path):
    """DedupIndex re-queries the LSH index with the edited documents only: copies made
    into rewrites, a note pasting a story, a story pasted into by nothing any more."""
    import subprocess
    import sys
    from dataclasses import replace

    from dossier.pipeline.clean import clean
    from dossier.pipeline.dedup import dedup
    from dossier.pipeline.dedup_update import DedupIndex
    from dossier.pipeline.load import load_sources
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", "300", "--out", str(tmp_path)], check=True,
                   capture_output=True)
    sources, _ = load_sources(tmp_path / "content")
    docs = [clean(s) for s in sources if s.kind in ("article", "note")]
    index = DedupIndex(docs, 0.5)
    assert index.update(docs) == dedup(docs, 0.5)
    folded = [c for c in index.clusters if len(c.versions) > 1]
    by_id = {d.id: i for i, d in enumerate(docs)}
    edits = [
        # a copy rewritten into something else leaves its story
        (folded[0].versions[1].source, lambda d: replace(d, paragraphs=("Nothing here but the weather in Heihe.",))),
        # a note pastes three paragraphs of another story
        (next(d.id for d in docs if d.kind == "note"),
         lambda d: replace(d, paragraphs=(*d.paragraphs, *docs[by_id[folded[1].canonical]].paragraphs[:3]))),
        # an article loses its last paragraphs
        (folded[2].canonical, lambda d: replace(d, paragraphs=d.paragraphs[:2])),
    ]
    for sid, edit in edits:
        docs[by_id[sid]] = edit(docs[by_id[sid]])
        assert index.update(docs) == dedup(docs, 0.5), f"after editing {sid}"
