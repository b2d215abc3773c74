"""dossier serve: path resolution, the incremental builder, and a real server (a
subprocess on a copy of the shipped dossier) driven over HTTP and by headless
Chromium. Everything listens on 127.0.0.1 only and is bounded in time."""
from __future__ import annotations

import gc
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dossier.errors import DossierError
from dossier.serve.incremental import Builder, Superseded, render_all
from dossier.serve.livereload import base_path, host_allowed, resolve
from dossier.serve.server import _extra

ROOT = Path(__file__).resolve().parent.parent
from conftest import CHROMIUM, CHROMIUM_ARGS as BROWSER_ARGS
NOTE = "content/notes/overview.md"
PERSON = "people/xi-jinping/"


def copy_shipped(folder: Path, theme: bool = False) -> Path:
    """The shipped dossier in a scratch folder (never edit the repository's content)."""
    shutil.copytree(ROOT / "content", folder / "content")
    yaml = (ROOT / "dossier.yaml").read_text()
    if theme:  # a site theme whose stylesheet a test may edit, and a symlink out of it
        static = folder / "themes" / "mine" / "static"
        static.mkdir(parents=True)
        shutil.copy(ROOT / "themes" / "default" / "static" / "dossier.css", static / "dossier.css")
        (folder / "secret.txt").write_text("not for the web\n")
        (static / "leak.txt").symlink_to(folder / "secret.txt")
        yaml += "\ntheme: themes/mine\n"
    (folder / "dossier.yaml").write_text(yaml)
    return folder


def files_of(builder: Builder) -> dict[str, bytes]:
    render_all(builder.state.files)
    return {p: (v if isinstance(v, bytes) else v.get()) for p, v in builder.state.files.items()}


# --- where a request goes ------------------------------------------------------------

FILES = {"index.html": b"", "people/x/index.html": b"", "assets/dossier.css": b"", "404.html": b""}


@pytest.mark.parametrize("target, expected", [
    ("/repo/", ("file", "index.html")),
    ("/repo/?q=1", ("file", "index.html")),
    ("/repo", ("redirect", "/repo/")),
    ("/", ("redirect", "/repo/")),
    ("/repo/people/x/", ("file", "people/x/index.html")),
    ("/repo/people/x/index.html", ("file", "people/x/index.html")),
    ("/repo/people/x", ("redirect", "/repo/people/x/")),
    ("/repo/assets/dossier.css", ("file", "assets/dossier.css")),
    ("/repo/people/y/", ("missing", "")),
    ("/other/index.html", ("missing", "")),
    ("/repo/../repo/index.html", ("missing", "")),
    ("/repo/people/../index.html", ("missing", "")),
    ("/repo/%2e%2e/repo/index.html", ("missing", "")),
    ("/repo/people/%2E%2E%2Findex.html", ("missing", "")),
    ("/repo/people/..%2f..%2fetc/passwd", ("missing", "")),
    ("/repo/people%5c..%5cindex.html", ("missing", "")),
    ("/repo/./index.html", ("missing", "")),
    ("/repo/people//x/", ("missing", "")),
    ("/repo/%00", ("missing", "")),
    ("/repo/%252e%252e/index.html", ("missing", "")),
])
def test_resolve(target, expected):
    assert resolve(target, "/repo/", FILES) == expected


@pytest.mark.parametrize("base_url, expected", [
    ("", "/"), ("https://example.github.io/heihe/", "/heihe/"), ("https://example.com", "/"),
    ("/repo", "/repo/"), ("https://x.github.io/a/b/", "/a/b/"),
])
def test_base_path(base_url, expected):
    assert base_path(base_url) == expected


# --- the incremental builder ---------------------------------------------------------

@pytest.fixture
def builder(tmp_path):
    site = copy_shipped(tmp_path / "site", theme=True)
    b = Builder(site, None, _extra)
    b.build()
    b.tidy()
    return b


def test_a_build_leaves_freeing_the_last_one_and_collecting_to_tidy(builder):
    """serve publishes a build before it lets go of the one it replaced and collects the
    cycles it made (a sixth of a one-note edit at 4k); a failed build tidies at once."""
    assert gc.isenabled()
    replaced = weakref.ref(builder.state.model)
    note = builder.site / NOTE
    good = note.read_text()
    note.write_text(good + "\n\nXi Jinping met the editors of this briefing.\n")
    builder.build({"content"}, paths=[note])
    assert not gc.isenabled() and replaced() is not None
    builder.tidy()
    assert gc.isenabled() and replaced() is None
    note.write_text("---\ntitle: [unclosed\n---\nbody\n")
    with pytest.raises(DossierError):
        builder.build({"content"}, paths=[note])
    assert gc.isenabled()


