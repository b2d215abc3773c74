"""The output folder: where a theme's files are, the staging folder a build writes
into and swaps in whole (so a failed build never leaves a half-written site), the
recovery of a build killed mid-swap, and the guard against an output folder whose
replacement would lose the user's files. No jinja2 and no pipeline here: `dossier
build` answers "nothing changed" with this module and the cache alone."""
from __future__ import annotations

import ctypes
import errno
import filecmp
import glob
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from ..errors import DossierError, UsageError, os_reason
from ..files import umask_mode, what_is
DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
if not DEFAULT_THEME.exists():  # installed as a wheel: the theme ships inside the package
    DEFAULT_THEME = Path(__file__).resolve().parents[1] / "themes" / "default"
STAMP = ".dossier-build"  # marks a folder dossier made, so it may replace it


def theme_dirs(site: Path, theme: str) -> list[Path]:
    return ([site / theme] if theme else []) + [DEFAULT_THEME]




def write_site(files: dict[str, bytes], out: Path, site: Path, theme: str,
               before_swap: Callable[[Path], None] | None = None, previous: dict[str, list[int]] | None = None) -> int:
    """Write every file plus the theme's static/ into a temp folder, then swap it in.

    `before_swap(tmp)` runs on the finished temp folder (the search index is built
    there), so what is swapped in is complete, index included."""
    with Staging(out, site, theme) as staged:
        write_files(staged.tmp, out, files.items(), previous)
        if before_swap:
            before_swap(staged.tmp)
        staged.swap()
    return len(files)


class Staging:
    """A fresh temp folder beside OUT holding the theme's static/. `swap()` puts it
    in OUT's place whole; leaving the block without it (an error) removes it: OUT
    is never half written. An OSError becomes one line for the user."""

    def __init__(self, out: Path, site: Path, theme: str):
        self.out, self._themes = out.resolve(), theme_dirs(site, theme)
        self.tmp: Path | None = None

    def __enter__(self) -> "Staging":
        out = self.out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(out)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
            umask_mode(self.tmp, 0o777)  # it becomes OUT: as readable as any folder the user makes
            (self.tmp / STAMP).write_text("made by dossier build; this folder is replaced on every build\n")
        except OSError as e:
            raise DossierError(str(out.parent), f"cannot write the site here: {os_reason(e)[1]}",
                               hint="choose another output folder with -o") from None
        try:
            write_files(self.tmp, self.out, read_static(self._themes).items())
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def swap(self) -> None:
        (self.tmp / STAMP).write_text("made by dossier build; this folder is replaced on every build\n")
        if (self.out / ".gitkeep").exists():  # the repository keeps an empty build/ with this file
            (self.tmp / ".gitkeep").touch()
        _swap(self.tmp, self.out)
        self.tmp = None

    def __exit__(self, kind, e, tb) -> None:
        tmp, self.tmp = self.tmp, None
        if tmp is None:
            return  # swapped in
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):  # disk full, permissions: the previous site is untouched
            path, why = os_reason(e)
            if path and Path(path).is_relative_to(tmp):  # named where it was going, not the gone temp folder
                path = str(self.out / Path(path).relative_to(tmp))
            raise DossierError(path or str(self.out), f"could not write the site: {why}",
                               hint="the previous build was left as it was") from None


def read_static(themes: list[Path]) -> dict[str, bytes]:
    """Every theme's static/ as assets/…, the site's theme on top of the default: what
    `dossier build` writes and `dossier serve` serves. A symlink is followed only while
    it stays inside its static/ folder, so a file elsewhere on the disk is never published."""
    out: dict[str, bytes] = {}
    for theme in reversed(themes):
        root = theme / "static"
        if not root.is_dir():
            continue
        real_root = root.resolve()
        for path in sorted(root.rglob("*")):
            try:
                if not path.is_file() or not path.resolve().is_relative_to(real_root):
                    continue
                out["assets/" + path.relative_to(root).as_posix()] = path.read_bytes()
            except OSError:
                continue  # vanished between the listing and the read: the next event rebuilds
    return out


Body = bytes | Iterable[bytes]  # a file's bytes, or its chunks as they are made (dossier.json)


def write_files(tmp: Path, out: Path, files: Iterable[tuple[str, Body]],
                previous: dict[str, list[int]] | None = None) -> int:
    """Write `files` into the staging folder `tmp` of OUT. `previous` is the last
    build's listing of OUT ({path: [size, mtime_ns]}, memo/disk.Manifest): a file whose bytes
    did not change is hard-linked from OUT instead of written again."""
    n = 0
    for rel, data in files:
        if not _inside(rel):  # the last guard: nothing lands outside OUT
            raise DossierError(rel, "output path would leave the output folder")
        target = tmp / rel
        listed = (previous or {}).get(rel)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                if not _link_unchanged(out / rel, target, listed, len(data), lambda old: old.read_bytes() == data):
                    target.write_bytes(data)
            else:  # never held whole: written as made, then compared with the old file on disk
                with open(target, "wb") as f:
                    f.writelines(data)
                _link_unchanged(out / rel, target, listed, target.stat().st_size,
                                lambda old: filecmp.cmp(old, target, shallow=False))
        except OSError as e:  # a failed write() names no file: say which
            e.filename = e.filename or str(target)
            raise
        n += 1
    return n


