"""`dossier serve`: the server and its rebuilds live in dossier/serve/."""
from __future__ import annotations

from pathlib import Path

from . import checked_base_url


def cmd_serve(site: Path, args) -> int:
    from ..serve.server import cmd_serve as serve
    checked_base_url(args)  # a bad --base-url is a usage error; a bad dossier.yaml is shown in the browser
    return serve(site, args)
