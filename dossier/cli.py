"""The `dossier` command. Errors a user can cause print as `path:line: message`
and exit 1 (content) or 2 (usage); `--debug` shows the traceback instead."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .config import load_config
from .errors import DossierError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dossier", description="Build a cross-linked briefing site from scraped "
                                "articles and editor notes.")
    p.add_argument("--version", action="version", version=f"dossier {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks instead of one-line errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the site into OUT (default SITE/build)")
    b.add_argument("site", nargs="?", default=".", help="folder holding dossier.yaml and content/ (default .)")
    b.add_argument("-s", "--site", dest="site_opt", metavar="SITE", help="same as the SITE argument")
    b.add_argument("-o", "--out", help="output folder (default SITE/build)")
    b.add_argument("--base-url", help="published URL, e.g. https://user.github.io/repo/ (overrides dossier.yaml)")
    b.add_argument("--strict", action="store_true", help="fail the build on warnings")
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")

    c = sub.add_parser("check", help="report what build would warn about, without writing a site")
    c.add_argument("site", nargs="?", default=".", help="site folder (default .)")
    c.add_argument("-s", "--site", dest="site_opt", metavar="SITE", help="same as the SITE argument")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not args.command:
        p.print_help()
        return 2
    site = Path(args.site_opt or args.site)
    try:
        if not site.is_dir():
            raise DossierError(str(site), "no such folder", hint="give the folder holding dossier.yaml and content/")
        if not (site / "content").is_dir():
            raise DossierError(str(site), "has no content/ folder", hint="run dossier in your dossier's folder")
        return {"build": cmd_build, "check": cmd_check}[args.command](site, args)
    except DossierError as e:
        if args.debug:
            raise
        print(e.format(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _config(site: Path, args):
    from dataclasses import replace
    config = load_config(site)
    if getattr(args, "base_url", None):
        config = replace(config, base_url=args.base_url)
    return config


def cmd_build(site: Path, args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from .build import Timings, build

    config = _config(site, args)
    out = Path(args.out) if args.out else site / "build"
    console = Console(stderr=True)
    stages = ["load", "clean", "dedup", "registry", "link", "timeline", "pages", "render", "write"]
    t0 = time.perf_counter()
    timed = Timings()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), console=console,
                  transient=True, disable=args.quiet or not console.is_terminal) as progress:
        task = progress.add_task("building", total=len(stages))
        d, written = build(site, out, config, timed, lambda name: progress.update(task, advance=1, description=name))
    for w in d.warnings:
        print(f"warning: {w}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    folded = sum(len(s.versions) - 1 for s in d.stories)
    print(f"{len(d.sources)} sources, {len(d.stories)} stories ({folded} duplicates folded), "
          f"{written} files written to {out} in {seconds:.2f}s")
    if args.strict and d.warnings:
        print(f"--strict: {len(d.warnings)} warnings", file=sys.stderr)
        return 1
    return 0


def cmd_check(site: Path, args) -> int:
    from .build import build_model
    d = build_model(site)
    for w in d.warnings:
        print(w)
    print(f"{len(d.warnings)} warnings")
    return 0
