"""Relative URLs and slugs: the table every link on the site depends on."""
import pytest
from hypothesis import given, strategies as st

from dossier.urls import absolute, href, relative, slugify, unique_slugs


@pytest.mark.parametrize("target, page, expected", [
    ("people/xi-jinping/", "", "people/xi-jinping/"),
    ("people/xi-jinping/", "stories/heihe/", "../../people/xi-jinping/"),
    ("", "stories/heihe/", "../../"),
    ("stories/", "stories/heihe/", "../"),
    ("stories/heihe/", "stories/heihe/", "./"),
    ("assets/dossier.css", "people/xi-jinping/", "../../assets/dossier.css"),
    ("stories/x/#v-1", "people/a/", "../../stories/x/#v-1"),
    ("feed.xml", "", "feed.xml"),
    ("timeline/", "404.html", "timeline/"),
])
def test_relative(target, page, expected):
    assert relative(target, page) == expected


@pytest.mark.parametrize("target, page, expected", [
    ("people/xi-jinping/", "", "people/xi-jinping/index.html"),
    ("", "stories/heihe/", "../../index.html"),
    ("stories/x/#v-1", "people/a/", "../../stories/x/index.html#v-1"),
    ("assets/dossier.css", "", "assets/dossier.css"),
])
def test_href_works_from_file_urls(target, page, expected):
    assert href(target, page) == expected


@pytest.mark.parametrize("base, target, expected", [
    ("https://example.github.io/heihe/", "people/x/", "https://example.github.io/heihe/people/x/"),
    ("https://example.github.io/heihe", "", "https://example.github.io/heihe/"),
    ("https://dossier.example.org/", "feed.xml", "https://dossier.example.org/feed.xml"),
])
def test_absolute(base, target, expected):
    assert absolute(target, base) == expected


@pytest.mark.parametrize("text, expected", [
    ("Xi Jinping", "xi-jinping"),
    ("‘No one else wants to be friends with us’: View", "no-one-else-wants-to-be-friends-with-us-view"),
    ("../../etc/passwd", "etc-passwd"),
    ("/absolute/path", "absolute-path"),
    ("Zürich – Genève", "zurich-geneve"),
    ("con", "con-page"),
    ("", "untitled"),
    ("!!!", "untitled"),
])
def test_slugify(text, expected):
    assert slugify(text) == expected


def test_unique_slugs_are_stable_and_visible():
    assert unique_slugs(["a", "b", "a", "a-2", "a"]) != ["a", "b", "a", "a-2", "a"]
    out = unique_slugs(["a", "b", "a", "a"])
    assert out == ["a", "b", "a-2", "a-3"]
    clash = unique_slugs(["a", "a", "a-2"])
    assert len(set(clash)) == 3 and clash[0] == "a"


_NAMES = st.sampled_from(["stories", "stories-2", "people", "x", "index.html", "a.html", ".", "..", ""])


@given(st.lists(_NAMES, max_size=4).map("/".join), st.lists(_NAMES, max_size=4).map("/".join),
       st.sampled_from(["", "/"]), st.sampled_from(["", "#", "#p3"]))
def test_href_is_the_relative_link_to_the_folders_index(page, target, end, frag):
    """href's quick way (a link out of the page's top folder) gives what relative() does."""
    page, target = page + end, target + frag
    path, hash_, frag = target.partition("#")
    path += "index.html" if path == "" or path.endswith("/") else ""
    assert href(target, page) == relative(path + hash_ + frag, page)
