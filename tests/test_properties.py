"""Property-based tests (hypothesis): whatever bytes or text the loader, the front
matter parser, the config loader, the cleaner and the Markdown sanitiser are given,
they answer with their result or a DossierError, never another exception; and
what they return keeps its promises (no CR or control characters, slugs that stay
in their folder, notes without live scripts). PROP_EXAMPLES=3000 digs deeper
(about 3 minutes); the suite runs 100 per property."""
from __future__ import annotations

import os
import posixpath
import re
import tempfile
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dossier.pipeline.clean import clean
from dossier.config import Config, load_config
from dossier.errors import DossierError
from dossier.files import (YAML_MAX_CHARS, YAML_MAX_DEPTH, _flow_depth, _Loader, _plain_values, _too_big, decode,
                           load_yaml, split_front_matter)
from dossier.pipeline.load import check_meta, read_source
from dossier.pages.markdown import render_markdown
from dossier.models import Document, Source, SourceId
from dossier.pipeline.registry import build_registry
from dossier.urls import RESERVED, relative, slugify, unique_slugs

SETTINGS = settings(max_examples=int(os.environ.get("PROP_EXAMPLES", 100)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ["article", "note", "person", "place", "event"]

# Pieces YAML, front matter and scraped pages are made of, so that random text
# reaches the parser's corners (anchors, tags, flow collections, BOM, CR) far more
# often than uniform characters would.
PIECES = ["---", "\n", "\r\n", "\r", "...", ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!int ", "!!python/object ",
          "!!timestamp ", "!!binary ", "? ", "|", ">", "#", "'", '"', "\t", " ", "\ufeff", "\x00", "\x1b", "\u2028",
          "title", "date", "published", "end", "url", "name", "aliases", "2023-02-30", "2023-13", "2023-03-20",
          "javascript:alert(1)", "https://x.org", "Heihe", "Xi Jinping", "Read more:", "Image:", "Photo: AP",
          "By John Smith", "©", "“", "”", "’", "é", "北京", "\u00a0", "1e400", ".nan", "~", "null", "true"]
texty = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=40).map("".join)
bytesy = st.binary(max_size=600) | texty.map(lambda t: t.encode("utf-8", "surrogatepass"))
yaml_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r]")


_TMP = tempfile.TemporaryDirectory(prefix="dossier-prop-")  # one folder, each example overwrites its file


def _write(data: bytes, name: str) -> Path:
    path = Path(_TMP.name) / name
    path.write_bytes(data)
    return path


@SETTINGS
@given(bytesy, st.sampled_from(KINDS), st.sampled_from([".md", ".txt"]))
@example(b"---\ntitle: [\n", "note", ".md")
@example(b"\xff\xfe" + "---\ntitle: x\n---\n".encode("utf-16-le"), "note", ".md")
@example(b"---\nd: 2023-02-30\n---\n", "note", ".md")
def test_read_source_takes_any_bytes(data, kind, suffix):
    path = _write(data, "x" + suffix)
    try:
        source, warning = read_source(path, SourceId(f"f/x{suffix}"), kind)
        source, warnings = check_meta(source)
    except DossierError as e:
        assert e.format().startswith("content/f/x")
        return
    assert isinstance(source.meta, dict) and all(isinstance(k, str) for k in source.meta)
    assert not _CONTROL.search(source.text), "control characters or CR reached the text"
    assert source.body_line >= 1


@SETTINGS
@given(texty)
@example("---\n---\n")
@example("---")
@example("---\n- a\n---\n")
def test_split_front_matter_returns_the_body_or_a_dossier_error(text):
    try:
        meta, body, body_line = split_front_matter(text, "content/x.md")
    except DossierError:
        return
    assert isinstance(meta, dict)
    assert body == "\n".join(text.split("\n")[body_line - 1:])  # the body is the rest of the file, lines intact


@SETTINGS
@given(texty | yaml_values.map(lambda v: yaml.safe_dump({"k": v}, allow_unicode=True)))
@example("published: 2023-02-30\nwhen: 2023-03-20 10:00:00\n")
@example("a: &x [1, 2]\nb: *x\n")
@example("\n\ufeffa: 1\n")
def test_front_matter_reads_as_pyyaml_reads_it(text):
    """load_yaml parses with libyaml and asks PyYAML's own parser only to say what is
    wrong: what PyYAML reads, it reads the same (a date that is no date stays text; a
    U+FEFF in the text is a character, not a byte-order mark)."""
    try:
        expected = _plain_values(yaml.load(text, Loader=_Loader))  # noqa: S506 (a SafeLoader)
    except Exception:  # noqa: BLE001 (what PyYAML refuses is not compared: load_yaml says why)
        return
    if len(text) <= YAML_MAX_CHARS and not _too_big(expected) and _flow_depth(text) <= YAML_MAX_DEPTH:
        assert repr(load_yaml(text, "content/x.md", 2)) == repr(expected)  # (repr: .nan is no nan's equal)


