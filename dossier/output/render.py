"""render: Page[] → files. jinja2 with autoescape; the theme is a ChoiceLoader over
[the site's theme, the default theme], so a user overrides one template at a time.

Output goes to a fresh temporary folder beside OUT and is swapped in whole, so a
failed build never leaves a half-written site. Only the writers do I/O.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..dates import build_date
from ..errors import DossierError
from ..models import Page
from ..pages.builders import SECTIONS
from ..pages.printpage import print_part
from ..urls import absolute, linking_from, links_from, page_link
from . import fragments
from .folder import theme_dirs


class _ThemeLoader(jinja2.FileSystemLoader):
    """One theme's templates/, where a link is followed only while it stays inside
    it: a template is published as it is, so a link to /etc/passwd would publish
    that (the theme folder itself may be a link to a shared theme)."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not real.is_relative_to(Path(self.searchpath[0]).resolve()):
            raise DossierError(filename, f"is a link to {real}, outside the theme's templates folder",
                               hint="copy the template into the theme instead")
        return source, filename, uptodate


def environment(site: Path, theme: str) -> jinja2.Environment:
    return _environment(jinja2.ChoiceLoader([_ThemeLoader(str(d / "templates")) for d in theme_dirs(site, theme)]))


def template_sources(env: jinja2.Environment) -> dict[str, str]:
    """Every template `env` finds, by name, as its loader gives it (the site's theme
    over the default): what a cluster's worker renders with, without reaching the theme."""
    return {name: env.loader.get_source(env, name)[0] for name in env.list_templates()}


def environment_from(sources: dict[str, str]) -> jinja2.Environment:
    """The environment of `template_sources`, on a worker."""
    return _environment(jinja2.DictLoader(sources))


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`story.title` where `story` is a dict (every page context is): jinja2 asks for
        the attribute first and, when AttributeError is raised, for the item. A plain
        dict has no attributes but its methods, so for any other name the item is what
        jinja2 returns: asked for at once, without raising and catching an exception
        each time (0.7 µs against 0.1; 670,000 lookups in the pages of a 4k dossier)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d: dict[str, Any] | None) -> dict[str, Any]:
        """A template's globals as one dict, not jinja2's ChainMap over the environment's:
        every render copies them into the page's context, and a ChainMap is copied key by
        key, each looked up through its maps (0.2 s of a 4k build's pages). The
        environment's globals are all set before a template is loaded (`_environment`),
        as jinja2 asks of them."""
        return {**self.globals, **(d or {})}


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    # auto_reload off: a template edit makes a new environment (serve's Builder), and
    # checking every template's mtime on every page was a second of a 4k build
    env = _Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                       undefined=jinja2.StrictUndefined, auto_reload=False)
    # the hot macros of macros.html call these (fragments.py: why, and how a theme overrides them)
    env.globals.update(diff_runs_html=fragments.diff_runs_html,
                       flags_html=fragments.flags_html, aligned_row_html=fragments.aligned_row_html,
                       rewrite_rows_html=fragments.rewrite_rows_html,
                       mention_groups_html=fragments.mention_groups_html, paragraphs_html=fragments.paragraphs_html,
                       chips_html=fragments.chips_html, relation_html=fragments.relation_html,
                       source_rows_html=fragments.source_rows_html, source_tr_html=fragments.source_tr_html,
                       ent_link_html=fragments.ent_link_html,
                       quote_items_html=fragments.quote_items_html,
                       quote_changes_html=fragments.quote_changes_html)
    env.globals["link"] = page_link  # (a page's context has its own: the same links)
    env.filters["pct"] = fragments.pct
    env.globals["print_part"] = print_part  # print.html renders each page of the edition with it
    return env


def render_page(env: jinja2.Environment, page: Page, config, extra: dict[str, Any] | None = None) -> str:
    url = page.url
    links: dict[str, str] = {}  # a page links the same entities many times
    href = links_from(url)

    def link(target: str) -> str:
        found = links.get(target)
        if found is None:
            found = links[target] = href(target)
        return found
    context = {
        **page.context,
        "page": page, "site": config, "nav": SECTIONS,
        "link": link,
        "asset": lambda path: href(f"assets/{path}"),
        "canonical": absolute(url, config.base_url) if config.base_url else "",
        "live_reload": Markup(""),
        **(extra or {}),
    }
    if "generated" not in context:  # a build passes its date once, in `extra`
        context["generated"] = build_date()
    # base.html's links: relative, but absolute under `root` on 404.html (served at any depth).
    # Functions, not macros of base.html: every page calls them a score of times
    root = context.get("root")
    context.setdefault("to", link if root is None else lambda path: f"{root}{path}")
    context.setdefault("static", context["asset"] if root is None else lambda path: f"{root}assets/{path}")
    with linking_from(link):
        return env.get_template(page.template).render(context)


@lru_cache(maxsize=1 << 16)  # asked for every page after every edit in `dossier serve`
def output_path(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url
