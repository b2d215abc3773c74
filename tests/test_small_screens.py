"""At 375 px (a phone), in Chromium, on every page of the shipped build: nothing scrolls
sideways, every table fits (reflowed) or scrolls inside a box that shows it does,
no relation badge is clipped, and an entity's kind marker (● ▲ ◆) is never left at
the end of a line without its name."""
from __future__ import annotations

import os

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS

MEASURE = """() => {
  const vw = document.documentElement.clientWidth, out = {sideways: document.documentElement.scrollWidth - vw,
        tables: [], badges: [], marks: []};
  for (const t of document.querySelectorAll('main table')) {
    const box = t.closest('.table-wrap') || t, style = getComputedStyle(box);
    const wider = t.scrollWidth > box.clientWidth + 1;
    const cue = style.backgroundImage.includes('gradient');  // the scroll shadows of dossier.css
    if (wider && !(['auto', 'scroll'].includes(style.overflowX) && cue)) out.tables.push(t.className);
  }
  for (const b of document.querySelectorAll('main .rel')) {
    const r = b.getBoundingClientRect();
    for (let el = b.parentElement; el && el !== document.body; el = el.parentElement) {
      if (getComputedStyle(el).overflowX === 'visible') continue;
      const e = el.getBoundingClientRect();
      if (r.right > e.right + 0.5 || r.left < e.left - 0.5) { out.badges.push(b.textContent); break; }
    }
    if (r.right > vw) out.badges.push(b.textContent);
  }
  for (const a of document.querySelectorAll('main .ent')) {
    const first = a.getClientRects()[0];
    const text = [...a.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    if (!first || !text) continue;
    const range = document.createRange(), at = text.textContent.search(/\\S/);
    range.setStart(text, at); range.setEnd(text, at + 1);
    const letter = range.getClientRects()[0];  // the name's first letter: on the marker's line?
    if (letter && (letter.top + letter.bottom) / 2 > first.bottom) out.marks.push(a.textContent.slice(0, 40));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def phone():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (make system-deps)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 375, "height": 800})
        browser.close()


def test_no_page_scrolls_sideways_and_tables_badges_and_marks_fit(shipped, phone):
    out, _ = shipped
    pages = sorted(p for p in out.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 45
    problems = {}
    for page in pages:
        phone.goto(page.as_uri())
        found = phone.evaluate(MEASURE)
        if found["sideways"] > 0 or found["tables"] or found["badges"] or found["marks"]:
            problems[page.relative_to(out).as_posix()] = found
    assert not problems, problems


def test_the_sources_table_reflows_into_labelled_rows(shipped, phone):
    out, _ = shipped
    phone.goto((out / "people" / "xi-jinping" / "index.html").as_uri())
    cells = phone.evaluate("""() => [...[...document.querySelectorAll('.sources-table tbody tr')]
        .find(tr => tr.querySelector('th code').textContent.startsWith('articles/')).querySelectorAll('td')]
        .map(td => [getComputedStyle(td).display, getComputedStyle(td, '::before').content])""")
    assert cells[:3] == [["block", '"Outlet, date: "'], ["block", '"Relation: "'], ["block", '"Similarity: "']]
