"""pages: Dossier → Page[]. Every cross-link is computed here, once.

Templates print what this module gives them and never look anything up, so
what links where can be tested on the model without rendering a byte.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Callable

from .. import dates
from ..keys import digest
from ..memo import Memo
from ..models import Document, Dossier, Entity, Mention, Page, SourceId, Story
from ..pipeline.link import resolve_wikilink
from ..pipeline.stories import Reach
from .diff import Rewrites
from .index import Index, canonical, entity_key, group_key, listed_sources
from .involvement import involvement
from .lists import home, page_url, pager as make_pager, plan_lists, plan_sources, timeline_page
from .printpage import PRINT_URL, print_page
from ..urls import is_web_url
from .quote_views import person_quotes, story_quotes
from .shards import shards_of
from .views import (KIND_SECTION, by_paragraph, describe, entity_link, entity_url, first_sentence, mention_sentences,
                    outlet_of, segments)

# An entity page quotes at most this many sentences of each story: a person named in
# hundreds of articles would otherwise get a page of megabytes (the story link and
# "N more" lead to the rest). The editor's own notes are quoted in full.
SENTENCES_PER_SOURCE = 3
# Stories per page of a person, place or event, as Hugo pages a taxonomy term
# (people/xi-jinping/page/2/): a person named in 400 articles gets twenty small
# pages, not one of megabytes, and an edit re-renders the one page it touches.
# The editor's notes are all on the first page, so a note never shifts the pages.
STORIES_PER_PAGE = 20
# A person, place or event named in more documents than this has pages that cost (all
# its stories are read for its index and who it appears with): `dossier serve` makes
# them when a browser asks, not after every edit that names it.
LAZY_FROM = 100

SECTIONS = (("Stories", "stories/"), ("Notes", "notes/"), ("People", "people/"), ("Places", "places/"),
            ("Events", "events/"), ("Timeline", "timeline/"), ("Sources", "sources/"))


@dataclass(frozen=True, eq=False)  # one Group is one object: serve sets and compares them by identity
class Group:
    """Pages made together (a person's pages of 20 stories; one story; one page of a
    list), kept in the memo under what they read (`key`)."""

    urls: tuple[str, ...]
    key: tuple
    make: Callable[[Index], tuple[Page, ...]]
    # made when asked for in serve, unless shown: they read the whole dossier (any edit
    # gives them a new key; the lists, the timeline, the sources table, the print
    # edition) or much of it (a person named in 10³ reports)
    lazy: bool = False

    def pages(self, ix: Index) -> tuple[Page, ...]:
        return ix.memo.get("page", self.key, partial(self.make, ix))


def build_pages(d: Dossier, memo: Memo | None = None) -> tuple[Page, ...]:
    """Every page of the site."""
    groups, ix = plan_pages(d, memo if memo is not None else Memo())
    return tuple(p for g in groups for p in g.pages(ix))


def plan_pages(d: Dossier, memo: Memo) -> tuple[list[Group], Index]:
    """Every page of the site, as groups not yet made, and the lookups that make them:
    `dossier build` makes them all, `dossier serve` those shown in a browser now and
    the others when asked for.

    A group's key is what its pages read: a story its versions, a note itself and what
    it cites, a person, place or event the documents that name it; the lists, the
    timeline and the print edition everything. All of them the structure (see
    index.py), which a change of title, date, story or entity file changes. A group
    whose key is unchanged is the very Group of the last build (serve passes it by)."""
    ix = Index(d, memo)
    everything = digest(sorted(set(ix.view.values())))
    groups = [Group(("",), ("home", everything, ix.structure), _one(home), lazy=True)]
    groups += memo.map("story group", lambda s: Group((f"stories/{s.slug}/",), (
        "story", s.slug, ix.view[s.canonical], ix.structure), partial(_one(story_page), item=s)), d.stories,
                       key=lambda s: (s, ix.view[s.canonical]), context=ix.structure)
    cites = memo.map("cites", listed_sources, d.notes, key=lambda n: n.key)
    for n, cited in zip(d.notes, cites):  # a Group kept under its key, as a story's and an entity's
        key = ("note", n.id, ix.view[n.id], *map(ix.view.get, cited), ix.structure)
        groups.append(memo.get("note group", key, lambda: Group((f"notes/{ix.note_slugs[n.id]}/",), key, partial(
            _one(note_page), item=n))))
    for e in d.entities:
        docs = ix.docs_of.get(entity_key(e), ())
        key = ("entity", e.kind, e.slug, frozenset(map(ix.view.__getitem__, docs)), ix.structure)  # (map: 10⁵ a build)
        groups.append(memo.get("entity group", (key, len(docs) > LAZY_FROM), lambda: Group(
            entity_urls(ix, e), key, partial(entity_pages, e=e), lazy=len(docs) > LAZY_FROM)))
    merged = memo.get("search bundles", ix.structure,  # the pages indexed are where the structure says
                      lambda: tuple(s.bundle for s in shards_of(groups)[1:]))
    # each page of a list, and of the sources table, a Group: no worker makes or holds them all
    paged = lambda plan: [Group((p.url,), (p.name, everything, ix.structure, p.n), _one(p.make), lazy=True)  # noqa: E731
                          for p in plan]
    groups += paged(plan_lists(ix))
    groups.append(Group(("timeline/",), ("timeline", everything, ix.structure), _one(timeline_page), lazy=True))
    groups += paged(plan_sources(ix, everything))
    groups += [Group(("search/",), ("search", merged, ix.structure), lambda ix: (  # the shards' bundles it merges
                   Page("search/", "search.html", "Search", "search", {"merge": merged}, description=f"Search {d.config.title}"),))]
    # the print edition, assembled from every other page (when published: config.py)
    if d.config.print_edition is True:
        made = groups[:]
        groups.append(Group((PRINT_URL,), ("print", everything, ix.structure),
                            lambda ix: (print_page([p for g in made for p in g.pages(ix)]),), lazy=True))
    return groups, ix


def _one(make):
    """A builder of one page as a Group's `make`: (ix, item=…) → (page,)."""
    return lambda ix, **item: (make(ix, *item.values()),)


