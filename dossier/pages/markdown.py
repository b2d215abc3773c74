"""Notes' Markdown → HTML with markdown-it-py, links resolved by the page model,
then sanitised with nh3.

Raw HTML in a note is the editor's (`<b>`, `<sup>`, a `<details>` block) but a note
may paste a scraped page, so it is parsed (html=True) and everything that comes
out is cleaned by nh3 (the Rust `ammonia` sanitiser): scripts, event handlers,
styles, forms and frames go; links keep only http, https, mailto and relative
targets, so `javascript:` and `data:` are dropped (markdown-it's validateLink
already refuses them in Markdown links). The cleaning runs on the final HTML, so
it also covers what dossier itself generated. Wikilinks and links to content
files are rewritten to site URLs here, once. So are citations of a scraped file
by its number in parentheses, as editors write them: "(000)", "(000, 003)", "(photo
caption in 000)" link "000" to the story of `content/articles/000_….txt`.
"""
from __future__ import annotations

import posixpath
import re
from typing import Callable

import nh3
from markdown_it import MarkdownIt

from ..pipeline.link import WIKILINK

_MARK = "dossier-kind:"
_CITE = "dossier-cite"
_PARENS = re.compile(r"\(([^()\n]{0,200})\)")  # a parenthesis on one line: where citations are
_NUMBER = re.compile(r"(?<![\w.,/-])(\d{3})(?![\w/-]|[.,]\d)")  # "000", not "1,000", "2023" or "003_x"
_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table").enable("strikethrough")

# nh3's defaults (ammonia's safe list) plus what markdown-it writes: link and image
# titles, table alignment (as a `style` limited to text-align) and the entity-link
# classes. Anything else on a tag is dropped.
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for tag, extra in {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title", "width", "height"},
                   "abbr": {"title"}, "time": {"datetime"}, "th": {"style"}, "td": {"style"},
                   "ol": {"start", "reversed"}}.items():
    _ATTRIBUTES[tag] = _ATTRIBUTES.get(tag, set()) | extra
_CLASSES = {"a": {"ent", "ent-person", "ent-place", "ent-event", "ent-note", "cite"}}
_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """Only the tags and attributes a note may use; no scripts, handlers or unsafe URLs."""
    return nh3.clean(html, tags=set(nh3.ALLOWED_TAGS) - {"map", "area"}, attributes=_ATTRIBUTES,
                     allowed_classes=_CLASSES, url_schemes=_SCHEMES, link_rel=None,
                     filter_style_properties={"text-align"})


def render_markdown(text: str, page_url: str, base_dir: str, relative,
                    resolve: Callable[[str], tuple[str, str] | None],
                    resolve_path: Callable[[str], str | None], shift: int = 0,
                    cite: Callable[[str], str | None] = lambda number: None) -> str:
    """resolve(target) → (site url, kind) for a wikilink; resolve_path(content path) → site
    url for a link to a content file (base_dir: the note's folder inside content/);
    cite(number) → site url of the file an editor cites as "(000)".
    `shift` moves headings down that many levels (a note shown under a heading of its own)."""
    def wikilink(m):
        target, shown = m.group(1).strip(), (m.group(2) or m.group(1)).strip()
        hit = resolve(target)
        shown = shown.replace("[", "\\[").replace("]", "\\]")
        if not hit:
            return f"*{shown}*"
        url, kind = hit
        return f"[{shown}](<{relative(url, page_url)}> \"{_MARK}{kind}\")"

    def citation(m):
        url = cite(m.group(1))
        return f"[{m.group(1)}](<{relative(url, page_url)}> \"{_CITE}\")" if url else m.group(0)

    text = _PARENS.sub(lambda m: "(" + _NUMBER.sub(citation, m.group(1)) + ")", text)
    tokens = _md.parse(WIKILINK.sub(wikilink, text))
    for token in _walk(tokens):
        if shift and token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.type == "link_open":
            href = token.attrGet("href") or ""
            title = token.attrGet("title")
            if title and title.startswith(_MARK):
                token.attrs.pop("title", None)  # the kind rode in the title: make it a class
                token.attrSet("class", f"ent ent-{title[len(_MARK):]}")
            elif title == _CITE:
                token.attrs.pop("title", None)
                token.attrSet("class", "cite")
            elif "://" not in href and not href.startswith(("#", "mailto:")):
                target = resolve_path(posixpath.normpath(posixpath.join(base_dir, href.split("#")[0])))
                if target:
                    token.attrSet("href", relative(target, page_url))
            else:
                token.attrSet("rel", "noopener")
    return sanitize(_md.renderer.render(tokens, _md.options, {}))


def _walk(tokens):
    for t in tokens:
        yield t
        if t.children:
            yield from _walk(t.children)
