"""Peak memory of a cold `dossier build`, stage by stage and process by process.

    python benchmarks/stage_memory.py SITE [--code DIR] [--samples FILE.jsonl]

Builds SITE into a scratch folder (its .dossier-cache/ removed first) in this process,
and samples the PSS of every process of the tree every 50 ms: this one ("main"), its
forked workers ("worker") and Pagefind. PSS counts a page that n processes share as
1/n to each, so the sum over the tree is the memory the build holds. Prints, for each
stage, its wall time, the tree's peak and who held it at that moment; then each forked
worker's life and peak. Each stage's CPU (user and system, of the whole tree but the
sampling) and the cores that makes on average show where the build leaves a core
idle (a serial stage reads ~1.0 on two cores). --code builds with the dossier package
in DIR (another checkout, to compare commits side by side); --samples writes every
sample.

A process that Python's subprocess is starting reads through this process's memory
until its exec (vfork): sampled then, it shows this process's PSS a second time. Such
a sample (the program is still Python, or changed while it was read) is left out.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _read, tree_processes  # noqa: E402


def _tree(root: int) -> dict[str, float]:
    """PSS (MiB) of each process of the tree, as run.tree_processes names them."""
    return {k: pss / 2**20 for k, (_, pss) in tree_processes(root).items()}


def _cpu(root: int) -> float:
    """CPU seconds of the tree so far: this process and the children it has waited for
    (os.times), and every process below it still running or not yet waited for (the
    processes run.tree_processes finds)."""
    t, tick = os.times(), os.sysconf("SC_CLK_TCK")
    total = t.user + t.system + t.children_user + t.children_system
    for pid in (int(k.split(":")[1]) for k in tree_processes(root) if not k.startswith("main:")):
        try:
            fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # waited for since it was found: os.times counts it now
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--code", type=Path, help="build with the dossier package of this checkout")
    ap.add_argument("--samples", type=Path, help="write every sample here (JSON lines: seconds, {process: MiB})")
    args = ap.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    import dossier
    from dossier.build import Timings, build
    from dossier.commands.build import _engine
    from dossier.config import load_config
    from dossier.memo.disk import DiskMemo, cache_folder
    print(f"dossier from {Path(dossier.__file__).parent}", flush=True)

    site = args.site.resolve()
    shutil.rmtree(site / ".dossier-cache", ignore_errors=True)
    samples, marks, done, me = [], [], threading.Event(), os.getpid()

    sampling = [0.0]  # the CPU this thread has spent reading the tree: not the build's

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter(), _tree(me)))
            sampling[0] = time.thread_time()
            done.wait(0.05)

    def cpu() -> float:
        return _cpu(me) - sampling[0]

    threading.Thread(target=sample, daemon=True).start()
    t0, cpu0 = time.perf_counter(), cpu()
    with tempfile.TemporaryDirectory() as scratch, _engine(None) as engine:
        build(site, Path(scratch) / "site", load_config(site), DiskMemo(cache_folder(site)[0], engine),
              timed=Timings(), progress=lambda name: marks.append((time.perf_counter(), name, cpu())))
        done.set()  # before the scratch site is deleted (at 100k, 187,000 files): not part of a build
        wall = time.perf_counter() - t0
    print(f"(the scratch site was removed in {time.perf_counter() - t0 - wall:.1f} s, not counted)")
    shutil.rmtree(site / ".dossier-cache", ignore_errors=True)

    start, cpu = t0, cpu0
    for end, name, cpu_end in marks:
        within = [m for s, m in samples if start <= s <= end]
        if within:
            peak = max(within, key=lambda m: sum(m.values()))
            held = ", ".join(f"{k.split(':')[0]} {v:.0f}" for k, v in sorted(peak.items()))
            print(f"{name:10s} {end - start:7.1f} s  cpu {cpu_end - cpu:7.1f} s = {(cpu_end - cpu) / (end - start):4.2f} "
                  f"cores  peak {sum(peak.values()):7.0f} MiB  ({held})")
        start, cpu = end, cpu_end
    print(f"whole build {wall:.1f} s, cpu {marks[-1][2] - cpu0:.1f} s, tree peak {max(sum(m.values()) for _, m in samples):.0f} MiB")
    lives: dict[str, list] = {}
    for s, m in samples:
        for k, v in m.items():
            if k.startswith("worker:"):
                life = lives.setdefault(k, [s, s, 0.0])
                life[1], life[2] = s, max(life[2], v)
    for k, (a, b, most) in lives.items():
        print(f"worker {k.split(':')[1]}: {a - t0:7.1f}..{b - t0:7.1f} s, peak {most:.0f} MiB")
    if args.samples:
        args.samples.write_text("".join(json.dumps([round(s - t0, 3), m]) + "\n" for s, m in samples))


if __name__ == "__main__":
    main()
