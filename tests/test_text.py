"""Where sentences end (text.sentence_spans): what link, the entity pages and the
rewrite view all cut paragraphs with."""
from __future__ import annotations

import pytest

from dossier.text import sentence_at, sentence_spans


def cut(paragraph: str) -> list[str]:
    return [paragraph[a:b] for a, b in sentence_spans(paragraph)]


@pytest.mark.parametrize("paragraph, sentences", [
    ("One. Two.", ["One.", "Two."]),
    ("He said: “We stay.” Then he left.", ["He said: “We stay.”", "Then he left."]),
    ("(It rained.) Then it stopped.", ["(It rained.)", "Then it stopped."]),
    ("Really?! Yes.", ["Really?!", "Yes."]),
    ("Wait… 2024 came.", ["Wait…", "2024 came."]),
    ("It ended... Then more.", ["It ended...", "Then more."]),
    ("Mr. Jia met Dr. Lu in the U.S. on Monday.", ["Mr. Jia met Dr. Lu in the U.S. on Monday."]),
    ("no capital. after the stop", ["no capital. after the stop"]),
    ("Spaced.   \n  “Quoted” next.", ["Spaced.", "“Quoted” next."]),
    ("   ", []),
    ("", []),
])
def test_a_paragraph_is_cut_after_a_stop_and_what_closes_with_it(paragraph, sentences):
    assert cut(paragraph) == sentences


def test_the_sentence_at_a_mention_is_the_one_holding_it():
    p = "Lu came. Mr. Jia met Lu in Heihe. They left."
    start = p.index("Heihe")
    a, b = sentence_at(p, start, start + len("Heihe"))
    assert p[a:b] == "Mr. Jia met Lu in Heihe."
