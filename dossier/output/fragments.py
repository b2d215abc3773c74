"""The hottest pieces of the pages, in Python: a story's paragraphs, rewrite view and
quotations, the sources table's rows, the chips of people, places and events, an
entity's mention groups. At 4,000 articles the render phase made ~500,000 macro
calls, and jinja2's cost per call (a frame, its arguments, a Markup per piece) was
most of it; these give the templates' output byte for byte.

The page templates call them directly or through a macro of macros.html, so a theme
that overrides a template or a macro can write its own markup instead. Every value
from the content goes through `_escape`, as autoescape would put it: none is trusted.
"""
from __future__ import annotations

from functools import partial

import jinja2
from markupsafe import Markup, escape

from .entity_link import ent_link

FLAG = {"number": "a number", "date": "a date", "name": "a name", "negation": "a negation",
        "quotation": "a quotation"}


try:  # markupsafe's C escaping of a str, without the Markup object escape() wraps it in
    from markupsafe._speedups import _escape_inner  # (markupsafe 3; 3.4x the replaces below)
except ImportError:  # pragma: no cover (an older markupsafe, or one without its C part)
    def _escape_inner(value: str) -> str:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace('"', "&#34;"))


def _escape(value) -> str:
    """markupsafe.escape's text for a plain str, without a Markup object per call
    (a third of segments_html's time); anything else (Markup keeps its own HTML)
    goes through escape itself."""
    if type(value) is str:
        return _escape_inner(value)
    return str(escape(value))


def _segments(link, segs) -> str:
    """Text with its entity links, as the `segment` macro prints each run. Links go
    through the page's own link()."""
    out = []
    for s in segs:
        text = _escape(s["text"])
        if s.get("url"):
            out.append(ent_link(_escape(s["kind"]), _escape(link(s["url"])), text))
        elif s.get("mark"):
            out.append(f'<mark class="ent ent-{_escape(s["kind"])}">{text}</mark>')
        else:
            out.append(text)
    return "".join(out)


@jinja2.pass_context
def paragraphs_html(ctx, paragraphs, tag: str = "p", indent: str = "  ") -> Markup:
    """A story's paragraphs (or, as `li`, its captions), each with its anchor and its
    runs: the loop over `segments` in story.html, ~35,000 paragraphs at 4,000 articles."""
    link = ctx["link"]
    return Markup("".join(f'{indent}<{tag} id="{_escape(p["anchor"])}">{_segments(link, p["segments"])}</{tag}>\n'
                          for p in paragraphs))


@jinja2.pass_context
def ent_link_html(ctx, e) -> Markup:
    """An entity's link on its own (chips, ties, a quotation's speaker), as `ent_link` prints it."""
    return Markup(_entity(ctx["link"], e))


def _entity(link, e) -> str:
    return ent_link(_escape(_at(e, "kind")), _escape(link(_at(e, "url"))), _escape(_at(e, "name")))


@jinja2.pass_context
def chips_html(ctx, items) -> Markup:
    """A compact inline list of entity links, with an event's date: the `chips` macro
    (the people, places and events of every story and note page)."""
    link, out = ctx["link"], ['<ul class="chips">\n']
    for e in items:
        date = f' <span class="meta">{_escape(e["date"])}</span>' if e.get("date") else ""
        out.append(f'  <li>{_entity(link, e)}{date}</li>\n')
    out.append("</ul>\n")
    return Markup("".join(out))


def _at(obj, name: str):
    """`obj.name` as a template reads it: a page's pieces are dicts, a few are objects."""
    return obj[name] if type(obj) is dict else getattr(obj, name)


# ---- the rewrite view (pages/diff.py's rows) -----------------------------------------

def diff_runs_html(runs) -> Markup:
    return Markup(_diff_runs(runs))


def _diff_runs(runs) -> str:
    return " ".join(f"<ins>{_escape(r['text'])}</ins>" if r["op"] == "ins" else
                    f"<del>{_escape(r['text'])}</del>" if r["op"] == "del" else _escape(r["text"]) for r in runs)


def flags_html(row) -> Markup:
    return Markup(_flags(row))


def _flags(row) -> str:
    if not row["flags"]:
        return ""
    words = lambda ws: ", ".join(f"“{_escape(w)}”" for w in ws)  # noqa: E731
    out = []
    for f in row["flags"]:
        said = (f"drops {words(f['dropped'])}" if f["dropped"] else "") + ("; " if f["dropped"] and f["added"] else "") \
            + (f"adds {words(f['added'])}" if f["added"] else "")
        out.append(f'<span class="flag">{_escape(FLAG[f["kind"]])}{f" ({said})" if said else ""}</span>')
    return ('<p class="flags"><span class="flag-mark" aria-hidden="true">⚑</span> '
            f'<span class="flags__label">Changes meaning:</span> {"; ".join(out)}</p>\n')


def aligned_row_html(row, v) -> Markup:
    return Markup(_aligned_row(row, v))


