"""The rewrite view: a version set against the canonical sentence by sentence (the
same collapsed, reworded ones with word changes inside the sentence, dropped and
added marked), changes of meaning flagged; on the story page and, compactly, in print."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from dossier.pages.diff import align, sentence_diff
from dossier.pages.meaning import meaning_flags

HEIHE = "stories/no-one-else-wants-to-be-friends-with-us-view-from-the-china"
REWRITE = "v-articles-001-444e9492e3c91cc6-txt"

CANON = ["The ferry leaves at six. Anna Petrova sells fish on the quay.",
         "Trade grew by 30% in 2022, the council said. The market is not closed on Mondays.",
         "“We will not sell the harbour,” said the mayor. The vote is next month."]
VERSION = ["The ferry leaves at six. Anna Petrova sells fish on the quay.",
           "Trade grew by 13% in 2022, the council said. The market is closed on Mondays.",
           "A new marina is planned. The vote is next month."]


def test_sentences_are_aligned_in_order():
    a = ["One two three four.", "Five six seven eight.", "Nine ten eleven twelve."]
    b = ["One two three four.", "Five six seven nine.", "Something else entirely here.", "Nine ten eleven twelve."]
    assert align(a, b) == [(0, 0), (1, 1), (None, 2), (2, 3)]
    assert align(a, []) == [(0, None), (1, None), (2, None)]


def test_the_same_sentences_collapse_and_changes_stay_inside_their_sentence():
    diff = sentence_diff(CANON, VERSION)
    ops = [row["op"] for row in diff["rows"]]
    assert ops == ["same", "changed", "changed", "dropped", "added", "same"]
    assert diff["rows"][0] == {"op": "same", "count": 2, "from": 1, "to": 1}
    assert diff["counts"] == {"same": 3, "changed": 2, "dropped": 1, "added": 1, "flagged": 3, "reworded_flagged": 2}
    number = diff["rows"][1]
    assert [r for r in number["canonical"] if r["op"] == "del"] == [{"op": "del", "text": "30%"}]
    assert [r for r in number["version"] if r["op"] == "ins"] == [{"op": "ins", "text": "13%"}]
    assert number["flags"] == [{"kind": "number", "dropped": ["30%"], "added": ["13%"]}]
    negation = diff["rows"][2]
    assert negation["flags"] == [{"kind": "negation", "dropped": ["not"], "added": []}]
    assert negation["version"] == [{"op": "eq", "text": "The market is closed on Mondays."}]
    dropped = diff["rows"][3]
    assert dropped["canonical"] == [{"op": "del", "text": "“We will not sell the harbour,” said the mayor."}]
    assert {f["kind"] for f in dropped["flags"]} == {"quotation", "negation"}
    assert diff["rows"][4]["flags"] == []  # "A new marina is planned.": nothing an analyst must check


@pytest.mark.parametrize("old, new, kinds", [
    ("They met in March 2023.", "They met in April 2023.", {"date"}),
    ("He may come today.", "He might come today.", set()),  # "may" is a verb, not the month
    ("Putin met Xi in Moscow.", "Xi met Putin in Moscow.", set()),  # the same names, moved
    ("Putin met Xi in Moscow.", "Putin met Lukashenko in Moscow.", {"name"}),
    ("Even so, the bridge is empty.", "The bridge is empty, even so.", set()),  # a first word is no name
    ("It hasn't always been the case.", "This has not always been true.", set()),  # n't is not
    ("No one goes to war.", "No one else goes to war.", set()),  # "one" is mostly a pronoun
    ("“We will stay,” he said.", "He said they would stay.", {"quotation"}),
])
def test_what_counts_as_a_change_of_meaning(old, new, kinds):
    assert {f["kind"] for f in meaning_flags(old, new)} == kinds


def soup(out, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text(), "html.parser")


def rows(section) -> list:
    return section.select(".align > li")


def test_the_story_page_sets_the_rewrite_beside_the_canonical(shipped):
    out, _ = shipped
    page = soup(out, HEIHE)
    view = page.select_one(f"#{REWRITE} section.rewrite")
    assert "40 reworded, 2 dropped, 10 added" in view.select_one(".rewrite-summary").get_text()
    # every word change sits inside one sentence's cell: nothing crosses a row or a paragraph
    for mark in view.select(".align ins, .align del"):
        assert mark.find_parent(class_="align-cell"), mark
    assert all(len(li.select(".align-cell")) == 2 for li in rows(view) if "align-row--same" not in li["class"])
    texts = {" ".join(li.get_text(" ", strip=True).split()): li for li in rows(view)}
    dropped = next(li for t, li in texts.items() if "We give them work." in t and "align-row--dropped" in li["class"])
    assert "dropped in this version" in dropped.get_text()
    view_on_jia = next(li for t, li in texts.items() if "view that’s common here" in t)
    assert "align-row--dropped" in view_on_jia["class"] and "a negation" in view_on_jia.select_one(".flags").get_text()
    quote = next(li for t, li in texts.items() if "straightforward" in t)
    assert "a quotation" in quote.select_one(".flags").get_text()
    assert quote.select_one(".align-label a")["href"] == "#p10"  # the canonical's paragraph on this page
    # the verbatim copy: no rewrite view, one line
    copy = page.select_one("#v-articles-002-6cc53403c4d55935-txt")
    assert copy.select_one("section.rewrite") is None and "word for word" in copy.get_text()


def test_print_keeps_only_the_flagged_rewordings(shipped):
    out, _ = shipped
    part = soup(out, "print").select_one(f"#{HEIHE.replace('/', '-')}")
    view = part.select_one(f"[id='{HEIHE.replace('/', '-')}--{REWRITE}'] section.rewrite")
    flagged = ["align-row--flagged" in li["class"] and "align-row--changed" in li["class"] for li in rows(view)]
    assert flagged and all(flagged)
    site_rows = rows(soup(out, HEIHE).select_one(f"#{REWRITE} section.rewrite"))
    assert len(rows(view)) == sum({"align-row--flagged", "align-row--changed"} <= set(li["class"])
                                  for li in site_rows) < len(site_rows)
    assert "other reworded, dropped or added sentences are on the story’s page" in view.get_text()
