"""Dates as editors write them: a day, a month or a year, kept at that precision."""
from __future__ import annotations

from functools import lru_cache

import datetime as dt
import os
import re

from .errors import UsageError

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def parse_date(value) -> tuple[str, str]:
    """(ISO string, precision) from a YAML value; ValueError with a reason if it is not a date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date like 2023-03-20, 2023-03 or 2023, got {value!r}")
    text = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        raise ValueError(f"{text!r} is not a date like 2023-03-20, 2023-03 or 2023")
    year, month, day = m.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day)).isoformat(), "day"
        if month:
            dt.date(int(year), int(month), 1)
            return f"{year}-{int(month):02d}", "month"
    except ValueError as e:
        raise ValueError(f"{text!r} is not a real date ({e})") from None
    return year, "year"


def precision(iso: str) -> str:
    return {10: "day", 7: "month"}.get(len(iso), "year")


@lru_cache(maxsize=4096)  # the same few hundred dates on every list, after every edit
def label(iso: str) -> str:
    """Human date at its own precision: 20 March 2023, March 2023, 2023."""
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def range_label(start: str, end: str | None) -> str:
    """20–22 March 2023; 17 October – 2 November 2023; March 2023; 2022–2023."""
    if not end or end == start:
        return label(start)
    a, b = start.split("-"), end.split("-")
    if len(a) == len(b) == 3 and a[:2] == b[:2]:
        return f"{int(a[2])}–{int(b[2])} {MONTHS[int(a[1]) - 1]} {a[0]}"
    if len(a) == len(b) == 3 and a[0] == b[0]:
        return f"{int(a[2])} {MONTHS[int(a[1]) - 1]} – {label(end)}"
    return f"{label(start)} – {label(end)}"


def build_date() -> str:
    """The day the site says it was built (page footers, the feed, the print edition):
    SOURCE_DATE_EPOCH's when it is set (reproducible-builds.org: seconds since
    1970-01-01 UTC, digits only), so two builds of one content are the same bytes;
    else today, in UTC. A malformed value is refused, as the specification asks,
    rather than quietly replaced by today."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        if re.fullmatch(r"[0-9]+", value):
            return dt.datetime.fromtimestamp(int(value), dt.timezone.utc).date().isoformat()
    except (OverflowError, ValueError, OSError):  # past year 9999
        pass
    raise UsageError("SOURCE_DATE_EPOCH", f"{value!r} is not a number of seconds since 1970-01-01 UTC",
                     hint="like 1714521600, as `date +%s` prints it; or unset it")
