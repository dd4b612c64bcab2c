"""Health advice requests in an EHC needs assessment: the 6-week rule and its exceptions.

Source: SEND Regulations 2014 reg 8 — advice within 6 weeks of receiving the request (8(1)),
unless impractical because of one of the three circumstances of 8(2); seeds 000 to 003.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ehcp_rules.dates import working_days_since
from ehcp_rules.errors import InvalidDatesError
from ehcp_rules.escalation import (
    ADVICE_PERIOD,
    EscalationLadder,
    EscalationStep,
    advice_due_date,
    escalation_schedule,
)

ABSENCE = timedelta(weeks=4)
"""Reg 8(2)(b): absent from the area "for a continuous period of not less than 4 weeks during
that 6 week period"."""

LATEST_ABSENCE_DAY = (ADVICE_PERIOD - ABSENCE).days + 1
"""The last day after receipt an absence can begin and still last its 4 weeks within the 6: its
28 days, from the day it began, end on the due date at the latest (day 15: received Monday
12 October 2026, due Monday 23 November, the absence began by Tuesday 27 October)."""


class ExceptionReason(StrEnum):
    """The only exceptions to the 6-week limit (reg 8(2)); nothing else counts."""

    EXCEPTIONAL_CIRCUMSTANCES = "exceptional_circumstances"
    ABSENT_FROM_AREA = "absent_from_area"
    MISSED_APPOINTMENT = "missed_appointment"

    @property
    def label(self) -> str:
        """Plain words for the reason."""
        return _EXCEPTION_LABELS[self]

    @property
    def regulation(self) -> str:
        """The paragraph it comes from, e.g. ``reg 8(2)(b)``."""
        return f"reg 8(2)({'abc'[list(ExceptionReason).index(self)]})"


EXCEPTED = "Exception (reg 8(2))"
"""Where an overdue request with a reg 8(2) exception stands instead of a rung of the ladder."""

_EXCEPTION_LABELS = {
    ExceptionReason.EXCEPTIONAL_CIRCUMSTANCES: (
        "Exceptional circumstances affect the child, the child's parent or the young person "
        "during that 6 week period"
    ),
    ExceptionReason.ABSENT_FROM_AREA: (
        "The child, the child's parent or the young person are absent from the area of the "
        "authority for a continuous period of not less than 4 weeks during that 6 week period"
    ),
    ExceptionReason.MISSED_APPOINTMENT: (
        "The child or young person fails to keep an appointment for an examination or a test "
        "made by the body during that 6 week period"
    ),
}
"""The three heads of reg 8(2), SEND Regulations 2014, in the regulation's own words."""


class AdviceRequest(BaseModel):
    """What the rules need of one request: when it came in, whether and when advice went back."""

    model_config = ConfigDict(frozen=True)

    received_on: date
    returned_on: date | None = Field(
        default=None, description="the day it closed: advice returned, or said not to be provided"
    )
    exception: ExceptionReason | None = None
    exception_arose_on: date | None = None
    agreed_return_on: date | None = None
    expected_on: date | None = Field(default=None, description="a clinical delay's expected date")
    not_provided: bool = False
    reference: str | None = Field(default=None, description="the case reference, never a name")

    @model_validator(mode="after")
    def _returned_after_received(self) -> AdviceRequest:
        if self.returned_on is not None and self.returned_on < self.received_on:
            raise ValueError(
                f"advice returned on {self.returned_on} is before the request was received "
                f"on {self.received_on}"
            )
        return self

    @property
    def due_on(self) -> date:
        """The advice due date: received + 6 weeks."""
        return advice_due_date(self.received_on)

    @property
    def exception_applies(self) -> bool:
        """True when the recorded exception meets reg 8(2): the circumstance arose *during that
        6 week period*, from the day the request was received to the due date (an absence from
        the area, (b), by ``LATEST_ABSENCE_DAY``, so that its 4 weeks fall within the 6). An
        exception without that date (kept before it was asked for) cannot be shown to, so it is
        listed but not left out of the measure."""
        arose = self.exception_arose_on
        if self.exception is None or arose is None:
            return False
        latest = self.due_on
        if self.exception is ExceptionReason.ABSENT_FROM_AREA:  # its 4 weeks within the 6
            latest = self.received_on + timedelta(days=LATEST_ABSENCE_DAY)
        return self.received_on <= arose <= latest


class AdviceState(StrEnum):
    """Where a request stands on a given day."""

    IN_TIME = "in_time"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    RETURNED_ON_TIME = "returned_on_time"
    RETURNED_LATE = "returned_late"
    NOT_PROVIDED = "not_provided"


class AdviceStatus(BaseModel):
    """The state of one request today, its escalation and what to do next."""

    model_config = ConfigDict(frozen=True)

    state: AdviceState
    due_on: date
    days_remaining: int
    days_overdue: int
    escalation: EscalationStep | None
    next_escalation: EscalationStep | None
    exception: ExceptionReason | None
    next_action: str
    next_action_on: date | None


def advice_status(
    request: AdviceRequest, today: date, ladder: EscalationLadder | None = None
) -> AdviceStatus:
    """The status of ``request`` on ``today``.

    A request with a reg 8(2) exception is not escalated (the limit does not apply), but the
    advice is still owed and the status says so. A returned request has no escalation.
    """
    if request.received_on > today:
        raise InvalidDatesError(f"request received on {request.received_on} is after {today}")
    if request.returned_on is not None and request.returned_on > today:
        raise InvalidDatesError(f"advice returned on {request.returned_on} is after {today}")
    due = request.due_on
    if request.returned_on is not None:
        return _returned_status(request, request.returned_on, due)
    reached, upcoming = _ladder_position(request, today, ladder)
    action, action_on = _next_action(request, today, due, reached, upcoming)
    return AdviceStatus(
        state=_open_state(today, due),
        due_on=due,
        days_remaining=max((due - today).days, 0),
        days_overdue=max((today - due).days, 0),
        escalation=reached,
        next_escalation=upcoming,
        exception=request.exception,
        next_action=action,
        next_action_on=action_on,
    )


