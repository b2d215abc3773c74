"""Hostile folders: special files and links in content/, control characters from
YAML escapes, file names that are terminal escape sequences. Each is refused in one
line naming the file, never read, never a hang (every command here runs with a
timeout), and nothing from outside the site folder is ever published."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import write_site
from safety import NO_SEARCH, build, content_lines, dossier

ROOT = Path(__file__).resolve().parent.parent
NOTE = "---\ntitle: A note\n---\nText about Heihe.\n"
ARTICLE = "Bridge opens in Heihe\n\nThe bridge over the Amur opened on Saturday in Heihe.\n"
SECRET = "root:x:0:0:SECRET-MARKER-7f3a:/root:/bin/bash\n"
HINT = "(dossier reads only regular files: remove it)"
OUTSIDE_HINT = ("(dossier follows links only within the site; set follow_outside_symlinks: true in dossier.yaml "
                "to read it)")


@pytest.fixture(autouse=True)
def _no_search(monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", NO_SEARCH)


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`dossier ARGS` in a subprocess: a hang fails the test instead of stalling the run."""
    env = {**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(path.parent)  # AF_UNIX paths are short: bind the bare name
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path.name)
    finally:
        os.chdir(cwd)


def _link(target: str):
    return lambda path: path.symlink_to(target)


SPECIAL = {"fifo": (_fifo, "a named pipe (FIFO)"), "socket": (_socket, "a socket"),
           "dev-zero": (_link("/dev/zero"), "a link to a device (/dev/zero)"),
           "dev-urandom": (_link("/dev/urandom"), "a link to a device (/dev/urandom)"),
           "dev-null": (_link("/dev/null"), "a link to a device (/dev/null)")}
