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

Raw HTML left open does not swallow the rest of a note. CommonMark ends an HTML
block that opens with `<style>`, `<script>`, `<pre>`, `<textarea>`, `<!--`, `<?`,
`<!X` or `<![CDATA[` only at its closing marker, so one left open ran to the end
of the note (and nh3 dropped it with the style); such a block is closed at the
next blank line. And an HTML parser reads what follows `<style>`, `<script>`,
`<iframe>`... as raw text up to the end tag: one left open in a paragraph or a
block of HTML is closed at the end of it.
"""
from __future__ import annotations

import bisect
import posixpath
import re
from itertools import accumulate
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

# CommonMark's HTML blocks that end only at a marker (kinds 1-5), and what closes each
_BLOCK_START = re.compile(r" {0,3}(?:<(script|pre|style|textarea)(?=[\s>]|$)|(<!--)|(<\?)|(<!\[CDATA\[)|(<![A-Za-z]))",
                          re.IGNORECASE)
_BLOCK_END = {2: "-->", 3: "?>", 4: "]]>", 5: ">"}  # by the group that matched
_TAG_ENDS = ("</script>", "</pre>", "</style>", "</textarea>")  # any of them ends a block of kind 1
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# Elements an HTML parser reads as raw text up to their end tag
_RAW = "script|style|textarea|title|xmp|iframe|noembed|noframes|noscript"
_RAW_OPEN = re.compile(rf"<({_RAW})(?=[\s/>]|$)", re.IGNORECASE)
_RAW_CLOSE = re.compile(rf"</({_RAW})\s*>", re.IGNORECASE)


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
    tokens = _close_raw_text(_md.parse(_close_open_blocks(WIKILINK.sub(wikilink, text))))
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


def _close_open_blocks(text: str) -> str:
    """`text` with each HTML block that never meets its end marker closed at the
    first blank line after its start (where a <div> block would have ended). One
    pass over the lines (fenced code is passed over as CommonMark does): closing
    blocks one parse at a time was quadratic in a note of many of them."""
    lines, lower = text.split("\n"), text.lower()
    last = {end: lower.rfind(end) for end in (*_TAG_ENDS, *_BLOCK_END.values())}
    offsets = list(accumulate((len(line) + 1 for line in lines), initial=0))  # where each line starts
    fence, i = "", 0
    while i < len(lines):
        line = lines[i]
        if m := _FENCE.match(line):
            fence = "" if fence and m.group(1).startswith(fence) else fence or m.group(1)
        elif not fence and (m := _BLOCK_START.match(line)):
            ends = _TAG_ENDS if m.group(1) else (_BLOCK_END[m.lastindex],)
            if all(last[end] < offsets[i] for end in ends):  # never closed: CommonMark runs it to the end
                blank = next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), None)
                if blank is None:
                    break  # no blank line before the end: the block is what the note holds
                lines[blank - 1] += f"</{m.group(1).lower()}>" if m.group(1) else ends[0]
                i = blank
        i += 1
    return "\n".join(lines)


def _close_raw_text(tokens):
    """Close each raw-text element (a <style>, <script>, <iframe>...) left open in
    a block of HTML (at its end) or in a paragraph (at once, so that the text after
    it stays text)."""
    for t in tokens:
        if t.type == "html_block":
            t.content = t.content.rstrip("\n") + _closer(t.content) + "\n"
        elif t.children:
            html = [c for c in t.children if c.type == "html_inline"]  # one tag each
            closes: dict[str, list[int]] = {}
            for k, c in enumerate(html):
                if m := _RAW_CLOSE.match(c.content):
                    closes.setdefault(m.group(1).lower(), []).append(k)
            k = 0
            while k < len(html):
                if m := _RAW_OPEN.match(html[k].content):
                    at = closes.get(m.group(1).lower(), [])
                    n = bisect.bisect_right(at, k)
                    if n == len(at):
                        html[k].content += f"</{m.group(1).lower()}>"
                    else:
                        k = at[n]  # what lies between is the element's own text
                k += 1
    return tokens


def _closer(html: str) -> str:
    """The end tag of the raw-text element `html` leaves open, or ""."""
    at = 0
    while m := _RAW_OPEN.search(html, at):
        end = re.compile(rf"</{m.group(1)}\s*>", re.IGNORECASE).search(html, m.end())
        if end is None:
            return f"</{m.group(1).lower()}>"
        at = end.end()
    return ""


def _walk(tokens):
    for t in tokens:
        yield t
        if t.children:
            yield from _walk(t.children)
