"""From dedup's clusters to what the site publishes: stories and notes.

A cluster holding an article is a story, titled after its canonical version. A
note folded into a story (it pastes a source) is shown there as a version, not
published twice; of notes that repeat each other, the canonical one is published.
"""
from __future__ import annotations

from ..models import Cluster, Document, Story
from ..urls import slugify, unique_slugs


def name_stories(clusters: tuple[Cluster, ...], documents: tuple[Document, ...]) -> tuple[Story, ...]:
    docs = {d.id: d for d in documents}
    kept = [c for c in clusters if any(docs[v.source].kind == "article" for v in c.versions)]
    slugs = unique_slugs([slugify(docs[c.canonical].title, fallback="story") for c in kept])
    return tuple(Story(slug, docs[c.canonical].title, c.canonical, c.versions) for c, slug in zip(kept, slugs))


def published_notes(clusters: tuple[Cluster, ...], documents: tuple[Document, ...]) -> tuple[Document, ...]:
    canon = {c.canonical for c in clusters}
    return tuple(sorted((d for d in documents if d.kind == "note" and d.id in canon), key=lambda d: d.id))
