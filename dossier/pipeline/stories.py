"""From dedup's clusters to what the site publishes: stories and notes.

A cluster holding an article is a story, titled after its canonical version.
Every note is published: notes are the editor's own words, and two that resemble
each other (two fresh `dossier new note` files still holding the template text, a
draft and its final version) are still two notes. A note that pastes a source is
also shown in that story as one of its versions.
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
    """Every note, whatever dedup made of it (`clusters` stays for the stage's signature)."""
    return tuple(sorted((d for d in documents if d.kind == "note"), key=lambda d: d.id))
