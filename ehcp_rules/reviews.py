"""Annual reviews of EHC plans: the 12-month limit, notice for health and phase transfers.

Sources: Children and Families Act 2014 s.44(1) (review within 12 months of the plan being made,
then of the last review); SEND Regulations 2014 reg 20(2)(d), (3), (4) (a health care
professional invited; notice and advice circulated at least 2 weeks before the meeting), reg 18
(phase transfers: review and amend by 15 February, or 31 March for secondary to post-16);
seed 002 (health needs at least 6 weeks' notice to contribute, a local recommendation).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from ehcp_rules.dates import months_period_end
from ehcp_rules.errors import InvalidDatesError

REVIEW_PERIOD_MONTHS = 12
SHORTEST_REVIEW_PERIOD = timedelta(days=364)
"""The fewest days from the first day of a 12-month period to its last (1 March 2026 to
28 February 2027): a plan whose period started later than this before a day cannot be past its
limit on that day (a bound the database uses to leave most plans unread)."""
HEALTH_NOTICE = timedelta(weeks=6)
ADVICE_CIRCULATION = timedelta(weeks=2)
PHASE_TRANSFER_WARNING = timedelta(weeks=12)


class PhaseTransfer(StrEnum):
    """A transfer between phases of education (reg 18)."""

    SCHOOL = "school"
    POST_16 = "post_16"

    @property
    def label(self) -> str:
        """Plain words for the transfer."""
        if self is PhaseTransfer.POST_16:
            return "secondary school to post-16"
        return "between school phases"


class ReviewFlag(StrEnum):
    """Why a review needs action."""

    NO_MEETING_DATE = "no_meeting_date"
    MEETING_AFTER_LIMIT = "meeting_after_limit"
    HEALTH_NOT_NOTIFIED = "health_not_notified"
    CONTRIBUTION_MISSING = "contribution_missing"
    PAST_TWELVE_MONTHS = "past_twelve_months"
    PHASE_TRANSFER_DUE = "phase_transfer_due"
    PHASE_TRANSFER_MISSED = "phase_transfer_missed"


class AnnualReview(BaseModel):
    """What the rules need of one plan's review cycle (case reference only, no names)."""

    model_config = ConfigDict(frozen=True)

    plan_issued_on: date
    last_review_on: date | None = None
    meeting_on: date | None = None
    health_notified_on: date | None = None
    contribution_in_on: date | None = None
    phase_transfer: PhaseTransfer | None = None
    transfer_year: int | None = None
    amended_for_transfer_on: date | None = None
    reference: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> AnnualReview:
        if self.last_review_on is not None and self.last_review_on < self.plan_issued_on:
            raise ValueError("the last review is before the plan was issued")
        if (self.phase_transfer is None) != (self.transfer_year is None):
            raise ValueError("a phase transfer needs both its kind and its year")
        return self

    @property
    def cycle_start(self) -> date:
        """The date the current 12-month period starts with: the last review, or the plan."""
        return self.last_review_on or self.plan_issued_on


class ReviewStatus(BaseModel):
    """A review's dates and what needs doing, on a given day."""

    model_config = ConfigDict(frozen=True)

    review_by: date
    meeting_on: date | None
    health_notice_by: date | None
    circulate_advice_by: date | None
    transfer_deadline: date | None
    flags: tuple[ReviewFlag, ...]


def review_by(cycle_start: date) -> date:
    """Last day to hold the review: the end of 12 months starting with ``cycle_start`` (s.44(1))."""
    return months_period_end(cycle_start, REVIEW_PERIOD_MONTHS)


def health_notice_by(meeting_on: date) -> date:
    """Health practitioners should be told of the meeting by this day: 6 weeks before (seed 002)."""
    return meeting_on - HEALTH_NOTICE


def circulate_advice_by(meeting_on: date) -> date:
    """All advice gathered and circulated by this day: 2 weeks before the meeting (reg 20(4))."""
    return meeting_on - ADVICE_CIRCULATION


PHASE_TRANSFER_DEADLINES = {PhaseTransfer.SCHOOL: (2, 15), PhaseTransfer.POST_16: (3, 31)}
"""(month, day) by which a plan is reviewed and amended in the year of transfer (reg 18(1))."""


def phase_transfer_deadline(transfer: PhaseTransfer, transfer_year: int) -> date:
    """Review and amend by 15 February of the year of transfer; 31 March for post-16 (reg 18)."""
    month, day = PHASE_TRANSFER_DEADLINES[transfer]
    return date(transfer_year, month, day)


def review_status(review: AnnualReview, today: date) -> ReviewStatus:
    """Where ``review`` stands on ``today``: its deadlines and the flags needing action.

    A meeting date on or before ``today`` counts as the review held that day, starting the next
    12-month period.
    """
    cycle_start = review.cycle_start
    meeting = review.meeting_on
    if meeting is not None and meeting < cycle_start:
        raise InvalidDatesError("the meeting is before the start of the review period")
    if meeting is not None and meeting <= today:
        cycle_start, meeting = meeting, None
    deadline = review_by(cycle_start)
    transfer = _transfer_deadline(review)
    return ReviewStatus(
        review_by=deadline,
        meeting_on=meeting,
        health_notice_by=health_notice_by(meeting) if meeting else None,
        circulate_advice_by=circulate_advice_by(meeting) if meeting else None,
        transfer_deadline=transfer,
        flags=_meeting_flags(review, meeting, deadline, today)
        + _transfer_flags(review, transfer, today),
    )


def _transfer_deadline(review: AnnualReview) -> date | None:
    if review.phase_transfer is None or review.transfer_year is None:
        return None
    return phase_transfer_deadline(review.phase_transfer, review.transfer_year)


def _meeting_flags(
    review: AnnualReview, meeting: date | None, deadline: date, today: date
) -> tuple[ReviewFlag, ...]:
    flags = [ReviewFlag.PAST_TWELVE_MONTHS] if today > deadline else []
    if meeting is None:
        if deadline - today <= HEALTH_NOTICE:
            flags.append(ReviewFlag.NO_MEETING_DATE)
        return tuple(flags)
    if meeting > deadline and today <= deadline:
        flags.append(ReviewFlag.MEETING_AFTER_LIMIT)
    if review.health_notified_on is None and meeting - today <= HEALTH_NOTICE:
        flags.append(ReviewFlag.HEALTH_NOT_NOTIFIED)
    if review.contribution_in_on is None and meeting - today <= ADVICE_CIRCULATION:
        flags.append(ReviewFlag.CONTRIBUTION_MISSING)
    return tuple(flags)


def _transfer_flags(
    review: AnnualReview, transfer: date | None, today: date
) -> tuple[ReviewFlag, ...]:
    if transfer is None or review.amended_for_transfer_on is not None:
        return ()
    if today > transfer:
        return (ReviewFlag.PHASE_TRANSFER_MISSED,)
    if transfer - today <= PHASE_TRANSFER_WARNING:
        return (ReviewFlag.PHASE_TRANSFER_DUE,)
    return ()