PLACES = ["content/articles/a.txt", "content/articles/b.yaml", "content/notes/n.md", "content/people/p.md",
          "content/articles/clip.mp4", "content/notes/deep/er/n.md"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("special", SPECIAL)
def test_special_files_are_refused_unread_in_one_line(special, place, tmp_path):
    """Anywhere in content/, as an article's sidecar too: one line naming it, exit 1,
    never read (a FIFO would block the read forever, /dev/zero never end it). Under
    a name load never reads (clip.mp4), it is skipped with a warning as any such file."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/notes/ok.md": NOTE,
                                          "content/articles/b.txt": ARTICLE})
    path = root / place
    path.parent.mkdir(parents=True, exist_ok=True)
    make, what = SPECIAL[special]
    make(path)
    result = run("check", str(root))
    if path.suffix == ".mp4":  # not a content file: passed over unread, as any video is, with its line
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{place}: warning: skipped (not a .txt, .html or .md file)" in result.stdout.splitlines()
        return
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [f"{place}: is {what}, not a regular file {HINT}"]


def test_a_fifo_among_sources_does_not_stop_the_rest_being_reported(tmp_path):
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/notes/bad.md": "---\ntitle: [x\n---\n",
                                          "content/articles/b.txt": ARTICLE})
    os.mkfifo(root / "content/articles/b.yaml")
    result = run("check", str(root))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/articles/b.yaml: is a named pipe (FIFO), not a regular file {HINT}",
        "content/notes/bad.md:2: invalid YAML front matter: expected ',' or ']', but got '<stream end>'"]


def test_dossier_yaml_that_is_not_a_file_is_named_for_what_it_is(tmp_path):
    root = write_site(tmp_path / "site", {"content/notes/ok.md": NOTE})
    for make, what in [(_fifo, "a named pipe (FIFO)"), (_link("/dev/zero"), "a link to a device (/dev/zero)"),
                       (_link("nowhere.yaml"), "a link to nothing (nowhere.yaml)")]:
        (root / "dossier.yaml").unlink(missing_ok=True)
        make(root / "dossier.yaml")
        result = run("check", str(root))
        assert (result.returncode, result.stderr.splitlines()) == (1, [f"dossier.yaml: is {what}, not a regular file {HINT}"])
    (root / "dossier.yaml").unlink()
    (root / "dossier.yaml").mkdir()
    result = run("check", str(root))
    assert (result.returncode, result.stderr.splitlines()) == (1, ["dossier.yaml: is a folder, not a file"])


# --- links ---------------------------------------------------------------------------

def _secret(tmp_path: Path) -> Path:
    outside = tmp_path / "runner-home"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET)
    (outside / "batch").mkdir()
    (outside / "batch" / "leak.txt").write_text("Leaked headline\n\n" + SECRET)
    return outside


def _published(out: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("place, target, what", [
    ("content/articles/a.txt", "{out}/passwd", "file"),
    ("content/notes/n.md", "{out}/passwd", "file"),
    ("content/people/p.md", "{out}/passwd", "file"),
    ("content/articles/b.yaml", "{out}/passwd", "sidecar"),
    ("content/articles/batch", "{out}/batch", "folder"),
    ("content/notes", "{out}/batch", "folder"),
    ("content/notes/rel.md", "../../../runner-home/passwd", "relative"),
])
def test_a_link_out_of_the_site_is_refused_and_nothing_is_published(place, target, what, tmp_path, capsys):
    outside = _secret(tmp_path)
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/articles/b.txt": ARTICLE})
    link = root / place
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_dir():
        link.rmdir()
    link.symlink_to(target.format(out=outside))
    real = os.path.realpath(link)
    code, err = build(capsys, root)
    assert code == 1
    assert content_lines(err) == [f"{place}: is a link to {real}, outside the site folder {OUTSIDE_HINT}"]
    assert not (tmp_path / "out").exists()


def test_the_setting_lets_a_link_out_of_the_site_be_read(tmp_path, capsys):
    outside = _secret(tmp_path)
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\nfollow_outside_symlinks: true\n"})
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/batch").symlink_to(outside / "batch")
    code, err = build(capsys, root)
    assert code == 0, err
    model = json.loads((tmp_path / "out/dossier.json").read_text())
    assert [s["id"] for s in model["sources"]] == ["articles/batch/leak.txt"]


def test_links_inside_the_site_are_followed_folders_too(tmp_path, capsys):
    """A link that stays in the site is the editor's own: a file, and a folder of
    scrapes kept beside content/ (which rglob passed over without a word)."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "scrapes/batch/x.txt": ARTICLE,
                                          "drafts/n.md": NOTE})
    (root / "content/articles").mkdir(parents=True)
    (root / "content/notes").mkdir(parents=True)
    (root / "content/articles/batch").symlink_to(root / "scrapes/batch")
    (root / "content/notes/n.md").symlink_to("../../drafts/n.md")
    (root / "content/notes/loop").symlink_to("..")  # back up to content/: not read twice
    code, err = build(capsys, root)
    assert code == 0, err
    model = json.loads((tmp_path / "out/dossier.json").read_text())
    assert sorted(s["id"] for s in model["sources"]) == ["articles/batch/x.txt", "notes/n.md"]
    assert content_lines(err)[:1] == [
        f"warning: content/notes/loop: is a link to a folder dossier reads already ({root.resolve()}/content); skipped"]


