"""The 6-week due date (reg 8(1)) and the local escalation ladder (seed 002) end to end."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ehcp_rules import (
    DataFileError,
    EscalationStage,
    advice_due_date,
    escalation_schedule,
    load_escalation_ladder,
    parse_escalation_ladder,
)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 2), date(2026, 4, 13)),  # across Easter: calendar days, no pause
        (date(2026, 11, 16), date(2026, 12, 28)),  # due on the Boxing Day substitute holiday
        (date(2026, 11, 28), date(2027, 1, 9)),  # received on a Saturday, due on a Saturday
        (date(2028, 1, 31), date(2028, 3, 13)),  # across 29 February
    ],
)
def test_advice_is_due_six_calendar_weeks_after_the_day_it_was_received(
    received: date, due: date
) -> None:
    assert advice_due_date(received) == due


def test_the_ladder_runs_chase_then_two_escalations_two_weeks_apart() -> None:
    steps = escalation_schedule(date(2026, 10, 5))

    assert [s.stage for s in steps] == list(EscalationStage)
    assert [s.on for s in steps] == [date(2026, 11, 16), date(2026, 11, 30), date(2026, 12, 14)]
    assert steps[0].reply_by is None
    assert steps[1].reply_by == date(2026, 12, 3)  # 3 working days after Monday 30 Nov
    assert steps[2].reply_by == date(2026, 12, 30)  # 10 working days over Christmas


def test_a_step_on_a_bank_holiday_is_taken_on_the_next_working_day() -> None:
    steps = escalation_schedule(date(2026, 11, 2))

    # escalation 1 falls on Monday 28 December 2026, the Boxing Day substitute: taken on the 29th
    assert steps[1].on == date(2026, 12, 29)
    assert steps[1].reply_by == date(2027, 1, 4)  # 30, 31 December, (1 January) 4 January
    assert steps[2].on == date(2027, 1, 11)  # 2 weeks from the 28th: shifts do not add up
    assert steps[2].reply_by == date(2027, 1, 25)


def test_reply_dates_skip_easter() -> None:
    steps = escalation_schedule(date(2027, 1, 29))  # escalation 1 on Friday 26 March 2027

    # Good Friday 26 March and Easter Monday 29 March 2027: taken on Tuesday 30 March
    assert steps[1].on == date(2027, 3, 30)
    assert steps[1].reply_by == date(2027, 4, 2)  # 31 March, 1 and 2 April


# Decision table, worked by hand from the rule (a step on a non-working day is taken on the next
# working day, its reply-by counted from there) and the England and Wales bank holidays.
@pytest.mark.parametrize(
    ("received", "stage", "taken", "reply_by"),
    [
        # escalation 1 on Friday 25 December 2026 (Christmas): taken Tuesday 29th (the 26th is a
        # Saturday, 28th the Boxing Day substitute); 3 working days: 30, 31 Dec, 4 Jan
        (date(2026, 10, 30), 1, date(2026, 12, 29), date(2027, 1, 4)),
        # escalation 1 on Saturday 5 December 2026: taken Monday 7th; 8, 9, 10 December
        (date(2026, 10, 10), 1, date(2026, 12, 7), date(2026, 12, 10)),
        # escalation 2 on Sunday 3 January 2027: taken Monday 4th; 10 working days: 18 January
        (date(2026, 10, 25), 2, date(2027, 1, 4), date(2027, 1, 18)),
        # escalation 2 on a working day, Wednesday 13 January 2027: as before, 27 January
        (date(2026, 11, 4), 2, date(2027, 1, 13), date(2027, 1, 27)),
        # the chase on the due date, Saturday 9 January 2027: taken Monday 11th (no reply asked)
        (date(2026, 11, 28), 0, date(2027, 1, 11), None),
    ],
)
def test_steps_on_non_working_days_decision_table(
    received: date, stage: int, taken: date, reply_by: date | None
) -> None:
    step = escalation_schedule(received)[stage]

    assert (step.on, step.reply_by) == (taken, reply_by)


def test_a_local_area_can_change_the_ladder() -> None:
    raw = json.loads(load_escalation_ladder().model_dump_json())
    raw["steps"][1]["weeks_after_previous"] = 1
    raw["steps"][1]["reply_working_days"] = 5
    ladder = parse_escalation_ladder(json.dumps(raw), source="devon.json")

    steps = escalation_schedule(date(2026, 10, 5), ladder)

    assert steps[1].on == date(2026, 11, 23)
    assert steps[1].reply_by == date(2026, 11, 30)


def test_a_ladder_out_of_order_is_refused_with_the_file_named() -> None:
    raw = json.loads(load_escalation_ladder().model_dump_json())
    raw["steps"].reverse()

    with pytest.raises(DataFileError, match=r"^devon\.json: \(top level\): .*chase, escalation_1"):
        parse_escalation_ladder(json.dumps(raw), source="devon.json")


def test_a_ladder_with_a_bad_reply_window_names_the_field() -> None:
    raw = json.loads(load_escalation_ladder().model_dump_json())
    raw["steps"][2]["reply_working_days"] = 0

    with pytest.raises(DataFileError) as caught:
        parse_escalation_ladder(json.dumps(raw), source="devon.json")

    assert caught.value.field == "steps[2].reply_working_days"