def test_an_edit_renders_only_the_pages_it_touches_and_matches_a_fresh_build(builder):
    note = builder.site / NOTE
    note.write_text(note.read_text() + "\n\nXi Jinping met the editors of this briefing.\n")
    open_page = PERSON + "index.html"
    rebuilt = builder.build({"content"}, paths=[note], open_pages=frozenset([open_page]))
    assert rebuilt.rendered == 1  # the open page, before publishing
    # the others the note may change wait until asked for; no story shows the note
    assert not any(p.startswith("stories/") and p != "stories/index.html" for p in rebuilt.changed)
    assert {open_page, "notes/overview/index.html"} <= rebuilt.changed
    assert "places/heihe/index.html" not in rebuilt.changed
    assert b"met the editors of this briefing" in rebuilt.files[open_page]
    place = builder.site / "content/places/heihe.md"  # a second edit before anything deferred was asked for
    place.write_text(place.read_text() + "\nA city of bridges.\n")
    builder.build({"content"}, paths=[place])
    fresh = Builder(builder.site, None, _extra)
    fresh.build()
    assert files_of(builder) == files_of(fresh)  # incremental is only faster, never different


def test_css_change_touches_only_the_stylesheet(builder):
    css = builder.site / "themes/mine/static/dossier.css"
    css.write_text(css.read_text() + "\nbody { outline: 1px solid red }\n")
    rebuilt = builder.build({"static"})
    assert rebuilt.changed == {"assets/dossier.css"}
    assert rebuilt.message() == {"pages": [], "css": ["assets/dossier.css"]}
    assert builder.build({"static"}).message() is None  # nothing changed: nothing to tell


def test_template_change_renders_every_page_and_reloads_those_that_changed(builder):
    templates = builder.site / "themes/mine/templates"
    templates.mkdir(parents=True)
    text = (ROOT / "themes/default/templates/note.html").read_text()
    (templates / "note.html").write_text(text.replace("{% block content %}", "{% block content %}<p>TPL</p>", 1))
    rebuilt = builder.build({"template"})
    assert rebuilt.rendered == len(builder.state.pages)  # every page
    changed = set(rebuilt.message()["pages"])
    notes = {p for p in rebuilt.files if re.fullmatch(r"notes/[^/]+/index\.html", p)}
    assert notes and notes <= changed  # (and the print edition, which holds every note)
    assert not any(p.startswith(("people/", "places/", "stories/", "timeline/")) for p in changed)


def test_bad_content_keeps_the_last_good_site_and_the_fix_builds(builder):
    before = builder.state
    note = builder.site / NOTE
    good = note.read_text()
    note.write_text("---\ntitle: [unclosed\n---\nbody\n")
    with pytest.raises(DossierError) as e:
        builder.build({"content"}, paths=[note])
    assert re.match(r"content/notes/overview\.md:\d+: ", e.value.format())
    assert builder.state is before
    note.write_text(good)
    assert builder.build({"content"}, paths=[note]).changed <= {"404.html", "dossier.json", "feed.xml", "health/index.html",
                                                                "sitemap.xml", "robots.txt", ".nojekyll"}


def test_a_file_that_becomes_a_link_out_of_the_site_is_refused(builder, tmp_path):
    """serve keeps its walk of content/ between saves: the check is made on each read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("---\ntitle: Runner secret\n---\nSECRET-MARKER\n")
    note = builder.site / NOTE
    note.unlink()
    note.symlink_to(secret)
    with pytest.raises(DossierError) as e:
        builder.build({"content"}, paths=[note])
    assert e.value.format().startswith(f"{NOTE}: is a link to {secret}, outside the site folder")
    assert not any(b"SECRET-MARKER" in data for data in files_of(builder).values())


def test_a_superseded_build_changes_nothing(builder):
    before = builder.state
    note = builder.site / NOTE
    note.write_text(note.read_text() + "\n\nA newer edit.\n")
    with pytest.raises(Superseded):
        builder.build({"content"}, superseded=lambda: True, paths=[note])
    assert builder.state is before


def test_the_live_reload_script_is_never_in_build_output(shipped, builder):
    out, _ = shipped
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert "data-dossier-live" not in text and "__dossier" not in text, page
    assert b"data-dossier-live" in builder.state.files[PERSON + "index.html"]


# --- a real server -------------------------------------------------------------------

class Served:
    """`dossier serve` in a subprocess; its output collected by a thread."""

    def __init__(self, site: Path, port: int, *args: str, search: bool = False):
        env = dict(os.environ)
        if not search:  # search is another test's subject
            env["PAGEFIND_BINARY_PATH"] = "/nonexistent"
        self.proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", str(site), "--port", str(port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                     preexec_fn=_die_with_parent)
        self.site, self.lines, self.ready = site, [], threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            self.proc.kill()
            pytest.fail(f"dossier serve did not start:\n{self.output()}")
        self.url = re.search(r"serving .* at (http://\S+)", self.output()).group(1)
        self.port = int(re.search(r":(\d+)/", self.url).group(1))
        self.base = self.url.split(f":{self.port}", 1)[1]

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if re.match(r"\S+ serving .* at http", line):
                self.ready.set()

    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # never leave a server behind, even when the test fails
            raise


def _die_with_parent() -> None:
    """A pytest run killed mid-test (a timeout) must not leave a server behind (Linux)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = copy_shipped(tmp_path_factory.mktemp("serve") / "site", theme=True)
    server = Served(site, free_port())
    yield server
    server.stop()