def _aligned_row(row, v) -> str:
    op, para = row["op"], _escape(row["paragraph"])
    where = "" if op == "added" else \
        f', <a href="#p{para}"><span class="visually-hidden">paragraph </span>¶{para}</a>'
    before = '<span class="align-none">not in the canonical text</span>' if op == "added" else _diff_runs(row["canonical"])
    after = '<span class="align-none">dropped in this version</span>' if op == "dropped" else _diff_runs(row["version"])
    label = ", reworded" if op == "changed" else ", added" if op == "added" else ""
    return (f'<li class="align-row align-row--{_escape(op)}{" align-row--flagged" if row["flags"] else ""}"'
            f' id="v-{_escape(v["anchor"])}-{_escape(row["id"])}">\n'
            f'  <div class="align-cell">\n    <span class="align-label">Canonical{where}</span>\n{before}  </div>\n'
            f'  <div class="align-cell">\n    <span class="align-label">This version{label}</span>\n{after}  </div>\n'
            f'  {_flags(row)}\n</li>\n')


def rewrite_rows_html(v, only_flagged=False) -> Markup:
    """The rows of `rewrite_view`'s list: a run of unchanged sentences as a count, each
    other row as `aligned_row` (with `only_flagged`, the flagged reworded ones alone)."""
    out = []
    for row in v["changes"]["rows"]:
        if row["op"] == "same":
            if not only_flagged:
                n, start, end = row["count"], row["from"], row["to"]
                out.append(f'    <li class="align-row align-row--same">{_escape(n)} sentence{"" if n == 1 else "s"}'
                           f' unchanged <span class="meta">(¶{_escape(start)}{"" if end == start else "–" + _escape(end)})'
                           '</span></li>\n')
        elif not only_flagged or (row["flags"] and row["op"] == "changed"):
            out.append(f"  {_aligned_row(row, v)}\n")
    return Markup("".join(out))


# ---- an entity's mentions (pages/views.py mention_sentences) ---------------------------

@jinja2.pass_context
def mention_groups_html(ctx, groups) -> Markup:
    """An entity page's mention groups: each story or note that names it, titled and
    linked, its outlet, its sentences (`_contexts`), how many more mentions it
    holds, and the story's other files that name it ("Also in"). 18,485 groups at
    4,000 articles, each a dozen jinja2 calls as a loop in entity.html."""
    link, out = ctx["link"], []
    for n, g in enumerate(groups, 1):
        url, title, kind = g["url"], _escape(g["title"]), "note" if g["kind"] == "note" else "story"
        head = _linked(link, url, title)
        out.append(f'  <section class="mention-group">\n    <h3 id="mg-{n}">{head}</h3>\n'
                   f'    <p class="meta">{_escape(g["outlet"])}</p>\n    <ul class="contexts">\n'
                   f'{_contexts(link, g)}    </ul>\n')
        more = g.get("more")
        if more:
            this = _linked(link, url, f"this {kind}")
            out.append(f'    <p class="meta more">{_escape(more)} more mention{"" if more == 1 else "s"} in {this}.</p>\n')
        if g["also"]:
            out.append('    <p class="also"><span class="also__label">Also in:</span>\n'
                       + "; ".join(map(partial(_also, link), g["also"])) + "    </p>\n")
        out.append("  </section>\n")
    return Markup("".join(out))


def _also(link, row) -> str:
    sim = row["similarity"]
    return (f'{_linked(link, row["url"], _escape(row["title"]))} <span class="meta">({_escape(row["outlet"])}, '
            f'{_relation(row["relation"])}{" " + _escape(pct(sim)) if sim is not None else ""})</span>')


def _linked(link, url, html: str) -> str:
    """`html` as a link to `url` (through the page's link()), or as it is when there is none."""
    return f'<a href="{_escape(link(url))}">{html}</a>' if url else html


def relation_html(relation) -> Markup:
    return Markup(_relation(relation))


def _relation(relation) -> str:
    """A file's relation to its story's canonical (the `relation` macro)."""
    rel = _escape(relation)
    return f'<span class="rel rel-{rel}">{rel}</span>'


def _contexts(link, group) -> str:
    """The sentences of one story or note that name the page's entity, each with its
    link into the text. Paragraph anchors exist on story pages only: a note's Markdown
    has no p1, p2… ids, so a note (or a group with no page) is linked whole."""
    url, out = group["url"], []
    for s in group["sentences"]:
        caption = s["caption"]
        target = url if (not url or "#" in url or group["kind"] != "article") else f"{url}#{s['anchor']}"
        to = "" if not target else (
            f'<a class="para-link" href="{_escape(link(target))}"><span class="visually-hidden">Read in context: '
            f'{"caption" if caption else "paragraph"} </span><span aria-hidden="true">{"caption " if caption else "¶"}'
            f'</span>{_escape(s["anchor"][1:])}</a>')
        label = '<span class="label">caption</span> ' if caption else ""
        out.append(f'      <li class="context{" context-caption" if caption else ""}">\n{label}'
                   f'        <span class="context__text">{_segments(link, s["segments"])}</span>\n{to}      </li>\n')
    return "".join(out)


