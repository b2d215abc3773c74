"""The `dossier` command. Errors a user can cause print as `path:line: message`
and exit 1 (content) or 2 (usage); `--debug` shows the traceback instead."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jinja2

from . import __version__
from .config import check_base_url, load_config
from .errors import DossierError, UsageError


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
    c.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on errors")

    n = sub.add_parser("new", help="scaffold a note, person, place, event or source file in content/")
    n.add_argument("kind", choices=("note", "person", "place", "event", "source"), help="what to create")
    n.add_argument("title", help="its title or name (the file is named after it)")
    n.add_argument("site", nargs="?", default=".", help="site folder (default .)")
    n.add_argument("-s", "--site", dest="site_opt", metavar="SITE", help="same as the SITE argument")

    f = sub.add_parser("pdf", help="print the whole dossier, or the pages named, to a PDF")
    f.add_argument("pages", nargs="*", metavar="PAGE",
                   help="a page's site path, e.g. people/xi-jinping (default: the whole dossier)")
    f.add_argument("-s", "--site", dest="site_opt", metavar="SITE", help="site folder (default .)")
    f.add_argument("-o", "--out", metavar="FILE.pdf",
                   help="output file or folder (default ./dossier.pdf, or ./<page>.pdf for one page)")
    f.set_defaults(site=".")  # PAGE is the positional here: the site is -s only

    v = sub.add_parser("serve", help="build, serve on localhost, and rebuild and reload the browser on every save")
    v.add_argument("site", nargs="?", default=".", help="site folder (default .)")
    v.add_argument("-s", "--site", dest="site_opt", metavar="SITE", help="same as the SITE argument")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; the next free one if taken)")
    v.add_argument("--base-url", help="serve under this URL's path, e.g. /repo/ (default: dossier.yaml's base_url)")
    v.add_argument("--open", action="store_true", help="open the site in the web browser")

    i = sub.add_parser("init", help="start a new dossier in DIR: example content, GitHub Pages workflow")
    i.add_argument("site", nargs="?", default=".", metavar="DIR", help="folder to create or fill (default .)")
    i.add_argument("--title", help="the dossier's title (default: from the folder name)")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not args.command:
        p.print_help()
        return 2
    site = Path(getattr(args, "site_opt", None) or args.site)
    try:
        if args.command == "init":  # the one command that runs before there is a dossier
            return cmd_init(site, args)
        if not site.is_dir():
            raise UsageError(str(site), "no such folder", hint="give the folder holding dossier.yaml and content/")
        if not (site / "content").is_dir():
            raise UsageError(str(site), "has no content/ folder", hint="run dossier in your dossier's folder")
        return {"build": cmd_build, "check": cmd_check, "new": cmd_new, "pdf": cmd_pdf,
                "serve": cmd_serve}[args.command](site, args)
    except DossierError as e:
        if args.debug:
            raise
        print(e.format(), file=sys.stderr)
        return e.exit_code
    except jinja2.TemplateError as e:  # a site theme's template: the user's to fix
        if args.debug:
            raise
        print(_template_error(e), file=sys.stderr)
        return 1
    except OSError as e:  # a file or folder the system refused (permissions, disk full): no traceback
        if args.debug:
            raise
        print(f"{e.filename or site}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _template_error(e: jinja2.TemplateError) -> str:
    if isinstance(e, jinja2.TemplateSyntaxError):
        return f"{e.filename or e.name}:{e.lineno}: template error: {e.message}"
    if isinstance(e, jinja2.TemplateNotFound):
        return f"{e.name}: template not found (a theme's template extends or includes it?)"
    return f"template error: {e.message or e}"


def _config(site: Path, args):
    from dataclasses import replace
    config = load_config(site)
    if getattr(args, "base_url", None):
        try:
            check_base_url(args.base_url, "--base-url")
        except DossierError as e:  # a bad argument, not bad content: exit 2
            raise UsageError(e.path, e.message, hint=e.hint) from None
        config = replace(config, base_url=args.base_url)
    return config


def cmd_serve(site: Path, args) -> int:
    from .serve import cmd_serve as serve
    if args.base_url:  # a bad --base-url is a usage error; a bad dossier.yaml is shown in the browser
        try:
            check_base_url(args.base_url, "--base-url")
        except DossierError as e:
            raise UsageError(e.path, e.message, hint=e.hint) from None
    return serve(site, args)


def cmd_build(site: Path, args) -> int:
    from .diskcache import BuildCache
    from .render import theme_dirs
    from .site import guard_output

    t0 = time.perf_counter()
    config = _config(site, args)
    out = Path(args.out) if args.out else site / "build"
    guard_output(site, out)
    cache = BuildCache(site, out, config, theme_dirs(site, config.theme))
    # Nothing read changed and OUT is as the last build left it: say so, with the
    # same warnings, instead of building the same bytes again (docs/cache.md)
    summary = cache.unchanged(strict=args.strict)
    if summary is None:
        summary = _build(site, out, config, cache, args.quiet)
        done = f"{summary.written} files written to {out}"
    else:
        done = f"nothing changed, nothing rebuilt: {summary.written} files in {out} as they were"
    print_warnings(summary.warnings)
    for note in summary.notices:
        print(note, file=sys.stderr)
    print(f"{summary.sources} sources, {summary.stories} stories ({summary.folded} duplicates folded), "
          f"{done} in {time.perf_counter() - t0:.2f}s")
    if args.strict and summary.warnings:
        print(f"--strict: {len(summary.warnings)} warnings", file=sys.stderr)
        return 1
    return 0


def _build(site: Path, out: Path, config, cache, quiet: bool):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from .build import Timings, build
    from .diskcache import Summary

    console = Console(stderr=True)
    stages = ["load", "clean", "dedup", "registry", "link", "timeline", "quotes", "pages", "render", "search", "write"]
    stages += ["pdf"] if config.pdf else []
    timed = Timings()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), console=console,
                  transient=True, disable=quiet or not console.is_terminal) as progress:
        task = progress.add_task("building", total=len(stages))
        d, written = build(site, out, config, timed, lambda name: progress.update(task, advance=1, description=name),
                           cache=cache)
    return Summary.of(d, written, timed.notices)


WARNINGS_SHOWN = 20  # per kind of warning; `dossier check` lists every one


def print_warnings(warnings) -> None:
    """Each warning once, but a thousand undated articles are one line and a count."""
    by_kind: dict[str, list[str]] = {}
    for w in warnings:
        by_kind.setdefault(w.split(": ", 1)[-1].split(":")[0][:40], []).append(w)
    for ws in by_kind.values():
        for w in ws[:WARNINGS_SHOWN]:
            print(f"warning: {w}", file=sys.stderr)
        if len(ws) > WARNINGS_SHOWN:
            print(f"warning: … and {len(ws) - WARNINGS_SHOWN} more like these (dossier check lists them all)",
                  file=sys.stderr)


def cmd_check(site: Path, args) -> int:
    """Exit 1 on an error (on a warning too with --strict); info never fails."""
    from .build import build_model
    from .checks import findings, report_json, report_text
    found = findings(build_model(site))
    print(report_json(found) if args.format == "json" else report_text(found))
    failing = ("error", "warning") if args.strict else ("error",)
    return 1 if any(f.severity in failing for f in found) else 0


def cmd_pdf(site: Path, args) -> int:
    from .pdf import make_pdf
    out, pages, seconds = make_pdf(site, _config(site, args), args.pages, Path(args.out) if args.out else None,
                                   debug=args.debug)
    print(f"{out}: {pages} pages in {seconds:.1f}s")
    return 0


def cmd_new(site: Path, args) -> int:
    from .new import new_file
    print(new_file(site, args.kind, args.title))
    return 0


def cmd_init(folder: Path, args) -> int:
    from .init import init
    written, note = init(folder, args.title)
    for path in written:
        print(f"created {path}")
    if note:
        print(f"note: {note}", file=sys.stderr)
    print(f"next: cd {folder} && dossier build --strict, then push to GitHub and set "
          "Settings → Pages → Source: GitHub Actions")
    return 0
