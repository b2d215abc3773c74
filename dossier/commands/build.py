"""`dossier build`: the site into OUT, or nothing when nothing changed."""
from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from ..config import check_scheduler
from ..errors import DossierError, UsageError, printable
from ..memo.disk import DiskMemo, Manifest, Summary, cache_folder, input_digest
from ..output.folder import guard_output, recover, theme_dirs
from ..pipeline.load import list_content
from . import site_config


def cmd_build(site: Path, args) -> int:
    t0 = time.perf_counter()
    config = site_config(site, args)
    out = Path(args.out) if args.out else site / "build"
    guard_output(site, out)
    recover(out.resolve())  # a build killed mid-swap: the previous site is back before anything can fail
    folder, why = cache_folder(site)
    read = [item[0] for item in list_content(site / "content", config.follow_outside_symlinks) if item[3] in ("", True)]
    manifest = Manifest(folder, out, input_digest(site, config, out, theme_dirs(site, config.theme), read))
    # Nothing read changed and OUT is as the last build left it: say so, with the
    # same warnings, instead of building the same bytes again (docs/cache.md)
    summary = manifest.unchanged(strict=args.strict)
    if summary is None:
        with _engine(args.scheduler or config.scheduler) as engine:
            summary = _build(site, out, config, DiskMemo(folder, engine), manifest, args.quiet)
        done = f"{summary.written} files written to {out}"
    else:
        done = f"nothing changed, nothing rebuilt: {summary.written} files in {out} as they were"
    print_warnings(summary.warnings)
    for note in (why, *summary.notices) if why else summary.notices:
        print(printable(note), file=sys.stderr)
    print(printable(f"{_n(summary.articles, 'article')}: {_n(summary.stories, 'story', 'stories')} ({summary.folded} "
                    f"cop{'y' if summary.folded == 1 else 'ies'} folded in); {_n(summary.notes, 'note')}; "
                    f"{_n(summary.entities, 'people, places and events file', 'people, places and events files')}; "
                    f"{done} in {time.perf_counter() - t0:.2f}s"))
    if args.strict and summary.warnings:
        print(f"--strict: {len(summary.warnings)} warnings", file=sys.stderr)
        return 1
    return 0


def _engine(scheduler: str | None):
    """Where the per-document stages and the rendering run: this machine's cores, or
    the Dask cluster whose scheduler is named (--scheduler over dossier.yaml)."""
    if not scheduler or scheduler == "local":
        return nullcontext()
    try:
        check_scheduler(scheduler, "--scheduler")
    except DossierError as e:
        raise UsageError(e.path, e.message, hint=e.hint) from None
    from ..memo.cluster import DaskEngine
    return DaskEngine(scheduler)


def _build(site: Path, out: Path, config, memo: DiskMemo, manifest: Manifest, quiet: bool):
    from ..build import Timings, build  # the whole pipeline: imported only when a build is needed (docs/cache.md)
    console = Console(stderr=True)
    stages = ["load", "clean", "registry", "dedup", "link", "timeline", "quotes", "checks", "pages", "render",
              "search", "write"]
    stages += ["pdf"] if config.pdf else []
    timed = Timings()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), console=console,
                  transient=True, disable=quiet or not console.is_terminal) as progress:
        task = progress.add_task("building", total=len(stages))
        d, written = build(site, out, config, memo, manifest, timed,
                           lambda name: progress.update(task, advance=1, description=name))
    return Summary.of(d, written, timed.notices)


def _n(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


WARNINGS_SHOWN = 20  # per kind of warning; `dossier check` lists every one


def print_warnings(warnings) -> None:
    """Each warning once, but a thousand undated articles are one line and a count."""
    by_kind: dict[str, list[str]] = {}
    for w in warnings:
        by_kind.setdefault(w.split(": ", 1)[-1].split(":")[0][:40], []).append(w)
    for ws in by_kind.values():
        for w in ws[:WARNINGS_SHOWN]:
            print(printable(f"warning: {w}"), file=sys.stderr)
        if len(ws) > WARNINGS_SHOWN:
            print(f"warning: … and {len(ws) - WARNINGS_SHOWN} more like these (dossier check lists them all)",
                  file=sys.stderr)
