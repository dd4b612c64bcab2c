"""6-week compliance measures for a period (seed 001; seed 003 action 4.1).

Of the requests whose due date falls in the period, the share returned by the due date. Requests
still open before or on their due date are not yet counted either way. Exceptions (reg 8(2)) are
counted by reason and listed, never hidden, and the share is shown both with them (every request
counted) and without them (excepted requests left out of both sides) — leaving out only the
exceptions that meet reg 8(2), whose circumstance arose during the 6 weeks. A request closed as
"advice will not be provided" (seed 002, at escalation 2) counts as late.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict

from ehcp_rules.advice import AdviceRequest, ExceptionReason


class ComplianceMeasures(BaseModel):
    """The measures for one period, over one set of requests (a service, or all)."""

    model_config = ConfigDict(frozen=True)

    period_start: date
    period_end: date
    received: int
    due: int
    on_time: int
    late: int
    open_overdue: int
    not_yet_due: int
    exceptions: dict[ExceptionReason, int]
    exception_references: tuple[str, ...]
    percent_on_time: float | None
    percent_on_time_excluding_exceptions: float | None


def month_period(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def compliance(
    requests: Iterable[AdviceRequest], start: date, end: date, today: date
) -> ComplianceMeasures:
    """The 6-week measures on ``today`` for requests due from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    tally: Counter[str] = Counter()
    exceptions: Counter[ExceptionReason] = Counter()
    references: list[str] = []
    for request in requests:
        if start <= request.received_on <= end:
            tally["received"] += 1
        if not start <= request.due_on <= end:
            continue
        outcome = _outcome(request, today)
        tally[outcome] += 1
        if request.exception is not None:
            exceptions[request.exception] += 1
            references.append(request.reference or "(no reference)")
        if request.exception_applies:
            tally[f"excepted_{outcome}"] += 1
    return measures_from_counts(start, end, tally, exceptions, references)


def _outcome(request: AdviceRequest, today: date) -> str:
    if request.not_provided:  # closed at escalation 2 without advice (seed 002): late
        return "late"
    if request.returned_on is not None:
        return "on_time" if request.returned_on <= request.due_on else "late"
    return "open_overdue" if today > request.due_on else "not_yet_due"


def measures_from_counts(
    start: date,
    end: date,
    tally: Mapping[str, int],
    exceptions: Mapping[ExceptionReason, int],
    references: list[str],
) -> ComplianceMeasures:
    """The measures from counts (as SQL aggregates give them): ``received``, ``on_time``,
    ``late``, ``open_overdue``, ``not_yet_due`` and ``excepted_`` + each of the first three."""
    tally = Counter(tally)
    counted = tally["on_time"] + tally["late"] + tally["open_overdue"]
    excepted = tally["excepted_on_time"] + tally["excepted_late"] + tally["excepted_open_overdue"]
    return ComplianceMeasures(
        period_start=start,
        period_end=end,
        received=tally["received"],
        due=counted + tally["not_yet_due"],
        on_time=tally["on_time"],
        late=tally["late"],
        open_overdue=tally["open_overdue"],
        not_yet_due=tally["not_yet_due"],
        exceptions={reason: n for reason, n in exceptions.items() if n},
        exception_references=tuple(sorted(references)),
        percent_on_time=percent_of(tally["on_time"], counted),
        percent_on_time_excluding_exceptions=percent_of(
            tally["on_time"] - tally["excepted_on_time"], counted - excepted
        ),
    )


def percent_of(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` to one decimal place; ``None`` when ``whole`` is 0."""
    return None if whole == 0 else round(100 * part / whole, 1)
