"""Names the dossier does not know yet: on the shipped sources and on tiny sites."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier.build import build_model
from dossier.pipeline.names import unknown_names

ROOT = Path(__file__).resolve().parent.parent
# Every person the five articles name (after clean) who has no file in content/people/.
# Not here: Anatoliy Zhdanov and Fred Dufour are photo credits and Joanna Swanson a
# scraped bio, which clean removes; the "You May Also Like" sidebar of 001 is junk.
PEOPLE_WITHOUT_A_PAGE = ["Vladimir Lenin", "Biden"]
JUNK = ["Viktor Baturin", "Elena", "Yuri Luzhkov", "Luzhkov", "Ridley Scott", "Oliver Reed", "Reed",
        "Dimash Qudaibergen", "Joanna Swanson", "Anatoliy Zhdanov", "Fred Dufour", "Gladiator", "Watneys",
        "Düsseldorf", "Moldova", "London Globe", "Maltese"]


@pytest.fixture(scope="module")
def shipped_names():
    d = build_model(ROOT)
    return {n.name: n for n in unknown_names(d.documents, d.entities, d.mentions)}


def test_every_person_without_a_page_is_suggested(shipped_names):
    assert set(PEOPLE_WITHOUT_A_PAGE) <= set(shipped_names)
    lenin = shipped_names["Vladimir Lenin"]  # "(Vladimir) Lenin", in 000 and its copy 002
    assert (lenin.count, lenin.sources) == (2, ("articles/000_b0046fc09b710f13.txt",
                                                 "articles/002_6cc53403c4d55935.txt"))
    assert "(Vladimir) Lenin motif merchandise" in lenin.sentence
    assert shipped_names["Biden"].kind == "person"  # once, but "the Biden administration"


def test_no_junk_known_or_generic_names(shipped_names):
    for name in JUNK:
        assert name not in shipped_names
    known = ["Xi Jinping", "Xi", "Jinping", "Putin", "Vladimir", "Jiang", "Shi", "Slava", "Mr Jia", "Jia",
             "Heihe", "Harbin", "Amur", "Heilong", "Tang Lu", "Lu", "Qin Gang", "Dmitry Chernyshenko",
             "Blagoveschchensk", "Winter Olympics", "Belt and Road Initiative", "France",  # France: in an alias
             "China", "Russia"]  # places since issue 13: the two names the sources use most
    generic = ["Chinese", "Russian", "Russians", "President", "Western", "Soviet", "West", "COVID", "Covid",
               "February", "March", "Indeed", "Crucially", "Sky News", "NBC News", "Terra", "HEIHE", "You", "For"]
    assert not [n for n in known + generic if n in shipped_names]


def test_ranked_by_count_with_the_first_sentence(shipped_names):
    ranked = list(shipped_names.values())
    assert [n.count for n in ranked] == sorted((n.count for n in ranked), reverse=True)
    assert ranked[0].name == "Europe" and ranked[0].count >= 5
    assert shipped_names["Power of Siberia"].count == 3  # a particle inside a name


SITE = {
    "content/people/anna.md": "---\nname: Anna Petrova\n---\nA fisherwoman.\n",
    "content/places/oldport.md": "---\nname: Oldport\n---\nA town.\n",
}


def names(site, files):
    d = build_model(site({**SITE, **files}))
    return {n.name: n for n in unknown_names(d.documents, d.entities, d.mentions)}


def art(body: str, n: int = 1) -> str:
    return f"---\ntitle: Report {n}\npublished: 2024-03-0{n}\noutlet: Coast News\n---\n{body}\n"


def test_a_name_must_recur_or_come_with_a_person_cue(site):
    found = names(site, {"content/articles/a.md": art(
        "Anna Petrova met Boris Kuznetsov in Oldport. Kuznetsov said little. "
        "The mayor visited Greyhaven once. Foreign Minister Li Wei arrived on Monday. "
        "“We will stay,” said Maria Lopez, a fisher from the north.")})
    assert found["Boris Kuznetsov"].count == 2  # "Kuznetsov" folded into the full name
    assert found["Li Wei"].kind == "person" and "title X" in found["Li Wei"].cues
    assert found["Maria Lopez"].kind == "person"
    assert "Greyhaven" not in found  # once, no cue: not yet a name worth a file
    assert not {"Anna Petrova", "Oldport", "Monday", "Foreign Minister Li Wei", "Coast News"} & set(found)


def test_two_sources_make_a_name_recur_and_a_file_makes_it_known(site):
    files = {"content/articles/a.md": art("Greyhaven is quiet in winter.", 1),
             "content/articles/b.md": art("The ferry to Greyhaven was cancelled.", 2)}
    assert names(site, files)["Greyhaven"].sources == ("articles/a.md", "articles/b.md")
    files["content/places/greyhaven.md"] = "---\nname: Greyhaven\n---\nAn island.\n"
    assert "Greyhaven" not in names(site, files)


def test_sidebar_names_do_not_count(site):
    body = ("Anna Petrova mends nets on the harbour wall every morning before the market opens.\n\n"
            "The catch has been poor this year, and the price of diesel has doubled since the spring.\n\n"
            "The harbour master expects more boats to be sold before the winter.\n\n"
            "You May Also Like\n\nFilm director Ridley Scott recalls Oliver Reed and Ridley Scott again\n")
    assert not {"Ridley Scott", "Oliver Reed"} & set(names(site, {"content/articles/a.md": art(body)}))
