"""new: scaffold one content file, front matter filled in (Hugo's `hugo new`).

The file is named after the title (urls.slugify), so its URL is known before it is
written. It is never overwritten: a file with that name (for a source, any
extension) is an error, and the file is opened in exclusive-create mode so a race
cannot clobber one either. The body is one "TODO:" line, which `dossier check`
reports until the editor replaces it.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..errors import DossierError, printable
from ..files import plain
from ..pipeline.load import HTML_SUFFIXES, TEXT_SUFFIXES
from ..urls import slugify

FOLDERS = {"note": "notes", "person": "people", "place": "places", "event": "events", "source": "articles"}

# {title} is filled as a quoted YAML scalar; comments say what each key wants.
TEMPLATES = {
    "note": """\
---
title: {title}
date: "{today}"
people: []           # names or slugs from content/people/
places: []
events: []
sources: []          # files this note draws on, from content/: [articles/x.txt]
tags: []
---
TODO: write the note. Link a person, place, event or note by putting its name in double square brackets.
""",
    "person": """\
---
name: {title}
aliases: []          # other ways the sources write the name: [President Xi, Chinese President Xi Jinping]
short: []            # ambiguous short forms, counted only where the full name is there too: [Xi]
role: ""             # one line: Foreign Minister of China
---
TODO: who this is and what the sources say about them, with the file each fact comes from.
""",
    "place": """\
---
name: {title}
aliases: []          # other ways the sources write it
short: []
kind: ""             # city, river, province, country…
country: ""
coordinates: []      # [lat, lon]
---
TODO: what this place is and why it matters to the dossier.
""",
    "event": """\
---
title: {title}
date: ""             # 2023-03-20, or 2023-03 when only the month is known
end: ""              # the last day, for an event that lasted
aliases: []          # the words the sources use for it: [Xi's visit to Moscow]
people: []           # names or slugs from content/people/
places: []
---
TODO: what happened, and which sources say so.
""",
    "source": """\
---
# A scraped file is added as it is: a saved web page as content/articles/NAME.html, a
# text scrape as NAME.txt, each with these fields in NAME.yaml beside it (optional for a page).
title: {title}
outlet: ""
url: ""
published: ""        # 2023-04-01, or 2023-04, or 2023
author: ""
---
TODO: paste the article text here, as published. It is evidence: once pasted, leave it as it is.
""",
}


def new_file(site: Path, kind: str, title: str, today: date | None = None) -> Path:
    """Write content/<folder>/<slug>.md for `kind` and return its path."""
    title = " ".join(plain(str(title)).split())  # a control character would reach feed.xml
    if not title:
        raise DossierError("TITLE", "is empty", hint=f'dossier new {kind} "A title"')
    slug = slugify(title)
    folder = site / "content" / FOLDERS[kind]
    path = folder / f"{slug}.md"
    # a source's slug must not collide with a scraped .txt or .html of the same name either
    for suffix in (TEXT_SUFFIXES | HTML_SUFFIXES if kind == "source" else {".md"}):
        if (clash := folder / f"{slug}{suffix}").exists():
            raise DossierError(str(clash), "already exists; dossier new never overwrites a file",
                               hint="edit that file, or choose another title")
    folder.mkdir(parents=True, exist_ok=True)
    text = TEMPLATES[kind].format(title=json.dumps(title, ensure_ascii=False),
                                  today=(today or date.today()).isoformat())
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise DossierError(str(path), "already exists; dossier new never overwrites a file") from None
    return path


def cmd_new(site: Path, args) -> int:
    print(printable(str(new_file(site, args.kind, args.title))))
    return 0
