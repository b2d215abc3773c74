"""Search end to end: the Pagefind index built with the site, queried in headless
Chromium on the site served under a sub-path as GitHub Pages serves it; and the
same dossier's index cut in shards, as a big dossier's is (pages/shards.py)."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dossier.build import build
from dossier.config import load_config
from dossier.output import search
from dossier.pages import shards
from dossier.serve.server import SearchIndex
from ghpages import serve

from conftest import CHROMIUM, CHROMIUM_ARGS as ARGS, ROOT
HEIHE_STORY = "/heihe/stories/no-one-else-wants-to-be-friends-with-us-view-from-the-china/"
RESULT_LINKS = "#search-ui .pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title a"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (make system-deps)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def result_urls(page) -> list[str]:
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.getAttribute('href'))")


SHARD_PAGES = 10  # the shipped dossier's 37 indexed pages in 4 shards


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The shipped dossier built with shards of SHARD_PAGES: (output folder, the bundle of each page)."""
    out = tmp_path_factory.mktemp("sharded") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shards, "SHARD_PAGES", SHARD_PAGES)
        build(ROOT, out, load_config(ROOT))
        plan = search.found(out)
    return out, {"/heihe/" + u: s.bundle for s in plan for u in s.urls}


@pytest.fixture(params=["shipped", "sharded"])
def built(request):
    """Each test below on the shipped dossier, then on the same with its index in shards."""
    return request.getfixturevalue(request.param)[0]


def test_a_small_dossier_has_one_bundle_and_the_page_names_no_other(shipped):
    out, _ = shipped
    assert sorted(p.name for p in out.glob("pagefind*")) == ["pagefind"]
    assert not _search_script(out).has_attr("data-merge")


def test_a_big_index_is_cut_in_shards_the_search_page_merges(sharded):
    out, bundle_of = sharded
    merged = _search_script(out)["data-merge"].split()
    assert merged == ["pagefind-2", "pagefind-3", "pagefind-4"]
    assert sorted(p.name for p in out.glob("pagefind*")) == ["pagefind", *merged]
    assert not any(out.glob(".search-shard*"))  # the shards' links are gone
    counts = {b: json.loads((out / b / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
              for b in ["pagefind", *merged]}
    assert counts == {"pagefind": 10, "pagefind-2": 9, "pagefind-3": 9, "pagefind-4": 9}, counts
    assert sum(counts.values()) == len(bundle_of) == 37


def test_the_shards_are_the_same_bytes_from_one_build_to_the_next(sharded, tmp_path):
    out, _ = sharded
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shards, "SHARD_PAGES", SHARD_PAGES)
        build(ROOT, tmp_path / "again", load_config(ROOT))
    stable = lambda root: {p.relative_to(root).as_posix(): p.read_bytes()  # noqa: E731 (see test_reproducible)
                           for b in root.glob("pagefind*") for part in ("index", "fragment") for p in (b / part).iterdir()}
    assert stable(out) == stable(tmp_path / "again") and len(stable(out)) > 40


def test_pagefind_reads_the_pages_cut_to_what_it_indexes_and_makes_the_same_index(sharded, tmp_path):
    """The build hands Pagefind each page cut `for_index` (a third of the HTML), in
    memory: the word index and the filters are the same bytes as Pagefind makes of the
    published pages themselves, each page's fragment the same but for the anchors of
    elements other than headings (which the search UI never reads), and the cut pages
    are not published."""
    _same_index_as_of_the_pages(*sharded, tmp_path)


def test_without_room_in_memory_the_cut_pages_are_written_beside_the_site(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SCRATCH", tmp_path / "no-tmpfs")
    monkeypatch.setattr(shards, "SHARD_PAGES", SHARD_PAGES)
    out = tmp_path / "site"
    build(ROOT, out, load_config(ROOT))
    _same_index_as_of_the_pages(out, {"/heihe/" + u: s.bundle for s in search.found(out) for u in s.urls}, tmp_path)


def _same_index_as_of_the_pages(out, bundle_of, tmp_path):
    # the published pages, whole, where the build lays out the cut ones, made in the order it
    # makes them in (Pagefind numbers the pages in the order it lists them: Indexer._laid_out)
    whole = search._scratch(tmp_path)
    try:
        for page in sorted(f"{u.removeprefix('/heihe/')}index.html" for u in bundle_of):
            (whole / page).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / page, whole / page)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(shards, "SHARD_PAGES", SHARD_PAGES)
            assert search.index_site(whole) == ""
        built, read = _bundles(out), _bundles(whole)
        assert built == {**read, "fragments": {url: {**f, "anchors": _headings(f)} for url, f in read["fragments"].items()}}
        assert len(built["fragments"]) == 37 and len(built["words"]) > 4
        anchors = [a for f in read["fragments"].values() for a in f["anchors"]]  # (what the cut left out)
        assert sum(a["element"] == "p" for a in anchors) > 50 and sum(a["element"] == "h2" for a in anchors) > 10
    finally:
        shutil.rmtree(whole)
    assert not list(out.parent.rglob(search.INPUT + "*"))
    assert not list(search.SCRATCH.glob(f"dossier-pagefind-{os.getpid()}-*"))


def _bundles(root: Path) -> dict:
    """The search bundles in `root`: each page's fragment by its URL (a fragment's file
    is named by a hash of it, and the pages' list by those names), every other file
    (the word index, the filters) by its path."""
    fragments, words = {}, {}
    for bundle in root.glob("pagefind*"):
        for p in bundle.rglob("*"):
            if p.suffix == ".pf_fragment":
                fragment = json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))
                fragments[fragment["url"]] = fragment
            elif p.is_file() and p.suffix != ".pf_meta" and p.name != "pagefind-entry.json":
                words[p.relative_to(root).as_posix()] = p.read_bytes()
    return {"fragments": fragments, "words": words}


