"""`dossier init [DIR]`: a new dossier that builds cleanly and publishes itself.

The scaffold is the smallest dossier that shows every kind of file (an article
with its sidecar, a note with [[wikilinks]], a person, a place, an event the
article mentions), plus the GitHub Pages workflow and a .gitignore. It builds
with `--strict` and no warning, so the first warning a user sees is about their
own content. Existing files are never overwritten.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .. import __version__
from ..errors import DossierError, printable
from ..files import plain, what_is

# The same workflow as this repository's .github/workflows/pages.yml, except how
# dossier is installed (tests/test_init.py holds the two together).
WORKFLOW = """\
# Publish the dossier on GitHub Pages on every push to main.
# Once per repository: Settings → Pages → Build and deployment → Source: GitHub Actions.
name: Publish on GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a push made during a deployment waits for it.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v6
      - name: Install dossier
        run: {install}
      # base_url is https://USER.github.io/REPO (or your custom domain): canonical
      # links, sitemap.xml, feed.xml, Open Graph tags and 404.html use it.
      - name: Build
        run: dossier build --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v5
        with:
          path: build
          include-hidden-files: true  # .nojekyll: publish the build exactly as it was audited
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v5
"""

CONFIG = """\
# Every setting is described in dossier's docs/config.md.
title: {title}
summary: >
  The bottom line, in one paragraph: what a busy reader must know. It opens the
  home page. Rewrite it as the dossier grows.
author: ""
language: en
# base_url: https://USER.github.io/REPO/   # the GitHub Pages workflow passes it for you
# cname: dossier.example.org               # a custom domain, written to CNAME
"""

FILES = {
    ".gitignore": "build/\n.dossier-cache/\n__pycache__/\n.venv/\n",
    "content/articles/example-report.txt": """\
Harbour bridge opens in Portvale after six years of work

Portvale, a port town of 40,000 people, opened its new harbour bridge on Saturday.

Mayor Ana Ribeiro cut the ribbon at noon. "This bridge joins the two halves of the town," she said.

The bridge opening drew several thousand residents, who walked across before it opened to traffic.
""",
    "content/articles/example-report.yaml": """\
# What the editor knows about the article beside it: the scraped text is evidence
# and is never edited.
title: "Harbour bridge opens in Portvale after six years of work"
outlet: Example Gazette
published: "2024-05-18"
""",
    "content/notes/start-here.md": """\
---
title: Start here
date: "2024-05-20"
people: [Ana Ribeiro]
places: [Portvale]
events: [bridge-opening]
sources: [articles/example-report.txt]
tags: [example]
---
**Bottom line.** This note is an example of an editor's note: your own analysis,
in Markdown. Link a person, place or event by name with double brackets:
[[Ana Ribeiro]] opened the bridge in [[Portvale]] ([[bridge-opening|the opening]]).

Put scraped articles in `content/articles/`, one per file, and what you know about
each in a `.yaml` file of the same name. Run `dossier build` and open
`build/index.html`.
""",
    "content/people/ana-ribeiro.md": """\
---
name: Ana Ribeiro
aliases: [Mayor Ana Ribeiro, Mayor Ribeiro]
short: [Ribeiro]
role: Mayor of Portvale
---
An example person. `aliases` always count as a mention; `short` forms count only
in a text that also names her in full.
""",
    "content/places/portvale.md": """\
---
name: Portvale
aliases: [Portvale]
kind: town
country: Example
---
An example place: a port town split by its harbour.
""",
    "content/events/bridge-opening.md": """\
---
title: Opening of the harbour bridge
date: "2024-05-18"
aliases: [bridge opening, opened its new harbour bridge]
people: [ana-ribeiro]
places: [portvale]
---
An example event. It is on the timeline because it has a date, and linked from the
article because one of its aliases appears there.
""",
}


# A local checkout without a git remote: GitHub cannot install from it, so the line
# is left for the user, and is not a valid requirement, so CI stops on it clearly.
PLACEHOLDER = """\
# dossier was installed here from a local path, which GitHub cannot reach.
# Replace the next line with where it can install dossier from, for example
#   dossier @ git+https://github.com/OWNER/dossier@v{version}
dossier @ <replace me: see the comment above>"""


def requirement() -> tuple[str, str]:
    """How CI installs the dossier this one was made with: (requirements.txt lines,
    a note for the user or ""). Read from pip's record of the install (PEP 610)."""
    direct = _direct_url()
    vcs = direct.get("vcs_info")
    if vcs and direct.get("url"):  # pip install git+https://…: the same commit
        return f"dossier @ {vcs['vcs']}+{direct['url']}@{vcs['commit_id']}", ""
    if direct.get("url", "").startswith("file:"):  # a local checkout, often editable
        origin = _git_origin(Path(url2pathname(urlsplit(direct["url"]).path)))
        if origin:
            return f"dossier @ git+{origin}", "requirements.txt installs dossier from its git remote at the " \
                "commit checked out here: push that commit, or change the line"
        return PLACEHOLDER.format(version=__version__), \
            "dossier is installed from a local path: say in requirements.txt where GitHub installs it from"
    return f"dossier=={__version__}", ""  # from a package index


