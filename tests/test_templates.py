"""strip_templates: what different articles of one site share verbatim is the site's."""
from __future__ import annotations

from dataclasses import replace

from dossier.models import Document, SourceId
from dossier.pipeline.templates import strip_templates

FOOTER = "The Herald is published by Coastal Media Ltd and is a member of the press council."
PITCH = "Sign up to the Morning Tide, our daily newsletter with the stories that matter."
QUOTE = "“We finally feel connected again,” said Ola Nilsen, who runs a bakery near the quay."


def doc(name: str, *paragraphs: str, **kw) -> Document:
    return Document(SourceId(f"articles/{name}.txt"), "article", name, tuple(paragraphs),
                    lines=tuple(range(1, len(paragraphs) + 1)), **kw)


def own(name: str, n: int = 3) -> list[str]:
    return [f"{name} paragraph {i} tells its own story about the harbour in its own words." for i in range(n)]


def test_paragraphs_two_articles_of_one_site_share_at_their_edges_are_template():
    a, b = doc("a", PITCH, *own("Alpha"), FOOTER), doc("b", PITCH, *own("Beta"), FOOTER)
    out = strip_templates([a, b])
    assert [d.paragraphs for d in out] == [tuple(own("Alpha")), tuple(own("Beta"))]
    assert [(r.reason, r.text, r.line) for r in out[0].removed] == [("template", PITCH, 1), ("template", FOOTER, 5)]


def test_copies_of_one_story_keep_what_they_share():
    a = doc("a", *own("Alpha"), FOOTER)
    copy = doc("copy", *own("Alpha"), "A line only the copy has, about something else entirely.")
    assert strip_templates([a, copy]) == (a, copy)


def test_a_quote_two_articles_of_different_sites_share_inside_their_text_stays():
    a = doc("a", *own("Alpha", 2), QUOTE, *own("Alpha", 2))
    b = doc("b", *own("Beta", 2), QUOTE, *own("Beta", 2))
    assert strip_templates([a, b]) == (a, b)


def test_one_outlet_is_one_site_wherever_the_shared_line_stands():
    a = doc("a", *own("Alpha", 2), FOOTER, *own("Alpha", 2), outlet="Herald")
    b = doc("b", *own("Beta", 2), FOOTER, *own("Beta", 2), outlet="herald")
    assert [FOOTER in d.paragraphs for d in strip_templates([a, b])] == [False, False]


def test_input_order_does_not_matter_and_a_copy_loses_the_template_too():
    a, b = doc("a", *own("Alpha"), PITCH, FOOTER), doc("b", *own("Beta"), PITCH, FOOTER)
    copy = replace(a, id=SourceId("articles/copy.txt"))
    forward = {d.id: d for d in strip_templates([a, b, copy])}
    backward = {d.id: d for d in strip_templates([copy, b, a])}
    assert forward == backward
    assert all(FOOTER not in d.paragraphs and PITCH not in d.paragraphs for d in forward.values())


def test_one_paragraph_alike_at_the_edge_of_two_pages_without_metadata_is_chance():
    a, b = doc("a", *own("Alpha"), FOOTER), doc("b", *own("Beta"), FOOTER)
    assert strip_templates([a, b]) == (a, b)


def test_a_page_that_is_all_template_keeps_its_body():
    a, b = doc("a", PITCH, FOOTER), doc("b", PITCH, *own("Beta"), FOOTER)
    assert strip_templates([a, b])[0] == a


# ---- kept up to date: after any edits, what a fresh run finds ------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from dossier.pipeline import templates as templates_module  # noqa: E402
from dossier.pipeline.templates import Templates  # noqa: E402

MENU = "Home News Sport Weather Opinion Newsletters Subscribe to our daily briefing today."
OUTLETS = ["The Herald", "Coastal Post", None]


def _page(k: int, outlet, frame: list[str], story: int) -> Document:
    return doc(f"p{k}", *frame[:1], *own(f"Story{story}", 3), *frame[1:], outlet=outlet)


EDITS = st.lists(st.tuples(st.sampled_from(["add", "delete", "reframe", "copy", "retitle"]), st.integers(0, 999)),
                 min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(edits=EDITS, spread=st.sampled_from([2, 200]))
def test_update_after_edits_equals_a_fresh_run(edits, spread):
    templates_module.MAX_SPREAD = spread  # 2: every paragraph's window is full, so pages enter and leave it
    try:
        pages = [_page(k, OUTLETS[k % 3], [MENU, FOOTER] if k % 2 else [PITCH, FOOTER], k) for k in range(6)]
        kept = Templates()
        assert kept.update(pages) == strip_templates(pages)
        for n, (kind, pick) in enumerate(edits):
            i = pick % len(pages)
            if kind == "add":
                pages.append(_page(100 + n, OUTLETS[pick % 3], [MENU, FOOTER], pick % 4))
            elif kind == "delete" and len(pages) > 1:
                del pages[i]
            elif kind == "reframe":
                pages[i] = replace(pages[i], paragraphs=pages[i].paragraphs[1:-1])
            elif kind == "copy":  # a copy of another page: what they share is the story
                pages[i] = replace(pages[pick % len(pages)], id=pages[i].id)
            else:
                pages[i] = replace(pages[i], outlet=OUTLETS[(pick + 1) % 3])
            assert kept.update(pages) == strip_templates(pages), (kind, pick)
    finally:
        templates_module.MAX_SPREAD = 200