def test_paths_outside_the_site_are_404(served):
    base = served.base
    assert served.get(base + PERSON).status == 200
    for path in [f"{base}../dossier.yaml", f"{base}%2e%2e/dossier.yaml", f"{base}%2E%2E%2Fdossier.yaml",
                 f"{base}assets/..%2f..%2fdossier.yaml", f"{base}assets/%2e%2e/%2e%2e/secret.txt",
                 f"{base}assets/leak.txt", "/../../etc/passwd", f"{base}..%5c..%5csecret.txt"]:
        response = served.get(path)
        assert response.status == 404, path
        assert b"not for the web" not in response.body and b"base_url" not in response.body


@pytest.mark.parametrize("host, allowed, answered", [
    (None, (), True),  # HTTP/1.0: no browser
    ("127.0.0.1:8000", (), True), ("127.0.0.1", (), True), ("[::1]:8000", (), True), ("192.168.1.20:8000", (), True),
    ("localhost:8000", (), True), ("LOCALHOST.", (), True), ("app.localhost:8000", (), True),
    ("evil.example:8000", (), False), ("evil.example", (), False), ("127.0.0.1.evil.example:8000", (), False),
    ("localhost.evil.example", (), False), ("evil-localhost:8000", (), False), ("[::1].evil.example", (), False),
    ("", (), True),
    ("dossier.test:8000", ("dossier.test",), True), ("Dossier.Test.", ("dossier.test",), True),
    ("x.dossier.test", ("dossier.test",), False), ("x.dossier.test", (".dossier.test",), True),
    ("dossier.test", (".dossier.test",), True), ("notdossier.test", (".dossier.test",), False),
    ("anything.example", ("*",), True),
])
def test_host_allowed(host, allowed, answered):
    assert host_allowed(host, frozenset(allowed)) is answered


def test_only_allowed_host_names_are_answered(served):
    """DNS rebinding: a page on evil.example points its name at 127.0.0.1 and reads
    the preview; its requests carry `Host: evil.example`."""
    for path in (served.base, served.base + PERSON, served.base + "dossier.json", served.base + "health/",
                 served.base + "__dossier/events"):
        refused = served.get(path, {"Host": f"evil.example:{served.port}"})
        assert refused.status == 403 and b"--allow-host evil.example" in refused.body, path
        assert b"Xi Jinping" not in refused.body and refused.getheader("Content-Type").startswith("text/plain")
    for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}"):
        assert served.get(served.base + PERSON, {"Host": host}).status == 200


def test_allow_host_names_another_host(tmp_path):
    site = copy_shipped(tmp_path / "site")
    server = Served(site, free_port(), "--allow-host", "dossier.test", "--allow-host", ".preview.test")
    try:
        for host, status in [("dossier.test", 200), ("a.preview.test", 200), ("evil.example", 403)]:
            assert served_status(server, host) == status, host
    finally:
        server.stop()


def served_status(server, host: str) -> int:
    return server.get(server.base + PERSON, {"Host": f"{host}:{server.port}"}).status