def _direct_url() -> dict:
    # every installed copy: a stray dossier.egg-info in the working folder has no direct_url.json
    for dist in metadata.distributions(name="dossier"):
        try:
            direct = json.loads(dist.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        if direct:
            return direct
    return {}


def _git_origin(folder: Path) -> str:
    """`https://host/owner/repo.git@COMMIT` for the checkout in `folder`, or ""."""
    def git(*args):
        run = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else ""
    try:
        url, commit = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    except OSError:  # no git
        return ""
    if url.startswith("git@") and ":" in url:  # scp-like git@github.com:owner/repo.git
        host, path = url[4:].split(":", 1)
        url = f"https://{host}/{path}"
    return f"{url}@{commit}" if url.startswith("https://") and commit else ""


def scaffold_files(title: str, install: str) -> dict[str, str]:
    return {
        "dossier.yaml": CONFIG.format(title=json.dumps(title, ensure_ascii=False)),  # JSON strings are YAML
        **FILES,
        "requirements.txt": f"# What the GitHub Pages workflow installs to build this dossier.\n{install}\n",
        ".github/workflows/pages.yml": WORKFLOW.format(install="pip install -r requirements.txt"),
    }


def title_for(folder: Path) -> str:
    words = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "My dossier"


def init(folder: Path, title: str | None = None) -> tuple[list[Path], str]:
    """Write the scaffold into `folder`; refuse, listing them, if any file exists or
    anything is in the way of one (`content` a file). Returns the files written and a
    note for the user ("" when none). All or nothing: a write that fails takes back
    the ones before it."""
    if os.path.lexists(folder) and not folder.is_dir():
        raise DossierError(str(folder), f"is {what_is(folder)}, not a folder")
    install, note = requirement()
    files = scaffold_files(" ".join(plain(title or title_for(folder)).split()) or "My dossier", install)
    taken = sorted({blocker for rel in files if (blocker := _in_the_way(folder, rel))})
    if taken:
        raise DossierError(str(folder), f"already has {', '.join(taken)}; nothing was written",
                           hint="run dossier init in a new or empty folder")
    made: list[Path] = []  # files and folders, in the order made
    try:
        for rel, text in files.items():
            path = folder / rel
            for parent in _missing_folders(path):
                parent.mkdir()
                made.append(parent)
            with open(path, "x", encoding="utf-8") as f:  # "x": never through a link planted since
                made.append(path)
                f.write(text)
    except OSError as e:
        for path in reversed(made):
            (path.rmdir if path.is_dir() else path.unlink)()
        raise DossierError(str(e.filename or folder), f"cannot be written: {e.strerror or e}; nothing was written") \
            from None
    return [p for p in made if not p.is_dir()], note


def _missing_folders(path: Path) -> list[Path]:
    """The folders above `path` that do not exist yet, outermost first."""
    missing = []
    for parent in path.parents:
        if parent.is_dir():
            break
        missing.append(parent)
    return missing[::-1]


def _in_the_way(folder: Path, rel: str) -> str | None:
    """`rel` if something is at folder/rel (a broken link too), or the first folder on
    its way that exists and is not one (`content` as a file); None when it is free."""
    parts = Path(rel).parts
    for n in range(1, len(parts)):
        at = folder.joinpath(*parts[:n])
        if os.path.lexists(at) and not at.is_dir():
            return "/".join(parts[:n])
    return rel if os.path.lexists(folder / rel) else None


def cmd_init(folder: Path, args) -> int:
    written, note = init(folder, args.title)
    for path in written:
        print(printable(f"created {path}"))
    if note:
        print(f"note: {note}", file=sys.stderr)
    print(printable(f"next: cd {folder} && dossier build --strict, then push to GitHub and set "
                    "Settings → Pages → Source: GitHub Actions"))
    return 0
