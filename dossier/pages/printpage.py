"""The print edition: the whole dossier as one HTML document (`/print/`), which is
also what `dossier pdf` hands to WeasyPrint.

Nothing is computed twice: the edition is assembled from the Page objects
build_pages already made (their contexts, their order on the list pages), and
each part is rendered with that page's own template. Only two things change
when a page becomes a part of one long document:

- its ids are prefixed with the part's id (`p3` in a story becomes
  `stories-<slug>--p3`), so they stay unique across the document;
- every link to a page that is in the document becomes a `#fragment` link to
  that part, which WeasyPrint turns into a link inside the PDF. A link to a page
  that is not in the document goes to the published site (`base_url`) when it
  is known, else stays relative to /print/.
"""
from __future__ import annotations

import posixpath
import re
import weakref
from functools import lru_cache
from typing import Any, Iterable, Mapping

import jinja2
from markupsafe import Markup

from ..models import Page
from .lists import first_page, pages_of
from ..urls import absolute, linking_from, links_from

PRINT_URL = "print/"
_FROM_PRINT = links_from(PRINT_URL)  # relink's links back to the site, all from print/: made once

# The sections of the edition, in reading order: (id, title, list page whose items
# give the parts and their order). The briefing and the timeline are single pages.
GROUPS = (("briefing", "Briefing", ""), ("timeline", "Timeline", "timeline/"),
          ("stories", "Stories", "stories/"), ("people", "People", "people/"), ("places", "Places", "places/"),
          ("events", "Events", "events/"), ("notes", "Notes", "notes/"))

# A part is a page's `content` block alone: the page templates extend "base.html",
# so a loader that answers "base.html" with just the block renders them without
# the site chrome, top-level imports and sets included (rendering the block
# directly would skip those).
_PART_LAYOUT = "{% block content %}{% endblock %}"
_part_envs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

