"""Reading untrusted files as text and YAML: size limits, encodings, front matter,
safe and bounded YAML. Shared by load (content/) and config (dossier.yaml)."""
from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import DossierError

# A news article is rarely over 100 kB and War and Peace is 3 MB: a bigger file is
# a dump or a mistake. Refusing it keeps a build within seconds and half a GB of
# memory (a 10 MB article builds in about 10 s; measurements in docs/reliability.md).
MAX_FILE_BYTES = 10 * 1024 * 1024
# Values one front matter block may hold, an alias counted each time it is used:
# a "billion laughs" block of nested aliases would otherwise blow up later stages.
YAML_BUDGET = 10_000
# PyYAML's time grows with the square of nesting depth (1,000 levels of "[": 1.5 s,
# then RecursionError), so depth and size are checked before it parses anything.
YAML_MAX_DEPTH = 100
YAML_MAX_CHARS = 64 * 1024  # real front matter is under 2 kB
# Characters that are not text (C0 and C1 controls but tab and newline, DEL, lone
# surrogates, the two non-characters): most are invalid in XML, so a feed would not
# parse, and a surrogate cannot even be written as UTF-8. Shown as a space.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def umask_mode(path: Path, mode: int) -> None:
    """Give `path` the permissions a plain open() or mkdir() would have given it:
    mkstemp and mkdtemp make theirs private (0600, 0700), which a published site,
    or a PDF to share, is not."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


def plain(text: str) -> str:
    """`text` without the characters that are not text (each becomes a space)."""
    return _CONTROL.sub(" ", text)


def what_is(path: Path) -> str:
    """What is at `path`, in the words of a message: "a folder", "a named pipe (FIFO)",
    "a link to nothing (x.md)"... Never opens it, so never blocks or reads a device."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        if os.path.islink(path):
            why = "a link that loops back on itself" if e.errno == errno.ELOOP else "a link to nothing"
            return f"{why} ({os.readlink(path)})"
        return "nothing" if e.errno == errno.ENOENT else "unreadable"
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a file")
    return f"a link to {kind} ({os.path.realpath(path)})" if os.path.islink(path) and kind != "a file" else kind


def not_a_file(path: Path, shown: str) -> DossierError | None:
    """The error for anything at `path` that is not a regular file (a FIFO would hang
    the read, a device never end it), or None for a regular file."""
    kind = what_is(path)
    if kind in ("a file", "nothing", "unreadable"):  # the last two: opening it says why
        return None
    return DossierError(shown, f"is {kind}, not a regular file", hint="dossier reads only regular files: remove it")


def read_bytes(path: Path, shown: str) -> bytes:
    """The bytes of the regular file at `path`, at most MAX_FILE_BYTES of them. A FIFO,
    device or socket is refused before it is opened and again once it is (in case it
    was swapped in between); the read is bounded even where the size lies (/proc)."""
    refused = not_a_file(path, shown)
    if refused:
        raise refused
    data = b""
    try:
        fd = os.open(path, _READ_FLAGS)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise DossierError(shown, "is not a regular file", hint="dossier reads only regular files: remove it")
            if st.st_size <= MAX_FILE_BYTES:
                data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise DossierError(shown, f"cannot be read: {e.strerror or e}") from None
    if st.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise DossierError(shown, f"{max(st.st_size, len(data)) / 2**20:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit "
                           "for one content file", hint="a news article is rarely over 100 kB: split it, "
                           "or move it out of content/")
    return data


# The bytes that mark a file as binary when they are over a tenth of its head: C0
# controls but tab, newline, carriage return and form feed; and DEL
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"


def decode(raw: bytes, shown: str) -> tuple[str, str | None]:
    """UTF-8 (BOM tolerated), UTF-16 with its BOM, else Windows-1252 with a warning;
    NUL bytes or mostly control bytes mean binary."""
    warning = None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary(shown) from None
        warning = f"{shown}:1: saved as UTF-16; read as such (save the file as UTF-8 to silence this)"
    else:
        head = raw[:8192]
        controls = len(head) - len(head.translate(None, _CONTROLS))
        if b"\x00" in head or controls > len(head) // 10:
            raise _binary(shown)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                text = raw.decode("latin-1")
            warning = f"{shown}:{line}: not UTF-8; read as Windows-1252 (save the file as UTF-8 to silence this)"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return plain(text), warning


def _binary(shown: str) -> DossierError:
    return DossierError(shown, "looks like a binary file, not text", line=1,
                        hint="move it out of content/ or save it as UTF-8 text")


