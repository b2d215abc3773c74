"""Helpers for the bad-input, untrusted-text and output-safety tests: run the real
command in-process (fast, and an uncaught exception fails the test just as a
traceback would) and fingerprint folders, so every build can be checked for
having written nothing into the site."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dossier.commands.cli import main

NO_SEARCH = "/nonexistent/pagefind"  # PAGEFIND_BINARY_PATH pointing at nothing: search is skipped


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (symlinks as their target) → sha256 of its bytes."""
    out = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            path = Path(root, name)
            rel = path.relative_to(folder).as_posix()
            out[rel] = ("link:" + os.readlink(path)) if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def dossier(capsys, *args: str) -> tuple[int, list[str], str]:
    """(exit code, stderr lines, stdout) of `dossier ARGS`, run in this process."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


def build(capsys, root: Path, *args: str, out: Path | None = None) -> tuple[int, list[str]]:
    """Build `root` into `out` (default: beside it) and check that the site folder,
    content/ included, is byte for byte what it was."""
    out = out or root.parent / "out"
    inside = out.resolve().relative_to(root.resolve()).as_posix() + "/" if out.resolve().is_relative_to(root.resolve()) else None

    def site_files():  # the build cache (docs/cache.md) is the one thing a build may write in the site
        return {k: v for k, v in tree(root).items()
                if not (inside and k.startswith(inside)) and not k.startswith(".dossier-cache/")}
    before = site_files()
    code, err, _ = dossier(capsys, "build", str(root), "-o", str(out), *args)
    assert site_files() == before, "the build changed a file in the site folder"
    assert not any("Traceback" in line for line in err)
    return code, err


def content_lines(err: list[str]) -> list[str]:
    """stderr without the search-index notice, which depends on the machine."""
    return [line for line in err if not line.startswith("search index skipped")]
