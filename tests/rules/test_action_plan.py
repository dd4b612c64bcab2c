"""An action plan's progress counted as seed 003 rates it, and the nudges it gets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp_rules import (
    LEAD_GRACE,
    ActionItem,
    ActionProgress,
    NudgeStep,
    Rating,
    UnledPlan,
    is_past_target,
    plan_nudges,
    plan_progress,
)

TODAY = date(2027, 4, 1)


def _action(
    question: int, progress: ActionProgress, target: date | None, owner: str | None = "Lead"
) -> ActionItem:
    return ActionItem(
        question=question, rating=Rating.NO, owner=owner, target_date=target, progress=progress
    )


@pytest.mark.parametrize(
    ("progress", "target", "past"),
    [
        (ActionProgress.NOT_STARTED, TODAY - timedelta(days=1), True),
        (ActionProgress.ON_TRACK, TODAY - timedelta(days=1), True),
        (ActionProgress.NOT_ON_TRACK, TODAY - timedelta(days=1), True),
        (ActionProgress.COMPLETED, TODAY - timedelta(days=1), False),  # done: not late
        (ActionProgress.ON_TRACK, TODAY, False),  # the day itself is still in time
        (ActionProgress.ON_TRACK, None, False),  # no date: nothing to be past
    ],
)
def test_an_action_is_past_its_date_only_after_the_day_and_only_if_not_completed(
    progress: ActionProgress, target: date | None, past: bool
) -> None:
    assert is_past_target(_action(1, progress, target), TODAY) is past


def test_a_plan_is_counted_by_rating_past_its_date_and_without_a_lead() -> None:
    yesterday = TODAY - timedelta(days=1)
    actions = [
        _action(4, ActionProgress.COMPLETED, yesterday),
        _action(6, ActionProgress.ON_TRACK, yesterday, owner=None),
        _action(9, ActionProgress.ON_TRACK, None, owner=""),
        _action(10, ActionProgress.NOT_STARTED, yesterday),
    ]

    progress = plan_progress(actions, TODAY)

    assert (progress.completed, progress.on_track, progress.not_on_track) == (1, 2, 0)
    assert (progress.not_started, progress.total) == (1, 4)
    assert (progress.past_target, progress.without_lead) == (2, 2)
    assert progress.count(ActionProgress.ON_TRACK) == 2


def _plan(without_lead: int, submitted_days_ago: int) -> UnledPlan:
    return UnledPlan(
        service_id=1,
        assessment_id=7,
        submitted_on=TODAY - timedelta(days=submitted_days_ago),
        without_lead=without_lead,
        actions=6,
    )


@pytest.mark.parametrize(
    ("without_lead", "actions", "reference"),
    [(1, 1, "the one action"), (6, 6, "all 6 actions"), (1, 6, "1 of 6 actions")],
)
def test_the_unled_plans_nudge_counts_its_actions_in_words_that_agree(
    without_lead: int, actions: int, reference: str
) -> None:
    plan = _plan(without_lead, LEAD_GRACE.days).model_copy(update={"actions": actions})

    (nudge,) = plan_nudges(today=TODAY, plans=[plan])

    assert nudge.reference == reference


@pytest.mark.parametrize(
    ("without_lead", "days_ago", "nudged"),
    [
        (2, LEAD_GRACE.days, True),  # two weeks on, still unled: nudged
        (2, LEAD_GRACE.days + 30, True),  # and later (the key keeps it to once per plan)
        (2, LEAD_GRACE.days - 1, False),  # within the fortnight: leads may still be agreed
        (0, LEAD_GRACE.days + 30, False),  # every action has a lead
    ],
)
def test_a_plan_with_actions_nobody_leads_is_nudged_once_two_weeks_on(
    without_lead: int, days_ago: int, nudged: bool
) -> None:
    nudges = plan_nudges(today=TODAY, plans=[_plan(without_lead, days_ago)])

    assert [(n.step, n.item_key, n.reference) for n in nudges] == (
        [(NudgeStep.PLAN_WITHOUT_LEAD, "plan-lead:7", f"{without_lead} of 6 actions")]
        if nudged
        else []
    )