def split_front_matter(text: str, shown: str) -> tuple[dict[str, Any], str, int]:
    """(meta, body, 1-based line where the body starts)."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return {}, text, 1
    lines = text.split("\n")
    for n, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            meta = parse_yaml_mapping("\n".join(lines[1:n]), shown, first_line=2)
            return meta, "\n".join(lines[n + 1:]), n + 2
    raise DossierError(shown, "front matter starts with '---' but never ends", line=1,
                       hint="add a closing '---' line after the metadata")


class _Loader(yaml.SafeLoader):
    """yaml.safe_load, except that a date-shaped value that is no real date
    ("2023-02-30") stays text, for the date check to report with its line; PyYAML
    itself would raise a bare ValueError."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same with libyaml's parser: a sidecar or front matter in an eighth of the
    time (880 of the 4k corpus: 0.22 → 0.03 s). What it refuses, _Loader reads again
    to say what is wrong: its messages and lines are PyYAML's own. Not for a text with
    U+FEFF in it, which libyaml takes for a byte-order mark wherever it stands and
    PyYAML for a character (the only values the two read differently in 300,000
    random texts of tests/test_properties.py's pieces)."""


def _timestamp(loader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
# An explicit tag with a bad value (`!!int x`, `!!bool maybe`) fails inside PyYAML
# with a plain Python error; deep nesting with RecursionError.
_YAML_FAILURES = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError,
                  RecursionError, IndexError)


def load_yaml(text: str, shown: str, first_line: int, what: str = "front matter") -> Any:
    """Parse YAML or raise a DossierError at the line PyYAML points to."""
    label = f"invalid YAML {what}" if what else "invalid YAML"
    if len(text) > YAML_MAX_CHARS:
        raise DossierError(shown, f"{what or 'the YAML'} is {len(text) // 1024} kB, over the "
                           f"{YAML_MAX_CHARS // 1024} kB limit", line=first_line,
                           hint="metadata only: long text goes in the body")
    if _flow_depth(text) > YAML_MAX_DEPTH:
        raise DossierError(shown, f"{label}: nested more than {YAML_MAX_DEPTH} levels deep", line=first_line)
    try:
        try:
            data = yaml.load(text, Loader=_Loader if "\ufeff" in text else _FastLoader)  # noqa: S506 (SafeLoaders)
        except _YAML_FAILURES:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506
    except RecursionError:
        raise DossierError(shown, f"{label}: nested too deeply", line=first_line) from None
    except _YAML_FAILURES as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or (str(e).splitlines() or [type(e).__name__])[0]
        raise DossierError(shown, f"{label}: {problem}",
                           line=first_line + mark.line if mark else first_line) from None
    if _too_big(data):
        raise DossierError(shown, f"{what or 'it'} holds more than {YAML_BUDGET} values", line=first_line,
                           hint="YAML aliases (*name) that repeat each other? write the values out")
    return _plain_values(data)


def _plain_values(data: Any) -> Any:
    """Every string in `data` through plain(): a YAML escape ("Bell\\x07", "\\ud800") makes
    the characters decode() took out of the file's text. Bounded by YAML_BUDGET."""
    if isinstance(data, str):
        return plain(data)
    if isinstance(data, dict):
        return {_plain_values(k): _plain_values(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain_values(x) for x in data]
    return data


def _flow_depth(text: str) -> int:
    """How deep [ and { nest (quotes ignored: a bracket in a string only overcounts)."""
    depth = deepest = 0
    for m in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def parse_yaml_mapping(text: str, shown: str, first_line: int) -> dict[str, Any]:
    data = load_yaml(text, shown, first_line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DossierError(shown, f"front matter must be a mapping (key: value), not a {_yaml_type(data)}",
                           line=first_line, hint="write it as lines of 'key: value'")
    return {str(k): v for k, v in data.items()}


def _yaml_type(data: Any) -> str:
    return {str: "text", list: "list", int: "number", float: "number", bool: "true/false"}.get(
        type(data), type(data).__name__)


def _too_big(data: Any) -> bool:
    """More than YAML_BUDGET values, counting shared (aliased) ones each time: the
    cost later stages would pay walking it. Also stops on a self-referencing alias."""
    stack, seen = [data], 0
    while stack:
        x = stack.pop()
        seen += 1
        if seen > YAML_BUDGET:
            return True
        if isinstance(x, dict):
            stack += [*x.keys(), *x.values()]
        elif isinstance(x, list):
            stack += x
    return False


def key_lines(lines: list[str], first_line: int) -> dict[str, int]:
    """Top-level YAML keys → their line numbers, so later stages can point at a field."""
    out: dict[str, int] = {}
    for n, line in enumerate(lines, first_line):
        m = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if m:
            out.setdefault(m.group(1), n)
    return out
