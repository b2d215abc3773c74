import datetime as dt

import pytest

from dossier.dates import parse_date, range_label


@pytest.mark.parametrize("value, expected", [
    (dt.date(2022, 2, 4), ("2022-02-04", "day")),
    ("2023-03", ("2023-03", "month")),
    ("2023", ("2023", "year")),
    (2023, ("2023", "year")),
    ("2023-3-20", ("2023-03-20", "day")),
])
def test_parse(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13", "next week", None, ["2023"], "20230320"])
def test_refused(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize("start, end, expected", [
    ("2023-03-20", "2023-03-22", "20–22 March 2023"),
    ("2023-10-17", "2023-11-02", "17 October – 2 November 2023"),
    ("2023-02", None, "February 2023"),
    ("2022", "2023", "2022 – 2023"),
])
def test_range_label(start, end, expected):
    assert range_label(start, end) == expected
