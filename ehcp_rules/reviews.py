"""Annual reviews of EHC plans: the 12-month limit, notice for health and phase transfers.

Sources: Children and Families Act 2014 s.44(1) (review within 12 months of the plan being made,
then of the last review); SEND Regulations 2014 reg 20(2)(d) (a health care professional is
invited), reg 20(3) (at least 2 weeks' notice of the meeting), reg 20(4) (advice gathered and
circulated at least 2 weeks before it), reg 20(10) (the authority's decision within 4 weeks of the
meeting; with the proposed amendments, R (L) v Devon CC [2022] EWHC 493 (Admin)), reg 22(3) (the
amended plan within 8 weeks of the proposed amendments), reg 18 (phase transfers: review and amend
*before* 15 February, or 31 March for secondary to post-16; a move between post-16 institutions at
another time at least 5 months before it); SEND Code of Practice 9.166-9.179; seed 002 (health
needs at least 6 weeks' notice to contribute, a local recommendation).

The lead times, worked back from those sources (README, "Annual reviews"):

- a plan with no meeting date is nudged :data:`NO_MEETING_WARNING` (8 weeks) before its limit: the
  meeting can be no later than the limit, health must be told 6 weeks before the meeting
  (seed 002), so the last day to tell health is 6 weeks before the limit; the nudge comes
  :data:`TIME_TO_ARRANGE` (2 weeks) before that day, so that a channel taking its nudges weekly
  sees it in time and the school or authority has a working week or more to fix a date;
- a phase transfer is warned :data:`PHASE_TRANSFER_WARNING` (20 weeks) before the last day for the
  amended plan: the amended plan may take 12 weeks from the meeting (4 weeks to the decision and
  proposed amendments, reg 20(10), then up to 8 weeks, reg 22(3)), health needs 6 weeks' notice of
  that meeting (seed 002), and the same 2 weeks to arrange it. Reg 18 says *before* the date: the
  last day for the amended plan is 14 February (30 March), and the meeting must be held 12 weeks
  before that.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, model_validator

from ehcp_rules.dates import EARLIEST_DAY, LATEST_DAY, add_months, months_period_end
from ehcp_rules.errors import InvalidDatesError

REVIEW_PERIOD_MONTHS = 12
SHORTEST_REVIEW_PERIOD = timedelta(days=364)
"""The fewest days from the first day of a 12-month period to its last (1 March 2026 to
28 February 2027): a plan whose period started later than this before a day cannot be past its
limit on that day (a bound the database uses to leave most plans unread)."""
HEALTH_NOTICE = timedelta(weeks=6)
"""Notice health needs of a review meeting to contribute (seed 002, a local recommendation)."""
STATUTORY_NOTICE = timedelta(weeks=2)
"""Notice of the meeting every invitee must have (reg 20(3))."""
ADVICE_CIRCULATION = timedelta(weeks=2)
"""Advice gathered and circulated at least this long before the meeting (reg 20(4)): health's
contribution is due by then."""
TIME_TO_ARRANGE = timedelta(weeks=2)
"""A local margin (not a source's): time between a nudge and the last day to act on it, so that
a channel taking its nudges weekly sees it and someone has a working week to act."""
NO_MEETING_WARNING = HEALTH_NOTICE + TIME_TO_ARRANGE
"""How long before the 12-month limit a plan with no meeting date is flagged (8 weeks)."""
DECISION_AFTER_MEETING = timedelta(weeks=4)
"""The authority's decision, with any proposed amendments, within 4 weeks of the meeting
(reg 20(10); R (L) v Devon CC [2022])."""
AMENDED_PLAN_AFTER_PROPOSAL = timedelta(weeks=8)
"""The amended plan within 8 weeks of the proposed amendments (reg 22(3))."""
AMENDMENT_TIME = DECISION_AFTER_MEETING + AMENDED_PLAN_AFTER_PROPOSAL
"""From the review meeting to the amended plan, at the longest the regulations allow (12 weeks)."""
PHASE_TRANSFER_WARNING = AMENDMENT_TIME + HEALTH_NOTICE + TIME_TO_ARRANGE
"""How long before the last day for the amended plan a phase transfer is flagged (20 weeks)."""
POST_16_MOVE_MONTHS = 5
"""A move between post-16 institutions: the plan amended at least 5 months before (reg 18(2))."""
SEPTEMBER = 9
"""Phase transfers under reg 18(1) are moves at the start of an academic year, in September."""


class PhaseTransfer(StrEnum):
    """A transfer between phases of education (reg 18(1))."""

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
    MEETING_NOT_RECORDED = "meeting_not_recorded"
    HEALTH_NOT_NOTIFIED = "health_not_notified"
    HEALTH_TOLD_UNDER_2_WEEKS = "health_told_under_2_weeks"
    HEALTH_TOLD_LATE = "health_told_late"
    CONTRIBUTION_MISSING = "contribution_missing"
    PAST_TWELVE_MONTHS = "past_twelve_months"
    PHASE_TRANSFER_DUE = "phase_transfer_due"
    PHASE_TRANSFER_MISSED = "phase_transfer_missed"


class AnnualReview(BaseModel):
    """What the rules need of one plan's review cycle (case reference only, no names).

    ``last_review_on`` is the day the last review meeting was *held* (recorded as held by
    someone); ``meeting_on`` the next meeting as arranged. ``phase_transfer`` and
    ``transfer_year`` (the calendar year of the move) are a reg 18(1) transfer;
    ``post_16_move_on`` the day of a reg 18(2) move between post-16 institutions.
    """

    model_config = ConfigDict(frozen=True)

    plan_issued_on: date
    last_review_on: date | None = None
    meeting_on: date | None = None
    health_notified_on: date | None = None
    contribution_in_on: date | None = None
    phase_transfer: PhaseTransfer | None = None
    transfer_year: int | None = None
    amended_for_transfer_on: date | None = None
    post_16_move_on: date | None = None
    reference: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> AnnualReview:
        if self.last_review_on is not None and self.last_review_on < self.plan_issued_on:
            raise ValueError("the last review is before the plan was issued")
        if (self.phase_transfer is None) != (self.transfer_year is None):
            raise ValueError("a phase transfer needs both its kind and its year")
        if self.transfer_year is not None and not (
            EARLIEST_DAY.year <= self.transfer_year <= LATEST_DAY.year
        ):
            raise ValueError(
                f"the transfer year {self.transfer_year} is not a year: give the calendar year "
                "of the move in four digits (2027 for a move in September 2027)"
            )
        if self.phase_transfer is not None and self.post_16_move_on is not None:
            raise ValueError(
                "give either a phase transfer (reg 18(1)) or a move between post-16 "
                "institutions (reg 18(2)), not both"
            )
        return self

    @property
    def cycle_start(self) -> date:
        """The date the current 12-month period starts with: the last review held, or the plan."""
        return self.last_review_on or self.plan_issued_on


class ReviewStatus(BaseModel):
    """A review's dates and what needs doing, on a given day.

    ``transfer_deadline`` is the last day on which the plan amended for a transfer is in time
    (14 February, 30 March, or 5 months before a post-16 move); ``transfer_meeting_by`` the last
    day for the review meeting that leaves the authority the time the regulations allow to amend
    it by then.
    """

    model_config = ConfigDict(frozen=True)

    review_by: date
    meeting_on: date | None
    health_notice_by: date | None
    circulate_advice_by: date | None
    transfer_deadline: date | None
    flags: tuple[ReviewFlag, ...]
    transfer_meeting_by: date | None = None
    transfer_health_notice_by: date | None = None


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
"""(month, day) *before* which a plan is reviewed and amended in the year of transfer
(reg 18(1))."""


def phase_transfer_deadline(transfer: PhaseTransfer, transfer_year: int) -> date:
    """15 February of the year of transfer; 31 March for post-16 (reg 18(1)): the plan must be
    reviewed and amended *before* this day (:func:`transfer_last_day`)."""
    month, day = PHASE_TRANSFER_DEADLINES[transfer]
    return date(transfer_year, month, day)


def post_16_move_deadline(move_on: date) -> date:
    """The last day to amend the plan for a move between post-16 institutions: 5 months before
    the move (reg 18(2), "at least five months before"; a day the earlier month lacks is its
    last day, which is earlier still)."""
    return add_months(move_on, -POST_16_MOVE_MONTHS)


class TransferFields(Protocol):
    """What a transfer's last day is worked out from (an ``AnnualReview`` or its record)."""

    @property
    def phase_transfer(self) -> PhaseTransfer | None: ...
    @property
    def transfer_year(self) -> int | None: ...
    @property
    def post_16_move_on(self) -> date | None: ...


def transfer_last_day(review: TransferFields) -> date | None:
    """The last day on which the plan amended for a transfer is in time: the day before
    15 February / 31 March (reg 18(1) says *before*), or 5 months before a post-16 move
    (reg 18(2)); ``None`` without a transfer."""
    if review.post_16_move_on is not None:
        return post_16_move_deadline(review.post_16_move_on)
    if review.phase_transfer is None or review.transfer_year is None:
        return None
    return phase_transfer_deadline(review.phase_transfer, review.transfer_year) - timedelta(days=1)


def check_transfer_entry(review: AnnualReview, today: date) -> None:
    """Refuse, at entry, a transfer that has already taken place and was never amended for:
    almost always the academic year's first calendar year typed for the year of the move
    (``InvalidDatesError`` saying which year is meant)."""
    if review.amended_for_transfer_on is not None:
        return
    if review.transfer_year is not None and date(review.transfer_year, SEPTEMBER, 1) < today:
        raise InvalidDatesError(
            f"a transfer in September {review.transfer_year} has already taken place: the "
            "transfer year is the calendar year of the move (for a move in September "
            f"{_next_september(today).year}, give {_next_september(today).year})"
        )
    if review.post_16_move_on is not None and review.post_16_move_on < today:
        raise InvalidDatesError(
            f"the move between post-16 institutions on {review.post_16_move_on:%d %b %Y} has "
            "already taken place: give the day of the move still to come"
        )


def _next_september(today: date) -> date:
    this_year = date(today.year, SEPTEMBER, 1)
    return this_year if this_year >= today else date(today.year + 1, SEPTEMBER, 1)


def review_status(review: AnnualReview, today: date) -> ReviewStatus:
    """Where ``review`` stands on ``today``: its deadlines and the flags needing action.

    The 12 months run from the last review *held* (or the plan): a meeting date that has passed
    is not a review until someone records that it was held, and when
    (:data:`ReviewFlag.MEETING_NOT_RECORDED` until then).
    """
    cycle_start = review.cycle_start
    meeting = review.meeting_on
    if meeting is not None and meeting < cycle_start:
        raise InvalidDatesError("the meeting is before the start of the review period")
    if meeting == cycle_start:  # the meeting recorded as held
        meeting = None
    deadline = review_by(cycle_start)
    transfer = transfer_last_day(review)
    transfer_meeting = transfer - AMENDMENT_TIME if transfer else None
    ahead = meeting is not None and meeting >= today
    return ReviewStatus(
        review_by=deadline,
        meeting_on=meeting,
        health_notice_by=health_notice_by(meeting) if meeting and ahead else None,
        circulate_advice_by=circulate_advice_by(meeting) if meeting and ahead else None,
        transfer_deadline=transfer,
        transfer_meeting_by=transfer_meeting,
        transfer_health_notice_by=transfer_meeting - HEALTH_NOTICE if transfer_meeting else None,
        flags=_meeting_flags(review, meeting, deadline, today)
        + _transfer_flags(review, transfer, today),
    )


def _meeting_flags(
    review: AnnualReview, meeting: date | None, deadline: date, today: date
) -> tuple[ReviewFlag, ...]:
    flags = [ReviewFlag.PAST_TWELVE_MONTHS] if today > deadline else []
    if meeting is None:
        if deadline - today <= NO_MEETING_WARNING:
            flags.append(ReviewFlag.NO_MEETING_DATE)
        return tuple(flags)
    if meeting > deadline:
        flags.append(ReviewFlag.MEETING_AFTER_LIMIT)
    if meeting < today:
        flags.append(ReviewFlag.MEETING_NOT_RECORDED)
        return tuple(flags)
    flags.extend(_notice_flags(review.health_notified_on, meeting, today))
    if review.contribution_in_on is None and meeting - today <= ADVICE_CIRCULATION:
        flags.append(ReviewFlag.CONTRIBUTION_MISSING)
    return tuple(flags)


def _notice_flags(told: date | None, meeting: date, today: date) -> list[ReviewFlag]:
    """Health not told with 6 weeks to go (seed 002); told with under 2 weeks' notice (reg 20(3))
    or under 6 weeks' (seed 002)."""
    if told is None:
        return [ReviewFlag.HEALTH_NOT_NOTIFIED] if meeting - today <= HEALTH_NOTICE else []
    if meeting - told < STATUTORY_NOTICE:
        return [ReviewFlag.HEALTH_TOLD_UNDER_2_WEEKS]
    if meeting - told < HEALTH_NOTICE:
        return [ReviewFlag.HEALTH_TOLD_LATE]
    return []


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
