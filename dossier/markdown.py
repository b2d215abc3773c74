"""Notes' Markdown → HTML with markdown-it-py, links resolved by the page model.

Raw HTML in a note is not passed through (html=False escapes it), and
markdown-it's own link validation drops javascript:, vbscript: and data: targets.
Wikilinks and links to content files are rewritten to site URLs here, once.
"""
from __future__ import annotations

import posixpath
from typing import Callable

from markdown_it import MarkdownIt

from .link import WIKILINK

_MARK = "dossier-kind:"
_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table").enable("strikethrough")


def render_markdown(text: str, page_url: str, base_dir: str, relative,
                    resolve: Callable[[str], tuple[str, str] | None],
                    resolve_path: Callable[[str], str | None]) -> str:
    """resolve(target) → (site url, kind) for a wikilink; resolve_path(content path) → site
    url for a link to a content file (base_dir: the note's folder inside content/)."""
    def wikilink(m):
        target, shown = m.group(1).strip(), (m.group(2) or m.group(1)).strip()
        hit = resolve(target)
        shown = shown.replace("[", "\\[").replace("]", "\\]")
        if not hit:
            return f"*{shown}*"
        url, kind = hit
        return f"[{shown}](<{relative(url, page_url)}> \"{_MARK}{kind}\")"

    tokens = _md.parse(WIKILINK.sub(wikilink, text))
    for token in _walk(tokens):
        if token.type == "link_open":
            href = token.attrGet("href") or ""
            title = token.attrGet("title")
            if title and title.startswith(_MARK):
                token.attrs.pop("title", None)  # the kind rode in the title: make it a class
                token.attrSet("class", f"ent ent-{title[len(_MARK):]}")
            elif "://" not in href and not href.startswith(("#", "mailto:")):
                target = resolve_path(posixpath.normpath(posixpath.join(base_dir, href.split("#")[0])))
                if target:
                    token.attrSet("href", relative(target, page_url))
            else:
                token.attrSet("rel", "noopener")
    return _md.renderer.render(tokens, _md.options, {})


def _walk(tokens):
    for t in tokens:
        yield t
        if t.children:
            yield from _walk(t.children)
