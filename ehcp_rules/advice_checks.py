"""Dates of an advice request that cannot be true together, refused with the reason.

One set of checks for every path that writes a request (the cards, the chat, the importer), so
that each refuses the same things in the same words. Each check raises ``InvalidDatesError``.

Sources: reg 8(1) and 8(2), SEND Regulations 2014 (6 weeks from receipt; an exception only for a
circumstance arising "during that 6 week period"); seed 001 (a clinical delay is communicated to
the requesting team, so it has a date); seed 002 (at escalation 2, health says when the advice
will come or that it will not be provided, with the reason).
"""

from __future__ import annotations

from datetime import date, timedelta

from ehcp_rules.advice import LATEST_ABSENCE_DAY, ExceptionReason
from ehcp_rules.errors import InvalidDatesError
from ehcp_rules.escalation import EscalationLadder, advice_due_date, escalation_schedule
from ehcp_rules.records import AdviceOutcome, AdviceRequestRecord

OLDEST_OPEN_REQUEST = timedelta(days=365)
"""A request still open that was received longer ago than this is refused: it would be nearly a
year past its 6 weeks, its ladder long finished, so the date is far likelier a slip (a 2019 for
a 2026) than a request nobody has chased for a year. A closed request of any age is history
(the 12-month trend needs it) and is accepted."""


def _d(day: date) -> str:
    return f"{day:%d %b %Y}"


def check_received(received: date, today: date, *, closed: bool = False) -> None:
    """The day health received the request: not in the future, and, while the request is open,
    not more than :data:`OLDEST_OPEN_REQUEST` ago."""
    if received > today:
        raise InvalidDatesError(f"the date received ({_d(received)}) is in the future")
    if not closed and today - received > OLDEST_OPEN_REQUEST:
        overdue = (today - advice_due_date(received)).days
        raise InvalidDatesError(
            f"the date received ({_d(received)}) is more than a year ago, so the advice would "
            f"already be {overdue} days overdue: check the year. A request that old is history; "
            "import it with the date it was returned"
        )


def check_request_dates(record: AdviceRequestRecord, today: date) -> None:
    """Every check of a whole request (the importer's): received, the other dates against it,
    and what each outcome and exception needs."""
    received = record.received_on
    check_received(received, today, closed=record.returned_on is not None)
    if record.la_deadline is not None and record.la_deadline < received:
        raise InvalidDatesError(
            f"the local authority's deadline ({_d(record.la_deadline)}) is before the request "
            f"was received ({_d(received)})"
        )
    if record.assessment_requested_on is not None and record.assessment_requested_on > received:
        raise InvalidDatesError(
            f"the assessment request date ({_d(record.assessment_requested_on)}) is after health "
            f"received the request ({_d(received)}): the local authority asks health after it "
            "receives the assessment request"
        )
    for label, day in (
        ("referral date", record.referral_on),
        ("expected date", record.expected_on),
    ):
        if day is not None and day < received:
            raise InvalidDatesError(
                f"the {label} ({_d(day)}) is before the request was received ({_d(received)})"
            )
    _check_outcome(record)
    if record.exception_reason is not None:
        check_exception(
            received,
            record.exception_arose_on,
            record.agreed_return_on,
            today,
            record.exception_reason,
        )


def _check_outcome(record: AdviceRequestRecord) -> None:
    if record.outcome is AdviceOutcome.CLINICAL_DELAY and record.expected_on is None:
        raise InvalidDatesError(
            "a clinical delay needs the expected date the requesting team was given (expected_on)"
        )
    if record.outcome is AdviceOutcome.NOT_KNOWN_REFERRED and record.referral_on is None:
        raise InvalidDatesError(
            "'not known, referred' needs the date of the referral (referral_on)"
        )
    if record.outcome is AdviceOutcome.NOT_PROVIDED:
        if record.returned_on is None:
            raise InvalidDatesError(
                "'advice will not be provided' needs the day health said so (returned_on)"
            )
        check_not_provided(record.received_on, record.returned_on, record.not_provided_reason)
    if record.outcome is AdviceOutcome.RETURNED and record.returned_on is None:
        raise InvalidDatesError("'returned' needs the date the advice was returned (returned_on)")


def check_exception(
    received: date,
    arose: date | None,
    agreed: date | None,
    today: date,
    reason: ExceptionReason | None = None,
) -> None:
    """A reg 8(2) exception: the day its circumstance arose, within the 6 weeks from the day
    the request was received to the due date ("during that 6 week period", each of (a) to (c)),
    not in the future; and the return date agreed with the requesting team, not before the
    circumstance arose (the advice is still owed). For (b), the 4 weeks' absence must fit in the
    6 weeks too, so it began by :func:`latest_absence_start`."""
    due = advice_due_date(received)
    _check_arose(received, arose, today, due)
    assert arose is not None
    latest = latest_absence_start(received)
    if reason is ExceptionReason.ABSENT_FROM_AREA and arose > latest:
        raise InvalidDatesError(
            f"an absence from the area that began on {_d(arose)} cannot last the 4 weeks reg "
            f"8(2)(b) needs within the 6 weeks, which end on {_d(due)}: it would have begun by "
            f"{_d(latest)}. A shorter absence is not an exception under (b)"
        )
    if agreed is None:
        raise InvalidDatesError(
            "an exception needs the return date agreed with the requesting team: the advice "
            "is still owed"
        )
    if agreed < arose:
        raise InvalidDatesError(
            f"the agreed return date ({_d(agreed)}) is before the circumstance arose ({_d(arose)})"
        )


def latest_absence_start(received: date) -> date:
    """The last day an absence from the area can begin and still last 4 weeks within the 6
    (reg 8(2)(b)): its 28 days, from the day it began, end on the due date at the latest, so it
    began 27 days before it (the first day of week 3; received Monday 12 October 2026, due
    Monday 23 November: Tuesday 27 October)."""
    return received + timedelta(days=LATEST_ABSENCE_DAY)


def _check_arose(received: date, arose: date | None, today: date, due: date) -> None:
    if arose is None:
        raise InvalidDatesError("an exception needs the date its circumstance arose")
    if arose > today:
        raise InvalidDatesError(f"the date the circumstance arose ({_d(arose)}) is in the future")
    if arose < received:
        raise InvalidDatesError(
            f"the circumstance arose on {_d(arose)}, before the request was received "
            f"({_d(received)}): reg 8(2) covers only what happens during the 6 weeks from "
            "receipt"
        )
    if arose > due:
        raise InvalidDatesError(
            f"the circumstance arose on {_d(arose)}, after the advice was due ({_d(due)}): "
            "reg 8(2) covers only what happens during the 6 weeks, so the request is late, "
            "not excepted"
        )


def check_not_provided(
    received: date,
    on: date,
    reason: str | None,
    ladder: EscalationLadder | None = None,
) -> None:
    """ "Advice will not be provided": seed 002's answer to escalation 2 (inside health), so only
    once escalation 2 is reached, and always with the reason."""
    if not (reason or "").strip():
        raise InvalidDatesError("say why the advice will not be provided (the reason is needed)")
    last = escalation_schedule(received, ladder)[-1]
    if on < last.on:
        raise InvalidDatesError(
            f"'advice will not be provided' is health's answer at {last.title.lower()} "
            f"({_d(last.on)} for this request), and {_d(on)} is before it: until then, chase "
            "the advice"
        )
