"""Bad input, each case a tiny site: taken (with the warning it deserves) or refused
with one line `path:line: message (hint)`, never a traceback, and never a byte
changed in the site folder. The exact lines are also the table in
docs/reliability.md, and a test below keeps the two in step."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bs4 import BeautifulSoup

from dossier.build import Timings, build as run_build
from dossier.config import load_config
from safety import NO_SEARCH, build, content_lines, dossier

ROOT = Path(__file__).resolve().parent.parent
NOTE = "---\ntitle: A note\n---\nText about Heihe.\n"
PERSON = "---\nname: Xi Jinping\naliases: [President Xi]\n---\nPresident of China.\n"


@pytest.fixture(autouse=True)
def _no_search(monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", NO_SEARCH)  # search is another test's business; keep these fast


@dataclass
class Case:
    id: str
    what: str  # the input, as the reliability table names it
    files: dict[str, str | bytes]
    code: int  # exit code
    lines: list[str] = field(default_factory=list)  # exact stderr lines it must print ("warning: …" for warnings)
    check: object = None  # check(model, text): dossier.json and the text of every page, when the build succeeded


def _note(n: int) -> str:
    """Notes that differ, so dedup does not fold them into one."""
    bodies = ["The bridge stood empty in October.", "Coal trucks queue at customs for days.",
              "Ice closes the river from November to April.", "Few tourists came back after the pandemic.",
              "Gas flows east through a pipeline under Siberia."]
    return f"---\ntitle: Note {n}\n---\n{bodies[n - 1]}\n"


def _titles(model, kind="notes"):
    return sorted(x["title"] for x in model[kind])


CASES = [
    # front matter
    Case("yaml-malformed", "malformed YAML front matter",
         {"content/notes/a.md": "---\ntitle: [unclosed\n---\nText\n"}, 1,
         ["content/notes/a.md:2: invalid YAML front matter: expected ',' or ']', but got '<stream end>'"]),
    Case("yaml-bad-indent", "YAML error on a later line",
         {"content/notes/a.md": "---\ntitle: A\ntags:\n  - x\n - y\n---\nText\n"}, 1,
         ["content/notes/a.md:5: invalid YAML front matter: expected <block end>, but found '<block sequence start>'"]),
    Case("yaml-list", "front matter that is a list",
         {"content/notes/a.md": "---\n- a\n- b\n---\nText\n"}, 1,
         ["content/notes/a.md:2: front matter must be a mapping (key: value), not a list "
          "(write it as lines of 'key: value')"]),
    Case("yaml-scalar", "front matter that is plain text",
         {"content/notes/a.md": "---\njust a sentence\n---\nText\n"}, 1,
         ["content/notes/a.md:2: front matter must be a mapping (key: value), not a text "
          "(write it as lines of 'key: value')"]),
    Case("yaml-unterminated", "unterminated front matter (.md)",
         {"content/notes/a.md": "---\ntitle: A\nText without the closing line\n"}, 1,
         ["content/notes/a.md:1: front matter starts with '---' but never ends "
          "(add a closing '---' line after the metadata)"]),
    Case("txt-dashes", "a scraped .txt whose first line is '---'",
         {"content/articles/a.txt": "---\nA headline: with a colon\n\nThe story text goes on here.\n"}, 0,
         ["warning: content/articles/a.txt:1: starts with '---' but is not front matter (front matter starts "
          "with '---' but never ends); read as text"],
         lambda m: m["sources"][0]["title"] == "A headline: with a colon"),
    Case("yaml-python-tag", "a YAML tag that would run code (!!python/object)",
         {"content/notes/a.md": "---\ntitle: !!python/object/apply:os.system [echo hacked]\n---\nText\n"}, 1,
         ["content/notes/a.md:2: invalid YAML front matter: could not determine a constructor for the tag "
          "'tag:yaml.org,2002:python/object/apply:os.system'"]),
    Case("yaml-bad-int", "an explicit YAML tag with a bad value (!!int abc)",
         {"content/notes/a.md": "---\ntitle: !!int abc\n---\nText\n"}, 1,
         ["content/notes/a.md:2: invalid YAML front matter: invalid literal for int() with base 10: 'abc'"]),
    Case("yaml-bomb", "YAML alias bomb (billion laughs)",
         {"content/notes/a.md": "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                "---\nText\n"}, 1,
         ["content/notes/a.md:2: front matter holds more than 10000 values "
          "(YAML aliases (*name) that repeat each other? write the values out)"]),
    Case("yaml-deep", "YAML nested 1,500 levels deep",
         {"content/notes/a.md": "---\ntitle: " + "[" * 1500 + "]" * 1500 + "\n---\nText\n"}, 1,
         ["content/notes/a.md:2: invalid YAML front matter: nested more than 100 levels deep"]),
    Case("yaml-huge", "front matter of 100 kB",
         {"content/notes/a.md": "---\ntitle: A\nnotes: " + "x" * 100_000 + "\n---\nText\n"}, 1,
         ["content/notes/a.md:2: front matter is 97 kB, over the 64 kB limit (metadata only: long text goes in the body)"]),
    # encodings and bytes
    Case("bom", "UTF-8 byte order mark",
         {"content/notes/a.md": "\ufeff---\ntitle: With a BOM\n---\nText\n"}, 0, [],
         lambda m: _titles(m) == ["With a BOM"]),
    Case("crlf", "CRLF line endings",
         {"content/notes/a.md": b"---\r\ntitle: Windows\r\ndate: 2023-03-20\r\n---\r\nLine one\r\n\r\nLine two\r\n"}, 0, [],
         lambda m: _titles(m) == ["Windows"] and m["notes"][0]["date"] == "2023-03-20"),
    Case("cr-only", "old Mac CR line endings",
         {"content/notes/a.md": b"---\rtitle: Old Mac\r---\rText\r"}, 0, [],
         lambda m: _titles(m) == ["Old Mac"]),
    Case("latin1", "Latin-1 bytes",
         {"content/articles/a.txt": "Line one.\nThe caf\xe9 in Heihe is open.\n".encode("latin-1")}, 0,
         ["warning: content/articles/a.txt:2: not UTF-8; read as Windows-1252 (save the file as UTF-8 to silence this)"],
         lambda m, text: "The café in Heihe is open." in text),
    Case("cp1252", "Windows-1252 curly quotes",
         {"content/articles/a.txt": b"\x93We are friends,\x94 he said.\n"}, 0,
         ["warning: content/articles/a.txt:1: not UTF-8; read as Windows-1252 (save the file as UTF-8 to silence this)"],
         lambda m, text: "“We are friends,” he said." in text),
    Case("utf16", "UTF-16 (Notepad's \"Unicode\")",
         {"content/notes/a.md": "---\ntitle: Sixteen\n---\nText\n".encode("utf-16")}, 0,
         ["warning: content/notes/a.md:1: saved as UTF-16; read as such (save the file as UTF-8 to silence this)"],
         lambda m: _titles(m) == ["Sixteen"]),
    Case("binary-png", "a PNG named .txt",
         {"content/articles/photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4}, 1,
         ["content/articles/photo.txt:1: looks like a binary file, not text (move it out of content/ or save it as UTF-8 text)"]),
    Case("binary-no-nul", "binary without NUL bytes",
         {"content/notes/a.md": bytes(random.Random(1).randrange(1, 32) for _ in range(4000))}, 1,
         ["content/notes/a.md:1: looks like a binary file, not text (move it out of content/ or save it as UTF-8 text)"]),
    Case("control-chars", "stray control characters in text",
         {"content/articles/a.txt": "Bell\x07 and escape\x1b[31m in a line.\x0c\n"}, 0, [],
         lambda m, text: "Bell and escape [31m in a line." in text and "\x1b" not in text),
    # empty files
    Case("empty-article", "an empty article",
         {"content/articles/a.txt": "", "content/notes/n.md": NOTE}, 0,
         ["warning: content/articles/a.txt: empty file; skipped"], lambda m: m["stories"] == []),
    Case("blank-note", "a note of blank lines",
         {"content/notes/a.md": "\n  \n\t\n", "content/notes/n.md": NOTE}, 0,
         ["warning: content/notes/a.md: empty file; skipped"], lambda m: _titles(m) == ["A note"]),
    Case("empty-person", "an empty person file",
         {"content/people/x.md": ""}, 1,
         ["content/people/x.md:1: name is required (add 'name: …' to the front matter)"]),
    Case("front-matter-only", "a note with front matter and no body",
         {"content/notes/a.md": "---\ntitle: Just a title\n---\n"}, 0, [],
         lambda m: _titles(m) == ["Just a title"]),
    # collisions
    Case("same-person", "two people with the same name",
         {"content/people/xi.md": PERSON, "content/people/xi-jinping.md": PERSON,
          "content/notes/n.md": "---\ntitle: N\n---\nXi Jinping spoke.\n"}, 0,
         ["warning: content/people/xi.md: alias 'President Xi' is also an alias of Xi Jinping (content/people/xi-jinping.md)",
          "warning: content/people/xi.md: alias 'Xi Jinping' is also an alias of Xi Jinping (content/people/xi-jinping.md)"],
         lambda m: sorted(p["slug"] for p in m["people"]) == ["xi", "xi-jinping"]),
    Case("note-case", "notes/a.md and notes/A.md",
         {"content/notes/a.md": "---\ntitle: Lower\n---\nOne text.\n", "content/notes/A.md": "---\ntitle: Upper\n---\nAnother text.\n"}, 0,
         ["warning: content/notes/a.md: address notes/a/ is taken by content/notes/A.md; published as notes/a-2/ "
          "(rename one of the files to choose)"],
         lambda m: {n["source"]: n["slug"] for n in m["notes"]} == {"notes/A.md": "a", "notes/a.md": "a-2"}),
    Case("note-space", "notes/a b.md and notes/a-b.md",
         {"content/notes/a b.md": "---\ntitle: Space\n---\nOne text.\n", "content/notes/a-b.md": "---\ntitle: Dash\n---\nAnother.\n"}, 0,
         ["warning: content/notes/a-b.md: address notes/a-b/ is taken by content/notes/a b.md; published as notes/a-b-2/ "
          "(rename one of the files to choose)"],
         lambda m: sorted(n["slug"] for n in m["notes"]) == ["a-b", "a-b-2"]),
    Case("person-slug", "people/x y.md and people/x-y.md",
         {"content/people/x y.md": "---\nname: X Y\n---\n", "content/people/x-y.md": "---\nname: X-Y\n---\n"}, 0,
         ["warning: content/people/x-y.md: address people/x-y/ is taken by content/people/x y.md; published as "
          "people/x-y-2/ (rename one of the files to choose)"],
         lambda m: sorted(p["slug"] for p in m["people"]) == ["x-y", "x-y-2"]),
    Case("same-title", "two stories with one headline",
         {"content/articles/a.txt": "Live updates from Heihe\n\nThe river froze early this year in Heihe. Trucks "
                                    "waited at the bridge for two days. Nobody crossed on foot.\n",
          "content/articles/b.txt": "Live updates from Heihe\n\nA gas pipeline opened in Siberia last week. Officials "
                                    "praised the deal in Beijing. Prices fell in Moscow markets.\n"}, 0, [],
         lambda m: sorted(s["slug"] for s in m["stories"]) == ["live-updates-from-heihe", "live-updates-from-heihe-2"]),
    # slugs that would leave the output folder
    Case("slug-odd-names", "file names of dashes, reserved names, non-Latin, %2e%2e (hidden files are skipped)",
         {"content/notes/---.md": _note(1), "content/notes/.hidden.md": _note(1), "content/notes/con.md": _note(2), "content/notes/lpt9.md": _note(3),
          "content/notes/北京.md": _note(4), "content/notes/%2e%2e.md": _note(5)}, 0,
         ["warning: content/notes/北京.md: address notes/untitled/ is taken by content/notes/---.md; published as "
          "notes/untitled-2/ (rename one of the files to choose)"],
         lambda m: sorted(n["slug"] for n in m["notes"]) == ["2e-2e", "con-page", "lpt9-page", "untitled", "untitled-2"]),
    Case("front-matter-paths", "paths in front matter (slug, sources, name)",
         {"content/people/p.md": "---\nname: ../../../etc/passwd\nslug: ../../escape\n---\n",
          "content/notes/a.md": "---\ntitle: ../../../../tmp/x\nslug: /etc/evil\nsources: [../../../etc/passwd]\n---\nText.\n"}, 0,
         [], lambda m: [p["slug"] for p in m["people"]] == ["p"] and [n["slug"] for n in m["notes"]] == ["a"]),
    # dates
    Case("date-words", "a date that does not parse",
         {"content/notes/a.md": "---\ntitle: A\ndate: yesterday\n---\nText\n"}, 1,
         ["content/notes/a.md:3: date: 'yesterday' is not a date like 2023-03-20, 2023-03 or 2023"]),
    Case("date-impossible", "an impossible date (2023-02-30)",
         {"content/notes/a.md": "---\ntitle: A\ndate: 2023-02-30\n---\nText\n"}, 1,
         ["content/notes/a.md:3: date: '2023-02-30' is not a real date (day is out of range for month)"]),
    Case("date-month-13", "month 13 in a sidecar",
         {"content/articles/a.txt": "Text of the story.\n", "content/articles/a.yaml": "title: T\npublished: 2023-13\n"}, 1,
         ["content/articles/a.yaml:2: published: '2023-13' is not a real date (month must be in 1..12)"]),
    Case("date-timestamp", "a full timestamp from a scraper",
         {"content/articles/a.txt": "Text of the story.\n",
          "content/articles/a.yaml": "title: T\npublished: '2023-03-20T10:15:00+08:00'\n"}, 0, []),
    Case("event-end-before", "an event whose end is before its start",
         {"content/events/e.md": "---\ntitle: E\ndate: 2023-03-20\nend: 2023-03-01\n---\n"}, 1,
         ["content/events/e.md:4: end 2023-03-01 is before date 2023-03-20"]),
    Case("event-end-only", "an event with an end and no date",
         {"content/events/e.md": "---\ntitle: E\nend: 2023-03-01\n---\n"}, 1,
         ["content/events/e.md:3: has an end but no date"]),
    Case("event-impossible", "an event on 2023-02-29",
         {"content/events/e.md": "---\ntitle: E\ndate: 2023-02-29\n---\n"}, 1,
         ["content/events/e.md:3: date: '2023-02-29' is not a real date (day is out of range for month)"]),
    # links in metadata
    Case("url-javascript", "an article url of javascript:",
         {"content/articles/a.txt": "Text of the story.\n", "content/articles/a.yaml": "title: T\nurl: javascript:alert(1)\n"}, 0,
         ["warning: content/articles/a.yaml:2: url 'javascript:alert(1)' is not an http(s) address; not linked"]),
    Case("sidecar-unknown-key", "unknown keys in an article's metadata",
         {"content/articles/a.txt": "Text of the story.\n",
          "content/articles/a.yaml": "title: T\nnote: Copied from the wire.\nsection: World\n"}, 0,
         ["warning: content/articles/a.yaml:2: unknown key 'note' ignored (did you mean 'notes'? known: title, "
          "outlet, published, url, author, notes)",
          "warning: content/articles/a.yaml:3: unknown key 'section' ignored (known: title, outlet, published, url, "
          "author, notes)"]),
    # dossier.yaml
    Case("config-unknown", "unknown keys in dossier.yaml",
         {"dossier.yaml": "titel: T\nsumary: S\nbase_url: https://example.org/\n"}, 1,
         ["dossier.yaml:1: unknown setting 'titel' (did you mean 'title'?)",
          "dossier.yaml:2: unknown setting 'sumary' (did you mean 'summary'?)"]),
    Case("config-unknown-far", "an unknown key with no close match",
         {"dossier.yaml": "colour: red\n"}, 1,
         ["dossier.yaml:1: unknown setting 'colour' (known: title, summary, base_url, language, author, theme, "
          "dedup_threshold, pdf, print_edition, cname, scheduler, follow_outside_symlinks)"]),
    Case("config-scheduler", "a scheduler that is not a Dask address",
         {"dossier.yaml": "scheduler: http://10.0.0.5:8786\n"}, 1,
         ["dossier.yaml:1: scheduler 'http://10.0.0.5:8786' is not a Dask scheduler's address "
          "(like tcp://10.0.0.5:8786, or local for this machine)"]),
    Case("config-types", "wrong types in dossier.yaml",
         {"dossier.yaml": "title: [a, b]\npdf: yes please\ndedup_threshold: 2\nauthor: {name: x}\n"}, 1,
         ["dossier.yaml:1: title must be text, not a list (put it in quotes)",
          "dossier.yaml:2: pdf must be true or false, not 'yes please'",
          "dossier.yaml:3: dedup_threshold must be a number between 0 and 1, not 2",
          "dossier.yaml:4: author must be text, not a dict (put it in quotes)"]),
    Case("config-base-url", "a base_url that is not a web address",
         {"dossier.yaml": "base_url: 'javascript:alert(1)//'\n"}, 1,
         ["dossier.yaml:1: base_url 'javascript:alert(1)//' is not a web address (like https://user.github.io/repo/)"]),
    Case("config-theme", "a theme folder that does not exist",
         {"dossier.yaml": "theme: themes/nope\n"}, 1,
         ["dossier.yaml:1: theme 'themes/nope' is not a folder (create themes/nope/templates/ in the site, "
          "or remove the setting)"]),
    Case("config-cname", "a cname with a scheme",
         {"dossier.yaml": "cname: https://docs.example.org/\n"}, 1,
         ["dossier.yaml:1: cname 'https://docs.example.org/' is not a domain name "
          "(like docs.example.org, without https:// or a path)"]),
    Case("config-list", "dossier.yaml that is a list",
         {"dossier.yaml": "- title\n- summary\n"}, 1, ["dossier.yaml:1: must be a mapping of settings (key: value)"]),
    Case("config-yaml", "dossier.yaml with broken YAML",
         {"dossier.yaml": "title: T\nsummary: \"unclosed\n"}, 1,
         ["dossier.yaml:3: invalid YAML: found unexpected end of stream"]),
    Case("config-latin1", "dossier.yaml in Latin-1",
         {"dossier.yaml": "title: Caf\xe9\n".encode("latin-1")}, 1,
         ["dossier.yaml:1: is not UTF-8 text (save it as UTF-8)"]),
    Case("config-empty", "an empty dossier.yaml", {"dossier.yaml": ""}, 0, []),
    # several at once
    Case("all-at-once", "three bad files in one build",
         {"content/notes/a.md": "---\ntitle: [x\n---\n", "content/notes/b.md": "---\ntitle: B\ndate: 2023-02-30\n---\n",
          "content/events/e.md": "---\ntitle: E\ndate: 2023-03-20\nend: 2023-03-01\n---\n"}, 1,
         ["content/notes/a.md:2: invalid YAML front matter: expected ',' or ']', but got '<stream end>'",
          "content/notes/b.md:3: date: '2023-02-30' is not a real date (day is out of range for month)",
          "content/events/e.md:4: end 2023-03-01 is before date 2023-03-20"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_input_is_taken_or_refused_in_one_line(case, site, capsys, tmp_path):
    files = {"dossier.yaml": "title: T\n", **case.files}
    root = site(files)
    code, err = build(capsys, root)
    err = content_lines(err)
    assert code == case.code, err
    for line in case.lines:
        assert line in err, f"missing {line!r} in {err}"
    if case.code:  # a refused build prints its errors and nothing else
        assert err == case.lines, err
        assert not (tmp_path / "out").exists()
    if case.check:
        out = tmp_path / "out"
        model = json.loads((out / "dossier.json").read_text())
        text = "\n".join(BeautifulSoup(p.read_text(), "html.parser").get_text(" ") for p in out.rglob("*.html"))
        assert case.check(*(model, text)[:case.check.__code__.co_argcount]), model


def test_the_table_in_docs_has_every_message():
    doc = (ROOT / "docs" / "reliability.md").read_text()
    missing = [(c.id, line) for c in CASES for line in c.lines if line.replace("|", "\\|") not in doc]
    assert not missing, missing


def test_warnings_print_and_strict_fails_on_them(site, capsys, tmp_path):
    root = site({"dossier.yaml": "title: T\n",
                 "content/notes/a.md": "---\ntitle: A\npeople: [Nobody Known]\n---\nSee [[Nowhere]].\n"})
    code, err = build(capsys, root)
    assert code == 0 and any(line.startswith("warning: content/notes/a.md:3: ") for line in err), err
    code, err = build(capsys, root, "--strict")
    assert code == 1 and any(line.startswith("--strict: ") for line in err), err


def test_long_lines_and_a_large_file_build_in_linear_time(site, tmp_path):
    """A 1 MB line with no break and a 6 MB article (60 long articles' worth) are
    taken, and no stage is quadratic: each is measured against clean, which is one
    pass over the text. Before pages and entity snippets grouped mentions once, a
    12 MB file spent most of a minute there; a quadratic stage would be 100× clean."""
    rnd = random.Random(7)
    vocab = ["".join(rnd.choice("abcdefghijklmnoprstuvwy") for _ in range(rnd.randint(2, 9))) for _ in range(3000)]

    def sentence():
        head = "Xi Jinping said " if rnd.random() < 0.1 else ""
        return head + " ".join(rnd.choices(vocab, k=rnd.randint(8, 20))).capitalize() + "."
    line = " ".join(sentence() for _ in range(10**6 // 90))
    paragraphs, size = [], 0
    while size < 6 * 10**6:
        paragraphs.append(" ".join(sentence() for _ in range(rnd.randint(1, 6))))
        size += len(paragraphs[-1])
    root = site({"dossier.yaml": "title: T\n", "content/people/xi.md": PERSON,
                 "content/articles/line.txt": "A very long line\n\n" + line + "\n",
                 "content/articles/huge.txt": "A very large file\n\n" + "\n\n".join(paragraphs) + "\n"})
    timed = Timings()
    t0 = time.perf_counter()
    d, _ = run_build(root, tmp_path / "out", load_config(root), timed=timed)
    seconds = time.perf_counter() - t0
    assert len(d.mentions["articles/huge.txt"]) > 5_000
    slow = {stage: round(t, 1) for stage, t in timed.stages.items()
            if stage not in ("clean", "write", "search") and t > 3 * timed.stages["clean"] + 1}
    assert not slow, f"stages much slower than one pass over the text: {slow} (clean: {timed.stages['clean']:.1f}s)"
    assert seconds < 120, f"7 MB of articles took {seconds:.0f}s"


def test_a_file_over_the_limit_is_refused_before_it_is_read(site, capsys, tmp_path):
    root = site({"dossier.yaml": "title: T\n"})
    big = root / "content" / "articles" / "dump.txt"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as f:  # sparse: 25 MB on paper, nothing on disk
        f.truncate(25 * 2**20)
    t0 = time.perf_counter()
    code, err = build(capsys, root)
    assert code == 1 and time.perf_counter() - t0 < 10
    assert content_lines(err) == ["content/articles/dump.txt: 25.0 MB is over the 10 MB limit for one content file "
                                  "(a news article is rarely over 100 kB: split it, or move it out of content/)"]


@pytest.mark.parametrize("args, code, line", [
    (["build", "{tmp}/nowhere"], 2, "{tmp}/nowhere: no such folder (give the folder holding dossier.yaml and content/)"),
    (["build", "{tmp}"], 2, "{tmp}: has no content/ folder (run dossier in your dossier's folder)"),
    (["build", "{site}", "--base-url", "ftp://x y"], 2,
     "--base-url: base_url 'ftp://x y' is not a web address (like https://user.github.io/repo/)"),
    (["check", "{tmp}/nowhere"], 2, "{tmp}/nowhere: no such folder (give the folder holding dossier.yaml and content/)"),
])
def test_usage_errors_exit_2(args, code, line, site, capsys, tmp_path):
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": NOTE})
    fill = lambda s: s.format(tmp=tmp_path, site=root)  # noqa: E731
    got, err, _ = dossier(capsys, *map(fill, args))
    assert (got, err) == (code, [fill(line)])


def test_argparse_usage_errors_exit_2():
    result = subprocess.run([sys.executable, "-m", "dossier", "build", "--no-such-option"], capture_output=True, text=True)
    assert result.returncode == 2 and "unrecognized arguments: --no-such-option" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_and_plain_runs_never_do(site, tmp_path):
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": "---\ntitle: [x\n---\n"})
    env = {**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}
    plain = subprocess.run([sys.executable, "-m", "dossier", "build", str(root)], capture_output=True, text=True, env=env)
    debug = subprocess.run([sys.executable, "-m", "dossier", "--debug", "build", str(root)],
                           capture_output=True, text=True, env=env)
    assert plain.returncode == 1 and plain.stderr.splitlines() == [
        "content/notes/a.md:2: invalid YAML front matter: expected ',' or ']', but got '<stream end>'"]
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert re.search(r"dossier\.errors\.ContentErrors", debug.stderr)


def test_a_broken_theme_template_is_one_line(site, capsys, tmp_path):
    root = site({"dossier.yaml": "title: T\ntheme: mytheme\n", "content/notes/a.md": NOTE,
                 "mytheme/templates/note.html": "{% extends 'base.html' %}\n{% block content %}\n{{ note.title \n{% endblock %}\n"})
    code, err = build(capsys, root)
    assert code == 1
    assert content_lines(err) == [f"{root}/mytheme/templates/note.html:4: template error: expected token 'end of print statement', got '{{'"]


def test_binary_is_over_a_tenth_of_control_bytes():
    """The rule at its edge: C0 controls (tab, newline, carriage return and form feed
    aside) and DEL, over a tenth of the first 8 kB, make a file binary."""
    from dossier.errors import DossierError
    from dossier.files import decode
    text = b"a" * 90
    for control in (b"\x01", b"\x1b", b"\x7f"):
        assert decode(text + control * 10, "a.txt")[1] is None  # 10 of 100: text
        with pytest.raises(DossierError, match="binary"):
            decode(text + control * 11, "a.txt")  # 11 of 101
    assert decode(text + b"\t\n\r\f" * 20, "a.txt")[1] is None  # layout, not controls


def test_a_content_error_survives_pickling():
    import pickle
    from dossier.errors import ContentErrors, DossierError, UsageError
    for error in (DossierError("content/a.md", "bad", line=3, hint="fix it"), UsageError("out", "not here"),
                  ContentErrors([DossierError("a.md", "one", line=1), DossierError("b.md", "two")])):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and again.format() == error.format() and again.line == error.line
