#!/usr/bin/env python3
"""docs/img/bench.png from benchmarks/results-<n>.json: cold build time against
corpus size for dossier, Hugo and MkDocs (log-log), with dossier's no-change and
one-note-edit rebuilds. Needs matplotlib: run it with the tools venv that
benchmarks/run.py makes, `benchmarks/.tools-venv/bin/python benchmarks/plot.py`."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    rows = sorted((json.loads(p.read_text()) for p in (ROOT / "benchmarks").glob("results-*.json")),
                  key=lambda r: r["n"])
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=120)
    series = [("dossier (cold)", "dossier_wall", "o-", "#8b1a1a"), ("Hugo 0.168", "hugo_wall", "s-", "#1f4e8c"),
              ("MkDocs 1.6", "mkdocs_wall", "^-", "#2e7d32"), ("dossier, no change", "nochange_wall", "o--", "#c46a6a")]
    for label, key, style, color in series:
        pts = [(r["n"], r[key]) for r in rows if r.get(key)]
        if pts:
            ax.plot(*zip(*pts), style, color=color, label=label)
    edits = [(r["n"], r["incremental_ms"]["page"] / 1000) for r in rows if isinstance(r.get("incremental_ms"), dict)]
    if edits:
        ax.plot(*zip(*edits), "o:", color="#555555", label="dossier, one note edited (to its page)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles")
    ax.set_ylabel("seconds (median)")
    ax.set_xticks([r["n"] for r in rows], [f"{r['n']:,}" for r in rows])
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    ax.set_title("Build time against corpus size (2 cores)")
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "img" / "bench.png")


if __name__ == "__main__":
    main()
