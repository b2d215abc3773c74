"""load: content/ → Source. The only stage that reads files.

Kinds come from the folder a file sits in. Front matter is optional YAML between
`---` lines; a `.txt` article keeps its metadata in a same-named `.yaml` beside it,
because a scraped file is evidence and is never edited.

Anything a scraper or a tired editor can put in a file ends here as a Source, a
warning, or a DossierError naming the file and line: never another exception
(tests/test_properties.py feeds it arbitrary bytes). What is taken and what is
refused, with the exact messages, is in docs/reliability.md.

Only regular files are read: a FIFO would hang the build and a device never end
it. A symbolic link is followed only while its target stays inside the site
folder (a contributed dossier built by CI must not publish the runner's files),
unless dossier.yaml's `follow_outside_symlinks` says otherwise.
"""
from __future__ import annotations

import codecs
import difflib
import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath

from ..dates import parse_date
from ..errors import ContentErrors, DossierError, printable
from ..files import decode, key_lines, not_a_file, parse_yaml_mapping, read_bytes, split_front_matter, what_is
from ..models import Kind, Source, SourceId
from ..urls import is_web_url

FOLDERS: dict[str, Kind] = {
    "articles": "article", "notes": "note", "people": "person", "places": "place", "events": "event",
}
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}  # a saved web page: articles only, read by pipeline/html.py
DATE_KEYS: dict[str, tuple[str, ...]] = {"article": ("published",), "note": ("date",)}  # events: registry
URL_KEYS = ("url",)
# What an article's sidecar (or front matter) may say; anything else is a warning, so a
# misspelt `note:` is not silently lost. The one list: README and docs follow it.
ARTICLE_KEYS = ("title", "outlet", "published", "url", "author", "notes")


def load_sources(content: Path, follow_outside: bool = False) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    """Every content file as a Source, sorted by id; plus warnings. Raises ContentErrors
    listing every bad file, not just the first. `follow_outside`: dossier.yaml's
    follow_outside_symlinks (read links that lead out of the site folder)."""
    return gather([load_entry(item) for item in list_content(content, follow_outside)])


Item = tuple  # (path, id, kind, why it is skipped, follow_outside): one file of the walk of content/
Entry = tuple  # (Source or None, warnings, DossierError or None): what one file of the listing gave


def load_entry(item: Item) -> Entry:
    path, sid, kind, skipped, follow_outside = item
    if isinstance(skipped, DossierError):  # a folder the walk refused: nothing in it is read
        return None, [], skipped
    if skipped:
        return None, [skipped] if skipped is not True else [], None
    try:
        source, warnings = read_checked(path, sid, kind, follow_outside)
    except DossierError as e:
        return None, [], e
    if kind in ("article", "note") and not source.text.strip() and not source.meta:
        return None, [*warnings, f"content/{sid}: empty file; skipped"], None
    return source, warnings, None


def gather(entries: list[Entry]) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    sources = [e[0] for e in entries if e[0] is not None]
    errors = [e[2] for e in entries if e[2] is not None]
    if errors:
        raise ContentErrors(errors + _entity_errors(sources))
    return tuple(sources), tuple(w for e in entries for w in e[1])


def list_content(content: Path, follow_outside: bool = False) -> list[Item]:
    """The walk of content/: (path, id, kind, why it is skipped: "" when it is read,
    a warning, True for a sidecar .yaml read with its article, or the DossierError of
    a folder refused unread; and `follow_outside`). What a file is (a FIFO, a link out
    of the site) is checked when it is read: `dossier serve` keeps this listing between saves."""
    out: list[Item] = []
    walk = _Walk(content, follow_outside)
    for folder, kind in FOLDERS.items():
        found = walk.files(content / folder)
        names = {path for path, _ in found}
        for path, problem in found:
            sid = source_id(content, path)
            if problem:
                why = problem
            elif path.suffix == ".yaml" and kind == "article":
                alone = not any(path.with_suffix(s) in names for s in TEXT_SUFFIXES | HTML_SUFFIXES)
                why = f"content/{sid}: metadata file with no article beside it" if alone else True
            elif kind == "article" and path.suffix in HTML_SUFFIXES:
                why = ""
            elif path.suffix not in TEXT_SUFFIXES or (kind != "article" and path.suffix == ".txt"):
                why = f"content/{sid}: skipped (not a {'.txt, .html or .md' if kind == 'article' else '.md'} file)"
            else:
                why = ""
            out.append((path, sid, kind, why, follow_outside))
    return out