def _headings(fragment: dict) -> list[dict]:
    return [a for a in fragment["anchors"] if a["element"] in ("h1", "h2", "h3", "h4", "h5", "h6")]


def test_serve_reads_every_shard_back(sharded, monkeypatch):
    out, _ = sharded
    monkeypatch.setattr(shards, "SHARD_PAGES", SHARD_PAGES)

    class Site:  # what SearchIndex reads of server.Site: the files of the last build, and where the index goes
        build = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
        done = threading.Event()

        def indexed(self, files):
            self.files = files
            self.done.set()
    site = Site()
    index = SearchIndex(site, say=print)
    thread = threading.Thread(target=index.run)
    thread.start()
    try:
        assert site.done.wait(60)
    finally:
        index.stop()
        thread.join(10)
    for bundle in ("pagefind", "pagefind-2", "pagefind-3", "pagefind-4"):
        assert f"{bundle}/pagefind-entry.json" in site.files and f"{bundle}/pagefind.js" in site.files


def _search_script(out):
    html = BeautifulSoup((out / "search" / "index.html").read_text(encoding="utf-8"), "html.parser")
    return html.find("script", src=lambda src: src and src.endswith("search.js"))


def test_typing_finds_the_story_and_the_kind_filter_narrows(built, page):
    out = built
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/")
        page.locator("#search-ui input[type=text]").press_sequentially("Slava", delay=20)
        page.wait_for_function(f"[...document.querySelectorAll('{RESULT_LINKS}')]"
                               f".some(a => a.getAttribute('href') === '{HEIHE_STORY}')")
        story = page.locator(".pagefind-ui__result", has=page.locator(f"a[href='{HEIHE_STORY}']")).first
        assert "Slava" in story.locator(".pagefind-ui__result-excerpt mark").first.inner_text()
        assert "?q=Slava" in page.url  # the query is in the address, to bookmark or share
        page.locator("#search-ui input[type=checkbox][value=person]").check()
        page.wait_for_function(f"document.querySelectorAll('{RESULT_LINKS}').length === 1")
        assert result_urls(page) == ["/heihe/people/slava/"]


TERRA = "/heihe/stories/putin-and-xi-jinping-meet-to-strengthen-anti-western/"