def _entities_in(ix: Index, sids) -> dict[str, list[dict]]:
    """People, places and events named in these documents, with the reports and notes
    among them that name each; those most reports name first."""
    named: dict[tuple[str, str], list[SourceId]] = defaultdict(list)
    for sid in sids:
        for key in ix.names_in(sid):
            named[key].append(sid)
    out: dict[str, list[dict]] = {"person": [], "place": [], "event": []}
    for r, (kind, slug) in sorted(((ix.reach(docs), key) for key, docs in named.items()),
                                  key=lambda x: (x[0].rank(), x[1])):
        out[kind].append(entity_link(ix.entities[(kind, slug)], r))
    return out


def _paragraphs(ix: Index, doc: Document) -> list[dict]:
    ms: dict[tuple[int, bool], list[Mention]] = defaultdict(list)  # grouped once: a huge file has
    for m in ix.by_doc[doc.id]:                                      # 10⁵ paragraphs and mentions
        ms[(m.paragraph, m.in_caption)].append(m)
    def para(text, i, caption):
        return segments(text, ms[(i, caption)])
    return ([{"anchor": f"p{i + 1}", "segments": para(p, i, False)} for i, p in enumerate(doc.paragraphs)],
            [{"anchor": f"c{i + 1}", "segments": para(c, i, True)} for i, c in enumerate(doc.captions)])


def story_page(ix: Index, s: Story) -> Page:
    url = f"stories/{s.slug}/"
    canon = ix.docs[s.canonical]
    body, captions = _paragraphs(ix, canon)
    versions, rewrites = [], Rewrites(canon.paragraphs)  # (read only when a version is not identical)
    for v in s.versions[1:]:
        changes = rewrites.against(ix.docs[v.source].paragraphs) if v.relation != "identical" else None
        versions.append({**ix.source_row(v.source), "changes": changes})
    sids = [v.source for v in s.versions]
    citing = {nid for sid in sids for nid in ix.citing.get(sid, ())}
    notes = [{"title": n.title, "url": f"notes/{ix.note_slugs[n.id]}/"} for n in ix.d.notes
             if n.id in citing] if citing else []  # (most stories no note cites: no pass over every note)
    return Page(url, "story.html", s.title, "story", {
        "story": {"title": s.title, "outlet": outlet_of(canon), "byline": canon.byline,
                  "url": canon.url if is_web_url(canon.url) else None,  # never a javascript: href
                  "date": dates.label(canon.date) if canon.date else "", "date_iso": canon.date,
                  "paragraphs": body, "captions": captions, "canonical": ix.source_row(s.canonical)},
        "versions": versions, "entities": _entities_in(ix, sids), "notes": notes, "quotes": story_quotes(ix, s),
        "sources": ix.report_rows(sids),
    }, description=describe(canon), crumbs=(("Stories", "stories/"),))