def source_id(content: Path, path: Path) -> SourceId:
    """A file's id: its path inside content/, printable (a scraped file's name can hold
    an escape sequence or a newline; the id is in every message and page about it)."""
    inside, top = str(path), str(content) + "/"
    # the walk's paths are built on content's own string: a prefix, without pathlib's parse
    rel = inside[len(top):] if inside.startswith(top) else path.relative_to(content).as_posix()
    return SourceId(printable(rel))


class _Walk:
    """content/'s folders, file by file, hidden names skipped. A link to a folder is
    followed when it stays inside the site, once (a link back up would loop)."""

    def __init__(self, content: Path, follow_outside: bool):
        self.content, self.site, self.follow_outside = content, content.parent.resolve(), follow_outside
        # folders by (device, inode): resolving each path costs a call per level, and a
        # folder 1,500 deep took a minute. content/ and what holds it count as seen: a
        # link up to one of them would walk content/ again.
        self.seen = {_inode(f) for f in (content.resolve(), *content.resolve().parents)}

    def files(self, top: Path) -> list[tuple[Path, str | DossierError | None]]:
        """(path, None) for each file under `top`; (path, a warning or an error) for a
        folder passed over."""
        found: list[tuple[Path, str | DossierError | None]] = []
        if not os.path.lexists(top):
            return found
        if not top.is_dir():
            found.append((top, DossierError(self.shown(top), f"is {what_is(top)}, not a folder",
                                            hint=f"content/{top.name}/ holds the {FOLDERS[top.name]} files")))
        else:
            folders = [(top, True)]  # a stack, not recursion: a folder 2,000 deep is no RecursionError
            while folders:
                folders += self.visit(*folders.pop(), found)
        return sorted(found, key=lambda f: f[0])

    def visit(self, folder: Path, top: bool, found: list) -> list[tuple[Path, bool]]:
        """Adds the files of `folder` to `found`; returns its folders to visit."""
        shown = self.shown(folder)
        if (top or folder.is_symlink()) and not self.follow_outside:  # below a folder inside, only a link leads out
            error = outside(folder, self.site, shown)
            if error:
                found.append((folder, error))
                return []
        try:
            inode = _inode(folder)
            if inode in self.seen:
                found.append((folder, f"{shown}: is a link to a folder dossier reads already ({folder.resolve()}); "
                                      "skipped"))
                return []
            self.seen.add(inode)
            names = sorted(os.listdir(folder))
        except OSError as e:
            found.append((folder, DossierError(shown, f"cannot be read: {e.strerror or e}")))
            return []
        folders = []
        for name in names:
            path = folder / name
            if name.startswith("."):
                continue  # hidden: editors' swap files, .git
            if path.is_dir():
                folders.append((path, False))
            else:  # a file, or what pretends to be one: the read tells
                found.append((path, None))
        return folders

    def shown(self, path: Path) -> str:
        return f"content/{source_id(self.content, path)}"


def _inode(folder: Path) -> tuple[int, int]:
    st = os.stat(folder)
    return st.st_dev, st.st_ino


def outside(path: Path, site: Path, shown: str) -> DossierError | None:
    """The error for a link at `path` whose target is outside the (resolved) site folder."""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(site):
        return None
    return DossierError(shown, f"is a link to {real}, outside the site folder",
                        hint="dossier follows links only within the site; set follow_outside_symlinks: true "
                             "in dossier.yaml to read it")


def read_checked(path: Path, sid: SourceId, kind: Kind, follow_outside: bool = False) -> tuple[Source, list[str]]:
    """read_source, then check_meta: the Source and every warning about its file."""
    source, warning = read_source(path, sid, kind, follow_outside)
    source, meta_warnings = check_meta(source)
    return source, ([warning] if warning else []) + meta_warnings


def _entity_errors(sources: list[Source]) -> list[DossierError]:
    """The registry's errors on the files that did load, so that one build reports a
    broken YAML block and an impossible event date together, not one per run."""
    from .registry import build_registry  # the registry reads Sources; load never needs it otherwise
    try:
        build_registry(tuple(sources))
    except ContentErrors as e:
        return e.errors
    return []


