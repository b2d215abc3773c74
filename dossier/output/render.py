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
from markupsafe import Markup, escape

from ..dates import build_date
from ..errors import DossierError
from ..models import Page
from ..pages.builders import SECTIONS
from ..pages.printpage import print_part
from ..urls import absolute, href
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


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["segments_html"] = segments_html
    env.filters["pct"] = lambda x: f"{round(100 * x)}%" if x is not None else ""
    env.globals["print_part"] = print_part  # print.html renders each page of the edition with it
    return env


@jinja2.pass_context
def segments_html(ctx, segs) -> Markup:
    """Text with its entity links, as the `segments` macro of macros.html prints it,
    in Python: pages with thousands of linked sentences spent most of their render
    time in one macro call per run of text. Links go through the page's own link()."""
    link, out = ctx["link"], []
    for s in segs:
        text = _escape(s["text"])
        if s.get("url"):
            kind = _escape(s["kind"])
            out.append(f'<a class="ent ent-{kind}" href="{_escape(link(s["url"]))}">{text}'
                       f'<span class="visually-hidden"> ({kind})</span></a>')
        elif s.get("mark"):
            out.append(f'<mark class="ent ent-{_escape(s["kind"])}">{text}</mark>')
        else:
            out.append(text)
    return Markup("".join(out))


def _escape(value) -> str:
    """markupsafe.escape's text for a plain str, without a Markup object per call
    (a third of segments_html's time); anything else (Markup keeps its own HTML)
    goes through escape itself."""
    if type(value) is str:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace('"', "&#34;"))
    return str(escape(value))


def render_page(env: jinja2.Environment, page: Page, config, extra: dict[str, Any] | None = None) -> str:
    url = page.url
    links: dict[str, str] = {}  # a page links the same entities many times; relative()'s LRU is shared by all pages

    def link(target: str) -> str:
        found = links.get(target)
        if found is None:
            found = links[target] = href(target, url)
        return found
    context = {
        **page.context,
        "page": page, "site": config, "nav": SECTIONS,
        "link": link,
        "asset": lambda path: href(f"assets/{path}", url),
        "canonical": absolute(url, config.base_url) if config.base_url else "",
        "generated": build_date(),
        "live_reload": Markup(""),
        **(extra or {}),
    }
    return env.get_template(page.template).render(context)


@lru_cache(maxsize=1 << 16)  # asked for every page after every edit in `dossier serve`
def output_path(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url
