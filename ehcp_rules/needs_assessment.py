"""The 20-week EHC needs assessment, for context on request cards ("week 9 of 20").

Source: SEND Regulations 2014 — decision whether to assess within 6 weeks of the request (reg 5),
decision not to issue a plan within 16 weeks (reg 10), draft plan open for comments for at least
15 days beginning with the day it is served (reg 13(1)), final plan within 20 weeks (reg 13(2)).
Health is not chased for these; they are the local authority's.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

ASSESSMENT_WEEKS = 20


class AssessmentMilestones(BaseModel):
    """The statutory milestones counted from the day the local authority received the request."""

    model_config = ConfigDict(frozen=True)

    requested_on: date
    decide_to_assess_by: date
    decide_not_to_issue_by: date
    final_plan_by: date


def assessment_milestones(requested_on: date) -> AssessmentMilestones:
    """Weeks 6, 16 and 20 of the assessment that began with a request on ``requested_on``."""
    return AssessmentMilestones(
        requested_on=requested_on,
        decide_to_assess_by=requested_on + timedelta(weeks=6),
        decide_not_to_issue_by=requested_on + timedelta(weeks=16),
        final_plan_by=requested_on + timedelta(weeks=ASSESSMENT_WEEKS),
    )


def assessment_week(requested_on: date, today: date) -> int:
    """Which week of the assessment ``today`` is in, counted as the 20 weeks of reg 13(2) are:
    "within 20 weeks of" receiving the request runs from the next day, as reg 8(1)'s 6 weeks do
    (:func:`~ehcp_rules.advice_due_date`), so week 1 is the 7 days after the request, week 20
    ends on the day the final plan is due (140 days on, :func:`assessment_milestones`), and that
    day is week 20, not 21. The day of the request itself is shown as week 1. After the final
    plan's due day the count goes on (21, 22, ...): the assessment is then past its 20 weeks."""
    if today < requested_on:
        raise ValueError(f"{today} is before the assessment request of {requested_on}")
    return max(1, -(-(today - requested_on).days // 7))


def draft_comments_close(served_on: date) -> date:
    """The last day for comments on a draft plan: 15 days counting the day it is served."""
    return served_on + timedelta(days=14)
