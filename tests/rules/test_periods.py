"""Reporting periods as a DCO names them, and the period before each."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_rules import RulesError, month_so_far, parse_period

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        (None, date(2026, 10, 1), date(2026, 10, 31), "October 2026"),  # last month: complete
        ("This Month", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("last month", date(2026, 10, 1), date(2026, 10, 31), "October 2026"),
        ("this quarter", date(2026, 10, 1), date(2026, 12, 31), "Oct 2026 to Dec 2026"),
        ("last quarter", date(2026, 7, 1), date(2026, 9, 30), "Jul 2026 to Sep 2026"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "February 2028"),
        (
            "2026-09-01 to 2026-11-30",
            date(2026, 9, 1),
            date(2026, 11, 30),
            "2026-09-01 to 2026-11-30",
        ),
    ],
)
def test_periods_are_understood(text: str | None, start: date, end: date, label: str) -> None:
    period = parse_period(text, TODAY)

    assert (period.start, period.end) == (start, end)
    assert period.label == label


def test_the_previous_period_is_the_same_kind_just_before() -> None:
    assert parse_period("this month", TODAY).previous().label == "October 2026"
    quarter = parse_period("this quarter", TODAY).previous()
    assert (quarter.start, quarter.end) == (date(2026, 7, 1), date(2026, 9, 30))
    span = parse_period("2026-11-10 to 2026-11-19", TODAY).previous()
    assert (span.start, span.end) == (date(2026, 10, 31), date(2026, 11, 9))


@pytest.mark.parametrize(
    "text", ["yesterday", "2026-13", "2026-11-30 to 2026-11-01", "2026-02-30 to 2026-03-01"]
)
def test_anything_else_is_refused_with_what_is_understood(text: str) -> None:
    with pytest.raises(RulesError, match="is not a period I know: say this month"):
        parse_period(text, TODAY)


def test_the_month_so_far_runs_from_its_first_day_to_today() -> None:
    so_far = month_so_far(date(2026, 12, 1))

    assert (so_far.start, so_far.end, so_far.label) == (
        date(2026, 12, 1),
        date(2026, 12, 1),
        "December 2026 so far",
    )
    assert parse_period(None, date(2026, 12, 1)).label == "November 2026"  # never empty
