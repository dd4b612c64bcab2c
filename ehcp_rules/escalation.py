"""The escalation ladder for late health advice: local practice, kept as data.

Default ladder (seed 002, the Torbay process; DESIGN.md §3): on the due date, advice not returned
is *chased*; 2 weeks later *escalation 1* (reply required within 3 working days); 2 weeks after
that *escalation 2* inside health (reply within 10 working days). A local area changes the
intervals and reply windows in ``data/escalation_ladder.json`` or passes its own ladder.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ehcp_rules.datafile import parse_data_file
from ehcp_rules.dates import add_working_days, next_working_day

ADVICE_PERIOD = timedelta(weeks=6)
"""Health advice is due within 6 weeks of the day the request is received (reg 8(1), SEND
Regulations 2014)."""


class EscalationStage(StrEnum):
    """The rungs of the ladder, in order."""

    CHASE = "chase"
    ESCALATION_1 = "escalation_1"
    ESCALATION_2 = "escalation_2"


class LadderStep(BaseModel):
    """One rung as configured: when it starts after the previous one, and its reply window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: EscalationStage
    weeks_after_previous: int = Field(ge=0, le=52)
    reply_working_days: int | None = Field(default=None, ge=1, le=60)
    title: str = Field(min_length=1)
    action: str = Field(min_length=1)


class EscalationLadder(BaseModel):
    """The whole ladder; the first step is timed from the advice due date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    steps: tuple[LadderStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _stages_in_order(self) -> EscalationLadder:
        stages = [step.stage for step in self.steps]
        if stages != list(EscalationStage)[: len(stages)]:
            raise ValueError("steps must be chase, escalation_1, escalation_2 in that order")
        return self


class EscalationStep(BaseModel):
    """A rung of the ladder for one request: the day it is reached and the reply-by date."""

    model_config = ConfigDict(frozen=True)

    stage: EscalationStage
    on: date
    reply_by: date | None
    title: str
    action: str


@lru_cache(maxsize=1)
def load_escalation_ladder() -> EscalationLadder:
    """The shipped default ladder (seed 002)."""
    text = resources.files("ehcp_rules.data").joinpath("escalation_ladder.json").read_text("utf-8")
    return parse_escalation_ladder(text, source="escalation_ladder.json")


def parse_escalation_ladder(text: str, *, source: str) -> EscalationLadder:
    """Parse a ladder from JSON text; ``DataFileError`` names ``source`` and the field."""
    return parse_data_file(EscalationLadder, text, source=source)


def advice_due_date(received: date) -> date:
    """The last day to return health advice: 6 weeks (42 days) after the day it was received.

    Calendar days: weekends and bank holidays do not stop the clock (reg 8(1)). The request is
    due on this day and overdue from the next.
    """
    return received + ADVICE_PERIOD


def escalation_schedule(
    received: date, ladder: EscalationLadder | None = None
) -> list[EscalationStep]:
    """Every rung of the ladder for a request received on ``received``, in order.

    Each rung is timed in calendar weeks from the one before it (seed 002: "after a further
    2 weeks"); a rung whose day is not a working day (a weekend, a bank holiday of England and
    Wales) is taken on the next working day, since no letter goes and no office answers before
    then, and its reply-by date is the n-th working day after the day it is taken. The weeks to
    the next rung still run from the calendar day, so one holiday does not push every later
    rung back.
    """
    return list(_schedule(received, ladder or load_escalation_ladder()))


@lru_cache(maxsize=4096)
def _schedule(received: date, ladder: EscalationLadder) -> tuple[EscalationStep, ...]:
    """The same for every request received that day: worked out once (a sweep places tens of
    thousands of requests, received on a few hundred days)."""
    day = advice_due_date(received)
    steps = []
    for rung in ladder.steps:
        day += timedelta(weeks=rung.weeks_after_previous)
        taken = next_working_day(day)
        reply_by = None
        if rung.reply_working_days is not None:
            reply_by = add_working_days(taken, rung.reply_working_days)
        steps.append(
            EscalationStep(
                stage=rung.stage, on=taken, reply_by=reply_by, title=rung.title, action=rung.action
            )
        )
    return tuple(steps)


def rung_offsets(ladder: EscalationLadder | None = None) -> list[tuple[str, int]]:
    """Each rung's title and the calendar days after the due date on which it falls, in order:
    what a database needs to place many overdue requests on the ladder at once. (A rung is
    *taken* on the next working day: on ``today`` it has been reached when its calendar day is
    on or before the last working day up to ``today`` — ``last_working_day``.)"""
    chosen = ladder or load_escalation_ladder()
    offsets, days = [], 0
    for rung in chosen.steps:
        days += 7 * rung.weeks_after_previous
        offsets.append((rung.title, days))
    return offsets
