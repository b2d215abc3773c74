#!/usr/bin/env python3
"""The same corpus built on the local engine and on a 2-worker Dask cluster on this machine.

    python benchmarks/cluster.py [--n 10000] [--runs 1]    # DOSSIER_SHARED=/path/to/shared if not ../shared

Generates the corpus with ../shared/bench/make_corpus.py (as benchmarks/run.py does),
starts a `dask scheduler` and two single-thread `dask worker`s on 127.0.0.1, and builds
it cold (no .dossier-cache) in alternation: local, cluster, local, … For each build:
wall time, each stage's wall time as `dossier build` times it, and the peak memory (sum
of RSS over the process tree, sampled every 10 ms for the client, `dossier build` with its
forked workers and Pagefind; every 20 ms for the scheduler and each worker, a nanny and
its worker process). Checks that the two sites are the same bytes
(SOURCE_DATE_EPOCH fixed: docs/config.md) and dedup's
precision and recall on both. Writes benchmarks/results-cluster-<n>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402
from run import ROOT, WORK, _tree_memory, corpus, dedup_quality  # noqa: E402

# ../shared beside the checkout; a worktree elsewhere names it
run.SHARED = Path(os.environ.get("DOSSIER_SHARED", run.SHARED))

sys.path.insert(0, str(ROOT / "tests"))
from safety import tree  # noqa: E402
from test_cluster import local_cluster  # noqa: E402
from test_reproducible import EPOCH  # noqa: E402


def measure(cmd: list[str], others: dict[str, int]) -> dict:
    """run.measure's wall time and peak tree RSS of `cmd` (the client), and the peak
    tree RSS of each of `others` (pids: the scheduler, the workers) meanwhile."""
    peak, done = dict.fromkeys(others, 0), threading.Event()

    def sample():
        while not done.is_set():
            for name, pid in others.items():
                peak[name] = max(peak[name], _tree_memory(pid)[0])
            done.wait(0.02)
    watcher = threading.Thread(target=sample)
    watcher.start()
    try:
        client = run.measure(cmd, sampled=True)
    finally:
        done.set()
        watcher.join()
    return {"wall": client["wall"], "client_peak_mib": round(client["peak_mib"]),
            **{f"{name}_peak_mib": round(v / 2**20) for name, v in peak.items()}}


def timed_build(argv: list[str], stages: Path) -> None:
    """`dossier build ARGV`, as the command runs it, writing its stage timings to `stages`."""
    import dossier.commands.build as command
    from dossier.commands.cli import main as dossier

    class Recorded(command.Timings):
        def __init__(self):
            super().__init__()
            Recorded.last = self
    command.Timings = Recorded
    code = dossier(argv)
    stages.write_text(json.dumps({k: round(v, 2) for k, v in Recorded.last.stages.items()}))
    sys.exit(code)


def main() -> None:
    if sys.argv[1:2] == ["--timed-build"]:  # one build, in the subprocess measure() watches
        return timed_build(sys.argv[3:], Path(sys.argv[2]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH  # the two sites are compared byte for byte
    site, out = corpus(args.n, "dossier"), WORK / f"out-cluster-{args.n}"
    (WORK / "dask").mkdir(parents=True, exist_ok=True)
    with local_cluster(WORK / "dask", memory="8GB") as (address, procs):
        runs: dict[str, list[dict]] = {"local": [], "cluster": []}
        for _ in range(args.runs):
            for engine in ("local", "cluster"):
                shutil.rmtree(site / ".dossier-cache", ignore_errors=True)
                stages = WORK / f"stages-{engine}.json"
                cmd = [sys.executable, __file__, "--timed-build", str(stages), "build", str(site),
                       "-o", str(out / engine), "-q", "--scheduler", address if engine == "cluster" else "local"]
                others = {name: p.pid for name, p in procs.items()} if engine == "cluster" else {}
                runs[engine].append({**measure(cmd, others), "stages": json.loads(stages.read_text())})
                print(engine, runs[engine][-1], flush=True)
    same = tree(out / "local") == tree(out / "cluster")
    quality = {engine: dedup_quality(out / engine / "dossier.json", WORK / f"truth-{args.n}.json")
               for engine in runs}
    result = {"n": args.n, "runs": args.runs, "byte_identical": same,
              **{f"{engine}_{key}": statistics.median(r[key] for r in rs)
                 for engine, rs in runs.items() for key in rs[0] if key != "stages"},
              **{f"{engine}_stages": {k: statistics.median(r["stages"][k] for r in rs) for k in rs[0]["stages"]}
                 for engine, rs in runs.items()},
              **{f"{engine}_precision_recall": q for engine, q in quality.items()}}
    (ROOT / "benchmarks" / f"results-cluster-{args.n}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
