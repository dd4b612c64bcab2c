"""Which nudges are due: records and today in, one nudge per item out (DESIGN.md §2, the sweep).

Each item (a request, a review flag, a service's assessment, an action) has steps it reaches on
known days. The planner gives the latest step reached today; whoever posts records (channel,
item, step) as sent, so a step is posted once, and a sweep after days of downtime posts only where
each item has got to — it summarises, it does not replay the days missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ehcp_rules.action_plan import LEAD_GRACE
from ehcp_rules.advice import advice_status as _advice_status
from ehcp_rules.advice import is_open
from ehcp_rules.dates import add_months
from ehcp_rules.escalation import EscalationStep
from ehcp_rules.records import ActionProgress, AdviceRequestRecord, AnnualReviewRecord
from ehcp_rules.reviews import HEALTH_NOTICE, ReviewFlag, ReviewStatus, review_status
from ehcp_rules.wording import some_of

ASSESSMENT_REFRESH_MONTHS = 12
DUE_SOON = timedelta(days=6)


class NudgeStep(StrEnum):
    """What an item has reached, most urgent first."""

    REPLY_OVERDUE = "reply_overdue"
    ESCALATION_2 = "escalation_2"
    ESCALATION_1 = "escalation_1"
    OVERDUE = "overdue"
    EXPECTED_PASSED = "expected_passed"
    AGREED_DATE_PASSED = "agreed_date_passed"
    DUE_TODAY = "due_today"
    REVIEW_PAST_LIMIT = "review_past_limit"
    PHASE_TRANSFER_MISSED = "phase_transfer_missed"
    MEETING_NOT_RECORDED = "meeting_not_recorded"
    CONTRIBUTION_MISSING = "contribution_missing"
    HEALTH_NOT_NOTIFIED = "health_not_notified"
    HEALTH_TOLD_UNDER_2_WEEKS = "health_told_under_2_weeks"
    HEALTH_TOLD_LATE = "health_told_late"
    MEETING_AFTER_LIMIT = "meeting_after_limit"
    NO_MEETING_DATE = "no_meeting_date"
    PHASE_TRANSFER = "phase_transfer"
    DUE_THIS_WEEK = "due_this_week"
    AGREED_DATE_SOON = "agreed_date_soon"
    ACTION_PAST_TARGET = "action_past_target"
    ASSESSMENT_STALE = "assessment_stale"
    PLAN_WITHOUT_LEAD = "plan_without_lead"

    @property
    def urgency(self) -> int:
        """0 is the most urgent."""
        return _URGENCY[self]


_URGENCY = {step: rank for rank, step in enumerate(NudgeStep)}


class Nudge(BaseModel):
    """One thing to tell a service's channel."""

    model_config = ConfigDict(frozen=True)

    item_key: str
    step: NudgeStep
    service_id: int
    reference: str
    on: date
    request_id: int | None = None
    reply_by: date | None = None


class StaleAssessment(BaseModel):
    """A service and when it last submitted its self-assessment (``None``: never)."""

    model_config = ConfigDict(frozen=True)

    service_id: int
    last_submitted: date | None


class LateAction(BaseModel):
    """An action-plan item with a target date, not completed."""

    model_config = ConfigDict(frozen=True)

    service_id: int
    assessment_id: int
    question: int
    target_date: date
    progress: ActionProgress


class UnledPlan(BaseModel):
    """A service's latest action plan, the day it was made, and how many of its actions have no
    lead (of how many)."""

    model_config = ConfigDict(frozen=True)

    service_id: int
    assessment_id: int
    submitted_on: date
    without_lead: int
    actions: int


def plan_nudges(
    *,
    today: date,
    requests: Iterable[AdviceRequestRecord] = (),
    reviews: Iterable[AnnualReviewRecord] = (),
    assessments: Iterable[StaleAssessment] = (),
    actions: Iterable[LateAction] = (),
    refresh_months: int = ASSESSMENT_REFRESH_MONTHS,
    plans: Iterable[UnledPlan] = (),
) -> list[Nudge]:
    """Every nudge due today, most urgent first, then by date and reference."""
    nudges: list[Nudge] = list(_plan_nudges(plans, today))
    for request in requests:
        nudges.extend(_request_nudge(request, today))
    for review in reviews:
        nudges.extend(_review_nudges(review, today))
    nudges.extend(_assessment_nudges(assessments, today, refresh_months))
    nudges.extend(_action_nudges(actions, today))
    return sorted(nudges, key=lambda n: (n.step.urgency, n.on, n.reference, n.service_id))


