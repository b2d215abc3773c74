"""lists: the pages that show the whole dossier (home, the lists of stories, notes,
people, places and events, the timeline, the sources table) and the pager of a long list.

A long list is cut into pages as Hugo paginates a section (`paginate`): `sources/`,
`sources/page/2/`, … Each page is planned with the slice of items it shows, so
builders.plan_pages makes it a Group of its own: forked render workers make the
pages side by side, none holds the whole list, and making a page builds the rows of
that page only. What a page counts is the whole dossier's; what it shows, it says
("Articles 201–400 of 1000").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Callable, Mapping, TypeVar

from .. import dates
from ..models import Document, Page, Source, Story
from ..pipeline.stories import counts
from .index import Index
from .views import KIND_SECTION, describe, entity_link, entity_url, first_sentence, outlet_of, removed_row

T = TypeVar("T")
_LATER = re.compile(r"(.*/)page/([0-9]+)/")  # page_url's n-th page, n > 1

# Rows a page of the sources table. A row is ~1.4 KB of HTML (a scraped article's
# table of what clean removed makes some far longer), so 200 make a page of about
# 300 KB, the size of a long story: 100,000 articles give 500 such pages instead of
# one of 160 MB that no browser opens and that one render worker had to hold. Fewer
# (Hugo's default is 10) would make an auditor page through hundreds of pages to
# check the files of one outlet with the browser's find.
SOURCES_PER_PAGE = 200
# Items a page of a list (stories, notes, people, places, events). A story's card is
# ~400 bytes: 100 make a 40 KB page a reader scans in a few screens, and 70,000
# stories (100,000 articles) 700 pages, not one of 28 MB.
ITEMS_PER_PAGE = 100
# Stories, and editor's notes, the home page lists before its link to all of them: the
# briefing is the summary, the lead note and the key people; a list of 70,000
# stories is the story list's job (the home page was 17 MB at 100,000 articles).
HOME_ITEMS = 20
# Pages a pager links either side of the current one, with the first and the last:
# at most five numbers and two "…" however many pages (a link to each of 500 would be a
# page itself), which fit one line of a 375 px phone (two either side wrapped there).
WINDOW = 1

# The lists, in the site's order: (kind of item, section, title)
LISTS = (("story", "stories", "Stories"), ("note", "notes", "Notes"),
         *((kind, section, section.capitalize()) for kind, section in KIND_SECTION.items()))
# The sources table's order and groups (sources.html names them)
SOURCE_KINDS = ("article", "note", "person", "place", "event")


@dataclass(frozen=True)
class Cut:
    """One page's share of a list: items[start:start + len(items)] of `total`."""

    url: str  # the list's first page: "stories/"
    n: int  # this page, from 1
    pages: int
    total: int
    start: int
    items: tuple
    per_page: int

    @property
    def page_url(self) -> str:
        return page_url(self.url, self.n)

    def pager(self, label: str) -> dict | None:
        return pager(self.url, self.n, self.pages, self.total, self.per_page, label)


@dataclass(frozen=True)
class Listing:
    """A page of a list, planned but not made: plan_pages makes each a Group, keyed
    (name, what the whole list reads, n)."""

    url: str
    name: str
    n: int
    make: Callable[[Index], Page]


def page_url(url: str, n: int) -> str:
    """The n-th page of the list at `url`: the list itself, then url/page/n/ (Hugo's scheme)."""
    return url if n == 1 else f"{url}page/{n}/"


def first_page(url: str) -> str:
    """The first page of the list (or entity) `url` is a page of: page_url read backwards."""
    later = _LATER.fullmatch(url)
    return later.group(1) if later and int(later.group(2)) > 1 else url


def pages_of(url: str, by_url: Mapping[str, T]) -> list[T]:
    """What `by_url` holds of the list at `url`, page by page: url, url/page/2/, …"""
    found, n = [], 1
    while page_url(url, n) in by_url:
        found.append(by_url[page_url(url, n)])
        n += 1
    return found


