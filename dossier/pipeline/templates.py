"""templates: the lines a site prints around every article are its template, not a story.

clean() judges one page at a time, so a footer written as prose ("The Herald is an
independent paper founded in 1881…"), a newsletter pitch or a menu it did not
recognise stays in the body. Several pages of one site show it: the paragraphs two
different articles of one site share verbatim are that site's furniture, as a person
spotting it would say. They leave the body as `Removed(reason="template")`, so that
dedup never counts them as shared text and no page shows them as the story.

Two pages are of one site when they name the same outlet or URL host, or, with no
metadata, when they share two paragraphs or more at the same edge (all before, or all
after, what each has of its own: a template frames the article; quotes two rewrites
share sit inside it; one paragraph alike may be chance). Two pages are different articles when each has most of its body to
itself; copies and excerpts of one story share their body, and that is the story.

Pure and deterministic: a function of the documents alone, independent of their order.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from itertools import combinations
from typing import Sequence
from urllib.parse import urlsplit

from ..models import Document, Removed
from .junk import word_key

OWN_SHARE = 0.5  # share of its body (characters) each page must have to itself to be another article
MIN_EDGE = 2  # paragraphs two pages without metadata must share at their edges to be of one site
MAX_SPREAD = 200  # a paragraph in more pages than this is checked against the first pairs only


def strip_templates(documents: Sequence[Document]) -> tuple[Document, ...]:
    """The documents with their site templates moved from paragraphs to removed."""
    articles = sorted((d for d in documents if d.kind == "article"), key=lambda d: d.id)
    keys = [[word_key(p) for p in d.paragraphs] for d in articles]
    holders: dict[str, set[int]] = defaultdict(set)
    for i, ks in enumerate(keys):
        for k in ks:
            if k:
                holders[k].add(i)
    shared: dict[tuple[int, int], set[str]] = defaultdict(set)
    for k, docs in holders.items():
        if len(docs) > 1:
            for pair in combinations(sorted(docs)[:MAX_SPREAD], 2):
                shared[pair].add(k)
    template: dict[int, set[str]] = defaultdict(set)
    for (a, b), ks in shared.items():
        found = _template_of(articles[a], keys[a], articles[b], keys[b], ks)
        template[a] |= found
        template[b] |= found
    every = set().union(*template.values())  # a paragraph template for some pages is for all
    for i, ks in enumerate(keys):
        template[i] |= every.intersection(ks)
    stripped = {articles[i].id: _strip(articles[i], keys[i], t) for i, t in template.items() if t}
    return tuple(stripped.get(d.id, d) for d in documents)


def _template_of(a: Document, ka: list[str], b: Document, kb: list[str], shared: set[str]) -> set[str]:
    """The paragraphs of a pair that are its site's template: none unless the pair is two
    different articles of one site."""
    if not (_own(a, ka, shared) and _own(b, kb, shared)):
        return set()  # copies of one story: what they share is the story
    if _same_site(a, b):
        return shared
    edges = _edges(ka, shared) & _edges(kb, shared)
    return edges if len(edges) >= MIN_EDGE else set()  # one paragraph alike may be chance


def _own(doc: Document, keys: list[str], shared: set[str]) -> bool:
    total = sum(len(p) for p in doc.paragraphs)
    own = sum(len(p) for p, k in zip(doc.paragraphs, keys) if k not in shared)
    return total > 0 and own >= OWN_SHARE * total


def _same_site(a: Document, b: Document) -> bool:
    outlet = (a.outlet or "").casefold().strip()
    host = _host(a.url)
    return bool(outlet and outlet == (b.outlet or "").casefold().strip()) or bool(host and host == _host(b.url))


def _host(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _edges(keys: list[str], shared: set[str]) -> set[str]:
    """The shared paragraphs before the page's first paragraph of its own and after its last."""
    own = [i for i, k in enumerate(keys) if k not in shared]
    if not own:
        return set()
    return {k for k in keys[:own[0]] + keys[own[-1] + 1:] if k in shared}


def _strip(doc: Document, keys: list[str], template: set[str]) -> Document:
    keep = [i for i, k in enumerate(keys) if k not in template]
    if not keep:  # never the whole body: a page that is all template is left as clean made it
        return doc
    gone = [i for i in range(len(keys)) if i not in set(keep)]
    lines = doc.lines if len(doc.lines) == len(doc.paragraphs) else (0,) * len(doc.paragraphs)
    removed = sorted((*doc.removed, *(Removed(doc.paragraphs[i], "template", lines[i]) for i in gone)),
                     key=lambda r: r.line)
    return replace(doc, paragraphs=tuple(doc.paragraphs[i] for i in keep),
                   lines=tuple(lines[i] for i in keep) if doc.lines else (), removed=tuple(removed))