def _request_nudge(request: AdviceRequestRecord, today: date) -> list[Nudge]:
    if request.received_on > today:
        return []
    status = _advice_status(request.as_rule(), today)
    if not is_open(status):
        return []
    if request.exception_reason is not None:
        found = _excepted_step(request.agreed_return_on, today)
    else:
        found = _latest(
            [
                _request_step(status.due_on, status.escalation, today),
                *_after_ladder(status.escalation, status.next_escalation, today),
                *_after_expected(request.as_rule().expected_on, today),
            ]
        )
    if found is None:
        return []
    step, on, reply_by = found
    return [
        Nudge(
            item_key=f"request:{request.id}",
            step=step,
            service_id=request.service_id,
            reference=request.case_ref,
            on=on,
            request_id=request.id,
            reply_by=reply_by,
        )
    ]


_Step = tuple[NudgeStep, date, date | None]


def _latest(candidates: list[_Step | None]) -> _Step | None:
    """Of the steps an item has reached, the one reached last (the most urgent on the same day):
    what has newly happened to it. Each step is posted once, so one reached earlier was posted
    on its own day."""
    reached = [c for c in candidates if c is not None]
    if not reached:
        return None
    return max(reached, key=lambda c: (c[1], -c[0].urgency))


def _request_step(due: date, escalation: EscalationStep | None, today: date) -> _Step | None:
    if escalation is not None and escalation.stage.value in ("escalation_1", "escalation_2"):
        return NudgeStep(escalation.stage.value), escalation.on, escalation.reply_by
    if today > due:
        return NudgeStep.OVERDUE, due + timedelta(days=1), None
    if today == due:
        return NudgeStep.DUE_TODAY, due, None
    if today >= due - DUE_SOON:
        return NudgeStep.DUE_THIS_WEEK, due, None
    return None


def _after_ladder(
    reached: EscalationStep | None, upcoming: EscalationStep | None, today: date
) -> list[_Step]:
    """The last rung's reply-by date passed with the advice still owed (seed 002's ladder
    ends there): said once, the day after, so the channel hears the ladder has run out."""
    if reached is None or upcoming is not None or reached.reply_by is None:
        return []
    if today <= reached.reply_by:
        return []
    return [(NudgeStep.REPLY_OVERDUE, reached.reply_by + timedelta(days=1), reached.reply_by)]


def _after_expected(expected: date | None, today: date) -> list[_Step]:
    """A clinical delay's expected date (seed 001: the date the requesting team was told)
    passed with the advice still owed."""
    if expected is None or today <= expected:
        return []
    return [(NudgeStep.EXPECTED_PASSED, expected + timedelta(days=1), expected)]


def _excepted_step(agreed: date | None, today: date) -> _Step | None:
    """A reg 8(2) exception lifts the 6-week limit and the ladder, not the duty: the return
    date agreed with the requesting team is nudged in its week and once it has passed."""
    if agreed is None:
        return None
    if today > agreed:
        return NudgeStep.AGREED_DATE_PASSED, agreed + timedelta(days=1), agreed
    if today >= agreed - DUE_SOON:
        return NudgeStep.AGREED_DATE_SOON, agreed, agreed
    return None


_REVIEW_STEPS = {
    ReviewFlag.PAST_TWELVE_MONTHS: NudgeStep.REVIEW_PAST_LIMIT,
    ReviewFlag.MEETING_NOT_RECORDED: NudgeStep.MEETING_NOT_RECORDED,
    ReviewFlag.CONTRIBUTION_MISSING: NudgeStep.CONTRIBUTION_MISSING,
    ReviewFlag.HEALTH_NOT_NOTIFIED: NudgeStep.HEALTH_NOT_NOTIFIED,
    ReviewFlag.HEALTH_TOLD_UNDER_2_WEEKS: NudgeStep.HEALTH_TOLD_UNDER_2_WEEKS,
    ReviewFlag.HEALTH_TOLD_LATE: NudgeStep.HEALTH_TOLD_LATE,
    ReviewFlag.MEETING_AFTER_LIMIT: NudgeStep.MEETING_AFTER_LIMIT,
    ReviewFlag.NO_MEETING_DATE: NudgeStep.NO_MEETING_DATE,
    ReviewFlag.PHASE_TRANSFER_DUE: NudgeStep.PHASE_TRANSFER,
    ReviewFlag.PHASE_TRANSFER_MISSED: NudgeStep.PHASE_TRANSFER_MISSED,
}
"""Every review flag is nudged (reviews.py: each while health can still act)."""


_MEETING_ACT_BY = {
    ReviewFlag.MEETING_AFTER_LIMIT: "review_by",
    ReviewFlag.CONTRIBUTION_MISSING: "circulate_advice_by",
    ReviewFlag.HEALTH_NOT_NOTIFIED: "health_notice_by",
}
"""The day to act by of the flags about a review's meeting (the day they are about)."""