def _poll(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_serve_started_on_a_broken_file_gets_search_once_it_is_fixed(tmp_path):
    """The indexer ran on the placeholder page, found nothing to index, and gave up
    for the whole session."""
    site = copy_shipped(tmp_path / "site")
    (site / "dossier.yaml").write_text("title: Heihe\n")  # no base path to learn once it builds
    note = site / NOTE
    good = note.read_text()
    note.write_text("---\ntitle: [unclosed\n---\n")
    server = Served(site, free_port(), search=True)
    try:
        assert server.get(server.base + PERSON).status == 404
        note.write_text(good)
        assert _poll(lambda: server.get(server.base + PERSON).status == 200), server.output()
        assert _poll(lambda: server.get(server.base + "pagefind/pagefind-ui.js").status == 200), server.output()
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_a_fifo_sidecar_is_refused_and_later_saves_still_build(tmp_path):
    """A FIFO as an article's .yaml hung the builder thread on its read: no later save
    was built and nothing was said."""
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "content/notes").mkdir()
    (site / "dossier.yaml").write_text("title: T\n")
    (site / "content/articles/a.txt").write_text("Bridge opens in Heihe\n\nThe bridge over the Amur opened.\n")
    (site / "content/notes/n.md").write_text("---\ntitle: A note\n---\nFirst words.\n")
    server = Served(site, free_port())
    try:
        os.mkfifo(site / "content/articles/a.yaml")
        line = ("content/articles/a.yaml: is a named pipe (FIFO), not a regular file "
                "(dossier reads only regular files: remove it)")
        assert _poll(lambda: line in server.output(), 20), server.output()
        (site / "content/articles/a.yaml").unlink()
        (site / "content/articles/a.yaml").write_text("title: Renamed headline\n")
        (site / "content/notes/n.md").write_text("---\ntitle: A note\n---\nSecond words.\n")

        def rebuilt():
            model = json.loads(server.get(server.base + "dossier.json").body)
            page = server.get(server.base + "notes/n/").body
            return [s["title"] for s in model["stories"]] == ["Renamed headline"] and b"Second words." in page
        assert _poll(rebuilt, 20), server.output()
        assert "Traceback" not in server.output()
    finally:
        assert server.stop() == 0


def test_never_a_stale_page_in_the_http_cache(served):
    response = served.get(served.base + PERSON)
    assert response.getheader("Cache-Control") == "no-cache"
    assert response.getheader("Last-Modified") is None
    etag = response.getheader("ETag")
    assert served.get(served.base + PERSON, {"If-None-Match": etag}).status == 304