# ---- the sources table ------------------------------------------------------------------

@jinja2.pass_context
def source_rows_html(ctx, rows) -> Markup:
    """The sources table's row groups: a report's first file, its other files under it."""
    link, out = ctx["link"], []
    for row in rows:
        out.append(f"    <tbody>\n    {_source_tr(link, row, False)}\n")
        out += [f"    {_source_tr(link, c, True)}\n" for c in row.get("copies") or []]
        out.append("    </tbody>\n")
    return Markup("".join(out))


@jinja2.pass_context
def source_tr_html(ctx, row, copy=False) -> Markup:
    return Markup(_source_tr(ctx["link"], row, copy))


_COPY_ROW = ' class="copy-row"'


def _source_tr(link, row, copy: bool) -> str:
    sim = row["similarity"]
    cell = _linked(link, row["url"], _escape(row["title"]))
    if row["title"] != row["id"]:
        cell += f'<br><code class="file-id">{_escape(row["id"])}</code>'
    mark = '<span class="copy-mark" aria-hidden="true">↳ </span><span class="visually-hidden">Same report: </span>' \
        if copy else ""
    similarity = _escape(pct(sim)) if sim is not None else \
        '<span aria-hidden="true">—</span><span class="visually-hidden">not applicable</span>'
    return (f'      <tr{_COPY_ROW if copy else ""}>\n'
            f'        <th scope="row">{mark}{cell}</th>\n'
            f'        <td data-label="Outlet, date">{_escape(row["outlet"])}{", " if row["outlet"] and row["date"] else ""}'
            f'{_escape(row["date"])}</td>\n'
            f'        <td data-label="Relation">{_relation(row["relation"])}</td>\n'
            f'        <td data-label="Similarity" class="num">{similarity}</td>\n'
            f'        <td data-label="Reason">{_escape(row["reason"] or "")}</td>\n'
            '      </tr>\n')


def pct(x) -> str:
    """A share as a whole percentage (the `pct` filter)."""
    return f"{round(100 * x)}%" if x is not None else ""


# ---- quotations (pages/quote_views.py) --------------------------------------------------

@jinja2.pass_context
def quote_items_html(ctx, quotes, show_speaker=True) -> Markup:
    """A list's quotations (story.html, entity.html), each a `<li>`:
    12,659 of them in the story pages of a 4,000-article dossier."""
    link = ctx["link"]
    return Markup("".join(f"  {_quote_item(link, q, show_speaker)}\n" for q in quotes))


def _quote_item(link, q, show_speaker: bool) -> str:
    """A quotation with who said it, where, and the copies that word it differently."""
    out = [f'<li class="quote-item">\n  <q>{_escape(q["text"])}</q>\n']
    speaker, said_by, how, status = q["speaker"], q["said_by"], q["how"], q["status"]
    if show_speaker:
        who = (_entity(link, speaker) if speaker else
               _escape(said_by) + (' <span class="meta">(not named)</span>' if how == "unknown" else "") if said_by else
               '<span class="meta">speaker not stated</span>')
        out.append(f'<span class="said-by">— {who}</span>')
    if speaker and how in ("pronoun", "described"):
        out.append(f'<span class="meta"> (the text says “{_escape(said_by)}”)</span>')
    elif speaker and how == "continued":
        out.append('<span class="meta"> (continues the quotation before)</span>')
    if q["url"]:
        where = f'¶{_escape(q["anchor"][1:])}' if status == "canonical" else _escape(q["outlet"])
        out.append(f'<a class="para-link" href="{_escape(link(q["url"]))}"><span class="visually-hidden">Read in context'
                   f'</span><span aria-hidden="true">{where}</span></a>')
    if status == "added":
        out.append(f'<span class="meta"> · only in {_escape(q["outlet"])}</span>')
    if q["copies"]:
        n = q["copies"]
        out.append(f'<span class="meta"> · same words in {_escape(n)} other version{"" if n == 1 else "s"}</span>')
    if q["variants"]:
        out.append('  <ul class="quote-variants">\n')
        out += [f'    <li><span class="label">Worded differently in</span> <a href="{_escape(link(v["url"]))}">'
                f'{_escape(v["outlet"])}</a>: <q>{_escape(v["text"])}</q>\n      {_quote_changes(v["changes"])}</li>\n'
                for v in q["variants"]]
        out.append("  </ul>\n")
    out.append("</li>\n")
    return "".join(out)


def quote_changes_html(changes) -> Markup:
    return Markup(_quote_changes(changes))


def _quote_changes(changes) -> str:
    """What a copy did to a quotation's words: each change replaced, dropped or added."""
    said = "; ".join(f"<del>{_escape(old)}</del> → <ins>{_escape(new)}</ins>" if old and new else
                     f"drops <del>{_escape(old)}</del>" if old else f"adds <ins>{_escape(new)}</ins>"
                     for old, new in changes)
    return f'<span class="quote-diff"><span class="visually-hidden">Changes: </span>{said}</span>'
