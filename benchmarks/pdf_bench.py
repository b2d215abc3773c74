#!/usr/bin/env python3
"""Time `dossier pdf` (the whole dossier) on the shipped content and on a synthetic corpus.

    python benchmarks/pdf_bench.py [--n 500] [--runs 3] [--keep DIR] [--report]

Each run is the command a user types, in a fresh process, so it includes start-up,
the model, the pages and WeasyPrint. Per case: median wall time, CPU time (user+sys
of the process, from wait4) and peak memory over the runs, and the page count. The
load average is printed with them: on a shared machine the wall time follows it.
--report writes the results under "## pdf" in docs/benchmarks.md (that section
only; the rest of the file is left as it is).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
TARGETS = {"shipped": 10.0, "corpus": 120.0}  # seconds, from issue 4


def run_once(site: Path, out: Path) -> dict:
    started, load = time.perf_counter(), os.getloadavg()[0]
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "pdf", "-s", str(site), "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU and peak memory
    wall = time.perf_counter() - started
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"dossier pdf failed on {site}:\n{stderr}")
    pages = int(re.search(r": (\d+) pages in", stdout).group(1))
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "pages": pages, "load": load}


def bench(name: str, site: Path, runs: int, tmp: Path) -> dict:
    results = []
    for i in range(runs):
        r = run_once(site, tmp / f"{name}-{i}.pdf")
        print(f"  {name} run {i + 1}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['rss_mb']:.0f} MB, "
              f"{r['pages']} pages (load {r['load']:.1f})", flush=True)
        results.append(r)
    return {"name": name, "pages": results[0]["pages"],
            "wall": statistics.median(r["wall"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results),
            "rss_mb": max(r["rss_mb"] for r in results),
            "load": statistics.median(r["load"] for r in results), "runs": runs}


def report(rows: list[dict], n: int) -> str:
    lines = ["## pdf", "",
             f"`python benchmarks/pdf_bench.py --n {n} --runs {rows[0]['runs']} --report`: `dossier pdf` of the whole",
             "dossier, as a user runs it (fresh process: start-up, model, pages, WeasyPrint 70).",
             "Medians of the runs; memory is the peak. The machine has 2 cores and is shared:",
             "the load average is the median at the start of the runs.", "",
             "| content | pages | wall | CPU | peak memory | load | target |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        label = "shipped Heihe dossier" if r["name"] == "shipped" else f"{n}-article corpus (make_corpus.py)"
        target = TARGETS["shipped" if r["name"] == "shipped" else "corpus"]
        lines.append(f"| {label} | {r['pages']} | {r['wall']:.1f} s | {r['cpu']:.1f} s | {r['rss_mb']:.0f} MB | "
                     f"{r['load']:.1f} | ≤ {target:.0f} s |")
    return "\n".join(lines) + "\n" + NOTES


NOTES = """
Where the time goes: the model, the pages and the print HTML of the 500-article corpus
take about 5 s; the rest is WeasyPrint laying out and drawing the pages, in one process
(a document's layout runs page after page), at about 7 pages a second of CPU on this
machine. Its cost is per line and per inline box, so on an idle machine the wall time
is the CPU time; on a shared one it follows the load. The corpus's story text alone is
303,000 words, some 600 pages.

How it came down (500 articles, first version: 1,128 pages, 733 s wall and 342 s CPU
at load 6, 4.3 GB): the edition prints each person, place and event as a profile with
an index of mentions instead of every sentence again (print-entity.html), a story
without what the edition prints elsewhere and with only its versions' flagged
rewordings (print-story.html), names linked at their first mention in a story (each linked name
is an inline box; −40% on story pages), parts one after another instead of each on a
new page, kinds shown by underline style instead of ● ▲ ◆ marker boxes (−17%), no
flex/grid/inline-block on paper, no PDF tags (tagging cost +34% CPU on the shipped
dossier and +43% on 500 articles), screen-reader spans removed before layout, and Python's
cycle collector paused during layout (−12%).

Not done: splitting the edition over the 2 cores. WeasyPrint lays out one document
at a time, so it would take separate documents per chunk, merged afterwards, with
the page numbers ("Page X of Y", the contents, the mention indexes) and the links
between chunks put back by hand; that would roughly halve the wall time on an idle
machine.
"""


def write_report(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find("\n## pdf\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start + 1] + section + (text[end:] if end >= 0 else "")
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500, help="articles in the synthetic corpus (0: shipped only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="folder for the corpus (reused when there)")
    ap.add_argument("--report", action="store_true", help="write the results into docs/benchmarks.md")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    rows = [bench("shipped", ROOT, a.runs, tmp)]
    if a.n:
        corpus = Path(a.keep or tmp) / f"dossier-{a.n}"
        if not (corpus / "content").is_dir():
            subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(a.n), "--out", str(corpus),
                            "--format", "dossier"], check=True, stdout=subprocess.DEVNULL)
        rows.append(bench("corpus", corpus, a.runs, tmp))
    section = report(rows, a.n)
    print("\n" + section)
    if a.report:
        write_report(section)


if __name__ == "__main__":
    main()
