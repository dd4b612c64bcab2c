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


def test_reply_dates_skip_the_christmas_bank_holidays() -> None:
    steps = escalation_schedule(date(2026, 11, 2))

    assert steps[1].on == date(2026, 12, 28)  # escalation 1 on the substitute Boxing Day
    assert steps[1].reply_by == date(2026, 12, 31)  # 29, 30, 31 December
    assert steps[2].on == date(2027, 1, 11)
    assert steps[2].reply_by == date(2027, 1, 25)


def test_reply_dates_skip_easter() -> None:
    steps = escalation_schedule(date(2027, 1, 29))  # escalation 1 on Friday 26 March 2027

    assert steps[1].on == date(2027, 3, 26)
    assert steps[1].reply_by == date(2027, 4, 1)  # not 29 March (Easter Monday)


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
