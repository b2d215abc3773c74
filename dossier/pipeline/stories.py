"""From dedup's clusters to what the site publishes: stories and notes.

A cluster holding an article is a story, titled after its canonical version.
Every note is published: notes are the editor's own words, and two that resemble
each other (two fresh `dossier new note` files still holding the template text, a
draft and its final version) are still two notes. A note that pastes a source is
also shown in that story as one of its versions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Container, Iterable, Mapping

from ..models import Cluster, Document, Dossier, SourceId, Story
from ..urls import slugify, unique_slugs


def story_name(c: Cluster, docs: Mapping[SourceId, Document]) -> tuple[str, str] | None:
    """The title of the story cluster `c` tells, and the slug it would like; None when
    the cluster holds no article (notes alone are not a story)."""
    if not any(docs[v.source].kind == "article" for v in c.versions):
        return None
    title = docs[c.canonical].title
    return title, slugify(title, fallback="story")


def story_slugs(names: Iterable[tuple[str, str] | None]) -> list[str]:
    """Each story's slug, made unique in the clusters' order (a, a-2, a-3)."""
    return unique_slugs([n[1] for n in names if n])


def published_notes(clusters: tuple[Cluster, ...], documents: tuple[Document, ...]) -> tuple[Document, ...]:
    """Every note, whatever dedup made of it (`clusters` stays for the stage's signature)."""
    return tuple(sorted((d for d in documents if d.kind == "note"), key=lambda d: d.id))


@dataclass(frozen=True)
class Reach:
    """How widely the dossier speaks of something, the one count every page, the build
    summary, dossier.json and the PDF give: independent reports (stories: a story's
    copies are files of one report, never corroboration) and editor's notes apart."""

    reports: int
    files: int  # the files of those reports, copies included
    notes: int

    def rank(self) -> tuple[int, int]:
        """Sort key, most first: reports, then notes; never files."""
        return -self.reports, -self.notes


def reach(docs: Iterable[SourceId], story_of: Mapping[SourceId, Story], notes: Container[SourceId]) -> Reach:
    """The Reach of the documents `docs` (say, those naming a person); `story_of` maps
    each version of a story to it, `notes` holds the published notes."""
    stories, files, noted = set(), 0, 0
    for sid in docs:
        if sid in story_of:
            stories.add(story_of[sid].slug)
            files += 1
        elif sid in notes:
            noted += 1
    return Reach(len(stories), files, noted)


def counts(d: Dossier) -> dict[str, int]:
    """What the dossier holds, as the home page, the print cover and the build summary
    say it: reports (stories) and the article files they fold, notes, entity files."""
    return {"articles": sum(1 for s in d.sources if s.kind == "article"), "stories": len(d.stories),
            "folded": sum(len(s.versions) - 1 for s in d.stories), "notes": len(d.notes),
            "entities": sum(1 for s in d.sources if s.kind in ("person", "place", "event"))}
