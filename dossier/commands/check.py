"""`dossier check`: what build would warn about, and more, without writing anything."""
from __future__ import annotations

from pathlib import Path

from ..build import build_model
from ..errors import printable
from ..pipeline.checks import findings, report_json, report_text


def cmd_check(site: Path, args) -> int:
    """Exit 1 on an error (on a warning too with --strict); info never fails."""
    found = findings(build_model(site))
    # json escapes what a terminal would act on; the text report, line by line, here
    print(report_json(found) if args.format == "json" else "\n".join(map(printable, report_text(found).split("\n"))))
    failing = ("error", "warning") if args.strict else ("error",)
    return 1 if any(f.severity in failing for f in found) else 0