@pytest.mark.parametrize("query, expected", [
    ("empty bridge", TERRA),  # the one report that watched the empty bridge
    ("ticking time bomb", HEIHE_STORY),  # Mr Jia's words: his page quotes them, the story has them
    ("Power of Siberia", HEIHE_STORY),
    ("key judgements", "/heihe/notes/overview/"),
    ("three independent reports", "/heihe/notes/source-assessment/"),
    ("machine translation", "/heihe/notes/source-assessment/"),
])
def test_the_story_or_note_a_query_is_about_comes_in_the_first_three(shipped, page, query, expected):
    # not on `sharded`: shards of 10 pages score a page against 9 others' words, and rank
    # apart from one index of 37; shards of SHARD_PAGES are samples big enough to agree
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/?q=" + query.replace(" ", "+"))
        page.wait_for_selector(RESULT_LINKS)
        page.wait_for_function(f"document.querySelectorAll('{RESULT_LINKS}').length > 0")
        page.wait_for_timeout(300)  # let the result list settle (Pagefind UI renders as results load)
        assert expected in result_urls(page)[:3], result_urls(page)


def test_an_entity_page_is_found_by_its_aliases_not_its_lists(built, page):
    out = built
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/?q=Chinese+President+Xi+Jinping")  # an alias
        page.wait_for_selector(RESULT_LINKS)
        assert result_urls(page)[0] == "/heihe/people/xi-jinping/"
        # a note's title is in Xi's list of mentions, which is not indexed
        page.fill("#search-ui input[type=text]", "Chinese views of Russia and the war")
        page.wait_for_selector(f"{RESULT_LINKS}[href='/heihe/notes/public-opinion/']")
        page.wait_for_timeout(300)
        assert "/heihe/people/xi-jinping/" not in result_urls(page)


def test_a_query_finds_pages_of_every_shard_and_the_filter_narrows_across_them(sharded, page):
    out, bundle_of = sharded
    with serve(out, "/heihe/") as root:
        page.goto(root + "search/?q=Heihe")
        page.wait_for_selector(RESULT_LINKS)
        page.wait_for_timeout(500)  # let the result list settle (Pagefind UI renders as results load)
        found = result_urls(page)
        assert {bundle_of[u] for u in found} >= {"pagefind", "pagefind-2"}, found
        assert page.inner_text(".pagefind-ui__message") == "20 results for Heihe"  # as from one index
        page.locator("#search-ui input[type=checkbox][value=story]").check()
        # the three stories, one in each of three shards, and nothing else
        page.wait_for_function(f"(links => links.length === 3 && links.every(a => a.getAttribute('href')"
                               f".startsWith('/heihe/stories/')))([...document.querySelectorAll('{RESULT_LINKS}')])")
        assert len({bundle_of[u] for u in result_urls(page)}) == 3
        # sub-results (a story's passages) come from a merged shard as from the first
        assert page.locator(".pagefind-ui__result", has=page.locator(f"a[href='{HEIHE_STORY}']")).locator(
            ".pagefind-ui__result-excerpt mark").count() >= 1


def test_the_header_box_searches_from_any_page(shipped, page):
    out, _ = shipped
    with serve(out, "/heihe/") as root:
        page.goto(root + "people/slava/")
        page.fill("#site-search-q", "Blagoveshchensk")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(f"{RESULT_LINKS}[href='/heihe/places/blagoveshchensk/']")
        assert page.url.endswith("search/index.html?q=Blagoveshchensk")
        # only main content is indexed: the footer's "Atom feed" is on every page, in no result
        page.fill("#search-ui input[type=text]", "feed")
        page.wait_for_selector(".pagefind-ui__message:has-text('No results for feed')", timeout=10_000)


def test_from_a_file_the_page_says_search_needs_a_server(shipped, page):
    out, _ = shipped
    page.goto((out / "search" / "index.html").as_uri() + "?q=Slava")
    assert "opened as a file" in page.inner_text("#search-help")