def _inside(rel: str) -> bool:
    """Whether the site path `rel` names a place inside the staging folder. Read from
    the path alone: the folder is fresh (mkdtemp) and holds only what the build put
    there (files, hard links to files, folders; never a symbolic link), so no path in
    it leads out but by ".."; resolving every path on disk cost a build of 7,500
    files a second of system calls."""
    parts = rel.replace("\\", "/").split("/")
    return bool(rel) and not os.path.isabs(rel) and ".." not in parts


def _link_unchanged(old: Path, target: Path, listed: list[int] | None, size: int, same: Callable[[Path], bool]) -> bool:
    """Hard-link `old` to `target` if it is the file the last build wrote (same size
    and mtime: nobody edited it since) and holds the same bytes. The unchanged file
    keeps its mtime, so a deploy by rsync skips it. Any failure: write instead."""
    if not listed or listed[0] != size:
        return False
    try:
        st = os.stat(old, follow_symlinks=False)
        if [st.st_size, st.st_mtime_ns] != listed or not same(old):
            return False
        link = target.with_name(target.name + ".link")
        os.link(old, link, follow_symlinks=False)
        os.replace(link, target)  # over the copy just written, if there is one
    except OSError:  # gone, or a filesystem without hard links
        return False
    return True


def remove_stale(out: Path) -> None:
    """Temp and old folders a killed build left beside OUT (`.build-tmp-PID-…`,
    `.build-old-PID`): removed once their process is gone. Only folders carrying
    the stamp are touched, so a user's own `.build-something` stays."""
    recover(out)
    for _, path in _stale(out):
        shutil.rmtree(path, ignore_errors=True)


def recover(out: Path) -> None:
    """A build killed between the two renames of a swap left no OUT, and the previous
    site in `.OUT-old-PID`: put it back (the newest, if several)."""
    if os.path.lexists(out):
        return
    old = [path for kind, path in _stale(out) if kind == "old"]
    if old:
        os.rename(max(old, key=lambda p: p.stat().st_mtime_ns), out)


def _stale(out: Path) -> list[tuple[str, Path]]:
    """("tmp" or "old", folder) for each stamped folder a build that is gone left beside OUT."""
    pattern = re.compile(rf"\.{re.escape(out.name)}-(tmp|old)-(\d+)(?:-\w+)?")
    found = []
    for path in sorted(out.parent.glob(f".{glob.escape(out.name)}-*")):
        m = pattern.fullmatch(path.name)
        if m and path.is_dir() and (path / STAMP).is_file() and not alive(int(m.group(2)), path):
            found.append((m.group(1), path))
    return found


def alive(pid: int, path: Path) -> bool:
    """Whether the process that made `path` may still be writing it."""
    if pid == os.getpid():
        return True  # a build of this process (dossier serve) may be writing it now
    if os.name != "posix":  # no signal 0 there: trust age instead
        return time.time() - path.stat().st_mtime < 24 * 3600
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, someone else's
    return True


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` with `tmp`, never half there: one exchange where the system has
    it (OUT is never absent, not even for an instant; `tmp` then holds the old site),
    else two renames (and remove_stale puts the old one back after a kill between)."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = out.with_name(f".{out.name}-old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _renameat2():
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2  # Linux 3.15, glibc 2.28
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return call


_RENAMEAT2 = _renameat2()
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or filesystem cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a filesystem without it: two renames instead
    raise OSError(err, os.strerror(err), str(b))


def guard_output(site: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would lose the user's files. A
    UsageError (exit 2): the fix is another -o, not an edit to the content."""
    site, out = site.resolve(), out.resolve()
    content = (site / "content").resolve()  # resolved: content/ may be a symlink elsewhere
    shown = str(out)
    hint = "choose another output folder with -o, or use the default SITE/build"
    if out in (Path("/"), Path.home().resolve()):
        raise UsageError(shown, "refusing to build into / or your home folder: it would be replaced whole", hint=hint)
    if out == site:
        raise UsageError(shown, "refusing to build into the site folder itself: it would replace dossier.yaml "
                         "and content/", hint=hint)
    if out == content or out.is_relative_to(content):
        raise UsageError(shown, "refusing to build into content/: dossier never writes there", hint=hint)
    if content.is_relative_to(out) or site.is_relative_to(out):
        raise UsageError(shown, "refusing to build into a folder that holds the site: it would replace content/",
                         hint=hint)
    if os.path.lexists(out) and not out.is_dir():
        raise UsageError(shown, f"is {what_is(out)}, not a folder", hint=hint)
    if out.is_dir() and not (out / STAMP).exists() and any(p.name != ".gitkeep" for p in out.iterdir()):
        raise UsageError(shown, f"is a non-empty folder without dossier's {STAMP} stamp: dossier did not make it",
                         hint="empty it, or choose another output folder with -o")