def _review_dates(status: ReviewStatus, flag: ReviewFlag) -> tuple[date, date | None]:
    """The day a review nudge is about, and the day to act by: the limit and the last day to
    tell health (no meeting date); the transfer's last day and the meeting's; the meeting and
    the limit (a meeting after it); the meeting and the day health's contribution is due
    (reg 20(4)) or its 6 weeks' notice (seed 002); else the meeting (or the limit)."""
    # one branch a flag (a table of all seven, built for each of 100,000 flags a national sweep
    # plans, cost a third of a second)
    if flag is ReviewFlag.PAST_TWELVE_MONTHS:
        return status.review_by, None
    if flag is ReviewFlag.NO_MEETING_DATE:
        return status.review_by, status.review_by - HEALTH_NOTICE
    if flag is ReviewFlag.PHASE_TRANSFER_DUE or flag is ReviewFlag.PHASE_TRANSFER_MISSED:
        transfer = status.transfer_deadline or status.review_by
        due = flag is ReviewFlag.PHASE_TRANSFER_DUE
        return transfer, status.transfer_meeting_by if due else None
    act_by = _MEETING_ACT_BY.get(flag)
    return status.meeting_on or status.review_by, getattr(status, act_by) if act_by else None


def _review_nudges(review: AnnualReviewRecord, today: date) -> list[Nudge]:
    status = review_status(review.as_rule(), today)
    nudges = []
    for flag in status.flags:
        if flag is ReviewFlag.NO_MEETING_DATE and ReviewFlag.PAST_TWELVE_MONTHS in status.flags:
            continue  # said by the nudge of a review past its limit
        on, act_by = _review_dates(status, flag)
        for service_id in review.service_ids:
            nudges.append(
                Nudge(
                    item_key=f"review:{review.id}:{flag.value}:{on}",
                    step=_REVIEW_STEPS[flag],
                    service_id=service_id,
                    reference=review.case_ref,
                    on=on,
                    reply_by=act_by,
                )
            )
    return nudges


def _assessment_nudges(
    assessments: Iterable[StaleAssessment], today: date, refresh_months: int
) -> list[Nudge]:
    nudges = []
    for item in assessments:
        due = add_months(item.last_submitted, refresh_months) if item.last_submitted else None
        if due is not None and due > today:
            continue
        nudges.append(
            Nudge(
                item_key=f"assessment:{item.service_id}:{item.last_submitted}",
                step=NudgeStep.ASSESSMENT_STALE,
                service_id=item.service_id,
                reference="self-assessment",
                on=due or today,
            )
        )
    return nudges


def _action_nudges(actions: Iterable[LateAction], today: date) -> list[Nudge]:
    return [
        Nudge(
            item_key=f"action:{a.assessment_id}:{a.question}:{a.target_date}",
            step=NudgeStep.ACTION_PAST_TARGET,
            service_id=a.service_id,
            reference=f"action for question {a.question}",
            on=a.target_date,
        )
        for a in actions
        if a.target_date < today and a.progress is not ActionProgress.COMPLETED
    ]


def _plan_nudges(plans: Iterable[UnledPlan], today: date) -> list[Nudge]:
    """An action plan some of whose actions still have no lead :data:`LEAD_GRACE` after it was
    made (seed 003: every action has someone leading on it), once per plan."""
    return [
        Nudge(
            item_key=f"plan-lead:{plan.assessment_id}",
            step=NudgeStep.PLAN_WITHOUT_LEAD,
            service_id=plan.service_id,
            reference=some_of(plan.without_lead, plan.actions, "action"),
            on=plan.submitted_on + LEAD_GRACE,
        )
        for plan in plans
        if plan.without_lead and today >= plan.submitted_on + LEAD_GRACE
    ]


REMINDER_AFTER = timedelta(days=7)


class StalledAssessment(BaseModel):
    """An assessment in progress: who has answered, how far it got, when it was last touched."""

    model_config = ConfigDict(frozen=True)

    assessment_id: int
    service_id: int
    people: tuple[str, ...]
    answered: int
    total: int
    first_unanswered: int
    last_answer_on: date


class Reminder(BaseModel):
    """A personal reminder to carry on with an unfinished assessment."""

    model_config = ConfigDict(frozen=True)

    item_key: str
    person: str
    assessment_id: int
    service_id: int
    question: int
    answered: int
    total: int


def plan_reminders(stalled: Iterable[StalledAssessment], today: date) -> list[Reminder]:
    """A reminder to each person who worked on an assessment left for a week, once per stall.

    An assessment that has been submitted is never in progress, so nobody who finished is reminded;
    after more answers and another week's pause, the reminder comes again.
    """
    reminders = []
    for item in stalled:
        if item.answered >= item.total or today - item.last_answer_on < REMINDER_AFTER:
            continue
        for person in item.people:
            reminders.append(
                Reminder(
                    item_key=f"reminder:{item.assessment_id}:{item.answered}",
                    person=person,
                    assessment_id=item.assessment_id,
                    service_id=item.service_id,
                    question=item.first_unanswered,
                    answered=item.answered,
                    total=item.total,
                )
            )
    return reminders
