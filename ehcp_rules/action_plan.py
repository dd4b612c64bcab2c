"""An action plan's progress at a glance, as seed 003's plan is reported to its board.

Seed 003 (the Cheshire East Written Statement of Action, "Progress will be rated based on the
following RAG rating") keeps, for each action, what is being done, when it will be completed, the
workstream, who leads it and a progress rating: completed; on track (not yet completed, scheduled
within its timeframe); not on track (risk to implementation); not yet started. The board sees
the plan by those ratings and by what is late. Seed 000 makes every No and Emerging answer an
action; an action nobody leads is one nobody will report on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from ehcp_rules.records import ActionItem, ActionProgress

LEAD_GRACE = timedelta(days=14)
"""How long after a plan is submitted its actions may go without a lead before the service's
channel is told. No source gives a figure: two weeks is one fortnightly team meeting, where a
plan's leads are usually agreed, and keeps the nudge from arriving the day the plan is made."""


class PlanProgress(BaseModel):
    """How many of a plan's actions have each progress rating, how many are past their target
    date and not completed, and how many have no lead."""

    model_config = ConfigDict(frozen=True)

    completed: int = 0
    on_track: int = 0
    not_on_track: int = 0
    not_started: int = 0
    past_target: int = 0
    without_lead: int = 0

    @property
    def total(self) -> int:
        """Every action in the plan."""
        return self.completed + self.on_track + self.not_on_track + self.not_started

    def count(self, progress: ActionProgress) -> int:
        """The actions with this rating."""
        return int(getattr(self, progress.value))


def is_past_target(action: ActionItem, today: date) -> bool:
    """An action whose target date has gone by (the day itself is still in time) and that is not
    completed: the same test the nudges make."""
    return (
        action.target_date is not None
        and action.target_date < today
        and action.progress is not ActionProgress.COMPLETED
    )


def plan_progress(actions: Iterable[ActionItem], today: date) -> PlanProgress:
    """The plan counted by progress rating, past their date and without a lead."""
    counts = dict.fromkeys((p.value for p in ActionProgress), 0)
    past, unled = 0, 0
    for action in actions:
        counts[action.progress.value] += 1
        past += is_past_target(action, today)
        unled += not action.owner
    return PlanProgress(**counts, past_target=past, without_lead=unled)
