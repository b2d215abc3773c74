"""Pairwise precision / recall and time of dedup on the synthetic benchmark corpus.

    python benchmarks/dedup_quality.py --n 4000 [--keep DIR]

Writes the corpus with ../shared/bench/make_corpus.py (into a temporary folder unless --keep
names one), reads its articles as Documents (title = first line, paragraphs = the blocks after
it), runs dedup once and compares the clusters with the truth file.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dossier.pipeline.dedup import dedup  # noqa: E402
from dossier.models import Document  # noqa: E402

MAKE_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "make_corpus.py"


def pairs(groups) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(g, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--keep", help="folder to write the corpus to (and reuse if there)")
    a = ap.parse_args()
    root = Path(a.keep or tempfile.mkdtemp(prefix="dedup-bench-"))
    out, truth_path = root / f"dossier-{a.n}", root / f"truth-{a.n}.json"
    if not truth_path.exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(a.n), "--out", str(out),
                        "--format", "dossier"], check=True)
    docs = []
    for path in sorted((out / "content" / "articles").glob("*.txt")):
        title, _, rest = path.read_text(encoding="utf-8").partition("\n")
        docs.append(Document(id=path.stem, kind="article", title=title,
                             paragraphs=tuple(b.strip() for b in rest.split("\n\n") if b.strip())))
    truth = json.loads(truth_path.read_text(encoding="utf-8"))

    wall, cpu = time.perf_counter(), time.process_time()
    clusters = dedup(docs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    predicted = pairs([v.source for v in c.versions] for c in clusters)
    expected = pairs(truth["clusters"])
    hits = len(predicted & expected)
    print(f"n={a.n}: {len(clusters)} clusters, dedup {wall:.2f} s wall / {cpu:.2f} s cpu")
    print(f"pairwise precision {hits / max(1, len(predicted)):.4f} "
          f"recall {hits / max(1, len(expected)):.4f} ({hits}/{len(expected)} truth pairs, "
          f"{len(predicted) - hits} false)")
    found = {v.source: (c, v) for c in clusters for v in c.versions}
    relations = collections.Counter()
    for variant, info in truth["variants"].items():
        cluster, version = found[variant]
        joined = info["of"] in {v.source for v in cluster.versions}
        label = version.relation if cluster.canonical == info["of"] else "(other canonical)"
        relations[info["kind"], label if joined else "MISSED"] += 1
    for (kind, label), count in sorted(relations.items()):
        print(f"  {kind:12} -> {label:18} {count}")


if __name__ == "__main__":
    main()
