"""Calendar arithmetic: working days in England and calendar months.

Statutory periods are calendar days, weeks and months; working days belong only to the local
escalation ladder and to when nudges are posted. A working day is Monday to Friday and not a bank
holiday of England and Wales. ``holidays.country_holidays("GB", subdiv="ENG")`` is used because
without ``subdiv`` it misses Easter Monday (DESIGN.md §3, "Dates").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

from ehcp_rules.errors import InvalidDatesError
from ehcp_rules.privacy import quoted

_SATURDAY = 5


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


@lru_cache(maxsize=8192)
def is_bank_holiday(day: date) -> bool:
    """True on a bank holiday in England and Wales (substitute days included)."""
    return day in _bank_holidays()


def is_working_day(day: date) -> bool:
    """True on Monday to Friday unless it is a bank holiday in England and Wales."""
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


@lru_cache(maxsize=65536)
def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day strictly after ``start`` (``count`` >= 0).

    ``add_working_days(d, 0)`` is ``d`` itself, working day or not. Remembered: a national
    sweep asks the same few hundred (day, count) pairs tens of thousands of times.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


@lru_cache(maxsize=65536)
def working_days_since(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 when ``end`` is
    not after ``start``): "the reply was due on ``start``, so many working days ago"."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def last_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the last working day before it. A step
    taken on the next working day after its calendar day ``d`` has been taken by ``day``
    exactly when ``d <= last_working_day(day)``."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@lru_cache(maxsize=65536)  # the sweep asks for the same few hundred days' months, 100,000 times
def add_months(start: date, months: int) -> date:
    """The corresponding date ``months`` calendar months on (or back), clamped to month end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


@lru_cache(maxsize=65536)
def months_period_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` calendar months *starting with* ``start``.

    The period ends the day before the corresponding date; where the later month has no
    corresponding date (29 February in a common year, 31st of a shorter month) it ends on that
    month's last day — the "corresponding date" rule (Dodds v Walker [1981]).
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    corresponding = add_months(start, months)
    if corresponding.day != start.day:
        return corresponding
    return corresponding - timedelta(days=1)


EARLIEST_DAY = date(2014, 9, 1)
"""EHC plans, and every deadline the assistant keeps, began on 1 September 2014 (Children and
Families Act 2014, Part 3, in force that day): no date it keeps is earlier."""
LATEST_DAY = date(2099, 12, 31)
"""The last day a typed date may name (a year typed as 20277 is a slip, not a deadline)."""

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str) -> date:
    """A date as people type it in England: ISO (``2026-11-02``) or day first (``02/11/2026``,
    ``2/11/2026``). ``InvalidDatesError`` says which forms are understood."""
    value = text.strip()
    day = None
    try:
        if _ISO.fullmatch(value):
            day = date.fromisoformat(value)
        elif uk := _UK.fullmatch(value):
            day = date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass
    if day is None:
        raise InvalidDatesError(f"{quoted(value)} is not a date (use 2026-11-02 or 02/11/2026)")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidDatesError(
            f"{quoted(value)} is outside the dates the assistant keeps: from 1 September 2014, "
            "when EHC plans began, to 2099"
        )
    return day
