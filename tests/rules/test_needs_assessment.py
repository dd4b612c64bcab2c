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
    [(date(2026, 9, 7), 1), (date(2026, 9, 13), 1), (date(2026, 9, 14), 2), (date(2026, 11, 3), 9)],
)
def test_the_week_of_the_assessment_counts_from_the_request_day(today: date, week: int) -> None:
    assert assessment_week(date(2026, 9, 7), today) == week


def test_a_day_before_the_request_has_no_week() -> None:
    with pytest.raises(ValueError, match="before the assessment request"):
        assessment_week(date(2026, 9, 7), date(2026, 9, 6))


def test_comments_on_a_draft_are_open_15_days_counting_the_day_it_is_served() -> None:
    assert draft_comments_close(date(2026, 12, 1)) == date(2026, 12, 15)
