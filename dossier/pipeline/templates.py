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

Deterministic: a function of the documents alone, independent of their order.
`Templates` keeps what it found from one call to the next, so that an edit redoes only
the pairs of pages it reaches; `update(docs)` always equals `strip_templates(docs)`,
which is one update of a new Templates (tests/test_templates.py).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from typing import Sequence
from urllib.parse import urlsplit

from ..keys import digest
from ..models import Document, Removed
from .junk import word_key

OWN_SHARE = 0.5  # share of its body (characters) each page must have to itself to be another article
MIN_EDGE = 2  # paragraphs two pages without metadata must share at their edges to be of one site
MAX_SPREAD = 200  # a paragraph in more pages than this is checked against the first pairs only


def strip_templates(documents: Sequence[Document]) -> tuple[Document, ...]:
    """The documents with their site templates moved from paragraphs to removed."""
    return Templates().update(documents)


class Templates:
    """The site templates of a corpus, kept up to date between calls of `update`.

    A pair of pages is compared on the paragraphs both hold among the first MAX_SPREAD
    pages holding each (`window`); what a pair finds is kept while both pages are the
    same. An edit redoes the pairs of the edited page and of the pages that enter or
    leave a window; a paragraph found template by any pair is template on every page."""

    def __init__(self):
        self.docs: dict[str, Document] = {}  # the articles as given
        self.keys: dict[str, list[str]] = {}  # each article's paragraphs, compared by their words
        self.holders: dict[str, set[str]] = defaultdict(set)  # paragraph → the articles holding it
        self.window: dict[str, list[str]] = {}  # paragraph → its first MAX_SPREAD holders
        self.found: dict[tuple[str, str], set[str]] = {}  # a pair → the template it found (never empty)
        self.declared: Counter = Counter()  # paragraph → how many pairs found it template
        self.out: dict[str, Document] = {}  # each article as update returns it

    def update(self, documents: Sequence[Document]) -> tuple[Document, ...]:
        articles = {d.id: d for d in documents if d.kind == "article"}
        gone = [i for i in self.docs if i not in articles]
        changed = sorted(i for i, d in articles.items()
                         if i not in self.docs or (self.docs[i] is not d and self.docs[i] != d))
        if gone or changed:
            self._apply(articles, gone, changed)
        return tuple(self.out.get(d.id, d) for d in documents)

    def _apply(self, articles: dict[str, Document], gone: list[str], changed: list[str]) -> None:
        touched: set[str] = set()  # paragraphs whose holders change
        for i in gone + [i for i in changed if i in self.docs]:
            touched.update(k for k in self.keys[i] if k)
            for k in self.keys.pop(i):
                self.holders[k].discard(i)
            del self.docs[i]
            self.out.pop(i, None)
        for i in changed:
            self.docs[i], self.keys[i] = articles[i], [word_key(p) for p in articles[i].paragraphs]
            for k in self.keys[i]:
                if k:
                    self.holders[k].add(i)
            touched.update(k for k in self.keys[i] if k)
        moved = set(gone) | set(changed)  # pages whose pairs must be found again
        for k in touched:
            before = set(self.window.get(k, ()))
            self.window[k] = sorted(self.holders[k])[:MAX_SPREAD]
            moved |= before ^ set(self.window[k])
            if not self.holders[k]:
                del self.holders[k], self.window[k]
        was = {k for k, n in self.declared.items() if n}
        redo = set(moved)  # and the partners of every pair found again, before and after
        for pair in [p for p in self.found if p[0] in moved or p[1] in moved]:
            self.declared.subtract(self.found.pop(pair))
            redo.update(pair)
        for pair in self._pairs(moved & self.docs.keys()):
            found = _template_of(self.docs[pair[0]], self.keys[pair[0]], self.docs[pair[1]], self.keys[pair[1]],
                                 self._shared(*pair))
            if found:
                self.found[pair] = found
                self.declared.update(found)
                redo.update(pair)
        now = {k for k, n in self.declared.items() if n}
        redo &= self.docs.keys()
        for k in was ^ now:
            redo |= self.holders.get(k, set())
        for i in redo:
            template = {k for k in self.keys[i] if k in now}
            self.out[i] = _strip(self.docs[i], self.keys[i], template) if template else self.docs[i]

    def _pairs(self, pages: set[str]) -> set[tuple[str, str]]:
        """Every pair of one of `pages` with a page beside it in some window."""
        out = set()
        for i in pages:
            for k in set(self.keys[i]):
                window = self.window.get(k, [])
                if i in window:
                    out.update((min(i, j), max(i, j)) for j in window if j != i)
        return out

    def _shared(self, a: str, b: str) -> set[str]:
        """The paragraphs both pages hold, where both are in that paragraph's window."""
        return {k for k in set(self.keys[a]) & set(self.keys[b]) if k and a in self.window[k] and b in self.window[k]}


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
                   lines=tuple(lines[i] for i in keep) if doc.lines else (), removed=tuple(removed),
                   key=digest([doc.key, *sorted(template)]))  # another text: another key
