"""The 20-week EHC needs assessment milestones (regs 5, 10, 13)."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_rules import assessment_milestones, assessment_week, draft_comments_close


def test_milestones_fall_at_weeks_6_16_and_20_from_the_request() -> None:
    milestones = assessment_milestones(date(2026, 9, 7))

    assert milestones.decide_to_assess_by == date(2026, 10, 19)
    assert milestones.decide_not_to_issue_by == date(2026, 12, 28)
    assert milestones.final_plan_by == date(2027, 1, 25)


@pytest.mark.parametrize(
    ("today", "week"),
    [
        # Worked by hand for a request received on Monday 7 September 2026. Reg 13(2): the final
        # plan "within 20 weeks of" the request, counted like reg 8(1)'s 6 weeks from the next
        # day, so week n is days 7n-6 to 7n after the request and day 140 (25 Jan) is the last.
        (date(2026, 9, 7), 1),  # day 0, the request: shown as week 1
        (date(2026, 9, 8), 1),  # day 1, the first day of the 20 weeks
        (date(2026, 9, 14), 1),  # day 7, the last day of week 1
        (date(2026, 9, 15), 2),  # day 8
        (date(2026, 10, 19), 6),  # day 42: the decision whether to assess is due (reg 5)
        (date(2026, 10, 20), 7),  # day 43
        (date(2026, 11, 3), 9),  # day 57
        (date(2026, 12, 28), 16),  # day 112: a decision not to issue a plan is due (reg 10)
        (date(2027, 1, 24), 20),  # day 139
        (date(2027, 1, 25), 20),  # day 140: the final plan is due, the last day of week 20
        (date(2027, 1, 26), 21),  # day 141: past the 20 weeks
    ],
)
def test_the_week_of_the_assessment_counts_from_the_day_after_the_request(
    today: date, week: int
) -> None:
    assert assessment_week(date(2026, 9, 7), today) == week


def test_each_milestone_falls_in_the_week_it_ends() -> None:
    requested = date(2026, 9, 7)
    milestones = assessment_milestones(requested)

    assert assessment_week(requested, milestones.decide_to_assess_by) == 6
    assert assessment_week(requested, milestones.decide_not_to_issue_by) == 16
    assert assessment_week(requested, milestones.final_plan_by) == 20


def test_a_day_before_the_request_has_no_week() -> None:
    with pytest.raises(ValueError, match="before the assessment request"):
        assessment_week(date(2026, 9, 7), date(2026, 9, 6))


def test_comments_on_a_draft_are_open_15_days_counting_the_day_it_is_served() -> None:
    assert draft_comments_close(date(2026, 12, 1)) == date(2026, 12, 15)
