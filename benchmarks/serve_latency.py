"""Edit-to-reload latency of `dossier serve`: from the file write to the browser's page
having the new content. Not a test: it prints medians for docs/benchmarks.md.

    .venv/bin/python benchmarks/serve_latency.py                 # the shipped dossier
    .venv/bin/python benchmarks/serve_latency.py --corpus 4000   # make_corpus.py, 4,000 articles

The site is copied to a scratch folder (the shipped content is never edited) and
served by `dossier serve` in a subprocess. Headless Chromium (Debian's package)
opens a person page; each edit rewrites a note that mentions the person, adding
a sentence that names them with a fresh marker word. The clock starts just before
the write and stops when the page has the new text: when the page script has
swapped the new <body> in (it notes the time), or at the DOMContentLoaded of a
full reload (Navigation Timing). Both are read in the browser, so Playwright's
own polling does not count; both clocks are this machine's wall clock. Search indexing is switched off: it runs
only after two seconds of calm, never on the edit-to-reload path.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage"]


def make_site(scratch: Path, corpus: int | None) -> Path:
    site = scratch / "site"
    if corpus:
        subprocess.run([sys.executable, str(CORPUS), "--n", str(corpus), "--out", str(site), "--format", "dossier"],
                       check=True, capture_output=True)
    else:
        shutil.copytree(ROOT / "content", site / "content")
        shutil.copy(ROOT / "dossier.yaml", site / "dossier.yaml")
    return site


def snapshot_code(scratch: Path) -> Path:
    """A copy of dossier/ and themes/: a long run is not disturbed by edits to the
    working tree (a template changed under a server running the old code)."""
    code = scratch / "code"
    shutil.copytree(ROOT / "dossier", code / "dossier", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "themes", code / "themes")
    return code


def serve(site: Path, port: int, code: Path) -> tuple[subprocess.Popen, str, list[str]]:
    env = {**os.environ, "PAGEFIND_BINARY_PATH": "/nonexistent", "PYTHONPATH": str(code)}
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", str(site), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=code)
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if re.match(r"\S+ serving .* at http", line):
                ready.set()
    threading.Thread(target=read, daemon=True).start()
    while not ready.wait(1):
        if proc.poll() is not None:
            sys.exit("dossier serve stopped:\n" + "".join(lines))
    url = re.search(r"serving .* at (http://\S+)", "".join(lines)).group(1)
    return proc, url, lines


def pick(url: str, site: Path) -> tuple[str, str, Path]:
    """A person and a note that mentions them, from the served dossier.json."""
    model = json.load(urllib.request.urlopen(url + "dossier.json", timeout=600))
    for person in model["people"]:
        notes = [m for m in person["mentions"] if m.startswith("notes/")]
        if notes:
            return person["slug"], person["name"], site / "content" / notes[0]
    sys.exit("no note mentions a person")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=int, help="articles in a make_corpus.py site (default: the shipped dossier)")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--port", type=int, default=8470)
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between edits")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for one edit to show")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    proc = None
    try:
        site = make_site(scratch, args.corpus)
        t0 = time.perf_counter()
        proc, url, lines = serve(site, args.port, snapshot_code(scratch))
        print(f"first build and serve: {time.perf_counter() - t0:.1f} s", flush=True)
        slug, name, note = pick(url, site)
        original = note.read_text(encoding="utf-8")
        head, sep, body = original.partition("\n---\n") if original.startswith("---\n") else ("", "", original)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
            page = browser.new_page()
            page.goto(f"{url}people/{slug}/")
            page.wait_for_function("window.dossierLive && window.dossierLive.connected",
                                   timeout=args.timeout * 1000)
            latencies = []
            for i in range(args.edits + 1):  # the first edit warms caches and is not counted
                marker = f"benchmark{i}x{os.getpid()}"
                text = f"{head}{sep}{name} spoke to the {marker} desk.\n\n{body}"
                t_write = time.time()
                note.write_text(text, encoding="utf-8")
                try:
                    page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})",
                                           timeout=args.timeout * 1000)
                except Exception:
                    print("".join(lines[-15:]), page.url, page.title(), flush=True)  # what the server said
                    raise
                # the page script swaps the new <body> in and notes when; a full reload
                # (the fallback) is timed by its DOMContentLoaded
                loaded = page.evaluate("Math.max(window.dossierLive.updated, performance.timeOrigin + "
                                       "performance.getEntriesByType('navigation')[0].domContentLoadedEventStart)")
                ms = loaded - t_write * 1000
                if i:
                    latencies.append(ms)
                print(f"edit {i}: {ms:.0f} ms", flush=True)
                page.wait_for_function("window.dossierLive && window.dossierLive.connected",
                                       timeout=args.timeout * 1000)
                time.sleep(args.pause)
            browser.close()
        note.write_text(original, encoding="utf-8")
        builds = [float(m) for m in re.findall(r"files changed in (\d+) ms", "".join(lines))]
        cpu = platform.processor() or next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                            if l.startswith("model name")), "?")
        print(f"\nsite: {'corpus ' + str(args.corpus) if args.corpus else 'shipped dossier'}; page people/{slug}/; "
              f"note {note.relative_to(site)}")
        print(f"machine: {os.cpu_count()} cores, {cpu}; load average {os.getloadavg()[0]:.1f}")
        print(f"edit-to-reload, median of {len(latencies)}: {statistics.median(latencies):.0f} ms "
              f"(min {min(latencies):.0f}, max {max(latencies):.0f})")
        if builds:
            print(f"build before publish (server log), median: {statistics.median(builds):.0f} ms")
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
