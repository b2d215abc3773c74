"""An entity link's markup, written by the pages (output/fragments.py) and read back by
the search input (output/search.py, for_index): one definition for both, in a module
without jinja2, which a build that changes nothing never imports."""
from __future__ import annotations

import re


def ent_link(kind: str, href: str, name: str) -> str:
    """An entity's link, its parts escaped: the name, then its kind for screen readers."""
    return f'<a class="ent ent-{kind}" href="{href}">{name}<span class="visually-hidden"> ({kind})</span></a>'


# ent_link's markup as search.for_index finds it, to hand Pagefind the name alone (the
# kind is an excluded selector): the same words, the same index, in half the bytes
ENTITY_LINK = re.compile(r'<a class="ent ent-([a-z]+)" href="[^"<>]*">([^<]*)'
                         r'<span class="visually-hidden"> \(\1\)</span></a>')