def test_without_the_binary_the_build_succeeds_and_says_why(site, tmp_path, page):
    # PAGEFIND_BINARY_PATH is Pagefind's own override; pointing it at nothing is how a
    # machine without the binary looks to dossier
    root = site({"dossier.yaml": "title: T\n", "content/notes/a.md": "---\ntitle: A\n---\nText.\n"})
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")}
    result = subprocess.run([sys.executable, "-m", "dossier", "build", str(root), "-o", str(tmp_path / "out"),
                             "--strict"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert f"search index skipped: no pagefind program at PAGEFIND_BINARY_PATH={tmp_path}" in result.stderr
    assert (tmp_path / "out" / "search" / "index.html").is_file() and not (tmp_path / "out" / "pagefind").exists()
    with serve(tmp_path / "out", "/repo/") as url:
        page.goto(url + "search/")
        page.wait_for_function("document.getElementById('search-why').textContent.includes('no search index')")


def test_without_the_pagefind_package(monkeypatch, tmp_path):
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # import fails, as when not installed
    monkeypatch.setenv("PATH", str(tmp_path))  # and no pagefind on PATH either
    assert search.index_site(tmp_path) == "the pagefind binary is not installed (pip install 'pagefind[bin]')"


def test_a_failing_binary_is_reported_not_raised(monkeypatch, tmp_path):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: no pages to index' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    assert search.index_site(tmp_path) == "pagefind failed (exit 1): Error: no pages to index"


@pytest.mark.parametrize("workers", [1, 2])
def test_each_shard_is_handed_to_pagefind_once_all_its_pages_are_on_disk(monkeypatch, tmp_path, workers):
    """render_groups announces shard s (for Pagefind to read while the rest renders)
    only when every page of it is written, once, and in one process before the next
    shard's pages are made; in forked workers (2) at least after its own pages."""
    from dossier.build import build_model
    from dossier.output import site
    from dossier.output.render import environment, output_path
    from dossier.memo import Memo
    from dossier.pages.builders import plan_pages

    monkeypatch.setattr(shards, "SHARD_PAGES", SHARD_PAGES)
    monkeypatch.setattr(site, "PARALLEL_FROM", 0)  # the shipped dossier is small: a pool all the same
    d = build_model(ROOT, load_config(ROOT))
    groups, ix = plan_pages(d, Memo())
    plan = shards.shards_of(groups)
    assert len(plan) == 4
    out, cut = tmp_path / "out", tmp_path / "cut"  # the pages, and what Pagefind reads of them

    def writer(folder):
        def write(path, data):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
            with open(tmp_path / "priority", "a") as f:  # (a worker's memory is its own)
                f.write(f"{os.getpid()} {os.getpriority(os.PRIO_PROCESS, 0)}\n")
        return write

    announced = []

    def written(s):
        on_disk = [all((out / f).is_file() and (cut / f).is_file() for f in shard.files) for shard in plan]
        assert on_disk[s], f"shard {s} announced before its pages were written"
        announced.append((s, on_disk))

    site.render_groups(environment(ROOT, d.config.theme), d, groups, ix, writer(out), workers=workers,
                       shards=plan, shard_written=written, searched=writer(cut))
    assert sorted(p.relative_to(cut).as_posix() for p in cut.rglob("*.html")) == sorted(f for s in plan for f in s.files)
    assert sorted(s for s, _ in announced) == [0, 1, 2, 3]
    if workers == 1:  # shard by shard: the first is read while the last is not yet written
        assert [s for s, _ in announced] == [0, 1, 2, 3] and not announced[0][1][3]
    # in workers, below Pagefind (this process's priority), which indexes each shard beside them
    by = dict(line.split() for line in (tmp_path / "priority").read_text().splitlines())
    assert by == {str(os.getpid()): str(os.getpriority(os.PRIO_PROCESS, 0))} if workers == 1 else (
        len(by) == 2 and {int(n) for n in by.values()} == {os.getpriority(os.PRIO_PROCESS, 0) + site.RENDER_NICE})


def test_a_shard_waits_for_its_pages(monkeypatch, tmp_path):
    """Indexer.start(pending=True) runs Pagefind on a shard only after written(i)."""
    fake, log = tmp_path / "pagefind", tmp_path / "runs"
    fake.write_text(f"#!/bin/sh\necho run >> {log}\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with search.Indexer() as indexer:
        indexer.start(tmp_path, [shards.Shard("pagefind", ("stories/a/",))], pending=True)
        threading.Event().wait(0.5)
        assert not log.exists()
        indexer.written(0)
        assert indexer.wait().startswith("pagefind failed")
    assert log.read_text() == "run\n"


def _noting_pagefind(monkeypatch, tmp_path, seconds: float) -> tuple[Path, Path]:
    """A Pagefind that notes its start and end in the log, taking `seconds`, and writes
    the bundle's entry file. (the log, the site folder)"""
    fake, log, site = tmp_path / "fake-pagefind", tmp_path / "runs", tmp_path / "site"
    fake.write_text(f'#!/bin/sh\nout=$4\necho "start $out" >> {log}\nsleep {seconds}\nmkdir -p "$out"\n'
                    f'touch "$out/pagefind-entry.json"\necho "end $out" >> {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    return log, site


def test_once_waited_for_two_pagefinds_take_the_shards_left(monkeypatch, tmp_path):
    """While pages are rendered one Pagefind runs at a time; once the build waits, a
    second takes the shards left beside it; every shard is indexed once."""
    log, site = _noting_pagefind(monkeypatch, tmp_path, 0.4)
    plan = [shards.Shard(shards.bundle_name(i), (f"stories/s{i}/",)) for i in range(4)]
    with search.Indexer() as indexer:
        indexer.start(site, plan, pending=True)
        for i in range(4):
            indexer.written(i)
        assert indexer.wait() == ""
    lines = log.read_text().split("\n")[:-1]
    assert sorted(line.split()[1] for line in lines if line.startswith("start")) == sorted(
        str(site / s.bundle) for s in plan)
    running, most = 0, 0
    for line in lines:
        running += 1 if line.startswith("start") else -1
        most = max(most, running)
    assert most == 2  # two at once, never more
    assert all((site / s.bundle / "pagefind-entry.json").is_file() for s in plan)


def test_once_rendered_the_last_shard_left_runs_beside_the_one_running(monkeypatch, tmp_path):
    """Every page written (`rendered`): the one shard not yet taken starts at once
    beside the one being read, not after it (nor after the build's other files)."""
    log, site = _noting_pagefind(monkeypatch, tmp_path, 0.6)
    plan = [shards.Shard(shards.bundle_name(i), (f"stories/s{i}/",)) for i in range(2)]
    with search.Indexer() as indexer:
        indexer.start(site, plan, pending=True)
        indexer.written(0)
        indexer.written(1)
        threading.Event().wait(0.2)  # the first shard is being read, the second waits for it
        indexer.rendered()
        threading.Event().wait(0.2)
        started = [line for line in log.read_text().split("\n") if line.startswith("start")]
        assert indexer.wait() == ""
    assert len(started) == 2  # both running before the first is done


def test_written_does_not_wait_for_a_pagefind_being_started(monkeypatch, tmp_path):
    """The thread that writes the pages must go on reading its workers' results while
    a Pagefind thread holds the Indexer's lock, as it does while it starts a run:
    `written` does not take it. (Taking it hung a 100,000-article build.)"""
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with search.Indexer() as indexer:
        indexer.start(tmp_path / "site", [shards.Shard("pagefind", ("stories/a/",))], pending=True, cut=True)
        with indexer._lock:
            writer = threading.Thread(target=indexer.written, args=(0,))
            writer.start()
            writer.join(5)
            assert not writer.is_alive()
        indexer.wait()


def test_a_failing_shard_beside_another_leaves_no_bundle(monkeypatch, tmp_path):
    fake, site = tmp_path / "fake-pagefind", tmp_path / "site"
    fake.write_text('#!/bin/sh\nout=$4\nmkdir -p "$out"\ncase "$out" in *-3) echo broken >&2; exit 2;; esac\n'
                    'sleep 0.2\ntouch "$out/pagefind-entry.json"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    plan = [shards.Shard(shards.bundle_name(i), (f"stories/s{i}/",)) for i in range(4)]
    with search.Indexer() as indexer:
        indexer.start(site, plan)
        assert indexer.wait() == "pagefind failed (exit 2): broken"
    assert not any((site / s.bundle).exists() for s in plan)