def note_page(ix: Index, n: Document) -> Page:
    url = f"notes/{ix.note_slugs[n.id]}/"
    tagged = []
    for key, kind in (("people", "person"), ("places", "place"), ("events", "event")):
        names = n.meta.get(key) or []
        for name in names if isinstance(names, list) else [names]:
            e = resolve_wikilink(str(name), ix.lookup)
            if e and e.kind == kind:
                tagged.append(e)
    mentioned = _entities_in(ix, [n.id])
    for e in tagged:  # front matter names count even when the text never says them
        if not any(x["url"] == entity_url(e.kind, e.slug) for x in mentioned[e.kind]):
            mentioned[e.kind].append(entity_link(e))
    cited = [ix.source_row(SourceId(s)) for s in listed_sources(n) if ix.url_of(SourceId(s))]
    return Page(url, "note.html", n.title, "note", {
        "note": {"title": n.title, "date": dates.label(n.date) if n.date else "", "date_iso": n.date,
                 "html": ix.markdown(n.markdown or "", url, n.id.rsplit("/", 1)[0]),
                 "tags": [str(t) for t in (n.meta.get("tags") or []) if isinstance(n.meta.get("tags"), list)]},
        "entities": mentioned, "cited": cited, "sources": [ix.source_row(n.id)],
    }, description=describe(n), crumbs=(("Notes", "notes/"),))


