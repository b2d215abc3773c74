"""Time per article of a large corpus against a small one's (issue 15: 100,000 articles
at most 1.2 × 1,000's).

One cold `dossier build` of the large corpus, then `--small-runs` of the small one
just after it (this machine drifts by a few percent from one half hour to the next,
so the two are compared only within one run of this script). Each build starts with
no output folder and no `.dossier-cache/`, the last ones moved aside, not deleted (as
run.py does: `aside` says why), and none is sampled. The ratio is the large build's
time per article over the small builds' median; `range` over their slowest and
fastest (the first small build after a 100,000-article one took 5.6 s, the next two
4.4 and 4.3: why, not measured; the large build's gigabytes still being written to
disk would do it).

The large corpus's files are read however warm the page cache has them; with
`--cold` the cache is dropped first (as root), and reading 100,000 files from disk
added ~10 s here (docs/benchmarks.md, twentieth round).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import TRASH, WORK, aside, corpus, dossier_cmd, measure  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--small-runs", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="drop the page cache before the large build (root only)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    times: dict[int, list[float]] = {args.large: [], args.small: []}
    for n, runs in ((args.large, 1), (args.small, args.small_runs)):
        site, out = corpus(n, "dossier"), WORK / f"out-{n}" / "dossier"
        for _ in range(runs):
            aside(out, site / ".dossier-cache")
            if args.cold and n == args.large:
                subprocess.run(["sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches"], check=True)
            times[n].append(measure(dossier_cmd(site, out))["wall"])
    aside(*(WORK / f"out-{n}" / "dossier" for n in times))
    shutil.rmtree(TRASH, ignore_errors=True)
    per = {n: [1000 * t / n for t in ts] for n, ts in times.items()}
    large, small = per[args.large][0], per[args.small]
    print(json.dumps({"walls": times, "ms_per_article": per, "cold": args.cold,
                      "ratio": round(large / statistics.median(small), 3),
                      "range": [round(large / max(small), 3), round(large / min(small), 3)]}))


if __name__ == "__main__":
    main()