def test_a_broken_link_is_an_error_not_a_silent_skip(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/articles/b.txt": ARTICLE})
    (root / "content/notes").mkdir()
    (root / "content/notes/gone.md").symlink_to("moved-away.md")
    (root / "content/articles/b.yaml").symlink_to("b.yaml")  # a link to itself
    code, err = build(capsys, root)
    assert code == 1
    assert content_lines(err) == [
        f"content/articles/b.yaml: is a link that loops back on itself (b.yaml), not a regular file {HINT}",
        f"content/notes/gone.md: is a link to nothing (moved-away.md), not a regular file {HINT}"]


# --- control characters and file names -------------------------------------------------

def test_yaml_escapes_never_put_control_characters_in_the_output(tmp_path, capsys):
    """decode() takes control characters out of a file's text, but a YAML escape makes
    them again after it: a BEL in a title broke feed.xml; a lone surrogate could not
    even be written."""
    root = write_site(tmp_path / "site", {
        "dossier.yaml": 'title: "Dossier\\a\\x1b[31m\\u0085"\nauthor: "Ed\\x00itor\\ud800"\n',
        "content/articles/b.txt": ARTICLE,
        "content/articles/b.yaml": 'title: "Bell\\x07 and \\x1b[2J escape"\noutlet: "Out\\x0blet"\n',
        "content/notes/n.md": '---\ntitle: "Note\\x0c\\x08 \\uDFFF"\ntags: ["t\\x01"]\n---\nText.\n',
        "content/people/p.md": '---\nname: "Xi\\x1f Jinping"\nrole: "Pre\\x7fsident"\n---\n'})
    code, err = build(capsys, root)
    assert code == 0, err
    out = tmp_path / "out"
    ET.parse(out / "feed.xml")  # raises on a control character
    ET.parse(out / "sitemap.xml")
    bad = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7f, 0xa0)]]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt"):
            text = path.read_text(encoding="utf-8")  # raises on a surrogate written raw
            assert not [c for c in bad if c in text], path
    model = json.loads((out / "dossier.json").read_text())
    assert model["title"] == "Dossier  [31m"
    assert [s["title"] for s in model["stories"]] == ["Bell and [2J escape"]


def test_dossier_new_and_init_titles_lose_control_characters(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n"})
    code, _, out = dossier(capsys, "new", "note", "Bell\x07 \x1b[31mred", str(root))
    assert code == 0
    note = Path(out.strip())
    assert "\x07" not in note.read_text() and "\\u0007" not in note.read_text()
    code, _, _ = dossier(capsys, "init", str(tmp_path / "new"), "--title", "Esc\x1b[2J\u2028title")
    assert code == 0
    text = (tmp_path / "new/dossier.yaml").read_text()
    assert "\x1b" not in text and "\\u001b" not in text
    code, err = build(capsys, root)
    assert code == 0, err
    ET.parse(tmp_path / "out/feed.xml")


NASTY = "a\x1b[31mred\x07\nb\u202eevil"


def test_file_names_are_printed_escaped_never_raw(tmp_path, capsys):
    """A scraped file's name is as untrusted as its text: on the terminal, an escape
    sequence or a newline in it is shown as \\x1b, \\n, never acted on."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n",
                                          f"content/notes/{NASTY}.md": "---\ntitle: [x\n---\n",
                                          f"content/articles/{NASTY}.pdf": "x",
                                          f"content/notes/{NASTY}2.md": "Text [[Nobody]].\n"})
    shown = "a\\x1b[31mred\\x07\\nb\\u202eevil"
    code, err = build(capsys, root)
    assert code == 1
    assert err == [f"content/notes/{shown}.md:2: invalid YAML front matter: expected ',' or ']', "
                   "but got '<stream end>'"]
    (root / f"content/notes/{NASTY}.md").unlink()
    code, err = build(capsys, root)
    assert code == 0
    assert f"warning: content/articles/{shown}.pdf: skipped (not a .txt, .html or .md file)" in err
    assert not any(c in line for line in err for c in "\x1b\x07\u202e")
    code, err, out = dossier(capsys, "check", str(root))
    assert not any(c in out + "".join(err) for c in "\x1b\x07\u202e")
    assert f"content/notes/{shown}2.md" in out
    model = json.loads((tmp_path / "out/dossier.json").read_text())
    ET.parse(tmp_path / "out/feed.xml")
    assert [n["source"] for n in model["notes"]] == [f"notes/{shown}2.md"]


# --- dossier init writes all or nothing ---------------------------------------------------

@pytest.mark.parametrize("in_the_way, listed", [
    ({"content": "a file"}, "content"),
    ({".github": "a file"}, ".github"),
    ({"content/articles": "a file"}, "content/articles"),
    ({".gitignore": "->nowhere"}, ".gitignore"),  # a broken link: writing would create its target
    ({"content/notes/start-here.md": "->{tmp}/elsewhere.md"}, "content/notes/start-here.md"),
])
def test_init_writes_nothing_when_something_is_in_the_way(in_the_way, listed, tmp_path, capsys):
    folder = tmp_path / "dir"
    folder.mkdir()
    for rel, what in in_the_way.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if what.startswith("->"):
            path.symlink_to(what[2:].format(tmp=tmp_path))
        else:
            path.write_text(what)
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    code, err, _ = dossier(capsys, "init", str(folder))
    assert code == 1
    assert err == [f"{folder}: already has {listed}; nothing was written (run dossier init in a new or empty folder)"]
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
    assert not (tmp_path / "elsewhere.md").exists()


def test_init_takes_back_what_it_wrote_when_a_write_fails(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "new" / "dir"
    real_open = open
    def failing_open(path, *args, **kwargs):
        if str(path).endswith("people/ana-ribeiro.md"):
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr("builtins.open", failing_open)
    code, err, _ = dossier(capsys, "init", str(folder))
    assert code == 1
    assert err == [f"{folder}/content/people/ana-ribeiro.md: cannot be written: No space left on device; "
                   "nothing was written"]
    assert not (tmp_path / "new").exists()


# --- base URLs that point at another host ----------------------------------------------

@pytest.mark.parametrize("value", ["//other.example/", "///other.example/", "/\\other.example/", "\\\\other.example\\",
                                   "https://good.example\\@other.example/", "/repo\t/", "https:/x", "https://"])
def test_a_base_url_on_another_host_is_refused(value, tmp_path, capsys):
    """"//x/" is protocol-relative: canonical links, og:url, the sitemap and robots.txt
    would all name another host; a browser reads a backslash as a slash."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/notes/n.md": NOTE})
    for verb in ("build", "serve"):
        code, err, _ = dossier(capsys, verb, str(root), "--base-url", value)
        assert (code, err) == (2, [f"--base-url: base_url {value!r} is not a web address "
                                   "(like https://user.github.io/repo/)"])
    (root / "dossier.yaml").write_text(f"base_url: {json.dumps(value)}\n")
    code, err = build(capsys, root)
    assert (code, err) == (1, [f"dossier.yaml:1: base_url {value!r} is not a web address "
                               "(like https://user.github.io/repo/)"])
    assert not (tmp_path / "out").exists()


