"""Docs that are tested: every setting and every CLI option appears in the docs."""
from pathlib import Path

from dossier.commands.cli import parser
from dossier.config import config_keys

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def test_every_config_key_is_documented():
    missing = [k for k in config_keys() if f"`{k}`" not in DOCS]
    assert not missing, f"dossier.yaml keys missing from README/docs: {missing}"


def test_every_cli_option_is_documented():
    p = parser()
    sub = next(a for a in p._actions if a.dest == "command")
    missing = []
    for name, cmd in sub.choices.items():
        if f"dossier {name}" not in DOCS:
            missing.append(name)
        for action in cmd._actions:
            long = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            if long and not any(o in DOCS for o in long):
                missing.append(f"{name} {long[0]}")
    assert not missing, f"commands/options missing from README/docs: {missing}"
