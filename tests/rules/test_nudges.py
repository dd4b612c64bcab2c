"""The nudge planner against dated scenarios: a request through every step, a week at Christmas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp_rules import (
    ActionProgress,
    AdviceRequestRecord,
    AnnualReviewRecord,
    ExceptionReason,
    LateAction,
    NudgeStep,
    PhaseTransfer,
    StaleAssessment,
    plan_nudges,
)

REQUEST = AdviceRequestRecord(
    id=7, case_ref="LA-2026-0142", service_id=1, received_on=date(2026, 11, 2)
)  # due Monday 14 December 2026


def _steps(day: date, *, requests: list[AdviceRequestRecord]) -> list[tuple[str, NudgeStep]]:
    return [(n.item_key, n.step) for n in plan_nudges(today=day, requests=requests)]


def test_a_request_moves_through_every_step_one_nudge_a_day_at_most() -> None:
    seen: dict[NudgeStep, date] = {}
    day = date(2026, 11, 2)
    while day <= date(2027, 2, 1):
        steps = _steps(day, requests=[REQUEST])
        assert len(steps) <= 1
        if steps:
            seen.setdefault(steps[0][1], day)
        day += timedelta(days=1)

    assert seen == {
        NudgeStep.DUE_THIS_WEEK: date(2026, 12, 8),
        NudgeStep.DUE_TODAY: date(2026, 12, 14),
        NudgeStep.OVERDUE: date(2026, 12, 15),
        # taken the day after the Boxing Day substitute holiday
        NudgeStep.ESCALATION_1: date(2026, 12, 29),
        NudgeStep.ESCALATION_2: date(2027, 1, 11),
        # escalation 2's reply was due Monday 25 January: the ladder has run out
        NudgeStep.REPLY_OVERDUE: date(2027, 1, 26),
    }


def test_escalation_nudges_carry_the_reply_by_date() -> None:
    (nudge,) = plan_nudges(today=date(2026, 12, 29), requests=[REQUEST])

    assert (nudge.step, nudge.on, nudge.reply_by) == (
        NudgeStep.ESCALATION_1,
        date(2026, 12, 29),
        date(2027, 1, 4),
    )


def test_after_days_of_downtime_only_the_step_reached_is_due() -> None:
    assert _steps(date(2027, 1, 20), requests=[REQUEST]) == [("request:7", NudgeStep.ESCALATION_2)]


def test_returned_or_excepted_requests_are_not_nudged() -> None:
    returned = REQUEST.model_copy(update={"returned_on": date(2026, 12, 1)})
    excepted = REQUEST.model_copy(
        update={
            "exception_reason": ExceptionReason.MISSED_APPOINTMENT,
            "exception_narrative": "Two appointments missed.",
        }
    )

    assert _steps(date(2026, 12, 20), requests=[returned, excepted]) == []


def test_a_christmas_week_digest_is_ordered_by_urgency() -> None:
    requests = [
        REQUEST.model_copy(
            update={"id": 1, "case_ref": "LA-SOON", "received_on": date(2026, 11, 20)}
        ),
        REQUEST.model_copy(
            update={"id": 2, "case_ref": "LA-TODAY", "received_on": date(2026, 11, 17)}
        ),
        REQUEST.model_copy(
            update={"id": 3, "case_ref": "LA-ESC1", "received_on": date(2026, 11, 2)}
        ),
    ]
    review = AnnualReviewRecord(
        id=4,
        case_ref="EHCP-1",
        service_ids=(1, 2),
        plan_issued_on=date(2026, 1, 20),
        meeting_on=date(2027, 1, 20),
    )

    nudges = plan_nudges(today=date(2026, 12, 29), requests=requests, reviews=[review])

    assert [(n.reference, n.step, n.service_id) for n in nudges] == [
        ("LA-ESC1", NudgeStep.ESCALATION_1, 1),
        ("LA-TODAY", NudgeStep.DUE_TODAY, 1),
        ("EHCP-1", NudgeStep.HEALTH_NOT_NOTIFIED, 1),
        ("EHCP-1", NudgeStep.HEALTH_NOT_NOTIFIED, 2),
        # the plan's 12 months end on 19 January: a meeting on the 20th is a day late
        ("EHCP-1", NudgeStep.MEETING_AFTER_LIMIT, 1),
        ("EHCP-1", NudgeStep.MEETING_AFTER_LIMIT, 2),
        ("LA-SOON", NudgeStep.DUE_THIS_WEEK, 1),
    ]


def test_assessments_not_refreshed_in_12_months_and_actions_past_target() -> None:
    nudges = plan_nudges(
        today=date(2026, 12, 1),
        assessments=[
            StaleAssessment(service_id=1, last_submitted=date(2025, 11, 30)),
            StaleAssessment(service_id=2, last_submitted=date(2026, 6, 1)),
            StaleAssessment(service_id=3, last_submitted=None),
        ],
        actions=[
            LateAction(
                service_id=1,
                assessment_id=9,
                question=4,
                target_date=date(2026, 11, 30),
                progress=ActionProgress.ON_TRACK,
            ),
            LateAction(
                service_id=1,
                assessment_id=9,
                question=6,
                target_date=date(2026, 11, 30),
                progress=ActionProgress.COMPLETED,
            ),
        ],
    )

    assert [(n.step, n.service_id) for n in nudges] == [
        (NudgeStep.ACTION_PAST_TARGET, 1),
        (NudgeStep.ASSESSMENT_STALE, 1),  # lapsed on 30 November
        (NudgeStep.ASSESSMENT_STALE, 3),  # never submitted: due today
    ]


def test_a_changed_meeting_date_is_a_new_item() -> None:
    review = AnnualReviewRecord(
        id=4,
        case_ref="EHCP-1",
        service_ids=(1,),
        plan_issued_on=date(2026, 1, 20),
        meeting_on=date(2027, 1, 20),
    )
    moved = review.model_copy(update={"meeting_on": date(2027, 1, 22)})

    first = plan_nudges(today=date(2026, 12, 29), reviews=[review])[0].item_key
    second = plan_nudges(today=date(2026, 12, 29), reviews=[moved])[0].item_key

    assert first != second


def test_a_week_after_the_last_answer_each_person_who_worked_on_it_is_reminded_once() -> None:
    from ehcp_rules import StalledAssessment, plan_reminders

    stalled = StalledAssessment(
        assessment_id=5,
        service_id=1,
        people=("sam", "alex"),
        answered=11,
        total=23,
        first_unanswered=12,
        last_answer_on=date(2026, 11, 16),
    )

    assert plan_reminders([stalled], date(2026, 11, 22)) == []
    reminders = plan_reminders([stalled], date(2026, 11, 23))
    assert [(r.person, r.question, r.item_key) for r in reminders] == [
        ("sam", 12, "reminder:5:11"),
        ("alex", 12, "reminder:5:11"),
    ]
    finished = stalled.model_copy(update={"answered": 23})
    assert plan_reminders([finished], date(2026, 12, 30)) == []


PLAN_DEC_2025 = AnnualReviewRecord(
    id=7, case_ref="EHCP-7", service_ids=(1,), plan_issued_on=date(2025, 12, 1)
)
"""A plan made on 1 December 2025: its 12 months end on 30 November 2026."""


@pytest.mark.parametrize(
    ("changes", "today", "expected"),
    [
        # no meeting date 8 weeks before the limit: tell health by 19 Oct (6 weeks, seed 002)
        ({}, date(2026, 10, 4), []),
        (
            {},
            date(2026, 10, 5),
            [(NudgeStep.NO_MEETING_DATE, date(2026, 11, 30), date(2026, 10, 19))],
        ),
        # past the limit with no date: one nudge, the review past its 12 months
        ({}, date(2026, 12, 1), [(NudgeStep.REVIEW_PAST_LIMIT, date(2026, 11, 30), None)]),
        # a meeting booked after the limit: nudged at once, with the limit
        (
            {"meeting_on": date(2026, 12, 14), "health_notified_on": date(2026, 9, 1)},
            date(2026, 9, 2),
            [(NudgeStep.MEETING_AFTER_LIMIT, date(2026, 12, 14), date(2026, 11, 30))],
        ),
        # health told with 5 weeks' notice (seed 002's 6 not given), and with 10 days' (reg 20(3))
        (
            {"meeting_on": date(2026, 11, 20), "health_notified_on": date(2026, 10, 16)},
            date(2026, 10, 16),
            [(NudgeStep.HEALTH_TOLD_LATE, date(2026, 11, 20), None)],
        ),
        (
            {"meeting_on": date(2026, 11, 20), "health_notified_on": date(2026, 11, 10)},
            date(2026, 11, 10),
            [
                (NudgeStep.CONTRIBUTION_MISSING, date(2026, 11, 20), date(2026, 11, 6)),
                (NudgeStep.HEALTH_TOLD_UNDER_2_WEEKS, date(2026, 11, 20), None),
            ],
        ),
        # the meeting day has passed and nobody recorded it held
        (
            {"meeting_on": date(2026, 11, 20), "health_notified_on": date(2026, 9, 1)},
            date(2026, 11, 23),
            [(NudgeStep.MEETING_NOT_RECORDED, date(2026, 11, 20), None)],
        ),
        # a transfer in September 2027: amended by 14 Feb, the meeting by 22 Nov 2026
        (
            {
                "last_review_on": date(2026, 6, 1),
                "phase_transfer": PhaseTransfer.SCHOOL,
                "transfer_year": 2027,
            },
            date(2026, 9, 27),
            [(NudgeStep.PHASE_TRANSFER, date(2027, 2, 14), date(2026, 11, 22))],
        ),
    ],
)
def test_each_review_needing_health_is_nudged_while_health_can_act(
    changes: dict[str, object],
    today: date,
    expected: list[tuple[NudgeStep, date, date | None]],
) -> None:
    review = PLAN_DEC_2025.model_copy(update=changes)

    nudges = plan_nudges(today=today, reviews=[review])

    assert [(n.step, n.on, n.reply_by) for n in nudges] == expected