# --- a build killed while its worker pools run -------------------------------------------

def _big_site(root: Path, n: int = 320) -> Path:
    """Enough articles for both pools (clean and render start workers from 200)."""
    import random
    rnd = random.Random(5)
    words = ["".join(rnd.choice("abcdefghiklmnoprstuvw") for _ in range(rnd.randint(3, 9))) for _ in range(4000)]
    files = {"dossier.yaml": "title: T\n"}
    for i in range(n):
        body = "\n\n".join(" ".join(rnd.choices(words, k=40)).capitalize() + "." for _ in range(6))
        files[f"content/articles/a{i:03}.txt"] = f"Headline number {i}\n\n{body}\n"
    return write_site(root, files)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_a_build_killed_in_its_worker_pool_ends_quietly(how, tmp_path):
    """Killed (SIGKILL), the orphaned workers found the result pipe closed and each
    printed a BrokenPipeError traceback, some time later; on Ctrl-C each printed a
    KeyboardInterrupt traceback. Now workers die with the build and leave Ctrl-C to it."""
    import signal
    root = _big_site(tmp_path / "site")
    env = {**os.environ, "PAGEFIND_BINARY_PATH": NO_SEARCH}
    # as from a terminal: a test run started as a background job ignores SIGINT, and a
    # child that inherits that never gets Ctrl-C
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "build", str(root), "-o", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline, workers = time.monotonic() + 120, []
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        if _children(proc.pid):
            time.sleep(0.02)  # mid-task; a pool done by then (reading 320 small files) is not: wait for the next
            workers = _children(proc.pid)
        else:
            time.sleep(0.005)
    assert workers, "the build never started its workers, or they were done already"
    if how == "SIGKILL":
        proc.kill()
    else:  # Ctrl-C reaches the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # EOF only once every worker has closed its end too
    assert "Traceback" not in err and "Error" not in err, err
    assert proc.returncode == (-signal.SIGKILL if how == "SIGKILL" else 130)
    time.sleep(0.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()
                and "zombie" not in Path(f"/proc/{w}/status").read_text()], "a worker outlived the build"


