"""Reporting periods as people name them: this month, last month, this quarter, 2026-10, a range."""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from ehcp_rules.compliance import month_period
from ehcp_rules.dates import EARLIEST_DAY, LATEST_DAY, add_months
from ehcp_rules.errors import RulesError
from ehcp_rules.privacy import quoted


class Period(BaseModel):
    """A span of days, inclusive, with its name and the span before it (for comparison)."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    label: str

    def previous(self) -> Period:
        """The period of the same kind just before: the month, quarter or range before."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = add_months(self.start, -months)
            end = self.start - timedelta(days=1)
            return Period(start=start, end=end, label=_months_label(start, end))
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period(start=end - length, end=end, label=f"{end - length} to {end}")


def _months_label(start: date, end: date) -> str:
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    return f"{start:%b %Y} to {end:%b %Y}"


DEFAULT_PERIOD = "last month"
"""The summary's period when none is named: the last complete month. Every request due in it is
due by now, so its figures are final and never "n/a" for lack of time (on the 1st, "this month"
has one day behind it); the month so far is shown beside it (:func:`month_so_far`). Seed 001
and seed 003 report 6-week compliance monthly."""


def month_so_far(today: date) -> Period:
    """This month from its first day to today: what the summary shows beside a past period."""
    start = today.replace(day=1)
    return Period(start=start, end=today, label=f"{today:%B %Y} so far")


def parse_period(text: str | None, today: date) -> Period:
    """``last month`` (the default), ``this month``, ``this quarter``, ``last quarter``,
    ``2026-10``, or ``2026-09-01 to 2026-11-30``, within the years the assistant keeps (2014, when
    EHC plans began, to 2099); ``RulesError`` saying what is understood."""
    period = _named_period(text, today)
    if period is None:
        raise RulesError(
            f"{quoted(text)} is outside the years the assistant keeps: from 2014, when EHC plans "
            "began, to 2099."
        )
    return period


def _named_period(text: str | None, today: date) -> Period | None:
    """The period ``text`` names; ``None`` when it is outside the years kept."""
    words = " ".join((text or DEFAULT_PERIOD).lower().split())
    if words in ("this month", "last month"):
        anchor = today if words == "this month" else add_months(today, -1)
        start, end = month_period(anchor.year, anchor.month)
        return Period(start=start, end=end, label=_months_label(start, end))
    if words in ("this quarter", "last quarter"):
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = first if words == "this quarter" else add_months(first, -3)
        end = add_months(start, 3) - timedelta(days=1)
        return Period(start=start, end=end, label=_months_label(start, end))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", words):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            if not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
                return None
            start, end = month_period(year, month)
            return Period(start=start, end=end, label=_months_label(start, end))
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", words):
        try:
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError:
            start, end = date.max, date.min
        if start <= end:
            if start.year < EARLIEST_DAY.year or end > LATEST_DAY:
                return None
            return Period(start=start, end=end, label=f"{start} to {end}")
    raise RulesError(
        f"{quoted(text)} is not a period I know: say this month, last month, this quarter, "
        "last quarter, a month like 2026-10, or a range like 2026-09-01 to 2026-11-30."
    )
