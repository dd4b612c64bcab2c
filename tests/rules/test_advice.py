"""One advice request's state on each day it changes (reg 8; seed 002's ladder)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp_rules import (
    AdviceRequest,
    AdviceState,
    EscalationStage,
    ExceptionReason,
    InvalidDatesError,
    advice_status,
)

RECEIVED = date(2026, 11, 2)  # due Monday 14 December 2026
DUE = date(2026, 12, 14)
OPEN = AdviceRequest(received_on=RECEIVED, reference="LA-2026-0142")


def test_before_the_due_date_it_is_in_time_with_days_remaining() -> None:
    status = advice_status(OPEN, date(2026, 11, 23))

    assert status.state is AdviceState.IN_TIME
    assert status.due_on == DUE
    assert status.days_remaining == 21
    assert status.escalation is None
    assert status.next_escalation is not None
    assert status.next_escalation.stage is EscalationStage.CHASE
    assert status.next_action == "Return the advice by 14 Dec 2026."


def test_on_the_due_date_it_is_due_today_and_reaches_the_chase() -> None:
    status = advice_status(OPEN, DUE)

    assert status.state is AdviceState.DUE_TODAY
    assert status.days_remaining == 0
    assert status.days_overdue == 0
    assert status.escalation is not None
    assert status.escalation.stage is EscalationStage.CHASE
    assert status.next_action.startswith("Due today")


def test_the_day_after_the_due_date_it_is_overdue_and_being_chased() -> None:
    status = advice_status(OPEN, DUE + timedelta(days=1))

    assert status.state is AdviceState.OVERDUE
    assert status.days_overdue == 1
    assert status.escalation is not None
    assert status.escalation.stage is EscalationStage.CHASE
    assert status.next_escalation is not None
    # escalation 1 falls on Monday 28 December 2026, the Boxing Day substitute bank holiday:
    # it is taken on Tuesday 29th
    assert status.next_escalation.on == date(2026, 12, 29)
    assert status.next_action.endswith("Escalation 1 on 29 Dec 2026.")
    assert status.next_action_on == date(2026, 12, 29)


def test_at_escalation_1_a_reply_is_required_within_3_working_days_of_the_day_taken() -> None:
    holiday = advice_status(OPEN, date(2026, 12, 28))
    status = advice_status(OPEN, date(2026, 12, 29))

    assert holiday.escalation is not None
    assert holiday.escalation.stage is EscalationStage.CHASE
    assert status.escalation is not None
    assert status.escalation.stage is EscalationStage.ESCALATION_1
    # 3 working days from Tuesday 29 December: 30, 31 December, (1 January a holiday) 4 January
    assert status.next_action == (
        "Escalation 1: Escalation letter from the local authority to the provider; the DCO "
        "helps the team return the advice; reply required by 04 Jan 2027."
    )
    assert status.next_action_on == date(2027, 1, 4)


def test_after_the_escalation_1_reply_date_the_next_step_is_escalation_2() -> None:
    status = advice_status(OPEN, date(2027, 1, 5))

    assert status.escalation is not None
    assert status.escalation.stage is EscalationStage.ESCALATION_1
    assert status.next_action_on == date(2027, 1, 11)


def test_at_escalation_2_and_after_its_reply_date() -> None:
    at = advice_status(OPEN, date(2027, 1, 11))
    after = advice_status(OPEN, date(2027, 2, 1))

    assert at.escalation is not None and at.escalation.stage is EscalationStage.ESCALATION_2
    inside_health = (
        "Escalation 2: Escalation inside health: the head of service gives a return date and "
        "the reason for the delay"
    )
    assert at.next_action == f"{inside_health}; reply required by 25 Jan 2027."
    # working days after Monday 25 January up to Monday 1 February: 26, 27, 28, 29 Jan, 1 Feb
    assert after.next_action == f"{inside_health}; the reply was due 25 Jan, 5 working days ago."
    assert after.next_action_on is None
    assert after.days_overdue == 49


def test_a_reg_8_2_exception_is_not_escalated_but_the_advice_is_still_owed() -> None:
    request = OPEN.model_copy(update={"exception": ExceptionReason.ABSENT_FROM_AREA})

    status = advice_status(request, date(2027, 1, 11))

    assert status.state is AdviceState.OVERDUE
    assert status.escalation is None
    assert status.exception is ExceptionReason.ABSENT_FROM_AREA
    assert "still owed" in status.next_action
    assert "reg 8(2)(b)" in status.next_action


def test_the_three_exceptions_are_those_of_reg_8_2() -> None:
    assert [r.regulation for r in ExceptionReason] == ["reg 8(2)(a)", "reg 8(2)(b)", "reg 8(2)(c)"]
    assert "not less than 4 weeks" in ExceptionReason.ABSENT_FROM_AREA.label


@pytest.mark.parametrize(
    ("returned", "state", "late"),
    [
        (date(2026, 12, 1), AdviceState.RETURNED_ON_TIME, 0),
        (DUE, AdviceState.RETURNED_ON_TIME, 0),
        (DUE + timedelta(days=1), AdviceState.RETURNED_LATE, 1),
    ],
)
def test_a_returned_request_is_on_time_up_to_and_including_the_due_date(
    returned: date, state: AdviceState, late: int
) -> None:
    status = advice_status(OPEN.model_copy(update={"returned_on": returned}), date(2027, 3, 1))

    assert status.state is state
    assert status.days_overdue == late
    assert status.escalation is None
    assert status.next_action_on is None


def test_a_return_before_the_request_is_refused() -> None:
    with pytest.raises(ValueError, match="before the request was received"):
        AdviceRequest(received_on=RECEIVED, returned_on=date(2026, 11, 1))


def test_dates_after_today_are_refused() -> None:
    with pytest.raises(InvalidDatesError, match="after"):
        advice_status(OPEN, date(2026, 11, 1))
    with pytest.raises(InvalidDatesError, match="after"):
        advice_status(
            OPEN.model_copy(update={"returned_on": date(2026, 12, 1)}), date(2026, 11, 20)
        )


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 200))
def test_an_open_request_is_overdue_exactly_from_the_day_after_its_due_date(
    received: date, days_later: int
) -> None:
    today = received + timedelta(days=days_later)

    status = advice_status(AdviceRequest(received_on=received), today)

    assert (status.state is AdviceState.OVERDUE) == (days_later > 42)
    assert status.days_remaining + days_later - status.days_overdue == 42


def test_due_this_week_means_open_and_due_from_today_to_six_days_on() -> None:
    from ehcp_rules import due_within_week

    today = date(2026, 12, 8)
    assert due_within_week(advice_status(OPEN, today), today)  # due 14 Dec, 6 days on
    assert not due_within_week(advice_status(OPEN, date(2026, 12, 7)), date(2026, 12, 7))
    assert not due_within_week(advice_status(OPEN, date(2026, 12, 15)), date(2026, 12, 15))
    returned = OPEN.model_copy(update={"returned_on": date(2026, 12, 1)})
    assert not due_within_week(advice_status(returned, today), today)


def test_the_greatest_risk_sorts_first() -> None:
    from ehcp_rules import risk_key

    today = date(2027, 1, 12)
    requests = {
        "esc2": AdviceRequest(received_on=date(2026, 11, 2)),  # escalation 2 since 11 Jan
        "chase": AdviceRequest(received_on=date(2026, 11, 30)),  # chased since 11 Jan
        "esc1": AdviceRequest(received_on=date(2026, 11, 16)),  # escalation 1 since 11 Jan
        "soon": AdviceRequest(received_on=date(2026, 12, 10)),  # due 21 Jan
        "later": AdviceRequest(received_on=date(2026, 12, 20)),  # due 31 Jan
    }

    ordered = sorted(requests, key=lambda k: risk_key(advice_status(requests[k], today)))

    assert ordered == ["esc2", "esc1", "chase", "soon", "later"]
