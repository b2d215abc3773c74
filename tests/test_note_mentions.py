"""A note's sentences quoted on entity pages: one list item at a time, and its
Markdown read as words (no list marks inside a quotation, a dash after a link kept)."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from conftest import run_dossier

# a list mark at the start of a line inside a quoted sentence: two items run together
_ITEM_INSIDE = re.compile(r"\n\s*(?:[-*+]|\d+[.)])\s")


def quoted(page) -> list[str]:
    html = BeautifulSoup(page.read_text(), "html.parser")
    for hidden in html.select(".visually-hidden"):  # "China (place)": the words a reader sees
        hidden.decompose()
    return [span.get_text() for span in html.select(".mentions li.context .context__text")]


def test_a_sentence_from_a_notes_list_is_quoted_without_the_item_before_it(shipped):
    out, _ = shipped
    xi = quoted(out / "people" / "xi-jinping" / "index.html")
    # overview.md's judgement 2: before, its block also held judgement 1, whose "(000, 003, 004)"
    # and the "2." after it were quoted as one sentence with it
    item = next(q for q in xi if "vision of an ascendant China (000)" in q)
    assert "(000, 003, 004)" not in item and not _ITEM_INSIDE.search(item) and not item[0].isdigit()
    for page in out.glob("*/*/index.html"):
        assert not [q for q in quoted(page) if _ITEM_INSIDE.search(q)], page


def test_a_dash_after_a_link_is_kept_and_a_list_mark_is_not(site, tmp_path):
    root = site({"content/people/anna.md": "---\nname: Anna Petrova\n---\nA fisherwoman.\n",
                 "content/notes/harbour.md": "---\ntitle: Harbour\n---\n"
                 "Anna Petrova - the harbour master - runs the boats.\n\n"
                 "Points:\n- Anna Petrova sells fish.\n- She is 40.\n"})
    assert run_dossier("build", str(root), "-o", str(tmp_path / "out")).returncode == 0
    assert sorted(quoted(tmp_path / "out" / "people" / "anna" / "index.html")) == [
        "Anna Petrova - the harbour master - runs the boats.", "Anna Petrova sells fish."]


def test_a_wikilink_names_a_note_by_its_file_or_its_title_the_first_note_that_has_it(site, tmp_path):
    """[[Border trade]] is the note titled so, [[harbour]] the note in harbour.md; a key two
    notes share (a.md titled "B", and b.md) goes to the first note, as `check` reads it."""
    root = site({"content/notes/a.md": "---\ntitle: B\n---\nSee [[Border trade]], [[harbour]] and [[b]].\n",
                 "content/notes/b.md": "---\ntitle: Second\n---\nNothing.\n",
                 "content/notes/harbour.md": "---\ntitle: Port\n---\nBoats.\n",
                 "content/notes/trade.md": "---\ntitle: Border Trade\n---\nGoods.\n"})
    assert run_dossier("build", str(root), "-o", str(tmp_path / "out")).returncode == 0
    html = BeautifulSoup((tmp_path / "out" / "notes" / "a" / "index.html").read_text(), "html.parser")
    see = next(p for p in html.select("main p") if p.get_text().startswith("See "))
    assert {a.get_text(): a["href"] for a in see.select("a")} == {
        "Border trade": "../trade/index.html", "harbour": "../harbour/index.html", "b": "index.html"}
