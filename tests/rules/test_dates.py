"""Working days in England (weekends, bank holidays) and calendar-month periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp_rules import (
    InvalidDatesError,
    add_months,
    add_working_days,
    is_bank_holiday,
    is_working_day,
    months_period_end,
    next_working_day,
    parse_day,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 23), True),  # a Monday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas Day, a Friday
        (date(2026, 12, 28), False),  # Boxing Day falls on Saturday: substitute Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday: England and Wales, not Scotland
        (date(2026, 5, 4), False),  # Early May bank holiday
        (date(2026, 5, 25), False),  # Spring bank holiday
        (date(2026, 8, 31), False),  # Summer bank holiday (England, not Scotland's 3 Aug)
        (date(2026, 8, 3), True),
        (date(2027, 3, 29), False),  # Easter Monday 2027
    ],
)
def test_working_days_skip_weekends_and_english_bank_holidays(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_easter_monday_is_a_bank_holiday_in_england() -> None:
    assert is_bank_holiday(date(2026, 4, 6))
    assert not is_bank_holiday(date(2026, 4, 7))


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 23), 3, date(2026, 11, 26)),  # Mon + 3 → Thu
        (date(2026, 11, 26), 3, date(2026, 12, 1)),  # Thu + 3 → Tue, over a weekend
        (date(2026, 12, 23), 3, date(2026, 12, 30)),  # over Christmas and the substitute day
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 28), 3, date(2026, 12, 31)),  # counted strictly after a holiday
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Good Friday and Easter Monday
        (date(2026, 8, 28), 1, date(2026, 9, 1)),  # over the summer bank holiday
        (date(2026, 12, 21), 10, date(2027, 1, 7)),  # ten working days over Christmas
        (date(2026, 11, 28), 0, date(2026, 11, 28)),
    ],
)
def test_add_working_days_counts_strictly_after_the_start(
    start: date, count: int, expected: date
) -> None:
    assert add_working_days(start, count) == expected


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 1, 5), -1)


def test_next_working_day_is_the_day_itself_or_the_first_after() -> None:
    assert next_working_day(date(2026, 11, 23)) == date(2026, 11, 23)
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(1, 40))
def test_the_nth_working_day_is_a_working_day_with_n_working_days_up_to_it(
    start: date, count: int
) -> None:
    end = add_working_days(start, count)
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]

    assert is_working_day(end)
    assert sum(1 for d in days if is_working_day(d)) == count


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 23), -11, date(2025, 12, 23)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 9, 15), date(2026, 9, 14)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # no 29 Feb in 2025: the month's last day
        (date(2023, 3, 1), date(2024, 2, 29)),  # ends on a leap day
        (date(2024, 2, 28), date(2025, 2, 27)),
        (date(2025, 8, 31), date(2026, 8, 30)),
    ],
)
def test_twelve_months_starting_with_a_date_ends_the_day_before_its_anniversary(
    start: date, expected: date
) -> None:
    assert months_period_end(start, 12) == expected


def test_one_month_starting_with_the_31st_ends_at_the_end_of_a_short_month() -> None:
    assert months_period_end(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_period_end(date(2026, 1, 28), 1) == date(2026, 2, 27)


@pytest.mark.parametrize("typed", ["0001-01-01", "31/08/2014", "2100-01-01", "01/01/9999"])
def test_a_date_before_ehc_plans_began_or_past_2099_is_refused_saying_why(typed: str) -> None:
    with pytest.raises(InvalidDatesError, match="from 1 September 2014, when EHC plans began"):
        parse_day(typed)
    assert parse_day("01/09/2014") == date(2014, 9, 1)  # the day Part 3 came into force
    assert parse_day("2099-12-31") == date(2099, 12, 31)
