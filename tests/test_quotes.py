"""Quotations: who said them (on the shipped sources and on tiny sites), where copies
of a story word them differently, and how they show on story and person pages."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from dossier.build import build_model
from dossier.pipeline.quotes import quotation_spans
from dossier.pipeline.wording import quote_change, same_words

A, A1, A2 = "articles/000_b0046fc09b710f13.txt", "articles/001_444e9492e3c91cc6.txt", "articles/002_6cc53403c4d55935.txt"
A3, A4 = "articles/003_63f1341303a8e582.txt", "articles/004_a63e6bb9adf78811.txt"


def quotes_of(model, doc):
    return [q for q in model["quotes"] if q["document"] == doc]


def by_start(model, doc, words):
    return next(q for q in quotes_of(model, doc) if q["text"].startswith(words))


@pytest.mark.parametrize("doc, words, speaker", [
    # Mr Jia: "he remarks", "he says" three paragraphs after he is named; then a
    # paragraph that continues the quotation with no attribution of its own
    (A, "They are nice and straightforward", "mr-jia"),
    (A, "Wars have to be fought", "mr-jia"),
    (A, "No one goes to war", "mr-jia"),
    (A1, "They’re nice and simple", "mr-jia"),  # the rewrite: "He smiles and says, “…”"
    # Slava: "he says", a quotation left open at the paragraph's end, "he adds"
    (A, "There is no one else", "slava"),
    (A, "No one else wants to be friends with us", "slava"),
    (A, "Europe doesn’t want to work with us", "slava"),
    (A, "I hope they don’t send us to war", "slava"),
    (A, "That’s the problem, Ukraine", "slava"),
    (A1, "No one wants to be friends", "slava"),  # "He said that … “…” with us."
    # Jon Yuan Jiang: "said Jon Yuan Jiang", the garbled "he said. Jiang." (not Putin,
    # named inside the quotation, nor Zelenskyy, named last before it), "he said"
    (A3, "It’s very obvious that Russia", "jon-yuan-jiang"),
    (A3, "China doesn’t really want to support Russia", "jon-yuan-jiang"),
    (A3, "If China is still trying", "jon-yuan-jiang"),
    (A3, "But the Chinese also love this place", "tang-lu"),  # "she said" after "said Tang Lu"
    (A3, "When border trade was unaffected", "shi"),  # "a man … told NBC News. family, Shi, 70,"
    (A3, "I was in shock and disbelief", "shi"),  # "said park resident Shi"
    (A3, "After all, war can only harm", "shi"),
    # Terra's anonymous voices stay anonymous: no "he" becomes Putin or Xi
    (A4, "Business isn’t good", None),
    (A4, "You can’t compare the present to the past", None),
    (A4, "Putin is a responsible leader", None),
    (A4, "Ordinary people like us shouldn’t comment", None),
])
def test_speakers_in_the_shipped_sources(shipped, doc, words, speaker):
    _, model = shipped
    assert by_start(model, doc, words)["speaker"] == speaker


def test_anonymous_speakers_keep_the_texts_words(shipped):
    _, model = shipped
    assert by_start(model, A4, "Business isn’t good")["said_by"] == "one woman"
    assert by_start(model, A4, "After Covid, the borders")["said_by"] == "one woman"  # continues
    assert by_start(model, A4, "Putin is a responsible leader")["said_by"] == "the man next to her"


def test_scare_quotes_and_single_quoted_headlines_are_not_quotations(shipped):
    _, model = shipped
    texts = [q["text"] for q in model["quotes"]]
    for scare in ("effective", "zero-Covid", "unlimited", "invasion", "war", "limitless"):
        assert scare not in texts
    # 001 prints “No one wants to be friends” as a heading, then in Slava's paragraph: listed once
    assert sum(q["text"] == "No one wants to be friends" for q in quotes_of(model, A1)) == 1


def test_the_rewrite_alters_mr_jias_quote_and_the_copy_does_not(shipped):
    _, model = shipped
    quotes = model["quotes"]
    altered = by_start(model, A1, "They’re nice and simple")
    assert altered["status"] == "altered"
    original = quotes[altered["same_as"]]
    assert (original["document"], original["text"]) == (A, "They are nice and straightforward")
    assert 0.6 <= altered["similarity"] < 1
    assert altered["change"] == "“They are” → “They’re”; “straightforward” → “simple”"
    # Slava's quote cut short in the rewrite is not "the same words"
    assert by_start(model, A1, "No one wants to be friends")["status"] == "altered"
    assert by_start(model, A1, "No one goes into war")["status"] == "altered"
    assert by_start(model, A1, "I hope they don’t send us to war")["status"] == "same"  # only a "." differs
    assert all(q["status"] == "same" for q in quotes_of(model, A2))  # the verbatim copy
    assert all(q["status"] == "canonical" for q in quotes_of(model, A) + quotes_of(model, A3))


def test_person_page_lists_their_quotes_with_the_reworded_copy(shipped):
    out, _ = shipped
    page = BeautifulSoup((out / "people" / "mr-jia" / "index.html").read_text(), "html.parser")
    section = page.find("section", class_="quotes-section")
    items = section.select(".quote-list > .quote-item")
    assert [li.q.get_text() for li in items] == [
        "They are nice and straightforward", "Wars have to be fought for a reason",
        "No one goes to war if they don’t have to. Some things are like having a ticking time bomb next "
        "to your pillow, and it’s not going to be easy to sleep."]
    variant = items[0].select_one(".quote-variants li")
    assert variant.q.get_text() == "They’re nice and simple."
    assert [d.get_text() for d in variant.find_all("del")] == ["They are", "straightforward"]
    assert [i.get_text() for i in variant.find_all("ins")] == ["They’re", "simple"]
    assert items[0].select_one("a.para-link")["href"].endswith("#p10")  # the paragraph, in context
    # Putin is only quoted by others ("Putin is a responsible leader"): he has no quotes
    putin = BeautifulSoup((out / "people" / "vladimir-putin" / "index.html").read_text(), "html.parser")
    assert putin.find("section", class_="quotes-section") is None


def test_story_page_lists_quotes_with_speaker_links(shipped):
    out, model = shipped
    story = next(s for s in model["stories"] if s["canonical"] == A3)
    page = BeautifulSoup((out / "stories" / story["slug"] / "index.html").read_text(), "html.parser")
    items = page.select(".quotes-section .quote-item")

    def speaker(words):
        li = next(li for li in items if li.q.get_text().startswith(words))
        link = li.select_one(".said-by a")
        return link["href"] if link else li.select_one(".said-by").get_text(" ", strip=True)
    assert speaker("It’s very obvious").endswith("people/jon-yuan-jiang/index.html")
    assert speaker("But the Chinese also").endswith("people/tang-lu/index.html")
    # how the speaker was found reads as its own words after the name, not glued to it
    tang = next(li for li in items if li.q.get_text().startswith("But the Chinese also"))
    said = " ".join(tang.get_text().split())
    assert "(the text says “she”)" in said and "(the text says" not in said.replace(" (the text says", "")
    assert len(items) == len([q for q in model["quotes"] if q["document"] == A3])


def test_quotation_spans():
    assert quotation_spans("“A b c,” he said. “D e") == [(0, 8, True), (18, 22, False)]
    assert quotation_spans('He said "a b c" twice') == [(8, 15, True)]
    assert quotation_spans("You know? Ukraine.”") == []  # a stray closing mark
    assert quotation_spans("“one “two” three") == [(0, 5, False), (5, 10, True)]


PERSON = "---\nname: Anna Petrova\naliases: [Anna Petrova]\nshort: [Petrova]\n---\nA fisherwoman.\n"


def article(body: str, title: str = "Harbour", date: str = "2024-03-01", outlet: str = "Coast News") -> str:
    return f"---\ntitle: {title}\npublished: {date}\noutlet: {outlet}\n---\n{body}"


def quotes(site, body: str):
    root = site({"content/people/anna.md": PERSON, "content/people/tom.md": "---\nname: Tom Reed\n---\nA trader.\n",
                 "content/articles/a.md": article(body)})
    return {q.text: q for q in build_model(root).quotes}


def test_attribution_forms(site):
    qs = quotes(site, "Anna Petrova runs the boat.\n\n“The sea gives and takes,” she says.\n\n"
                      "“We expect a fair price.”\n\nTom Reed said: “The market is fine today.”\n\n"
                      "“Prices will rise soon enough,” said Petrova.\n\n"
                      "“Nobody buys fish on Mondays,” one trader said.\n\n"
                      "He said it was a “very rare event”.\n")
    assert (qs["The sea gives and takes"].speaker, qs["The sea gives and takes"].how) == ("anna", "pronoun")
    assert (qs["We expect a fair price."].speaker, qs["We expect a fair price."].how) == ("anna", "continued")
    assert qs["The market is fine today."].speaker == "tom"
    assert qs["Prices will rise soon enough"].speaker == "anna"
    assert (qs["Nobody buys fish on Mondays"].speaker, qs["Nobody buys fish on Mondays"].said_by) == (None, "one trader")


def test_he_does_not_reach_back_past_an_unnamed_speaker_or_a_long_silence(site):
    qs = quotes(site, "Tom Reed sells nets.\n\n“Business is slow this year,” says one woman.\n\n"
                      "“You cannot compare it with the past,” he says.\n")
    assert qs["You cannot compare it with the past"].speaker is None
    qs = quotes(site, "Tom Reed sells nets.\n\nThe harbour is old.\n\nThe boats are older.\n\n"
                      "The nets are new.\n\n“It was better before the war,” he says.\n")
    assert qs["It was better before the war"].speaker is None


def test_an_unnamed_speaker_named_with_an_age_in_the_same_paragraph(site):
    qs = quotes(site, "“It was busy before the virus came,” a man told us, Tom Reed, 70, walking his dog.\n")
    assert qs["It was busy before the virus came"].speaker == "tom"


STORY = ("The harbour town of Oldport wakes early, long before the ferries leave for the islands.\n\n"
         "Fishing boats line the quay, and the market opens at five every morning, even in winter.\n\n"
         "Anna Petrova has fished these waters for thirty years and knows every rock in the bay.\n\n"
         "“The sea gives and the sea takes,” she says, mending a net on the harbour wall.\n\n"
         "The council plans a new marina that would take half the quay for yachts.\n\n"
         "Local traders fear the plan will drive the fishing fleet away within a decade.\n\n"
         "“If they build it, we are finished,” said Petrova.\n\n"
         "The vote on the marina is due next month, after a public meeting in the town hall.\n")


@pytest.mark.parametrize("copy, altered", [
    (STORY.replace("The sea gives and the sea takes", "The sea gives, the sea takes away"), True),
    (STORY.replace("we are finished", "we are"), True),  # one word dropped: not "the same words"
    (STORY.replace("If they build it, we", "If they build it we"), True),  # punctuation inside it
    (STORY, False),
    # quote marks, an apostrophe's shape, dashes, case, spacing and the closing mark are typography
    (STORY.replace("“If they build it, we are finished,” said", '"if they build it, we are  finished." said'),
     False),
])
def test_a_copy_that_rewords_a_quote_is_flagged(site, copy, altered):
    root = site({"content/people/anna.md": PERSON, "content/articles/a.md": article(STORY),
                 "content/articles/b.md": article(copy, title="Harbour (copy)", outlet="Copy Site")})
    d = build_model(root)
    assert len(d.stories) == 1 and len(d.stories[0].versions) == 2
    statuses = sorted(q.status for q in d.quotes)
    assert statuses.count("canonical") == 2
    assert ("altered" in statuses) == altered
    flagged = [q for q in d.quotes if q.status == "altered"]
    if altered:
        canonical = [x for x in d.quotes if x.document == flagged[0].same_as[0]][flagged[0].same_as[1]]
        assert flagged[0].speaker == "anna" and canonical.speaker == "anna"


@pytest.mark.parametrize("canonical, copy, same, change", [
    ("they will not come home safe", "they will not come home", False, "drops “safe”"),
    ("They are nice and straightforward", "They’re nice and simple.", False,
     "“They are” → “They’re”; “straightforward” → “simple”"),
    ("No one else wants to be friends with us.", "No one wants to be friends", False,
     "drops “else”; drops “with us”"),
    ("We give them work. That’s it", "We give them work, that's it", False, "“work.” → “work,”"),
    ("I hope they don’t send us to war", "I hope they don't send us to war.", True, ""),
    ("A bridge — empty — at noon", "a bridge – empty –at noon,", True, ""),
    ("Business isn’t good", "Business isn’t good at all", False, "adds “at all”"),
])
def test_same_means_the_same_words_and_a_change_says_what(canonical, copy, same, change):
    assert same_words(canonical, copy) == same
    assert quote_change(canonical, copy) == change
