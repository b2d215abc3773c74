"""link: one Aho–Corasick pass, word boundaries, ambiguous short forms by context."""
from dossier.pipeline.link import link
from dossier.models import Document, Entity


def person(slug, name, aliases=(), short=()):
    return Entity(slug, "person", name, f"people/{slug}.md", (name, *aliases), tuple(short))


def place(slug, name, aliases=(), short=()):
    return Entity(slug, "place", name, f"places/{slug}.md", (name, *aliases), tuple(short))


def event(slug, name, aliases=()):
    return Entity(slug, "event", name, f"events/{slug}.md", (name, *aliases))


ENTITIES = (
    person("xi-jinping", "Xi Jinping", ["President Xi"], ["Xi"]),
    person("vladimir-putin", "Vladimir Putin", ["Putin"]),
    person("jon-yuan-jiang", "Jon Yuan Jiang", [], ["Jiang"]),
    person("lu-shaye", "Lu Shaye", ["Beijing's ambassador to France"], ["Lu"]),
    person("tang-lu", "Tang Lu"),
    place("amur-river", "Amur River", ["Amur", "Heilongjiang river"]),
    place("heilongjiang", "Heilongjiang province", ["province of Heilongjiang"], ["Heilongjiang"]),
    event("lu-shaye-remarks", "Lu Shaye's remarks", ["Lu's remarks"]),
)


def doc(*paragraphs, id="articles/a.txt", captions=()):
    return Document(id, "article", "t", tuple(paragraphs), tuple(captions))


def found(d):
    return [(m.entity, d.paragraphs[m.paragraph][m.start:m.end]) for m in link([d], ENTITIES)]


def test_word_boundaries():
    d = doc("Xinhua said Heilongjiang river froze; Jon Yuan Jiang spoke. Xi Jinping came.")
    assert found(d) == [("amur-river", "Heilongjiang river"), ("jon-yuan-jiang", "Jon Yuan Jiang"),
                        ("xi-jinping", "Xi Jinping")]


def test_jiang_not_inside_heilongjiang():
    d = doc("Jon Yuan Jiang is an expert.", "The province of Heilongjiang, said Jiang.")
    names = found(d)
    assert ("jon-yuan-jiang", "Jiang") in names
    assert ("heilongjiang", "province of Heilongjiang") in names
    assert all(text != "Heilongjiang" or slug == "heilongjiang" for slug, text in names)


def test_short_form_needs_the_full_name_in_the_document():
    assert found(doc("Xi’s visit speaks volumes.")) == []
    assert found(doc("Xi Jinping came.", "Xi’s visit speaks volumes.")) == [
        ("xi-jinping", "Xi Jinping"), ("xi-jinping", "Xi")]


def test_lu_resolves_by_context_and_tang_lu_is_tang_lu():
    d = doc("Beijing’s ambassador to France spoke.", "China appeared to play down Lu’s remarks.",
            "said Tang Lu, owner of a bar.")
    names = found(d)
    assert ("lu-shaye", "Beijing’s ambassador to France") in names
    assert ("lu-shaye", "Lu") in names  # the person inside the event phrase
    assert ("lu-shaye-remarks", "Lu’s remarks") in names  # curly apostrophe matches a straight alias
    assert ("tang-lu", "Tang Lu") in names
    assert sum(1 for slug, _ in names if slug == "lu-shaye") == 2  # "Lu" of "Tang Lu" is not Lu Shaye


def test_lenin_is_not_putin():
    assert found(doc("Russian dolls and (Vladimir) Lenin motif merchandise.")) == []


def test_captions_are_linked_and_marked():
    d = doc("Body.", captions=("Xi Jinping lands in Moscow.",))
    (m,) = link([d], ENTITIES)
    assert m.in_caption and m.entity == "xi-jinping"


def test_wikilinks_in_notes():
    note = Document("notes/n.md", "note", "n", ("See [[tang-lu|the bar owner]] and [[Nobody]].",))
    ms = link([note], ENTITIES)
    assert [(m.entity, m.wikilink) for m in ms] == [("tang-lu", True)]


def test_sentence_ties_are_the_names_each_sentence_names_together():
    from dossier.pipeline.link import names_of, sentence_ties, tied
    d = doc("Xi Jinping met Putin in Moscow. Later the Amur froze. Jon Yuan Jiang saw it.",
            "Putin spoke.", captions=("Xi Jinping and Tang Lu on the Amur.",))
    found = link([d], ENTITIES)
    xi, putin, amur, tang = (("person", "xi-jinping"), ("person", "vladimir-putin"), ("place", "amur-river"),
                             ("person", "tang-lu"))
    # one sentence, one set; a sentence naming one name ties it to none; a caption is its own sentence
    names, ties = names_of(found), sentence_ties(d, found)
    with_ = {who: tied(names, ties, who) for who in (xi, putin, amur, tang, ("person", "jon-yuan-jiang"))}
    assert with_[xi] == {xi, putin, tang, amur} and with_[putin] == {xi, putin}
    assert with_[tang] == with_[amur] == {xi, tang, amur} and with_[("person", "jon-yuan-jiang")] == set()
    assert tied(names, ties, ("person", "nobody")) == set() and tied((), b"", xi) == set()


def test_a_documents_mentions_packed_read_back_as_the_mentions_link_found():
    import pickle
    from dossier.models import Mention, Mentions
    from dossier.pipeline.link import Linker, link_document
    d = doc("Xi Jinping met Putin in Moscow, and Xi spoke of the Amur.", captions=("Tang Lu on the Amur.",))
    linker = Linker(ENTITIES)
    found = link_document(d, linker.automaton, linker.lookup)
    packed = linker(d)
    assert isinstance(packed, Mentions) and len(found) == len(packed) == 6
    assert list(packed) == found and packed == tuple(found)  # every field, in order, flags included
    assert [packed[i] for i in range(-len(found), len(found))] == found + found
    assert packed[1:3] == tuple(found[1:3]) and [m for m in packed if m.in_caption] == found[-2:]
    again = pickle.loads(pickle.dumps(packed))  # how they come back from a worker
    assert again == packed and hash(again) == hash(packed) and list(again) == found
    wiki = Mention("xi-jinping", "person", d.id, 0, 0, 14, wikilink=True)
    assert list(Mentions(d.id, [wiki])) == [wiki] and Mentions(d.id, [wiki]) != Mentions(d.id, found[:1])
    xi = [m for m in found if m.entity == "xi-jinping"]
    assert packed.naming("xi-jinping", "person") == xi and len(xi) == 2  # one entity's, made alone
    assert packed.naming("xi-jinping", "place") == [] and packed.naming("nobody", "person") == []
    assert packed.within({(True, 0)}) == found[-2:] and packed.within({(False, 0)}) == found[:4]
    from dossier.pipeline.link import names_of
    assert names_of(packed) == names_of(found) == names_of(again) and len(names_of(found)) == 4
    import pytest
    with pytest.raises(ValueError):
        Mentions("articles/other.txt", found)
    with pytest.raises(IndexError):
        packed[6]