def _open_state(today: date, due: date) -> AdviceState:
    if today < due:
        return AdviceState.IN_TIME
    return AdviceState.DUE_TODAY if today == due else AdviceState.OVERDUE


def _returned_status(request: AdviceRequest, returned: date, due: date) -> AdviceStatus:
    late = (returned - due).days
    state = AdviceState.RETURNED_LATE if late > 0 else AdviceState.RETURNED_ON_TIME
    timing = ("1 day late" if late == 1 else f"{late} days late") if late > 0 else "on time"
    action = f"Closed: advice returned on {returned:%d %b %Y}, {timing}."
    if request.not_provided:
        state = AdviceState.NOT_PROVIDED
        action = f"Closed on {returned:%d %b %Y}: the advice will not be provided."
    return AdviceStatus(
        state=state,
        due_on=due,
        days_remaining=0,
        days_overdue=max(late, 0),
        escalation=None,
        next_escalation=None,
        exception=request.exception,
        next_action=action,
        next_action_on=None,
    )


def _ladder_position(
    request: AdviceRequest, today: date, ladder: EscalationLadder | None
) -> tuple[EscalationStep | None, EscalationStep | None]:
    if request.exception is not None:
        return None, None
    reached: EscalationStep | None = None
    for step in escalation_schedule(request.received_on, ladder):
        if step.on > today:
            return reached, step
        reached = step
    return reached, None


def reply_overdue(step: EscalationStep, today: date) -> str | None:
    """ "reply was due 11 Dec, 9 working days ago" once a step's reply-by date has passed
    (``None`` before then, or for a step that asks no reply)."""
    if step.reply_by is None or today <= step.reply_by:
        return None
    ago = working_days_since(step.reply_by, today)
    days = "1 working day" if ago == 1 else f"{ago} working days"
    return f"reply was due {step.reply_by:%d %b}, {days} ago"


def _next_action(
    request: AdviceRequest,
    today: date,
    due: date,
    reached: EscalationStep | None,
    upcoming: EscalationStep | None,
) -> tuple[str, date | None]:
    if request.exception is not None:
        return _excepted_action(request, today)
    if request.expected_on is not None:
        return _delayed_action(request.expected_on, today, due)
    return _ladder_action(today, due, reached, upcoming)


def _ladder_action(
    today: date, due: date, reached: EscalationStep | None, upcoming: EscalationStep | None
) -> tuple[str, date | None]:
    if reached is None:
        if today > due and upcoming is not None:  # the chase waits for the next working day
            return f"Overdue since {due:%d %b %Y}: chase it on {upcoming.on:%d %b %Y}.", upcoming.on
        return f"Return the advice by {due:%d %b %Y}.", due
    if today == due:
        return "Due today: return the advice today, or it is chased as late.", due
    if reached.reply_by is not None and today <= reached.reply_by:
        return (
            f"{reached.title}: {reached.action}; reply required by {reached.reply_by:%d %b %Y}.",
            reached.reply_by,
        )
    if upcoming is not None:
        return f"{reached.action}. {upcoming.title} on {upcoming.on:%d %b %Y}.", upcoming.on
    late = reply_overdue(reached, today)
    return f"{reached.title}: {reached.action}; the {late or 'reply is overdue'}.", None


def _excepted_action(request: AdviceRequest, today: date) -> tuple[str, date | None]:
    assert request.exception is not None
    owed = f"Advice still owed: exception under {request.exception.regulation}, so the 6-week limit"
    agreed = request.agreed_return_on
    if agreed is None:
        return f"{owed} does not apply. Agree a return date with the requesting team.", None
    if today > agreed:
        return (
            f"{owed} does not apply, but the agreed return date, {agreed:%d %b %Y}, has passed: "
            "return the advice, or agree a new date with the requesting team.",
            agreed,
        )
    return f"{owed} does not apply. Return it by the agreed date, {agreed:%d %b %Y}.", agreed


def _delayed_action(expected: date, today: date, due: date) -> tuple[str, date | None]:
    """A clinical delay (seed 001: advice that takes longer for clinical need, told to the
    requesting team): the date the team was given, not the 6-week date, is what is owed next."""
    if today > expected:
        return (
            f"The expected date for this clinically delayed advice, {expected:%d %b %Y}, has "
            "passed: return the advice, or tell the requesting team a new date.",
            expected,
        )
    return (
        f"Clinical delay: return the advice by the expected date, {expected:%d %b %Y} "
        f"(it was due {due:%d %b %Y}).",
        expected,
    )


WEEK_AHEAD_DAYS = 7
_STAGE_RANK = {"chase": 1, "escalation_1": 2, "escalation_2": 3}


def is_open(status: AdviceStatus) -> bool:
    """True while the advice is still owed."""
    return status.state in (AdviceState.IN_TIME, AdviceState.DUE_TODAY, AdviceState.OVERDUE)


def due_within_week(status: AdviceStatus, today: date) -> bool:
    """Open and due from today to six days on (this week, counted from today)."""
    return is_open(status) and 0 <= (status.due_on - today).days < WEEK_AHEAD_DAYS


def risk_key(status: AdviceStatus) -> tuple[int, int, date]:
    """Greatest risk first: furthest up the ladder, then longest overdue, then due soonest."""
    stage = _STAGE_RANK.get(status.escalation.stage.value, 0) if status.escalation else 0
    return (-stage, -status.days_overdue, status.due_on)