def test_200_event_streams_and_a_burst_of_2000_requests(served):
    streams = []
    try:
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            s.sendall(f"GET {served.base}__dossier/events HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            streams.append(s)
        for s in streams:
            assert b"text/event-stream" in _read_until(s, b"retry:")
        paths = [served.base + p for p in ("", PERSON, "timeline/", "assets/dossier.css", "notes/overview/")]

        def worker(fresh: bool, n: int = 50) -> list[int]:
            """Half the workers keep their connection alive, half open one per request
            (what `ab` does by default)."""
            statuses = []
            conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
            for i in range(n):
                conn.request("GET", paths[i % len(paths)], headers={"Connection": "close"} if fresh else {})
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
                if fresh:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
            conn.close()
            return statuses
        t0 = time.monotonic()
        with ThreadPoolExecutor(40) as pool:  # 20 workers x 50 kept alive, 20 x 50 fresh connections
            statuses = [s for batch in pool.map(worker, [False, True] * 20) for s in batch]
        assert len(statuses) == 2000 and set(statuses) == {200}, statuses
        assert time.monotonic() - t0 < 60
        css = served.site / "themes/mine/static/dossier.css"
        css.write_text(css.read_text() + "\n/* a change every stream hears of */\n")
        for s in streams:
            assert b"event: change" in _read_until(s, b"event: change")
    finally:
        for s in streams:
            s.close()


def _read_until(s: socket.socket, marker: bytes, seconds: float = 20) -> bytes:
    data, deadline = b"", time.monotonic() + seconds
    while marker not in data and time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


def _open(browser, served, path: str):
    page = browser.new_page()
    page.goto(served.url.rstrip("/") + "/" + path.lstrip("/"))
    page.wait_for_function("window.dossierLive && window.dossierLive.connected", timeout=10000)
    return page


def test_browser_edit_shows_without_a_click_and_errors_show_as_an_overlay(browser, served, tmp_path):
    page = _open(browser, served, PERSON)
    page.evaluate("window.scrollTo(0, 400)")
    note = served.site / NOTE
    good = note.read_text()
    try:
        note.write_text(good + "\n\nXi Jinping was seen reading the zebra-crossing report.\n")
        page.wait_for_function("document.body.innerText.includes('zebra-crossing report')", timeout=15000)
        page.wait_for_function("window.scrollY > 300", timeout=5000)  # the reload kept the scroll position
        note.write_text("---\ntitle: [unclosed\n---\nbody\n")
        page.wait_for_selector("#dossier-error", timeout=15000)
        assert "content/notes/overview.md:" in page.inner_text("#dossier-error")
        assert "zebra-crossing report" in page.inner_text("main")  # still the last good build
        page.screenshot(path=str(tmp_path / "overlay.png"))
        page.reload()  # a fresh load while broken shows it too
        page.wait_for_selector("#dossier-error", timeout=15000)
    finally:
        note.write_text(good)
    page.wait_for_selector("#dossier-error", state="detached", timeout=15000)
    page.wait_for_function("!document.body.innerText.includes('zebra-crossing report')", timeout=15000)
    page.close()


def test_browser_css_change_swaps_the_stylesheet_without_a_reload(browser, served):
    page = _open(browser, served, "timeline/")
    page.evaluate("window.notReloaded = 42")
    css = served.site / "themes/mine/static/dossier.css"
    css.write_text(css.read_text() + "\nbody { outline: 3px solid rgb(1, 2, 3) }\n")
    page.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=15000)
    assert page.evaluate("window.notReloaded") == 42
    # any other asset may be used anywhere: every page reloads, at its scroll position
    page.evaluate("window.scrollTo(0, 300)")
    (served.site / "themes/mine/static/favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    page.wait_for_function("window.notReloaded === undefined", timeout=15000)
    page.wait_for_function("window.scrollY > 200", timeout=5000)
    page.close()


def test_port_in_use_is_skipped_and_ctrl_c_stops_cleanly(tmp_path):
    site = copy_shipped(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Served(site, port)
        try:
            assert f"port {port} is in use" in server.output()
            assert server.port != port
            assert server.get(server.base).status == 200
        finally:
            t0 = time.monotonic()
            code = server.stop()
    assert code == 0, server.output()
    assert time.monotonic() - t0 < 5
    assert "Traceback" not in server.output()


# --- debounce, failed and superseded builds ------------------------------------------

class FakeBuilder:
    """Records what Rebuilds asks for; fails or is superseded on demand."""

    def __init__(self, outcomes=()):
        self.calls, self.outcomes, self.tidied = [], list(outcomes), 0

    def themes(self):
        return []

    def tidy(self):
        self.tidied += 1

    def build(self, kinds, superseded, paths, open_pages):
        self.calls.append((set(kinds), {p.name for p in paths}))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome:
            raise outcome
        from dossier.serve.incremental import Rebuilt
        return Rebuilt({}, frozenset(), 0, 0, ())


def _rebuilds(tmp_path, builder):
    from dossier.serve.server import Rebuilds
    published, failed = [], []
    r = Rebuilds(builder, tmp_path, lambda rebuilt, epoch: published.append(epoch), failed.append, lambda line: None)
    thread = threading.Thread(target=r.run)
    thread.start()
    return r, thread, published, failed


def _until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_a_burst_of_saves_is_one_build(tmp_path):
    builder = FakeBuilder()
    r, thread, published, _ = _rebuilds(tmp_path, builder)
    content = tmp_path / "content" / "notes"
    try:
        for name in (".x.md.swp", "x.md.tmp", "x.md"):  # an editor's save: temp file, rename
            r.changed(content / name)
        r.changed(content / "x.md", settled=True)
        _until(lambda: published)
        time.sleep(0.1)
        assert builder.calls == [({"content"}, {"x.md.tmp", "x.md"})]  # the swap file is not content
        assert published == [r.wanted] and r.visible == r.wanted
        assert builder.tidied == 1  # once the build is published
    finally:
        r.stop()
        thread.join(5)


def test_a_failed_config_change_still_counts_and_a_superseded_build_is_redone(tmp_path):
    builder = FakeBuilder([DossierError("content/notes/x.md", "bad", line=2), Superseded()])
    r, thread, published, failed = _rebuilds(tmp_path, builder)
    try:
        r.changed(tmp_path / "dossier.yaml", settled=True)
        _until(lambda: failed)
        assert failed == ["content/notes/x.md:2: bad"]
        r.changed(tmp_path / "content" / "notes" / "x.md", settled=True)  # the fix: superseded once, then built
        _until(lambda: published)
        assert builder.calls[1:] == [({"config", "content"}, {"dossier.yaml", "x.md"})] * 2
    finally:
        r.stop()
        thread.join(5)