# --- notes are never dropped -------------------------------------------------------------

def test_every_note_is_published_even_when_notes_resemble_each_other(tmp_path, capsys):
    """dedup folded notes that repeat each other and only the canonical one got a
    page: three fresh `dossier new note` files (the template text) became one, and a
    draft vanished behind its final version, with no word from build or check."""
    story = "Bridge opens in Heihe\n\n" + "".join(
        f"The bridge over the Amur carried {n} trucks on its {day} day, customs officers in Heihe said.\n\n"
        for n, day in zip((12, 40, 75, 130), ("first", "second", "third", "fourth")))
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/articles/a.txt": story})
    for title in ("Border trade", "Bridge traffic", "Coal exports"):
        assert dossier(capsys, "new", "note", title, str(root))[0] == 0
    body = ("The bridge carried few trucks in its first winter. Customs officers blamed the paperwork. "
            "Traders on both banks said the fees were too high. ")
    (root / "content/notes/draft.md").write_text(f"---\ntitle: Draft\n---\n{body}\n")
    (root / "content/notes/final.md").write_text(f"---\ntitle: Final\n---\n{body}Volumes doubled by spring.\n")
    (root / "content/notes/pasted.md").write_text("---\ntitle: Pasted\n---\n" + story)
    code, err = build(capsys, root)
    assert code == 0, err
    out = tmp_path / "out"
    model = json.loads((out / "dossier.json").read_text())
    titles = sorted(n["title"] for n in model["notes"])
    assert titles == ["Border trade", "Bridge traffic", "Coal exports", "Draft", "Final", "Pasted"]
    for note in model["notes"]:
        page = BeautifulSoup((out / "notes" / note["slug"] / "index.html").read_text(), "html.parser")
        assert note["title"] in page.find("h1").get_text()
    listed = BeautifulSoup((out / "notes/index.html").read_text(), "html.parser")
    assert {a.get_text(strip=True) for a in listed.select("main a")} >= set(titles)
    (story,) = model["stories"]  # the pasting note is still shown as a version of the story it pastes
    assert "notes/pasted.md" in [v["source"] for v in story["versions"]]


@pytest.mark.parametrize("opening", ["<style>", "<script>", "<STYLE type='text/css'>", "<!--", "<?php", "<!DOCTYPE",
                                     "<![CDATA[", "<textarea>", "<pre>", "<div><style>", "Inline <style> then",
                                     "Inline <script src=x> then", "A paragraph with <iframe src=x> in it",
                                     "<p>a <xmp> b"])
def test_raw_html_left_open_never_swallows_the_rest_of_a_note(opening, tmp_path, capsys):
    """CommonMark runs a <style>/<script>/<!-- block to its closing marker, else to the
    end of the note, and nh3 then dropped all of it; in a paragraph, an HTML parser
    reads all that follows <style> or <iframe> as its raw text."""
    after = ["Paragraph one after it.", "Paragraph **two** after it.", "- a list item after it"]
    root = write_site(tmp_path / "site", {
        "dossier.yaml": "title: T\n",
        "content/notes/n.md": f"---\ntitle: N\n---\nBefore it.\n\n{opening}\nbody {{ color: red }}\n\n"
                              + "\n\n".join(after) + "\n"})
    code, err = build(capsys, root)
    assert code == 0, err
    page = BeautifulSoup((tmp_path / "out/notes/n/index.html").read_text(), "html.parser")
    text = page.find("main").get_text(" ")
    for words in ("Before it.", "Paragraph one after it.", "after it", "a list item after it"):
        assert words in text, (opening, text)
    assert page.find("main").find("strong").get_text() == "two"
    assert not page.find("main").find(["style", "script", "iframe", "textarea", "xmp"])


