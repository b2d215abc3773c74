"""What clean keeps of real web pages: the boilerplate-dev set, scored as a whole and in two
halves split by site (develop on one, check the other does as well).

    python benchmarks/boilerplate.py [--set ../shared/bench/boilerplate-dev] [--work DIR]

Runs the set's own score_dossier.py (a dossier site per variant: the two plain-text
scrapes and the saved HTML pages, built with `dossier build`, what clean kept read from
build/dossier.json, false merges counted), then scores each half from the kept texts it
left in --work. Halves: a site goes to half A or B by the CRC-32 of its name, so both
pages of one site land together and the split does not move when cases are added.
Results: docs/benchmarks.md, "Real scrapes".
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT.parent / "shared" / "bench" / "boilerplate-dev"
VARIANTS = ("innertext", "inscriptis", "html")


def summary(rows: list[dict]) -> str:
    if not rows:
        return "no pages"
    p = sum(r["P"] for r in rows) / len(rows)
    r = sum(r["R"] for r in rows) / len(rows)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    lost = sum(x["R"] < 0.8 for x in rows) / len(rows)
    junk = sum(x["P"] < 0.8 for x in rows) / len(rows)
    return f"pages={len(rows)} P={p:.3f} R={r:.3f} F1={f1:.3f} body_lost={lost:.1%} junk_kept={junk:.1%}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="the boilerplate-dev folder")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dossier-boilerplate"))
    ap.add_argument("--dossier", default=str(Path(sys.executable).parent / "dossier"))
    a = ap.parse_args()
    sites = dict(line.split("\t")[:2] for line in (a.set / "cases.tsv").read_text().splitlines()[1:])
    half = {case: "AB"[zlib.crc32(site.encode()) % 2] for case, site in sites.items()}
    for variant in VARIANTS:
        run = subprocess.run([sys.executable, str(a.set / "score_dossier.py"), "--dossier", a.dossier,
                              "--work", str(a.work), "--only", variant], capture_output=True, text=True)
        print(run.stdout.strip() or run.stderr.strip()[-300:], flush=True)
        scored = subprocess.run([sys.executable, str(a.set / "score.py"), str(a.work / f"kept-{variant}"),
                                 "--json"], capture_output=True, text=True)
        rows = [json.loads(line) for line in scored.stdout.splitlines() if line.startswith("{")]
        for h in "AB":
            print(f"  half {h}: {summary([r for r in rows if half.get(r['case']) == h])}")


if __name__ == "__main__":
    main()
