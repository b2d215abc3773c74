"""Real scrapes end to end (issue 12): what clean keeps is in dossier.json, saved web
pages are sources, and the furniture of one site never makes two articles one story."""
from __future__ import annotations

import json

from conftest import run_dossier


def build(site, files: dict) -> dict:
    root = site({"dossier.yaml": "title: Scrapes\n", **files})
    result = run_dossier("build", str(root), "-q")
    assert result.returncode == 0, result.stderr
    return json.loads((root / "build" / "dossier.json").read_text())


def test_dossier_json_carries_the_cleaned_paragraphs_in_order(site):
    model = build(site, {"content/articles/a.txt": """
        Menu
        Home
        A harbour reopens after the storm

        The harbour of Vardø reopened on Monday after a week of repairs to the breakwater.

        Fishing boats queued at the quay before dawn, their holds empty.
        Advertisement
        """})
    src = next(s for s in model["sources"] if s["id"] == "articles/a.txt")
    assert src["paragraphs"] == [
        "The harbour of Vardø reopened on Monday after a week of repairs to the breakwater.",
        "Fishing boats queued at the quay before dawn, their holds empty."]
    assert {r["text"] for r in src["removed"]} >= {"Menu", "Home", "Advertisement"}
