"""Annual reviews: s.44(1) 12-month limit, reg 20 notice, seed 002's 6 weeks for health, reg 18."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp_rules import (
    AnnualReview,
    InvalidDatesError,
    PhaseTransfer,
    ReviewFlag,
    circulate_advice_by,
    health_notice_by,
    phase_transfer_deadline,
    review_by,
    review_status,
)
from ehcp_rules.reviews import SHORTEST_REVIEW_PERIOD

PLAN = AnnualReview(plan_issued_on=date(2025, 12, 1), reference="EHCP-88213")


@pytest.mark.parametrize(
    ("cycle_start", "deadline"),
    [
        (date(2025, 12, 1), date(2026, 11, 30)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # plan made on a leap day
        (date(2025, 2, 28), date(2026, 2, 27)),
        (date(2023, 3, 1), date(2024, 2, 29)),  # period ends on a leap day
        (date(2025, 1, 31), date(2026, 1, 30)),
    ],
)
def test_a_review_must_be_held_within_12_months_starting_with_the_plan_or_last_review(
    cycle_start: date, deadline: date
) -> None:
    assert review_by(cycle_start) == deadline


def test_the_period_runs_from_the_last_review_not_the_plan() -> None:
    reviewed = PLAN.model_copy(update={"last_review_on": date(2026, 6, 10)})

    assert review_status(reviewed, date(2026, 11, 23)).review_by == date(2027, 6, 9)


def test_notice_dates_count_back_from_the_meeting() -> None:
    meeting = date(2026, 11, 20)

    assert health_notice_by(meeting) == date(2026, 10, 9)  # 6 weeks (seed 002)
    assert circulate_advice_by(meeting) == date(2026, 11, 6)  # 2 weeks (reg 20(4))


def test_far_from_the_deadline_nothing_is_flagged() -> None:
    status = review_status(PLAN, date(2026, 9, 1))

    assert status.review_by == date(2026, 11, 30)
    assert status.flags == ()


def test_within_6_weeks_of_the_deadline_without_a_meeting_date_is_flagged() -> None:
    assert review_status(PLAN, date(2026, 10, 18)).flags == ()
    assert review_status(PLAN, date(2026, 10, 19)).flags == (ReviewFlag.NO_MEETING_DATE,)


def test_a_meeting_within_6_weeks_with_health_not_notified_is_flagged() -> None:
    review = PLAN.model_copy(update={"meeting_on": date(2026, 11, 20)})

    assert review_status(review, date(2026, 10, 8)).flags == ()
    assert review_status(review, date(2026, 10, 9)).flags == (ReviewFlag.HEALTH_NOT_NOTIFIED,)


def test_a_contribution_not_in_with_2_weeks_to_go_is_flagged() -> None:
    review = PLAN.model_copy(
        update={"meeting_on": date(2026, 11, 20), "health_notified_on": date(2026, 9, 30)}
    )

    assert review_status(review, date(2026, 11, 5)).flags == ()
    assert review_status(review, date(2026, 11, 6)).flags == (ReviewFlag.CONTRIBUTION_MISSING,)
    done = review.model_copy(update={"contribution_in_on": date(2026, 11, 2)})
    assert review_status(done, date(2026, 11, 10)).flags == ()


def test_a_meeting_set_after_the_12_month_limit_is_flagged() -> None:
    review = PLAN.model_copy(
        update={"meeting_on": date(2026, 12, 7), "health_notified_on": date(2026, 10, 1)}
    )

    assert review_status(review, date(2026, 10, 5)).flags == (ReviewFlag.MEETING_AFTER_LIMIT,)


def test_a_plan_past_12_months_without_a_review_is_flagged() -> None:
    status = review_status(PLAN, date(2026, 12, 1))

    assert status.flags == (ReviewFlag.PAST_TWELVE_MONTHS, ReviewFlag.NO_MEETING_DATE)


def test_a_meeting_held_starts_the_next_period() -> None:
    review = PLAN.model_copy(update={"meeting_on": date(2026, 11, 20)})

    status = review_status(review, date(2026, 11, 23))

    assert status.review_by == date(2027, 11, 19)
    assert status.meeting_on is None
    assert status.flags == ()


def test_a_meeting_before_the_period_began_is_refused() -> None:
    review = PLAN.model_copy(update={"meeting_on": date(2025, 11, 1)})

    with pytest.raises(InvalidDatesError):
        review_status(review, date(2026, 1, 5))


def test_phase_transfer_deadlines_are_15_february_or_31_march_for_post_16() -> None:
    assert phase_transfer_deadline(PhaseTransfer.SCHOOL, 2027) == date(2027, 2, 15)
    assert phase_transfer_deadline(PhaseTransfer.POST_16, 2027) == date(2027, 3, 31)


def test_a_phase_transfer_is_flagged_12_weeks_ahead_and_when_missed() -> None:
    review = PLAN.model_copy(update={"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 2027})

    assert ReviewFlag.PHASE_TRANSFER_DUE not in review_status(review, date(2026, 11, 22)).flags
    assert ReviewFlag.PHASE_TRANSFER_DUE in review_status(review, date(2026, 11, 23)).flags
    late = review.model_copy(update={"last_review_on": date(2026, 11, 1)})
    assert review_status(late, date(2027, 2, 16)).flags == (ReviewFlag.PHASE_TRANSFER_MISSED,)
    amended = late.model_copy(update={"amended_for_transfer_on": date(2027, 2, 1)})
    assert review_status(amended, date(2027, 2, 16)).flags == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_review_on": date(2025, 1, 1)}, "last review is before the plan"),
        ({"phase_transfer": PhaseTransfer.POST_16}, "needs both its kind and its year"),
    ],
)
def test_inconsistent_review_records_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnnualReview.model_validate(PLAN.model_dump() | changes)


def test_the_shortest_twelve_months_is_the_bound_the_database_filters_by() -> None:
    starts = [date(2024, 1, 1) + timedelta(days=n) for n in range(8 * 366)]  # two leap days

    spans = {review_by(start) - start for start in starts}

    assert min(spans) == SHORTEST_REVIEW_PERIOD == timedelta(days=364)  # 1 Mar to 28 Feb
    assert max(spans) == timedelta(days=365)  # a year with 29 February in it
