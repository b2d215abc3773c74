"""The `dossier` command: one module a verb; commands/cli.py parses the arguments and
turns errors a user can cause into one line."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..config import check_base_url, load_config
from ..errors import DossierError, UsageError


def site_config(site: Path, args):
    """dossier.yaml, with --base-url over its base_url."""
    config = load_config(site)
    if getattr(args, "base_url", None):
        checked_base_url(args)
        config = replace(config, base_url=args.base_url)
    return config


def checked_base_url(args) -> None:
    """A bad --base-url is a usage error (exit 2), not bad content."""
    if getattr(args, "base_url", None):
        try:
            check_base_url(args.base_url, "--base-url")
        except DossierError as e:
            raise UsageError(e.path, e.message, hint=e.hint) from None