@SETTINGS
@given(bytesy | yaml_values.map(lambda v: repr(v).encode()))
@example(b"titel: x\n")
@example(b"dedup_threshold: .nan\n")
@example(b"pdf: !!bool maybe\n")
def test_config_loader_takes_any_bytes(data):
    site = _write(data, "dossier.yaml").parent
    try:
        config = load_config(site)
    except DossierError as e:
        assert e.format().startswith("dossier.yaml")
        return
    assert isinstance(config, Config)
    assert 0 <= config.dedup_threshold <= 1 and isinstance(config.title, str)


@SETTINGS
@given(texty, st.sampled_from(["article", "note"]),
       st.dictionaries(st.sampled_from(["title", "outlet", "author", "url", "published", "date", "tags"]),
                       yaml_values, max_size=5))
def test_clean_is_total(text, kind, meta):
    source = Source(SourceId(f"{kind}s/x.txt"), kind, meta, text, 1, "0" * 64, {})
    doc = clean(source)
    assert isinstance(doc, Document) and doc.title and isinstance(doc.title, str)
    assert all(p.strip() for p in doc.paragraphs)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["person", "place", "event"]),
                          st.dictionaries(st.sampled_from(["name", "title", "aliases", "short", "date", "end", "people"]),
                                          yaml_values, max_size=5)), max_size=4))
def test_registry_takes_any_front_matter(files):
    folders = {"person": "people", "place": "places", "event": "events"}
    sources = tuple(Source(SourceId(f"{folders[k]}/e{i}.md"), k, meta, "", 1, "0" * 64, {})
                    for i, (k, meta) in enumerate(files))
    try:
        entities, _ = build_registry(sources)
    except DossierError:
        return
    assert len({(e.kind, e.slug) for e in entities}) == len(entities)


@SETTINGS
@given(st.binary(max_size=300))
def test_decode_never_leaves_control_characters(data):
    try:
        text, _ = decode(data, "content/x.txt")
    except DossierError:
        return
    assert not _CONTROL.search(text)


@SETTINGS
@given(st.text(max_size=80), st.lists(st.text(max_size=12), max_size=12))
def test_slugs_stay_inside_their_folder(text, names):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) and slug not in RESERVED
    assert posixpath.normpath(f"notes/{slug}") == f"notes/{slug}"  # no "..", no "/": it stays in notes/
    slugs = unique_slugs([slugify(n) for n in names])
    assert len(set(slugs)) == len(slugs)


HTMLISH = ["<script>", "</script>", "<img", " src=x", " onerror=alert(1)", ">", "<svg", " onload=alert(1)", "<a href=\"",
           "javascript:alert(1)", "data:text/html,x", "\"", "'", "[x](", ")", "[[", "]]", "|", "<", "</", "&#106;",
           "<!--", "-->", "<style>", "<iframe", "`", "\n\n", "\n", " ", "**", "<b>", "</b>", "{{ 7*7 }}", "<div ",
           "onclick=", "<form", "<base href=x>", "<math>", "<![CDATA[", "<meta http-equiv=refresh>", "text"]


@SETTINGS
@given(st.lists(st.sampled_from(HTMLISH), max_size=30).map("".join))
def test_markdown_never_outputs_a_live_script(text):
    html = render_markdown(text, "notes/x/", "notes", relative, lambda t: ("people/p/", "person"), lambda p: None)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in ("script", "iframe", "svg", "math", "style", "form", "base", "meta", "object", "embed")
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            assert not attr.startswith("on")
            assert not re.match(r"(?:javascript|data|vbscript):", re.sub(r"[\x00-\x20]", "", value), re.I)


# every ASCII character, spaces and controls among them, then any text at all
ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=60)


@SETTINGS
@given(ascii_text | texty | st.text(max_size=40))
@example("Snake_case and\x1fthe\x00unit-separator\tend")
def test_the_ascii_shortcuts_read_lines_as_their_regexes_do(text):
    """word_key, tokens and clean's line split take ASCII lines by byte tables and str
    methods: each must give what its regex gives, for every character."""
    from dossier.pipeline import bounds, clean as clean_mod, junk
    assert junk.word_key(text) == " ".join(re.findall(r"\w+", text.casefold()))
    expected = len(bounds._TOKEN.findall(text))
    assert bounds.tokens(text) == (expected if text.isascii() else expected - len(bounds._CJK_CHAR.findall(text)) / 2)
    lines = [ln.text for ln in clean_mod._split(text, 0)]
    assert lines == [t for t in (clean_mod._WS.sub(" ", raw).strip() for raw in text.split("\n")) if t]