def entity_urls(ix: Index, e: Entity) -> tuple[str, ...]:
    """The URLs entity_pages makes: the first page, then one more for each STORIES_PER_PAGE stories."""
    url = f"{KIND_SECTION[e.kind]}/{e.slug}/"
    stories = {group_key(ix, sid) for sid in ix.docs_of.get(entity_key(e), ())} - {None}
    count = max(1, -(-sum(1 for k in stories if not k.startswith("n:")) // STORIES_PER_PAGE))
    return tuple(page_url(url, n) for n in range(1, count + 1))


def entity_pages(ix: Index, e: Entity) -> tuple[Page, ...]:
    """A person, place or event: the profile, quotes, related entities and the editor's
    notes on the first page, then the stories that mention it, STORIES_PER_PAGE a page."""
    section = KIND_SECTION[e.kind]
    url = f"{section}/{e.slug}/"
    docs = sorted(ix.docs_of.get(entity_key(e), ()))
    by_group: dict[str, list[SourceId]] = defaultdict(list)
    for sid in docs:  # a story's versions together, the canonical first
        by_group[group_key(ix, sid)].append(sid)
    groups = [_mention_group(ix, e, key, sorted(sids, key=lambda sid: (sid != canonical(ix, sid), sid)))
              for key, sids in sorted(by_group.items())]
    notes = [g for g in groups if g["key"].startswith("n:")]
    stories = [g for g in groups if not g["key"].startswith("n:")]
    chunks = [stories[i:i + STORIES_PER_PAGE] for i in range(0, len(stories), STORIES_PER_PAGE)] or [[]]
    link = {**entity_link(e, ix.entity_reach(e)), "summary_html": ix.markdown(e.summary, url, section),
            "aliases": [a for a in dict.fromkeys((*e.aliases, *e.short)) if a != e.name],
            "fields": {k: v for k, v in e.fields.items()  # a scaffold's empty role: "" is not shown
                       if k in ("role", "kind", "country", "coordinates") and v not in (None, "", [])},
            "date_iso": e.date, "end_iso": e.end}
    description = first_sentence(e.summary) or f"{e.name}: {len(docs)} sources in the dossier."
    crumbs = ((section.capitalize(), f"{section}/"),)
    pages = []
    for n, chunk in enumerate(chunks, 1):
        shown = (notes if n == 1 else []) + chunk
        sids = list(dict.fromkeys(sid for g in shown for sid in g["docs"]))
        pager = make_pager(url, n, len(chunks), len(stories), STORIES_PER_PAGE, "stories")
        if n > 1:
            pages.append(Page(page_url(url, n), "entity.html", f"{e.name} (page {n} of {len(chunks)})", e.kind, {
                "entity": link, "mentions": shown, "pager": pager, "related": {}, "quotes": [], "events": {},
                "who": [],
                "sources": ix.report_rows(sids)}, description=description,
                crumbs=(*crumbs, (e.name, url))))
            continue
        related, events, who = _ties(ix, e, docs)
        quotes = person_quotes(ix, e.slug) if e.kind == "person" else []
        pages.append(Page(url, "entity.html", e.name, e.kind, {
            "entity": link, "mentions": shown, "pager": pager,
            "all_mentions": groups,  # the print edition's index of every story and note
            "related": related, "quotes": quotes, "events": events, "who": who,
            "sources": ix.report_rows([e.source, *sids]),
        }, description=description, crumbs=crumbs))
    return tuple(pages)


def _ties(ix: Index, e: Entity, docs) -> tuple[dict, dict, list]:
    """Who and what is named with `e`, by tier (pages/involvement.py): "with" (declared
    in an event's file, or named in one sentence with it) and "near" (only in the same
    reports or notes). (related people and places [and events, on an event's page],
    events [on a person's or place's page], an event's declared people and places)."""
    tiers: dict[str, dict[str, list]] = {"with": defaultdict(list), "near": defaultdict(list)}
    for (kind, slug), tie in involvement(ix, e, docs).items():
        other = ix.entities[(kind, slug)]
        item = {**entity_link(other, ix.reach(tie["document"])), "declared": tie["declared"],
                "sentence": ix.reach(tie["sentence"]) if tie["sentence"] else None}
        tiers["with" if tie["declared"] or tie["sentence"] else "near"][kind].append(item)
    for tier in tiers.values():
        for items in tier.values():
            items.sort(key=lambda x: ((x["sentence"] or Reach(0, 0, 0)).rank(), x["reach"].rank(), x["name"]))
    who = [x for kind in ("person", "place") for x in tiers["with"][kind] if x["declared"]] if e.kind == "event" else []
    if e.kind == "event":  # the declared ones have their own list: "Appears with" is the rest
        tiers["with"] = {k: [x for x in v if not x["declared"]] for k, v in tiers["with"].items()}
    by_date = lambda x: x["date_iso"] or "9999"  # noqa: E731
    events = {} if e.kind == "event" else {t: sorted(tiers[t].pop("event", []), key=by_date) for t in tiers}
    related = {t: {k: v for k, v in tier.items() if v} for t, tier in tiers.items()}
    return related, events, who


def _mention_group(ix: Index, e: Entity, key: str, sids: list[SourceId]) -> dict:
    """The sentences that name `e` in one story (its first version that does) or note."""

    def make() -> dict:
        first = sids[0]
        doc, packed = ix.docs[first], ix.by_doc[first]
        # only what the sentences show is unpacked (models.Mentions): the entity's
        # mentions, in reading order, and the others in the paragraphs shown, linked in
        # them. Each paragraph naming it gives at least one sentence not shown before,
        # so an article's first SENTENCES_PER_SOURCE sentences are in its first as many
        # paragraphs (a note's are all shown). At 4,000 articles every paragraph naming
        # it unpacked 39 mentions a group, these paragraphs 15
        limit = SENTENCES_PER_SOURCE if doc.kind == "article" else None
        mine = sorted(packed.naming(e.slug, e.kind), key=lambda m: (m.in_caption, m.paragraph, m.start))
        shown = list(dict.fromkeys((m.in_caption, m.paragraph) for m in mine))[:limit]
        grouped = by_paragraph(packed.within(set(shown)))
        sentences, more = mention_sentences(doc, mine, (), e.slug, grouped=grouped, limit=limit)
        return {"key": key, "docs": sids, "title": ix.title_of(canonical(ix, first)), "url": ix.url_of(first),
                "outlet": outlet_of(doc), "kind": doc.kind, "sentences": sentences, "more": more,
                "mentions": len(mine),  # (the print edition's count: `more` counts on from the sentences shown)
                "also": [ix.row(sid) for sid in sids[1:]]}
    return ix.piece("group", e.kind, e.slug, key, *(ix.view[sid] for sid in sids), shared=False)(make)
