"""Content keys: short digests of what a result was made from.

The memo (dossier/memo) keeps each stage's results under these. A key changes
exactly when something the stage reads changes (tests/test_architecture.py perturbs each
field and sees it change); it never depends on an object's identity.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from .models import Source


def digest(parts: Iterable[str]) -> str:
    """One short key for many strings (order matters)."""
    parts = list(parts)  # each part, then a NUL: joined and hashed in one call (10⁴ parts per serve edit)
    text = "\0".join(parts) + "\0" if parts else ""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def source_key(s: Source) -> tuple:
    """What clean() and the checks read of a Source: its bytes (sha256) and, because
    a sidecar .yaml adds to it, the front matter as read; and where the body starts."""
    return (s.id, s.kind, s.sha, s.body_line, repr(s.meta))


def document_key(s: Source) -> str:
    """The key of the Document cleaned from `s` (Document.key)."""
    return digest(map(str, source_key(s)))


def sources_key(sources: Iterable[Source]) -> str:
    """One key for a set of files (the entity files the registry reads)."""
    return digest(str(source_key(s)) for s in sources)


PACKAGE = Path(__file__).resolve().parent  # dossier/
_CODE: str | None = None


def code_digest() -> str:
    """dossier's own files: a development checkout keeps its version number while
    clean() or a template changes, and must not reuse what the old code made (the
    build cache's folder, serve's and a cluster's "same dossier" check)."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        paths = sorted(os.path.join(folder, n) for folder, _, names in os.walk(PACKAGE) for n in names)
        for path in paths:
            if path.endswith((".py", ".js", ".html", ".css")):
                h.update(f"{os.path.relpath(path, PACKAGE)}\0".encode() + Path(path).read_bytes())
        _CODE = h.hexdigest()
    return _CODE
