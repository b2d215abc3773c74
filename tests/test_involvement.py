"""Involvement, not co-occurrence: an event's declared people and places, and for a
person the events and names tied to them (listed in an event's file, or named in one
sentence) apart from those only in the same reports; on the site and in print."""
from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import run_dossier


def soup(out, url: str) -> BeautifulSoup:
    page = BeautifulSoup((out / url / "index.html").read_text(), "html.parser")
    for hidden in page.select(".visually-hidden"):
        hidden.decompose()
    return page


def tiers(section) -> dict[str, list[str]]:
    """{h3 heading: [names of the entity links under it]} of a section."""
    out, heading = {}, None
    for el in section.find_all(["h3", "a"]):
        if el.name == "h3":
            heading = el.get_text(" ", strip=True)
            out[heading] = []
        elif heading and "ent" in (el.get("class") or []):
            out[heading].append(el.get_text(strip=True))
    return out


WITH, NEAR = "In the event’s file or the same sentence", "Only in the same reports or notes"


def test_an_event_page_shows_who_and_where(shipped):
    out, _ = shipped
    who = soup(out, "events/xi-moscow-visit").select_one("section.entity-who")
    names = [a.get_text(strip=True) for a in who.select("a.ent")]
    assert names == ["Xi Jinping", "Vladimir Putin", "Dmitry Chernyshenko", "Moscow"]  # its file's people, places
    xi = who.select("li")[0].get_text(" ", strip=True)
    assert "listed in the event’s file" in xi and "in one sentence in 2 reports (4 files) · 2 notes" in xi


def test_zelenskyy_has_no_part_in_the_saudi_iran_deal(shipped):
    out, _ = shipped
    events = tiers(soup(out, "people/volodymyr-zelenskyy").select_one("section.entity-events"))
    assert "China brokers Saudi–Iran deal" in events[NEAR]
    assert "China brokers Saudi–Iran deal" not in events.get(WITH, [])
    assert events[WITH] == ["Russian invasion of Ukraine"]  # “…since before the Russian invasion”
    related = tiers(soup(out, "people/volodymyr-zelenskyy").select_one("section.related"))
    assert related["Named in the same sentence"] == ["Xi Jinping"]
    assert "Vladimir Putin" in related[NEAR]


def test_xi_is_in_the_events_his_files_name_him_in(shipped):
    out, _ = shipped
    section = soup(out, "people/xi-jinping").select_one("section.entity-events")
    events = tiers(section)
    assert {"Xi Jinping's visit to Moscow", "Belt and Road forum",
            "China's 12-point peace proposal"} <= set(events[WITH])
    assert "China brokers Saudi–Iran deal" in events[NEAR]
    peace = next(li for li in section.select("li") if "12-point" in li.get_text())
    assert "listed in the event’s file" in peace.get_text() and "one sentence" not in peace.get_text()


def test_the_print_edition_keeps_the_tiers(shipped):
    out, _ = shipped
    edition = soup(out, "print")
    part = edition.select_one("#people-volodymyr-zelenskyy")
    assert tiers(part.select_one("section.entity-events")).keys() == {WITH, NEAR}
    related = part.select_one("section.related")
    assert [a.get_text(strip=True) for a in related.select("a.ent")] == ["Xi Jinping"]
    assert "only in the same reports or notes, never in one sentence" in related.get_text(" ")
    event = edition.select_one("#events-xi-moscow-visit section.entity-who")
    assert [a.get_text(strip=True) for a in event.select("a.ent")][:2] == ["Xi Jinping", "Vladimir Putin"]


def test_a_declared_person_the_text_never_names_with_the_event(site, tmp_path):
    root = site({
        "content/people/anna.md": "---\nname: Anna Petrova\n---\nHarbour master.\n",
        "content/people/tom.md": "---\nname: Tom Reed\n---\nTrader.\n",
        "content/events/strike.md": "---\ntitle: Dock strike\ndate: 2024-03-01\naliases: [dock strike]\n"
                                    "people: [anna]\n---\nThe strike.\n",
        "content/articles/a.md": "---\ntitle: Port\npublished: 2024-03-02\noutlet: Coast News\n---\n"
                                 "The dock strike closed the port for a week.\n\n"
                                 "Tom Reed said trade would recover. Anna Petrova was away.\n"})
    assert run_dossier("build", str(root), "-o", str(tmp_path / "out")).returncode == 0
    out = tmp_path / "out"
    assert [a.get_text(strip=True) for a in soup(out, "events/strike").select("section.entity-who a.ent")] == \
        ["Anna Petrova"]
    assert tiers(soup(out, "people/anna").select_one("section.entity-events")) == {WITH: ["Dock strike"]}
    assert tiers(soup(out, "people/tom").select_one("section.entity-events")) == {NEAR: ["Dock strike"]}
