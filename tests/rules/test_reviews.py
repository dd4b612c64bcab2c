"""Annual reviews: s.44(1) 12-month limit, reg 20 notice, seed 002's 6 weeks for health, reg 18."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp_rules import (
    AnnualReview,
    InvalidDatesError,
    PhaseTransfer,
    ReviewFlag,
    check_transfer_entry,
    circulate_advice_by,
    health_notice_by,
    phase_transfer_deadline,
    review_by,
    review_status,
    transfer_last_day,
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


@pytest.mark.parametrize(
    ("today", "flags"),
    [
        # limit 30 Nov 2026; the last day to tell health is 19 Oct (6 weeks before, seed 002);
        # the nudge comes 2 weeks before that: 8 weeks before the limit, 5 Oct
        (date(2026, 10, 4), ()),
        (date(2026, 10, 5), (ReviewFlag.NO_MEETING_DATE,)),
        (date(2026, 11, 30), (ReviewFlag.NO_MEETING_DATE,)),
        (date(2026, 12, 1), (ReviewFlag.PAST_TWELVE_MONTHS, ReviewFlag.NO_MEETING_DATE)),
    ],
)
def test_no_meeting_date_is_flagged_early_enough_for_6_weeks_notice_to_health(
    today: date, flags: tuple[ReviewFlag, ...]
) -> None:
    assert review_status(PLAN, today).flags == flags


def test_a_meeting_within_6_weeks_with_health_not_notified_is_flagged() -> None:
    review = PLAN.model_copy(update={"meeting_on": date(2026, 11, 20)})

    assert review_status(review, date(2026, 10, 8)).flags == ()
    assert review_status(review, date(2026, 10, 9)).flags == (ReviewFlag.HEALTH_NOT_NOTIFIED,)


@pytest.mark.parametrize(
    ("told", "flags"),
    [
        # meeting Friday 20 Nov 2026: 6 weeks before is 9 Oct (seed 002), 2 weeks 6 Nov
        # (reg 20(3))
        (date(2026, 9, 1), ()),
        (date(2026, 10, 9), ()),  # exactly 6 weeks: enough
        (date(2026, 10, 10), (ReviewFlag.HEALTH_TOLD_LATE,)),  # 41 days
        (date(2026, 11, 6), (ReviewFlag.HEALTH_TOLD_LATE,)),  # exactly 2 weeks: lawful, late
        (date(2026, 11, 7), (ReviewFlag.HEALTH_TOLD_UNDER_2_WEEKS,)),  # 13 days
        (date(2026, 11, 19), (ReviewFlag.HEALTH_TOLD_UNDER_2_WEEKS,)),
    ],
)
def test_notice_to_health_under_6_weeks_or_under_the_statutory_2_weeks_is_flagged(
    told: date, flags: tuple[ReviewFlag, ...]
) -> None:
    review = PLAN.model_copy(
        update={
            "meeting_on": date(2026, 11, 20),
            "health_notified_on": told,
            "contribution_in_on": date(2026, 11, 1),
        }
    )

    assert review_status(review, date(2026, 10, 1) if told < date(2026, 10, 2) else told).flags == (
        flags
    )
    assert review_status(review, date(2026, 11, 21)).flags == (ReviewFlag.MEETING_NOT_RECORDED,)


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
        update={
            "meeting_on": date(2026, 12, 7),
            "health_notified_on": date(2026, 10, 1),
            "contribution_in_on": date(2026, 11, 20),
        }
    )

    assert review_status(review, date(2026, 10, 5)).flags == (ReviewFlag.MEETING_AFTER_LIMIT,)
    assert review_status(review, date(2026, 12, 1)).flags == (
        ReviewFlag.PAST_TWELVE_MONTHS,
        ReviewFlag.MEETING_AFTER_LIMIT,
    )


def test_a_plan_past_12_months_without_a_review_is_flagged() -> None:
    status = review_status(PLAN, date(2026, 12, 1))

    assert status.flags == (ReviewFlag.PAST_TWELVE_MONTHS, ReviewFlag.NO_MEETING_DATE)


@pytest.mark.parametrize(
    ("today", "review_by_", "flags"),
    [
        (date(2026, 11, 20), date(2026, 11, 30), (ReviewFlag.CONTRIBUTION_MISSING,)),  # today
        (date(2026, 11, 21), date(2026, 11, 30), (ReviewFlag.MEETING_NOT_RECORDED,)),
        (
            date(2026, 12, 1),
            date(2026, 11, 30),
            (ReviewFlag.PAST_TWELVE_MONTHS, ReviewFlag.MEETING_NOT_RECORDED),
        ),
    ],
)
def test_a_meeting_date_that_has_passed_is_not_a_review_until_recorded_as_held(
    today: date, review_by_: date, flags: tuple[ReviewFlag, ...]
) -> None:
    review = PLAN.model_copy(
        update={"meeting_on": date(2026, 11, 20), "health_notified_on": date(2026, 9, 1)}
    )

    status = review_status(review, today)

    assert (status.review_by, status.flags) == (review_by_, flags)


def test_a_review_recorded_as_held_starts_the_next_12_months_from_the_day_held() -> None:
    held = PLAN.model_copy(update={"last_review_on": date(2026, 11, 20), "meeting_on": None})
    same_day = PLAN.model_copy(
        update={"last_review_on": date(2026, 11, 20), "meeting_on": date(2026, 11, 20)}
    )

    for review in (held, same_day):
        status = review_status(review, date(2026, 12, 1))
        assert (status.review_by, status.meeting_on, status.flags) == (
            date(2027, 11, 19),
            None,
            (),
        )


def test_a_meeting_before_the_period_began_is_refused() -> None:
    review = PLAN.model_copy(update={"meeting_on": date(2025, 11, 1)})

    with pytest.raises(InvalidDatesError):
        review_status(review, date(2026, 1, 5))


def test_phase_transfer_deadlines_are_15_february_or_31_march_for_post_16() -> None:
    assert phase_transfer_deadline(PhaseTransfer.SCHOOL, 2027) == date(2027, 2, 15)
    assert phase_transfer_deadline(PhaseTransfer.POST_16, 2027) == date(2027, 3, 31)


RECENT = AnnualReview(plan_issued_on=date(2025, 12, 1), last_review_on=date(2026, 6, 1))
"""A plan reviewed in June 2026: nothing of its 12 months is flagged before April 2027."""


@pytest.mark.parametrize(
    ("transfer", "year", "today", "flags"),
    [
        # before 15 Feb 2027 (reg 18(1)(b)): the last day is 14 Feb; the meeting by 22 Nov 2026
        # (12 weeks: 4 to the decision, reg 20(10), 8 to the amended plan, reg 22(3)); health
        # told by 11 Oct (6 weeks, seed 002); warned 2 weeks before that: 27 Sep 2026
        (PhaseTransfer.SCHOOL, 2027, date(2026, 9, 26), ()),
        (PhaseTransfer.SCHOOL, 2027, date(2026, 9, 27), (ReviewFlag.PHASE_TRANSFER_DUE,)),
        (PhaseTransfer.SCHOOL, 2027, date(2027, 2, 14), (ReviewFlag.PHASE_TRANSFER_DUE,)),
        (PhaseTransfer.SCHOOL, 2027, date(2027, 2, 15), (ReviewFlag.PHASE_TRANSFER_MISSED,)),
        # before 31 Mar 2027 (reg 18(1)(a)): last day 30 Mar; meeting by 5 Jan 2027; health
        # by 24 Nov 2026; warned from 10 Nov 2026
        (PhaseTransfer.POST_16, 2027, date(2026, 11, 9), ()),
        (PhaseTransfer.POST_16, 2027, date(2026, 11, 10), (ReviewFlag.PHASE_TRANSFER_DUE,)),
        (PhaseTransfer.POST_16, 2027, date(2027, 3, 30), (ReviewFlag.PHASE_TRANSFER_DUE,)),
        (PhaseTransfer.POST_16, 2027, date(2027, 3, 31), (ReviewFlag.PHASE_TRANSFER_MISSED,)),
    ],
)
def test_a_phase_transfer_is_warned_in_time_to_hold_the_meeting_and_amend_before_the_date(
    transfer: PhaseTransfer, year: int, today: date, flags: tuple[ReviewFlag, ...]
) -> None:
    review = RECENT.model_copy(update={"phase_transfer": transfer, "transfer_year": year})

    assert review_status(review, today).flags == flags


def test_a_phase_transfer_gives_the_last_days_for_the_meeting_health_and_the_plan() -> None:
    review = RECENT.model_copy(
        update={"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 2027}
    )

    status = review_status(review, date(2026, 10, 1))

    assert (
        status.transfer_health_notice_by,
        status.transfer_meeting_by,
        status.transfer_deadline,
    ) == (date(2026, 10, 11), date(2026, 11, 22), date(2027, 2, 14))
    amended = review.model_copy(update={"amended_for_transfer_on": date(2027, 2, 1)})
    assert review_status(amended, date(2027, 2, 16)).flags == ()


@pytest.mark.parametrize(
    ("move", "last_day"),
    [
        # reg 18(2): amended at least 5 months before a move between post-16 institutions
        (date(2028, 1, 8), date(2027, 8, 8)),
        (date(2027, 7, 31), date(2027, 2, 28)),  # no 31 February: the earlier day
        (date(2028, 7, 30), date(2028, 2, 29)),
    ],
)
def test_a_move_between_post_16_institutions_is_amended_5_months_before(
    move: date, last_day: date
) -> None:
    review = RECENT.model_copy(update={"post_16_move_on": move})
    warned = last_day - timedelta(weeks=20)  # as for reg 18(1): 12 + 6 + 2 weeks

    def transfer_flags(today: date) -> set[ReviewFlag]:
        held = review.model_copy(update={"last_review_on": today - timedelta(days=30)})
        return set(review_status(held, today).flags)

    assert transfer_last_day(review) == last_day
    assert transfer_flags(warned - timedelta(days=1)) == set()
    assert transfer_flags(warned) == {ReviewFlag.PHASE_TRANSFER_DUE}
    assert transfer_flags(last_day) == {ReviewFlag.PHASE_TRANSFER_DUE}
    assert transfer_flags(last_day + timedelta(days=1)) == {ReviewFlag.PHASE_TRANSFER_MISSED}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_review_on": date(2025, 1, 1)}, "last review is before the plan"),
        ({"phase_transfer": PhaseTransfer.POST_16}, "needs both its kind and its year"),
        ({"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 26}, "four digits"),
        ({"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 20277}, "four digits"),
        (
            {
                "phase_transfer": PhaseTransfer.SCHOOL,
                "transfer_year": 2027,
                "post_16_move_on": date(2027, 9, 1),
            },
            "not both",
        ),
    ],
)
def test_inconsistent_review_records_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnnualReview.model_validate(PLAN.model_dump() | changes)


@pytest.mark.parametrize(
    ("changes", "today", "refused"),
    [
        # the year is the calendar year of the move: on 1 Dec 2026, 2026's September has gone
        ({"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 2026}, date(2026, 12, 1), True),
        ({"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 2027}, date(2026, 12, 1), False),
        # in March 2026 a move in September 2026 is ahead (its reg 18 date has passed: missed)
        ({"phase_transfer": PhaseTransfer.SCHOOL, "transfer_year": 2026}, date(2026, 3, 1), False),
        (
            {
                "phase_transfer": PhaseTransfer.SCHOOL,
                "transfer_year": 2026,
                "amended_for_transfer_on": date(2026, 2, 1),
            },
            date(2026, 12, 1),
            False,
        ),
        ({"post_16_move_on": date(2026, 11, 30)}, date(2026, 12, 1), True),
        ({"post_16_move_on": date(2026, 12, 1)}, date(2026, 12, 1), False),
    ],
)
def test_a_transfer_already_past_is_refused_at_entry(
    changes: dict[str, object], today: date, refused: bool
) -> None:
    review = AnnualReview.model_validate(PLAN.model_dump() | changes)

    if refused:
        with pytest.raises(InvalidDatesError, match="already taken place"):
            check_transfer_entry(review, today)
    else:
        check_transfer_entry(review, today)


def test_the_shortest_twelve_months_is_the_bound_the_database_filters_by() -> None:
    starts = [date(2024, 1, 1) + timedelta(days=n) for n in range(8 * 366)]  # two leap days

    spans = {review_by(start) - start for start in starts}

    assert min(spans) == SHORTEST_REVIEW_PERIOD == timedelta(days=364)  # 1 Mar to 28 Feb
    assert max(spans) == timedelta(days=365)  # a year with 29 February in it