def test_what_is_not_a_folder_is_named_for_what_it_is(tmp_path, capsys):
    """"no such folder" for a file, "is a file" for a FIFO or a device: each message
    says what is there."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n", "content/notes/n.md": NOTE})
    (tmp_path / "plain.txt").write_text("x")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    site_hint = "(give the folder holding dossier.yaml and content/)"
    out_hint = "(choose another output folder with -o, or use the default SITE/build)"
    for args, line in [
        (["check", f"{tmp_path}/plain.txt"], f"{tmp_path}/plain.txt: is a file, not a folder {site_hint}"),
        (["build", f"{tmp_path}/pipe"], f"{tmp_path}/pipe: is a named pipe (FIFO), not a folder {site_hint}"),
        (["build", str(root), "-o", f"{tmp_path}/pipe"], f"{tmp_path}/pipe: is a named pipe (FIFO), not a folder {out_hint}"),
        (["build", str(root), "-o", f"{tmp_path}/zero"], f"/dev/zero: is a device, not a folder {out_hint}"),
    ]:
        assert dossier(capsys, *args)[:2] == (2, [line]), args
    (root / "content/notes/n.md").unlink()
    (root / "content/notes").rmdir()
    (root / "content").rmdir()
    os.mkfifo(root / "content")
    assert dossier(capsys, "check", str(root))[:2] == (2, [
        f"{root}/content: is a named pipe (FIFO), not a folder (content/ holds the dossier's articles, notes, people, "
        "places and events)"])


def test_a_theme_template_linked_out_of_the_theme_is_refused(tmp_path, capsys):
    outside = _secret(tmp_path)
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\ntheme: mytheme\n", "content/notes/n.md": NOTE})
    (root / "mytheme/templates").mkdir(parents=True)
    (root / "mytheme/templates/note.html").symlink_to(outside / "passwd")
    code, err = build(capsys, root)
    assert (code, content_lines(err)) == (1, [
        f"{root}/mytheme/templates/note.html: is a link to {outside}/passwd, outside the theme's templates folder "
        "(copy the template into the theme instead)"])
    assert not (tmp_path / "out").exists()


def test_the_hostile_table_in_docs_has_these_messages():
    """docs/reliability.md promises these exact lines (the tests above make them)."""
    doc = (ROOT / "docs" / "reliability.md").read_text()
    lines = [f"content/articles/b.yaml: is a named pipe (FIFO), not a regular file {HINT}",
             f"content/notes/n.md: is a socket, not a regular file {HINT}",
             f"content/notes/n.md: is a link to a device (/dev/zero), not a regular file {HINT}",
             "warning: content/articles/clip.mp4: skipped (not a .txt, .html or .md file)",
             f"content/notes/n.md: is a link to /etc/passwd, outside the site folder {OUTSIDE_HINT}",
             f"content/notes/gone.md: is a link to nothing (moved-away.md), not a regular file {HINT}",
             f"content/articles/b.yaml: is a link that loops back on itself (b.yaml), not a regular file {HINT}",
             f"dossier.yaml: is a named pipe (FIFO), not a regular file {HINT}",
             "--base-url: base_url '//other.example/' is not a web address (like https://user.github.io/repo/)",
             "could not write the site: No space left on device (the previous build was left as it was)",
             "could not write the PDF: No space left on device (no PDF was written)",
             "already has content; nothing was written (run dossier init in a new or empty folder)"]
    assert [line for line in lines if line not in doc] == []


def test_a_folder_nested_deeper_than_the_recursion_limit_is_read(tmp_path):
    """rglob (and a recursive walk) raised RecursionError on a folder 1,500 deep."""
    root = write_site(tmp_path / "site", {"dossier.yaml": "title: T\n"})
    folder = root / "content/notes"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(1500):  # by file descriptor: the full path is longer than the system takes at once
            os.mkdir("d", dir_fd=fd)
            fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        with open(os.open("n.md", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
            f.write("---\ntitle: Deep\n---\nDeep note.\n")
    finally:
        os.close(fd)
    try:
        result = run("check", str(root), "--format", "json")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        from dossier.build import build_model
        assert [n.title for n in build_model(root).notes] == ["Deep"]
    finally:  # pytest's own clean-up of old temp folders recurses too: rm does not
        subprocess.run(["rm", "-rf", str(folder)], check=True)
