"""output/fragments.py writes the busiest macros' HTML in Python: every text it puts in
a page from the content is escaped, as autoescape would."""
from markupsafe import Markup

from dossier.output import fragments as f

BAD = "<script>alert('x')</script> & \"q\""
SAFE = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;"


class Ctx(dict):
    """What a pass_context function reads of jinja's context: link()."""


CTX = Ctx(link=lambda url: url)


def test_escape_is_markupsafes():
    assert f._escape(BAD) == str(Markup.escape(BAD)) == SAFE
    assert f._escape(Markup("<b>kept</b>")) == "<b>kept</b>"
    assert f._escape(3) == "3"


def test_every_text_is_escaped():
    run = [{"op": "del", "text": BAD}]
    row = {"op": "changed", "paragraph": 1, "id": "s1", "canonical": run, "version": [{"op": "ins", "text": BAD}],
           "flags": [{"kind": "name", "dropped": [BAD], "added": []}]}
    v = {"anchor": BAD, "changes": {"rows": [row]}}
    source = {"title": BAD, "id": BAD, "url": BAD, "outlet": BAD, "date": BAD, "relation": BAD,
              "similarity": None, "reason": BAD, "copies": []}
    quote = {"text": BAD, "speaker": None, "said_by": BAD, "how": "unknown", "status": "added", "url": BAD,
             "anchor": "p1", "outlet": BAD, "copies": 0,
             "variants": [{"url": BAD, "outlet": BAD, "text": BAD, "changes": [(BAD, BAD)]}]}
    group = {"url": BAD, "kind": "article", "title": BAD, "outlet": BAD, "more": 2, "also": [source], "sentences": [
        {"caption": True, "anchor": "c1", "segments": [{"text": BAD, "url": BAD, "kind": BAD}]}]}
    for html in (f.rewrite_rows_html(v), f.source_rows_html(CTX, [source]), f.quote_items_html(CTX, [quote]),
                 f.mention_groups_html(CTX, [group]), f.ent_link_html(CTX, {"kind": BAD, "url": BAD, "name": BAD}),
                 f.chips_html(CTX, [{"kind": BAD, "url": BAD, "name": BAD, "date": BAD}]),
                 f.paragraphs_html(CTX, [{"anchor": BAD, "segments": [{"text": BAD}]}]), f.relation_html(BAD)):
        assert "<script>" not in html and "\"q\"" not in html and SAFE.split(" ")[0] in html


def test_a_dict_in_a_template_reads_as_jinja2_reads_it():
    """render._Environment looks a dict's item up first (every page context is a dict):
    a dict's methods stay methods and a missing key is still an error."""
    import jinja2
    import pytest

    from dossier.output.render import environment_from
    env = environment_from({"t.html": "{{ d.title }}|{{ d.items()|list|length }}|{{ d.get('x', 5) }}"})
    assert env.get_template("t.html").render(d={"title": "T", "items": 9, "get": 1}) == "T|3|5"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.missing }}").render(d={"title": "T"})


def test_macros_are_one_module_linking_from_each_page(tmp_path, monkeypatch):
    """macros.html is imported without the page's context: jinja2 makes its module once,
    not per page, and its links still start from the page being rendered."""
    import jinja2
    from dossier.config import Config
    from dossier.models import Page
    from dossier.output.render import environment, render_page
    (tmp_path / "t" / "templates").mkdir(parents=True)
    (tmp_path / "t" / "templates" / "t.html").write_text('{% import "macros.html" as m %}{{ m.ent_link(e) }}')
    made = []
    module = jinja2.Template.make_module
    monkeypatch.setattr(jinja2.Template, "make_module", lambda self, *a, **k: made.append(self.name) or module(self, *a, **k))
    env, e = environment(tmp_path, "t"), {"kind": "person", "url": "people/x/", "name": "X"}
    html = [render_page(env, Page(url, "t.html", "T", "story", {"e": e}), Config()) for url in ("stories/a/", "notes/b/c/")]
    assert 'href="../../people/x/index.html"' in html[0] and 'href="../../../people/x/index.html"' in html[1]
    assert made.count("macros.html") == 1