def cuts(url: str, items, per_page: int) -> list[Cut]:
    """`items` in pages of `per_page`; an empty list is one empty page."""
    items = tuple(items)
    pages = max(1, -(-len(items) // per_page))
    return [Cut(url, n, pages, len(items), (n - 1) * per_page, items[(n - 1) * per_page:n * per_page], per_page)
            for n in range(1, pages + 1)]


def pager(url: str, n: int, pages: int, total: int, per_page: int, label: str) -> dict | None:
    """Previous, next and the page numbers of `window`: None for a list of one page."""
    if pages < 2:
        return None
    at = partial(page_url, url)
    return {"page": n, "pages": pages, "total": total, "per_page": per_page, "label": label,
            "first": (n - 1) * per_page + 1, "last": min(n * per_page, total),
            "prev": at(n - 1) if n > 1 else None, "next": at(n + 1) if n < pages else None,
            "links": [{"n": k, "url": at(k), "current": k == n, "gap": False} if k else {"gap": True}
                      for k in window(n, pages)]}


def window(n: int, pages: int, around: int = WINDOW) -> list[int | None]:
    """The page numbers a pager shows, None for a gap ("…"): the first, the last, and
    `around` either side of n. A gap of one page shows that page: "…" is no shorter."""
    out: list[int | None] = []
    last = 0
    for k in sorted({1, pages, *range(max(1, n - around), min(pages, n + around) + 1)}):
        if k - last == 2:
            out.append(k - 1)
        elif k - last > 2:
            out.append(None)
        out.append(k)
        last = k
    return out


def plan_lists(ix: Index) -> list[Listing]:
    """Every page of the five lists, ITEMS_PER_PAGE items a page."""
    orders = ix.memo.get("list order", ix.structure, partial(_orders, ix))
    return [Listing(cut.page_url, section, cut.n, partial(list_page, kind=kind, title=title, cut=cut))
            for kind, section, title in LISTS for cut in cuts(f"{section}/", orders[kind], ITEMS_PER_PAGE)]


def _orders(ix: Index) -> dict[str, tuple]:
    """Each list's items in its order: stories as dedup named them, notes newest
    first, people and places as the entity files list them, events by date."""
    d = ix.d
    out: dict[str, tuple] = {"story": d.stories,
                             "note": _newest_first(d.notes)}
    for kind in KIND_SECTION:
        es = [e for e in d.entities if e.kind == kind]
        if kind == "event":
            es.sort(key=lambda e: (e.date or "9999", e.name))
        out[kind] = tuple(es)
    return out


def list_page(ix: Index, kind: str, title: str, cut: Cut) -> Page:
    if kind == "story":
        items = _story_cards(ix, cut.items)
    elif kind == "note":
        items = [{**_note_link(ix, n), "summary": describe(n)} for n in cut.items]
    else:
        items = [entity_link(e, ix.entity_reach(e)) for e in cut.items]
    section = cut.url.rstrip("/")
    description = {"story": f"{cut.total} stories", "note": f"{cut.total} editor notes"}.get(
        kind, f"{cut.total} {section} in the dossier")
    return _paged(Page(cut.url, "list.html", title, "list", {
        "items": items, "kind": kind, "total": cut.total, "pager": cut.pager(section)},
        description=description, crumbs=()), cut)


def _paged(first: Page, cut: Cut) -> Page:
    """The page as the n-th of its list: its own URL, "(page n of N)", a crumb back to the first."""
    if cut.n == 1:
        return first
    return Page(cut.page_url, first.template, f"{first.title} (page {cut.n} of {cut.pages})", first.section,
                first.context, description=f"{first.description}: page {cut.n} of {cut.pages}",
                crumbs=((first.title, cut.url),))


def _newest_first(notes) -> tuple[Document, ...]:
    """The notes as the note list and the home page give them: newest first, then by title."""
    return tuple(sorted(notes, key=lambda n: (n.date or "", n.title), reverse=True))


def _note_link(ix: Index, n: Document) -> dict:
    return {"title": n.title, "url": f"notes/{ix.note_slugs[n.id]}/", "date": dates.label(n.date) if n.date else ""}


def _story_cards(ix: Index, stories) -> list[dict]:
    return [ix.piece("card", s.slug, ix.view[s.canonical])(partial(_card, s, [ix.docs[v.source] for v in s.versions]))
            for s in stories]


def _card(s: Story, docs: list[Document]) -> dict:
    return {"title": s.title, "url": f"stories/{s.slug}/", "outlets": sorted({outlet_of(doc) for doc in docs}),
            "versions": len(s.versions), "folded": len(s.versions) - 1,
            "date": dates.label(docs[0].date) if docs[0].date else "", "summary": describe(docs[0])}


def home(ix: Index) -> Page:
    d = ix.d
    def top(kind, n=8):  # ranked by independent reports: three copies of one story are one
        ranked = sorted(((ix.entity_reach(e), e) for e in d.entities if e.kind == kind),
                        key=lambda x: (x[0].rank(), x[1].name))
        return [entity_link(e, r) for r, e in ranked[:n]]
    latest = [_timeline_item(ix, t) for t in reversed(d.timeline)][:5]
    notes = _newest_first(d.notes)
    # the editor's lead note (`lead: true`: the key judgements) is the briefing's body,
    # in full, before anything else; the print edition prints it right after this page
    lead = [{**_note_link(ix, n), "date_iso": n.date,
             "html": ix.markdown(n.markdown or "", "", n.id.rsplit("/", 1)[0], shift=1)}
            for n in notes if n.meta.get("lead") is True]
    others = [n for n in notes if n.meta.get("lead") is not True]
    return Page("", "home.html", d.config.title, "home", {
        "summary_html": ix.markdown(d.config.summary, "", "."), "lead": lead,
        "latest": latest, "people": top("person"), "places": top("place"),
        # the first HOME_ITEMS of the story list and the newest other notes; the totals
        # say when there are more (home.html then links to all of them)
        "stories": _story_cards(ix, d.stories[:HOME_ITEMS]), "stories_total": len(d.stories),
        "notes": [_note_link(ix, n) for n in others[:HOME_ITEMS]], "notes_total": len(d.notes),
        "counts": counts(d),
        "pdf_url": "dossier.pdf" if d.config.pdf else "",  # build() writes it when `pdf: true`
    }, description=first_sentence(d.config.summary) or d.config.title)


def _timeline_item(ix: Index, t) -> dict:
    return {"title": t.title, "url": entity_url("event", t.event) if t.event else ix.url_of(t.document),
            "label": dates.range_label(t.date, t.end), "date_iso": t.date, "end_iso": t.end,
            "precision": t.precision, "sources": ix.report_rows(t.sources), "reach": ix.reach(t.sources)}


def timeline_page(ix: Index) -> Page:
    years = []
    for year, entries in groupby(ix.d.timeline, key=lambda t: t.date[:4]):
        years.append({"year": year, "entries": [_timeline_item(ix, t) for t in entries]})
    undated = [entity_link(e) for e in ix.d.entities if e.kind == "event" and not e.date]
    return Page("timeline/", "timeline.html", "Timeline", "timeline", {"years": years, "undated": undated},
                description=f"{len(ix.d.timeline)} events in order", crumbs=())


def plan_sources(ix: Index, everything: str) -> list[Listing]:
    """The pages of the sources table, SOURCES_PER_PAGE files a page: the articles,
    then the notes, the people, places and events files, each kind in the model's order."""
    order, kinds, relations = ix.memo.get("sources order", (everything, ix.structure), partial(_source_order, ix))
    return [Listing(cut.page_url, "sources", cut.n, partial(sources_page, cut=cut, kinds=kinds, relations=relations))
            for cut in cuts("sources/", order, SOURCES_PER_PAGE)]


def _source_order(ix: Index) -> tuple[tuple[Source, ...], dict[str, int], dict[str, int]]:
    """The files in the table's order, and the counts every page of it shows: files of
    each kind, and articles by what dedup made of them (an article is in a story, so
    its version's relation is the one its row shows)."""
    rank = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
    order = tuple(sorted(ix.d.sources, key=lambda s: rank[s.kind]))  # stable: the model's order within a kind
    relations = Counter(ix.version_of[s.id].relation for s in order if s.kind == "article" and s.id in ix.version_of)
    return order, dict(Counter(s.kind for s in order)), dict(relations)


def sources_page(ix: Index, cut: Cut, kinds: dict[str, int], relations: dict[str, int]) -> Page:
    def row(src) -> dict:
        doc = ix.docs.get(src.id)
        story = ix.story_of.get(src.id)
        return {**ix.source_row(src.id), "kind": src.kind,
                "story": {"title": story.title, "url": f"stories/{story.slug}/"} if story else None,
                "removed": [removed_row(r) for r in (doc.removed if doc else ())],
                "captions": list(doc.captions) if doc else [], "sha": src.sha[:12]}
    rows = [ix.piece("source", src.id, ix.view.get(src.id))(partial(row, src)) for src in cut.items]
    # where each kind starts in the whole table: its rows on this page are numbered from
    # there ("People 3–40 of 80"), and the index of kinds links the page it starts on
    offset, shown, starts = 0, {}, {}
    for kind in SOURCE_KINDS:
        count = kinds.get(kind, 0)
        first, last = max(cut.start, offset), min(cut.start + len(cut.items), offset + count)
        if first < last:
            shown[kind] = (first - offset + 1, last - offset)
        if count:
            starts[kind] = f"{page_url(cut.url, offset // cut.per_page + 1)}#sg-{kind}"
        offset += count
    return _paged(Page(cut.url, "sources.html", "Sources", "sources", {
        "rows": rows, "total": cut.total, "kinds": kinds, "relations": relations, "shown": shown, "starts": starts,
        "pager": cut.pager("sources")},
        description=f"Every file of the dossier and what became of it ({cut.total} files)", crumbs=()), cut)
