"""6-week compliance for a period, checked against a hand-worked example."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_rules import AdviceRequest, ExceptionReason, compliance, month_period


def _request(
    ref: str, received: date, returned: date | None = None, **extra: object
) -> AdviceRequest:
    return AdviceRequest.model_validate(
        {"reference": ref, "received_on": received, "returned_on": returned, **extra}
    )


NOVEMBER = month_period(2026, 11)
REQUESTS = [
    _request("A", date(2026, 9, 21), date(2026, 10, 30)),  # due 2 Nov, on time
    _request("B", date(2026, 9, 28), date(2026, 11, 9)),  # due 9 Nov, returned on the due day
    _request("C", date(2026, 10, 5), date(2026, 11, 20)),  # due 16 Nov, late
    _request("D", date(2026, 10, 12)),  # due 23 Nov, still open
    _request(
        "E",
        date(2026, 10, 12),
        date(2026, 12, 1),
        exception=ExceptionReason.ABSENT_FROM_AREA,
        exception_arose_on=date(2026, 10, 26),
    ),  # due 23 Nov, late, with an absence that began in time for its 4 weeks within the 6
    _request(
        "F",
        date(2026, 10, 19),
        exception=ExceptionReason.MISSED_APPOINTMENT,
        exception_arose_on=date(2026, 11, 2),
    ),  # due 30 Nov, open
    _request("G", date(2026, 10, 1), date(2026, 11, 1)),  # due 12 Nov, on time
    _request("H", date(2026, 11, 5)),  # received in November, due in December
    _request("I", date(2026, 8, 1), date(2026, 9, 1)),  # due in September
]


def test_the_month_is_its_first_and_last_day() -> None:
    assert (date(2026, 11, 1), date(2026, 11, 30)) == NOVEMBER
    assert month_period(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))


def test_compliance_counts_requests_due_in_the_period_with_and_without_exceptions() -> None:
    measures = compliance(REQUESTS, *NOVEMBER, today=date(2026, 12, 10))

    assert measures.received == 1
    assert measures.due == 7
    assert (measures.on_time, measures.late, measures.open_overdue) == (3, 2, 2)
    assert measures.not_yet_due == 0
    assert measures.exceptions == {
        ExceptionReason.ABSENT_FROM_AREA: 1,
        ExceptionReason.MISSED_APPOINTMENT: 1,
    }
    assert measures.exception_references == ("E", "F")
    assert measures.percent_on_time == 42.9  # 3 of 7
    assert measures.percent_on_time_excluding_exceptions == 60.0  # 3 of 5


def test_requests_not_yet_due_are_counted_neither_way() -> None:
    before_e_returned = [r for r in REQUESTS if r.reference != "E"]

    measures = compliance(before_e_returned, *NOVEMBER, today=date(2026, 11, 25))

    assert measures.due == 6
    assert measures.not_yet_due == 1  # F, due 30 November
    assert (measures.on_time, measures.late, measures.open_overdue) == (3, 1, 1)
    assert measures.percent_on_time == 60.0
    assert measures.percent_on_time_excluding_exceptions == 60.0


def test_an_empty_period_has_no_percentage() -> None:
    measures = compliance([], *NOVEMBER, today=date(2026, 12, 10))

    assert measures.due == 0
    assert measures.percent_on_time is None
    assert measures.percent_on_time_excluding_exceptions is None


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        compliance(REQUESTS, date(2026, 11, 30), date(2026, 11, 1), today=date(2026, 12, 1))
