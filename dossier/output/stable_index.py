"""Pagefind's filter index in one order, so that two builds are the same bytes.

Pagefind 1.x writes each filter's values in the order of a Rust hash map, which
changes from run to run (the same values and pages in another order: its source
says "Change filter indexes to BTree to give them a stable hash"), and names the
filter file, the bundle's metadata file and pagefind-entry.json's hash after
those bytes. The rest of a bundle (word index, fragments) is stable already.

After each Pagefind run, `settle(bundle)` rewrites the bundle's filter files with
their values sorted and the metadata's list of filters sorted by name, names each
file after a hash of its new content, and points the metadata and the entry file at
the new names. The files stay what Pagefind writes (gzip of "pagefind_dcd" and
CBOR, read and written with cbor2); only the order of lists Pagefind reads as sets
changes, so its search reads them as before. A bundle laid out otherwise (another
Pagefind version) is left as it is: a search that works matters more than its bytes.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

MAGIC = b"pagefind_dcd"
META_FILTERS = 3  # the metadata index: [version, pages, index chunks, filters, sorts, …]


def settle(bundle: Path) -> bool:
    """Put `bundle`'s filter index in its one order. False when it is not laid out as
    expected and was left alone. The new files are written first and the old ones
    removed only once pagefind-entry.json names the new: stopped half-way, the bundle
    is still Pagefind's own."""
    entry = bundle / "pagefind-entry.json"
    written: list[Path] = []
    replaced: list[Path] = []
    try:
        text = entry.read_text(encoding="utf-8")
        for lang in json.loads(text)["languages"].values():
            prefix = lang["hash"].rsplit("_", 1)[0] + "_"  # "en_": Pagefind names a file by its language too
            meta_path = bundle / f"pagefind.{lang['hash']}.pf_meta"
            meta = _read(meta_path)
            filters = meta[META_FILTERS]
            for each in filters:  # [name, hash]
                path = bundle / "filter" / f"{each[1]}.pf_filter"
                index = _read(path)  # [name, [[value, [page, …]], …]]
                index[1].sort(key=lambda value: value[0])
                each[1] = _write(index, prefix, 7, lambda h: bundle / "filter" / f"{h}.pf_filter", written)
                replaced.append(path)
            filters.sort(key=lambda f: f[0])
            new = _write(meta, prefix, 10, lambda h: bundle / f"pagefind.{h}.pf_meta", written)
            replaced.append(meta_path)
            named = f'"hash":"{lang["hash"]}"'
            if named not in text:  # (written otherwise: the old name would stay in it)
                raise ValueError(f"{entry}: no {named}")
            text = text.replace(named, f'"hash":"{new}"', 1)
    except (OSError, EOFError, ValueError, LookupError, TypeError, AttributeError, cbor2.CBORDecodeError):
        for path in set(written) - set(replaced):  # (a name both had is Pagefind's file, rewritten the same)
            path.unlink(missing_ok=True)
        return False
    part = entry.with_suffix(".part")
    part.write_text(text, encoding="utf-8")
    part.replace(entry)
    for path in set(replaced) - set(written):
        path.unlink()
    return True


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a Pagefind index file")
    return cbor2.loads(data[len(MAGIC):])


def _write(value, prefix: str, digits: int, path_of, written: list[Path]) -> str:
    """Write `value` as Pagefind does, at path_of(its name): `prefix` and a hash of it
    ("en_1a2b3c4"), which is returned."""
    data = MAGIC + cbor2.dumps(value)
    name = prefix + hashlib.sha256(data).hexdigest()[:digits]
    path = path_of(name)
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    written.append(path)
    return name