def read_source(path: Path, sid: SourceId, kind: Kind, follow_outside: bool = False) -> tuple[Source, str | None]:
    shown = f"content/{sid}"
    raw = _read(path, sid, shown, follow_outside)
    text, warning = decode(_utf8_page(raw) if path.suffix in HTML_SUFFIXES else raw, shown)
    try:  # a web page has no front matter: its metadata is in the page, or the sidecar
        meta, body, body_line = split_front_matter(text, shown) if path.suffix not in HTML_SUFFIXES else ({}, text, 1)
    except DossierError as e:
        if path.suffix != ".txt":
            raise
        # A scraped .txt keeps its metadata in the sidecar: a first line of "---" is
        # the page's own decoration, and the file is evidence, read whole.
        meta, body, body_line = {}, text, 1
        warning = warning or f"{shown}:1: starts with '---' but is not front matter ({e.message}); read as text"
    lines = key_lines(text.split("\n")[1:body_line - 1], first_line=2) if body_line > 1 else {}
    sidecar = path.with_suffix(".yaml")
    if kind == "article" and os.path.lexists(sidecar):  # a broken link is reported, not passed over
        side_shown = f"{shown[:-len(path.suffix)]}.yaml"
        side_text, _ = decode(_read(sidecar, sid, side_shown, follow_outside), side_shown)
        side_meta = parse_yaml_mapping(side_text, side_shown, first_line=1)
        meta = {**side_meta, **meta}
        if not lines:  # errors about a field then point into the sidecar
            lines = key_lines(side_text.split("\n"), first_line=1)
    return Source(sid, kind, meta, body, body_line, hashlib.sha256(raw).hexdigest(), lines), warning


def _read(path: Path, sid: SourceId, shown: str, follow_outside: bool) -> bytes:
    """read_bytes, after the walk's rule on links: `dossier serve` keeps its walk of
    content/ between saves, and a file may have become a link since."""
    error = not_a_file(path, shown)
    if error is None and path.is_symlink() and not follow_outside:
        error = outside(path, path.parents[len(PurePosixPath(sid).parts)].resolve(), shown)  # path: content/<sid>
    if error:
        raise error
    return read_bytes(path, shown)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)


def _utf8_page(raw: bytes) -> bytes:
    """A saved page in the charset its <meta> declares (Shift_JIS, GBK, Latin-1…), as
    UTF-8 for decode(); undeclared, or not decodable as declared, it is left as it is."""
    m = _CHARSET.search(raw[:4096])
    try:
        name = codecs.lookup(m[1].decode("ascii")).name if m else "utf-8"
        if name.startswith(("utf-16", "utf-32")):  # found in ASCII bytes: the declaration is wrong
            return raw
        # as browsers do (WHATWG Encoding): a page that says Latin-1 or ASCII is Windows-1252
        return raw.decode("cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name).encode()
    except (LookupError, UnicodeDecodeError):
        return raw


def check_meta(source: Source) -> tuple[Source, list[str]]:
    """Dates that must parse (an error with the line) and links that must be web
    addresses (a warning; the value is dropped so no page links a `javascript:` url)."""
    warnings = []
    for key in DATE_KEYS.get(source.kind, ()):
        value = source.meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d[T ]\d", value.strip()):
            value = value.strip()[:10]  # "2023-03-20T10:00:00+08:00" from a scraper: the day
        try:
            parse_date(value)
        except ValueError as e:
            raise DossierError(_field_file(source, key), f"{key}: {e}", line=source.lines.get(key)) from None
    if source.kind == "article":
        for key in source.meta:
            if key not in ARTICLE_KEYS:
                close = difflib.get_close_matches(str(key), ARTICLE_KEYS, n=1)
                warnings.append(f"{_field_file(source, key)}:{source.lines.get(key) or 1}: unknown key {key!r} ignored "
                                f"({f'did you mean {close[0]!r}? ' if close else ''}known: {', '.join(ARTICLE_KEYS)})")
    meta = dict(source.meta)
    for key in URL_KEYS:
        value = meta.get(key)
        if value not in (None, "") and not is_web_url(value):
            warnings.append(f"{_field_file(source, key)}:{source.lines.get(key) or 1}: {key} {str(value)[:80]!r} "
                            "is not an http(s) address; not linked")
            del meta[key]
    return (replace(source, meta=meta) if meta != source.meta else source), warnings


def _field_file(source: Source, key: str) -> str:
    """The file an article's field came from: its front matter or its sidecar."""
    if source.kind == "article" and source.body_line == 1 and source.id.endswith((".txt", ".md", ".markdown", ".html", ".htm")):
        stem = source.id.rsplit(".", 1)[0]
        return f"content/{stem}.yaml"
    return f"content/{source.id}"