_ID_ATTR = re.compile(r'(\s(?:id|for|headers|aria-labelledby|aria-describedby|aria-controls)=")([^"]*)(")')
_HREF = re.compile(r'\shref="([^"]*)"')
_DETAILS = re.compile(r"<details(?=[\s>])(?![^>]*\sopen)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@lru_cache(maxsize=1 << 16)  # the edition is assembled again after every edit in `dossier serve`
def part_id(url: str) -> str:
    """"stories/a-b/" → "stories-a-b". Slugs never hold "--", so "--" safely joins
    a part id and an id inside the part."""
    return url.strip("/").replace("/", "-") or "home"


def print_page(pages: Iterable[Page]) -> Page:
    """The whole dossier: cover, contents, then every group of GROUPS."""
    by_url = {p.url: p for p in pages}
    home = by_url[""]
    groups = []
    lead = [n["url"] for n in home.context.get("lead", ()) if n["url"] in by_url]
    for gid, title, source in GROUPS:
        if gid == "briefing":  # the home page, then the editor's lead note: the key judgements first
            parts = [home, *(by_url[url] for url in lead)]
        elif gid == "timeline":
            parts = [by_url[source]] if source in by_url else []
        else:  # the list's order: stories as dedup named them, events by date, notes newest first
            parts = [by_url[item["url"]] for item in _listed(by_url, source)
                     if item.get("url") in by_url and item["url"] not in lead]
        if parts:
            groups.append(_group(gid, title, parts, heading=gid != "timeline",
                                 listed=gid != "timeline" and len(parts) > (gid == "briefing")))
    anchors = {p["page"].url: p["id"] for g in groups for p in g["parts"]}
    made = {g["id"] for g in groups}
    for gid, _, source in GROUPS:  # a list page is its section of the edition, when it has one
        if f"sec-{gid}" in made:
            anchors.setdefault(source, f"sec-{gid}")
    sizes = {g["id"]: len(g["parts"]) for g in groups}
    counts = {**home.context.get("counts", {}),
              **{key: sizes.get(f"sec-{key}", 0) for key in ("people", "places", "events")}}
    return Page(PRINT_URL, "print.html", "Print edition", "print",
                {"edition": "whole", "cover": {"counts": counts}, "groups": groups, "anchors": anchors},
                description="The whole dossier as one document, for printing and for the PDF.")


def _listed(by_url: Mapping[str, Page], source: str) -> list[dict]:
    """The items of a list, across its pages (stories/, stories/page/2/, …: pages/lists.py)."""
    return [item for page in pages_of(source, by_url) for item in page.context.get("items", [])]


def page_alone(pages: list[Page]) -> Page:
    """One or a few pages of the site as a print document: no cover, no contents."""
    group = _group("pages", "", pages, heading=False, listed=False, variant=False)  # a page alone prints in full
    title = "; ".join(dict.fromkeys(map(_list_title, pages)))
    return Page(PRINT_URL, "print.html", title, "print",
                {"edition": "pages", "cover": None, "groups": [group],
                 "anchors": {p["page"].url: p["id"] for p in group["parts"]}},
                description=pages[0].description)


def _list_title(page: Page) -> str:
    """A later page of a list or an entity (sources/page/2/: its last crumb is the first
    page) under the first page's title, not "Sources (page 2 of 5)"."""
    return page.crumbs[-1][0] if page.crumbs and page.crumbs[-1][1] == first_page(page.url) else page.title


def _group(gid: str, title: str, parts: list[Page], heading: bool, listed: bool, variant: bool = True) -> dict:
    """`variant`: a part is rendered with print-<its template> when the theme has one
    (print-entity.html: a profile with an index of mentions), else its own."""
    def templates(p: Page) -> list[str]:
        return [f"print-{p.template}", p.template] if variant else [p.template]
    return {"id": f"sec-{gid}", "title": title, "heading": heading, "listed": listed,
            "parts": [{"id": part_id(p.url), "title": p.title, "section": p.section, "page": p,
                       "templates": templates(p)} for p in parts]}


@jinja2.pass_context
def print_part(ctx: jinja2.runtime.Context, part: Mapping[str, Any]) -> Markup:
    """Render one part of the edition with its page's own template (a jinja global,
    registered in render.environment; print.html calls it once per part)."""
    env = _part_env(ctx.environment)
    page: Page = part["page"]
    link = links_from(page.url)
    values = {**ctx.get_all(), **page.context, "page": page, "link": link}
    with linking_from(link):  # (the macros' link: urls.page_link)
        html = env.select_template(part.get("templates") or [page.template]).render(values)
    return Markup(relink(html, page.url, part["id"], ctx["anchors"], ctx["site"].base_url))


def _part_env(env: jinja2.Environment) -> jinja2.Environment:
    if env not in _part_envs:
        loader = jinja2.ChoiceLoader([jinja2.DictLoader({"base.html": _PART_LAYOUT}), env.loader])
        _part_envs[env] = env.overlay(loader=loader)
    return _part_envs[env]


_SECTION_NAME = re.compile(r'(<section\b[^>]*?)\s+aria-labelledby="[^"]*"')


def relink(html: str, page_url: str, prefix: str, anchors: Mapping[str, str], base_url: str) -> str:
    """Make a page's HTML a part of the edition: prefix its ids, point its links
    into the document. The HTML is dossier's own template output, where every `"`
    of text is escaped, so an attribute is exactly `name="value"`."""
    def one_id(m: re.Match) -> str:
        return m.group(1) + " ".join(f"{prefix}--{v}" for v in m.group(2).split()) + m.group(3)

    def one_href(m: re.Match) -> str:
        value = m.group(1)
        if _SCHEME.match(value) or value.startswith("//"):
            return m.group(0)  # leaves the site: kept as written
        path, _, frag = value.partition("#")
        if not path:  # inside this page
            return f' href="#{prefix}--{frag}"' if frag and frag != "top" else f' href="#{prefix}"'
        base = "/" + (page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/")
        target = posixpath.normpath(posixpath.join(base, path)).lstrip("/")
        if target == "." or target.endswith("index.html") or path.endswith("/"):
            target = target.removesuffix("index.html").rstrip("/.")
            target = target + "/" if target else ""
        if target in anchors:
            inner = anchors[target]
            return f' href="#{inner}--{frag}"' if frag and not inner.startswith("sec-") else f' href="#{inner}"'
        target += f"#{frag}" if frag else ""
        # data-site: a link to the site, not a source: print.css shows no URL after it
        outside = absolute(target, base_url) if base_url else _FROM_PRINT(target)
        return f' data-site href="{outside}"'

    html = _ID_ATTR.sub(one_id, html)
    html = _HREF.sub(one_href, html)
    # each part keeps its sections but not their names, and its asides become plain
    # groups: "Sources" or "Captions" once per part would make dozens of landmarks of
    # one name in one document
    html = _SECTION_NAME.sub(r"\1", html)
    html = html.replace("<aside ", '<div role="group" ').replace("</aside>", "</div>")
    html = html.replace(' role="region"', ' role="group"')  # scrollable tables: still focusable
    # a printed page has no reader to open a <details>: a rewrite's diff prints open
    return _DETAILS.sub("<details open", html)
