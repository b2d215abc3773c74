"""`dossier pdf [PAGE …]`: the whole dossier, or the pages named, as a PDF.

No second parser: the same model and pages as `dossier build` (build_model →
build_pages), /print/ or `page_alone(...)` rendered with the theme, laid out by
output/pdf.py. The PDF is written to a temporary file beside the target and
renamed over it only once complete, so a failure never leaves a truncated PDF.
"""
from __future__ import annotations

import difflib
import glob
import os
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from ..build import build_model
from ..errors import DossierError, UsageError, os_reason, printable
from ..models import Page
from ..output.pdf import write_pdf
from ..files import umask_mode
from ..output.folder import alive
from ..output.render import environment, render_page
from ..pages.builders import build_pages
from ..pages.lists import pages_of
from ..pages.printpage import PRINT_URL, page_alone, print_page
from . import site_config

WHOLE = "dossier.pdf"  # default output of the whole dossier, in the current folder


def cmd_pdf(site: Path, args) -> int:
    out, pages, seconds = make_pdf(site, site_config(site, args), args.pages, Path(args.out) if args.out else None,
                                   debug=args.debug)
    print(printable(f"{out}: {pages} pages in {seconds:.1f}s"))
    return 0


def make_pdf(site: Path, config, wanted: list[str], out: Path | None, debug: bool = False) -> tuple[Path, int, float]:
    """`dossier pdf`: build the model, pick the pages, write the PDF. Returns
    (where, page count, seconds)."""
    t0 = time.perf_counter()
    target = output_path(site, out, _guess_name(wanted))
    with atomic_file(target) as stream:  # made first: an unwritable path fails before the slow part
        d = build_model(site, config)
        pages = build_pages(d)
        if wanted and not _whole(wanted):
            selected = find_pages(pages, wanted)
            doc_page = page_alone(selected)
        else:
            doc_page = next((p for p in pages if p.url == PRINT_URL), None) or print_page(pages)  # not published
        html = render_page(environment(site, config.theme), doc_page, d.config)  # (print_edition decided)
        title = config.title if doc_page.context["cover"] else doc_page.title
        count = write_pdf(html, stream, site, config, site / "build", title, debug=debug)
    return target, count, time.perf_counter() - t0


def find_pages(pages: tuple[Page, ...], wanted: list[str]) -> list[Page]:
    """PAGE arguments → pages. A site path (`people/xi-jinping`, `/stories/x/`,
    `timeline/index.html`) or, when it names one page only, its last part (`xi-jinping`).
    A list cut into pages is all of them (`sources` prints every row, not the first
    page's 200); `sources/page/2` is that page alone."""
    printable = {p.url: p for p in pages if (p.url.endswith("/") or p.url == "") and p.section not in ("print", "search")}
    last: dict[str, list[str]] = {}
    for url in printable:
        last.setdefault(url.rstrip("/").rsplit("/", 1)[-1], []).append(url)
    found = []
    for arg in wanted:
        key = arg.strip().lstrip("/").removesuffix("index.html").strip("/")
        url = f"{key}/" if key else ""
        if url not in printable and len(last.get(key, [])) == 1:
            url = last[key][0]
        if url not in printable:
            raise DossierError(arg, "no such page in the dossier", hint=_close(key, printable))
        found += pages_of(url, printable)
    return found


def _close(key: str, printable) -> str:
    paths = [u.rstrip("/") for u in printable if u]
    near = difflib.get_close_matches(key, paths, n=3, cutoff=0.8)  # high: "people/" alone is a good match
    if not near:  # "xi-jinpin" or "jinping": the last part of a path
        ends = {p.rsplit("/", 1)[-1]: p for p in paths}
        near = [ends[e] for e in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(ends), n=3, cutoff=0.6)]
    near += [p for p in paths if key and key in p and p not in near][:3 - len(near)]
    if near:
        return "did you mean " + ", ".join(near) + "?"
    nested = sorted((p for p in paths if "/" in p), key=lambda p: (not p.startswith("people/"), len(p)))
    examples = nested[:1] + (["timeline"] if "timeline" in paths else [])
    return "give a site path such as " + " or ".join(examples) + "; with no PAGE the whole dossier is printed"


def _whole(wanted: list[str]) -> bool:
    return [w.strip("/") for w in wanted] in (["print"], ["print/index.html"])


def _guess_name(wanted: list[str]) -> str:
    if not wanted or _whole(wanted):
        return WHOLE
    if len(wanted) > 1:
        return "dossier-pages.pdf"
    key = wanted[0].strip().strip("/").removesuffix("index.html").strip("/")
    return (key.rsplit("/", 1)[-1] or "home") + ".pdf"


def output_path(site: Path, out: Path | None, name: str) -> Path:
    """Where the PDF goes: -o FILE, -o FOLDER (the default name inside it), or the
    default name in the current folder. Refused up front: a missing folder, a path
    inside content/, and an existing file that is not a PDF (`-o dossier.yaml`)."""
    target = Path(name) if out is None else (out / name if out.is_dir() else out)
    shown = str(target)
    if not target.parent.is_dir():
        raise UsageError(shown, f"cannot write the PDF: no folder {target.parent}", hint="create it, or choose -o")
    content = (site / "content").resolve()
    if target.resolve().is_relative_to(content):
        raise UsageError(shown, "refusing to write into content/: dossier never writes there", hint="choose -o")
    if target.exists() and (target.is_dir() or target.suffix.lower() != ".pdf"):
        raise UsageError(shown, "exists and is not a PDF; dossier pdf replaces only .pdf files",
                         hint="choose another file with -o")
    return target


@contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A temp file beside `target` (`.NAME.PID.xxxx.part`), renamed over it when the
    block succeeds and removed when it fails (an error, Ctrl-C, SIGTERM): never a
    half-written PDF. What a killed run (SIGKILL) left is removed by the next."""
    _remove_stale_parts(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    except OSError as e:
        raise UsageError(str(target), f"cannot write the PDF here: {e.strerror or e}", hint="choose -o") from None
    try:
        with os.fdopen(fd, "wb") as stream, _term_as_exit():
            yield stream
        umask_mode(tmp, 0o666)  # mkstemp makes it private; a PDF is an ordinary file
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):  # a full disk: the PDF's, not the site folder's, as the bare error said
            path, why = os_reason(e)
            raise DossierError(path or str(target), f"could not write the PDF: {why}",
                               hint="no PDF was written" if not target.exists() else
                               "the previous PDF was left as it was") from None
        raise


def _remove_stale_parts(target: Path) -> None:
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid = part.name[len(target.name) + 2:].split(".")[0]
        if pid.isdigit() and not alive(int(pid), part):
            part.unlink(missing_ok=True)


@contextmanager
def _term_as_exit():
    """SIGTERM (a killed job, a CI timeout) ends Python without cleanup; as SystemExit
    it unwinds through atomic_file, which removes the temp file."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    def stop(signum, frame):
        raise SystemExit(128 + signum)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
