"""The `dossier` command. Errors a user can cause print as `path:line: message`
and exit 1 (content) or 2 (usage); `--debug` shows the traceback instead."""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .. import __version__
from ..dates import build_date
from ..errors import DossierError, UsageError, os_reason, printable, template_error
from ..files import what_is


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
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786, or local for this machine "
                        "(overrides dossier.yaml; needs dossier[cluster]; docs/cluster.md)")
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
    v.add_argument("--allow-host", action="append", metavar="NAME",
                   help="also answer requests for this host name (repeatable; .example.org: it and its subdomains; "
                        "localhost and IP addresses always are)")
    v.add_argument("--open", action="store_true", help="open the site in the web browser")

    i = sub.add_parser("init", help="start a new dossier in DIR: example content, GitHub Pages workflow")
    i.add_argument("site", nargs="?", default=".", metavar="DIR", help="folder to create or fill (default .)")
    i.add_argument("--title", help="the dossier's title (default: from the folder name)")
    return p


def run(verb: str, site: Path, args) -> int:
    """commands/<verb>.py's cmd_<verb>, imported when it runs: `dossier --help` stays quick."""
    return getattr(importlib.import_module(f".{verb}", __package__), f"cmd_{verb}")(site, args)


def _template_errors() -> type[Exception] | tuple:
    """jinja2's TemplateError, or nothing to catch: a build that finds nothing changed
    never imports jinja2 (a tenth of its time), and what did not import it raised none."""
    jinja2 = sys.modules.get("jinja2")
    return jinja2.TemplateError if jinja2 is not None else ()


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not args.command:
        p.print_help()
        return 2
    site = Path(getattr(args, "site_opt", None) or args.site)
    try:
        # before any import that reads it: numpy's f2py does, and dies on a malformed value
        build_date()
        if args.command == "init":  # the one command that runs before there is a dossier
            return run("init", site, args)
        if not site.is_dir():
            what = what_is(site)
            raise UsageError(str(site), "no such folder" if what == "nothing" else f"is {what}, not a folder",
                             hint="give the folder holding dossier.yaml and content/")
        if not (site / "content").is_dir():
            what = what_is(site / "content")
            if what != "nothing":
                raise UsageError(str(site / "content"), f"is {what}, not a folder",
                                 hint="content/ holds the dossier's articles, notes, people, places and events")
            raise UsageError(str(site), "has no content/ folder", hint="run dossier in your dossier's folder")
        return run(args.command, site, args)
    except DossierError as e:
        if args.debug:
            raise
        print(e.format(), file=sys.stderr)
        return e.exit_code
    except _template_errors() as e:  # a site theme's template: the user's to fix
        if args.debug:
            raise
        print(printable(template_error(e)), file=sys.stderr)
        return 1
    except OSError as e:  # a file or folder the system refused (permissions, disk full): no traceback
        if args.debug:
            raise
        path, why = os_reason(e)
        print(DossierError(path or str(site), why).format(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
