"""The data that flows between stages: plain frozen dataclasses, no behaviour.

Each stage takes some of these and returns others; nothing here does I/O.
Identifiers are small typed strings so a signature says what it wants.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Literal, Mapping, NamedTuple, NewType, Sequence

SourceId = NewType("SourceId", str)  # path relative to content/, posix: "articles/000_x.txt"
Slug = NewType("Slug", str)  # url-safe name: "xi-jinping"

Kind = Literal["article", "note", "person", "place", "event"]
Relation = Literal["canonical", "identical", "copy", "rewrite", "excerpt"]
EntityKind = Literal["person", "place", "event"]


@dataclass(frozen=True)
class Source:
    """One file of content/, read but not interpreted."""

    id: SourceId
    kind: Kind
    meta: Mapping[str, Any]  # front matter, or the .yaml sidecar of a .txt article
    text: str  # the body, front matter removed, newlines normalised to \n
    body_line: int  # 1-based line of the file where `text` starts (for error messages)
    sha: str  # sha256 of the raw bytes (cache key)
    # front matter key → file line, for errors (a sidecar's lines when the article has no front matter)
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Removed:
    """A piece of a scraped article that clean() took out, and why."""

    text: str
    reason: str  # "navigation", "video-note", "teaser", "caption", "sidebar", "byline", ...
    line: int  # 1-based line in the source file


@dataclass(frozen=True)
class Document:
    """A cleaned article or note: the text a reader should see."""

    id: SourceId
    kind: Literal["article", "note"]
    title: str
    paragraphs: tuple[str, ...]  # body text; for notes, the Markdown blocks
    captions: tuple[str, ...] = ()  # image captions and credits: kept, but not body text
    removed: tuple[Removed, ...] = ()
    outlet: str | None = None
    byline: str | None = None
    url: str | None = None
    date: str | None = None  # ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY"
    markdown: str | None = None  # notes only: the body to render
    meta: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[int, ...] = ()  # articles: the file line where each paragraph starts
    # a digest of what it was made from (its source's bytes and front matter): the
    # stages after clean keep their results for it under this key (dossier/memo)
    key: str = ""


@dataclass(frozen=True)
class Version:
    source: SourceId
    relation: Relation
    similarity: float  # 0..1 against the canonical
    reason: str  # one sentence a person can check: "87% of sentences match closely"


@dataclass(frozen=True)
class Cluster:
    """What dedup found: one story told by one or more documents."""

    canonical: SourceId
    versions: tuple[Version, ...]  # the canonical first, with relation "canonical"


@dataclass(frozen=True)
class Story:
    slug: Slug
    title: str
    canonical: SourceId
    versions: tuple[Version, ...]


@dataclass(frozen=True)
class Entity:
    """A person, place or event the dossier knows, from content/{people,places,events}/."""

    slug: Slug
    kind: EntityKind
    name: str
    source: SourceId
    aliases: tuple[str, ...]  # always a mention of this entity
    short: tuple[str, ...] = ()  # a mention only where the document also names it fully
    summary: str = ""  # Markdown body of the file
    fields: Mapping[str, Any] = field(default_factory=dict)  # role, country, coordinates...
    date: str | None = None  # events: ISO start, maybe month or year precision
    end: str | None = None  # events: ISO end


class Mention(NamedTuple):
    """A tuple, not a frozen dataclass like the rest: Mentions makes one each time a
    mention is read, and a tuple is made in a quarter of the time (0.3 µs against
    1.1: a dataclass's __init__ sets each field through object.__setattr__)."""
    entity: Slug
    kind: EntityKind
    document: SourceId
    paragraph: int  # index into Document.paragraphs, or into captions when in_caption
    start: int  # character span in that paragraph
    end: int
    in_caption: bool = False
    wikilink: bool = False  # from [[Name]] in a note rather than found in the text


class Mentions(Sequence[Mention]):
    """One document's mentions as link found them, in its order: a Sequence of
    Mention, each made as it is read. The one container here with behaviour, for
    memory: they are the model's most numerous records (7·10⁶ at 100,000 articles,
    held by the main process from link to the last page), and as Mention objects,
    with their offsets as int objects, they took ~170 bytes each, 1.2 GB; packed,
    16 bytes and the document's few distinct (entity, kind) pairs."""

    __slots__ = ("document", "_names", "_packed")

    def __init__(self, document: SourceId, mentions: Iterable[Mention] = ()):
        names: dict[tuple[Slug, EntityKind], int] = {}
        packed = array("I")  # per mention: name index << 2 | in_caption << 1 | wikilink, paragraph, start, end
        for m in mentions:
            if m.document != document:
                raise ValueError(f"a mention in {m.document} among those of {document}")
            k = names.setdefault((m.entity, m.kind), len(names))
            packed.extend((k << 2 | m.in_caption << 1 | m.wikilink, m.paragraph, m.start, m.end))
        self.document, self._names, self._packed = document, tuple(names), packed

    def __len__(self) -> int:
        return len(self._packed) // 4

    def __iter__(self) -> Iterator[Mention]:
        return map(self._at, range(0, len(self._packed), 4))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self)[i]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._at(4 * (i % len(self)))

    def named(self) -> tuple[tuple[Slug, EntityKind], ...]:
        """The (entity, kind) of each entity the document names, once, in the order first
        named: kept packed beside the mentions, so no mention is made to find them."""
        return self._names

    def naming(self, entity: Slug, kind: EntityKind) -> list[Mention]:
        """The mentions of one entity, in the document's order, made without the others:
        an entity's pages read those of each of the thousands of documents naming it."""
        try:
            k = self._names.index((entity, kind))
        except ValueError:
            return []
        p = self._packed
        return [self._at(j) for j in range(0, len(p), 4) if p[j] >> 2 == k]

    def within(self, places: set[tuple[bool, int]]) -> list[Mention]:
        """The mentions in these (in_caption, paragraph), in the document's order."""
        p = self._packed
        return [self._at(j) for j in range(0, len(p), 4) if (bool(p[j] & 2), p[j + 1]) in places]

    def _at(self, j: int) -> Mention:
        """The mention whose four numbers start at j."""
        p, flags = self._packed, self._packed[j]
        return tuple.__new__(Mention, (*self._names[flags >> 2], self.document, p[j + 1], p[j + 2], p[j + 3],
                                       bool(flags & 2), bool(flags & 1)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mentions):
            return (self.document, self._names, self._packed) == (other.document, other._names, other._packed)
        return isinstance(other, (tuple, list)) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash((self.document, self._names, self._packed.tobytes()))

    def __repr__(self) -> str:
        return f"Mentions({self.document!r}, {list(self)!r})"

    def __reduce__(self):
        return Mentions._raw, (self.document, self._names, self._packed)

    @staticmethod
    def _raw(document: SourceId, names: tuple, packed: array) -> "Mentions":
        out = Mentions.__new__(Mentions)
        out.document, out._names, out._packed = document, names, packed
        return out


@dataclass(frozen=True)
class TimelineEntry:
    date: str  # ISO start (sort key)
    end: str | None
    precision: Literal["day", "month", "year"]
    title: str
    event: Slug | None  # None for a dated document
    document: SourceId | None
    sources: tuple[SourceId, ...]  # documents that speak of it


@dataclass(frozen=True, slots=True)
class Quote:
    """Words in quotation marks in a source, and who said them when the text says so."""

    document: SourceId
    paragraph: int  # index into Document.paragraphs
    start: int  # span of the quoted words (inside the marks) in that paragraph
    end: int
    text: str
    speaker: Slug | None  # a person of the dossier, when the attribution names or points to one
    said_by: str  # who, in the text's words: "Jon Yuan Jiang", "he", "one woman"; "" when unsaid
    how: Literal["named", "pronoun", "described", "continued", "unknown"]
    story: Slug | None = None
    # against the story's canonical version: "canonical" (in it), "same", "altered"
    # (reworded in this copy), "added" (no counterpart in the canonical)
    status: Literal["canonical", "same", "altered", "added"] = "canonical"
    # the canonical quote it aligns with: its document and its place among that
    # document's quotes (dossier.json gives its index in the whole list instead)
    same_as: tuple[SourceId, int] | None = None
    similarity: float | None = None  # 0..1 against that quote (rapidfuzz)


@dataclass(frozen=True)
class Dossier:
    """The whole model: every output (HTML, JSON, search, feed, PDF) reads this."""

    config: Any  # dossier.config.Config
    sources: tuple[Source, ...]
    documents: tuple[Document, ...]
    stories: tuple[Story, ...]
    notes: tuple[Document, ...]  # notes published as notes (not folded into a story)
    entities: tuple[Entity, ...]
    mentions: Mapping[SourceId, Sequence[Mention]]  # each document's, as link found them (Mentions)
    timeline: tuple[TimelineEntry, ...]
    warnings: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    findings: tuple[Any, ...] = ()  # pipeline.checks.Finding: the errors and warnings among `warnings`
    names: Mapping[SourceId, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # (kind, slug) each document names, sorted
    named_in: Mapping[tuple[str, str], frozenset[SourceId]] = field(default_factory=dict)  # (kind, slug) → the documents
    # each document's names that share a sentence, packed (pipeline/link.sentence_ties; read with link.tied)
    ties: Mapping[SourceId, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One output file, with everything its template prints already computed."""

    url: str  # site-relative: "people/xi-jinping/" (written as …/index.html) or "404.html"
    template: str
    title: str
    section: str  # home, story, note, person, place, event, timeline, sources, list, search…
    context: Mapping[str, Any]
    description: str = ""
    crumbs: tuple[tuple[str, str], ...] = ()  # (title, url) from the home page down
