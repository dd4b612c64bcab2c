"""Advice requests at the edges: reg 8(2) exceptions as the regulation words them, a clinical
delay's expected date, "advice will not be provided" (seed 002), a reply date that has passed,
and the dates that cannot be true together. Each table is worked by hand from its source."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_rules import (
    AdviceOutcome,
    AdviceRequest,
    AdviceRequestRecord,
    AdviceState,
    ExceptionReason,
    InvalidDatesError,
    NudgeStep,
    advice_status,
    compliance,
    month_period,
    plan_nudges,
)
from ehcp_rules.advice_checks import (
    check_exception,
    check_not_provided,
    check_received,
    check_request_dates,
    latest_absence_start,
)

RECEIVED = date(2026, 11, 2)  # due Monday 14 December 2026; escalation 2 on 11 January 2027
DUE = date(2026, 12, 14)
RECORD = AdviceRequestRecord(id=7, case_ref="LA-2026-0142", service_id=1, received_on=RECEIVED)
EXCEPTED = RECORD.model_copy(
    update={
        "exception_reason": ExceptionReason.MISSED_APPOINTMENT,
        "exception_narrative": "Two appointments for the hearing test were not kept.",
        "exception_arose_on": date(2026, 11, 20),
        "agreed_return_on": date(2027, 1, 20),
    }
)


def test_the_three_heads_are_worded_as_reg_8_2_words_them() -> None:
    assert [r.label for r in ExceptionReason] == [
        "Exceptional circumstances affect the child, the child's parent or the young person "
        "during that 6 week period",
        "The child, the child's parent or the young person are absent from the area of the "
        "authority for a continuous period of not less than 4 weeks during that 6 week period",
        "The child or young person fails to keep an appointment for an examination or a test "
        "made by the body during that 6 week period",
    ]


# reg 8(2): "during that 6 week period" — from the day received to the due date, both included
@pytest.mark.parametrize(
    ("arose", "applies"),
    [
        (None, False),  # kept before the date was asked for: cannot be shown to apply
        (date(2026, 11, 1), False),  # the day before the request was received
        (RECEIVED, True),  # the day it was received
        (date(2026, 11, 20), True),
        (DUE, True),  # the last day of the 6 weeks
        (date(2026, 12, 15), False),  # the day after: the request is late, not excepted
    ],
)
def test_an_exception_applies_only_when_it_arose_during_the_six_weeks(
    arose: date | None, applies: bool
) -> None:
    request = AdviceRequest(
        received_on=RECEIVED, exception=ExceptionReason.MISSED_APPOINTMENT, exception_arose_on=arose
    )

    assert request.exception_applies is applies


# reg 8(2)(b): absent "for a continuous period of not less than 4 weeks during that 6 week
# period": received Monday 2 November 2026, due Monday 14 December; an absence beginning on
# Tuesday 17 November is absent 17 November to 14 December, 28 days; one beginning a day later
# has 27 days left in the 6 weeks
@pytest.mark.parametrize(
    ("arose", "applies"),
    [
        (RECEIVED, True),
        (date(2026, 11, 17), True),  # the 15th day after receipt: 4 weeks to the due date
        (date(2026, 11, 18), False),  # 27 days left: cannot be 4 weeks within the 6
        (DUE, False),
    ],
)
def test_an_absence_applies_only_when_its_four_weeks_fit_in_the_six(
    arose: date, applies: bool
) -> None:
    request = AdviceRequest(
        received_on=RECEIVED, exception=ExceptionReason.ABSENT_FROM_AREA, exception_arose_on=arose
    )

    assert request.exception_applies is applies


@pytest.mark.parametrize(
    ("arose", "agreed", "problem"),
    [
        (None, date(2027, 1, 20), "needs the date its circumstance arose"),
        (date(2026, 11, 1), date(2027, 1, 20), "before the request was received"),
        (date(2026, 12, 15), date(2027, 1, 20), "after the advice was due"),
        (date(2026, 12, 20), date(2027, 1, 20), "in the future"),
        (date(2026, 11, 20), None, "agreed with the requesting team"),
        (date(2026, 11, 20), date(2026, 11, 19), "before the circumstance arose"),
        (date(2026, 11, 20), date(2027, 1, 20), None),
        (DUE, DUE, None),
    ],
)
def test_recording_an_exception_decision_table(
    arose: date | None, agreed: date | None, problem: str | None
) -> None:
    today = date(2026, 12, 16)
    if problem is None:
        check_exception(RECEIVED, arose, agreed, today)
        return
    with pytest.raises(InvalidDatesError, match=problem):
        check_exception(RECEIVED, arose, agreed, today)


def test_only_exceptions_that_meet_reg_8_2_are_left_out_of_the_measure() -> None:
    late = date(2026, 12, 20)  # every one returned late
    within = AdviceRequest(
        received_on=RECEIVED,
        returned_on=late,
        exception=ExceptionReason.ABSENT_FROM_AREA,
        exception_arose_on=date(2026, 11, 10),
        reference="A",
    )
    after = within.model_copy(
        update={"exception_arose_on": date(2026, 12, 16), "reference": "B"}
    )  # arose after the due date (only an old or imported record could hold this)
    plain = AdviceRequest(received_on=RECEIVED, returned_on=DUE, reference="C")  # on time

    measures = compliance([within, after, plain], *month_period(2026, 12), today=date(2027, 1, 5))

    assert measures.exception_references == ("A", "B")  # both listed, never hidden
    assert measures.percent_on_time == 33.3  # 1 of 3
    assert measures.percent_on_time_excluding_exceptions == 50.0  # 1 of 2: only A left out


@pytest.mark.parametrize(
    ("today", "step", "on"),
    [
        (date(2026, 12, 14), None, None),  # the 6-week date no longer applies
        (date(2027, 1, 13), None, None),
        (date(2027, 1, 14), NudgeStep.AGREED_DATE_SOON, date(2027, 1, 20)),  # 6 days before
        (date(2027, 1, 20), NudgeStep.AGREED_DATE_SOON, date(2027, 1, 20)),
        (date(2027, 1, 21), NudgeStep.AGREED_DATE_PASSED, date(2027, 1, 21)),
        (date(2027, 3, 1), NudgeStep.AGREED_DATE_PASSED, date(2027, 1, 21)),
    ],
)
def test_an_excepted_request_is_nudged_on_its_agreed_return_date(
    today: date, step: NudgeStep | None, on: date | None
) -> None:
    nudges = plan_nudges(today=today, requests=[EXCEPTED])

    assert [(n.step, n.on) for n in nudges] == ([(step, on)] if step else [])


def test_an_excepted_request_says_when_its_agreed_date_is_and_when_it_has_passed() -> None:
    before = advice_status(EXCEPTED.as_rule(), date(2027, 1, 5))
    after = advice_status(EXCEPTED.as_rule(), date(2027, 1, 25))

    assert before.next_action.endswith("Return it by the agreed date, 20 Jan 2027.")
    assert before.next_action_on == date(2027, 1, 20)
    assert "the agreed return date, 20 Jan 2027, has passed" in after.next_action


DELAYED = RECORD.model_copy(
    update={
        "outcome": AdviceOutcome.CLINICAL_DELAY,
        "expected_on": date(2027, 1, 20),
        "team_told": True,
    }
)


def test_a_clinical_delay_shows_the_expected_date_not_the_six_week_date() -> None:
    status = advice_status(DELAYED.as_rule(), date(2026, 12, 1))

    assert status.next_action == (
        "Clinical delay: return the advice by the expected date, 20 Jan 2027 (it was due "
        "14 Dec 2026)."
    )
    assert status.next_action_on == date(2027, 1, 20)


def test_a_clinical_delay_is_nudged_the_day_after_its_expected_date() -> None:
    before = plan_nudges(today=date(2027, 1, 20), requests=[DELAYED])
    after = plan_nudges(today=date(2027, 1, 21), requests=[DELAYED])

    assert [n.step for n in before] == [NudgeStep.ESCALATION_2]
    assert [(n.step, n.on, n.reply_by) for n in after] == [
        (NudgeStep.EXPECTED_PASSED, date(2027, 1, 21), date(2027, 1, 20))
    ]
    assert "has passed" in advice_status(DELAYED.as_rule(), date(2027, 1, 21)).next_action


def test_after_the_last_reply_date_the_reply_is_said_to_be_overdue_once() -> None:
    # escalation 2 on 11 January 2027, reply by 25 January
    on_the_day = plan_nudges(today=date(2027, 1, 25), requests=[RECORD])
    after = plan_nudges(today=date(2027, 2, 8), requests=[RECORD])

    assert [n.step for n in on_the_day] == [NudgeStep.ESCALATION_2]
    assert [(n.step, n.on, n.reply_by) for n in after] == [
        (NudgeStep.REPLY_OVERDUE, date(2027, 1, 26), date(2027, 1, 25))
    ]


NOT_PROVIDED = RECORD.model_copy(
    update={
        "outcome": AdviceOutcome.NOT_PROVIDED,
        "returned_on": date(2027, 1, 15),
        "not_provided_reason": "Head of service: advice not required, already in the plan.",
    }
)


def test_advice_will_not_be_provided_closes_the_request_and_counts_as_late() -> None:
    status = advice_status(NOT_PROVIDED.as_rule(), date(2027, 1, 20))
    measures = compliance([NOT_PROVIDED.as_rule()], *month_period(2026, 12), date(2027, 1, 20))

    assert status.state is AdviceState.NOT_PROVIDED
    assert status.next_action == "Closed on 15 Jan 2027: the advice will not be provided."
    assert plan_nudges(today=date(2027, 1, 20), requests=[NOT_PROVIDED]) == []
    assert (measures.on_time, measures.late, measures.percent_on_time) == (0, 1, 0.0)


@pytest.mark.parametrize(
    ("on", "reason", "problem"),
    [
        (date(2027, 1, 11), "Not required.", None),  # the day escalation 2 is reached
        (date(2027, 1, 10), "Not required.", "before it"),
        (date(2026, 12, 20), "Not required.", "before it"),
        (date(2027, 1, 11), "  ", "reason is needed"),
        (date(2027, 1, 11), None, "reason is needed"),
    ],
)
def test_not_provided_decision_table(on: date, reason: str | None, problem: str | None) -> None:
    if problem is None:
        check_not_provided(RECEIVED, on, reason)
        return
    with pytest.raises(InvalidDatesError, match=problem):
        check_not_provided(RECEIVED, on, reason)


# An open request received more than a year (365 days) back is refused; a closed one is history
@pytest.mark.parametrize(
    ("received", "closed", "problem"),
    [
        (date(2025, 12, 1), False, None),  # exactly 365 days before 1 December 2026
        (date(2025, 11, 30), False, "more than a year ago"),
        (date(2019, 3, 4), False, "would already be 2787 days overdue"),
        (date(2019, 3, 4), True, None),
        (date(2026, 12, 2), False, "in the future"),
    ],
)
def test_received_date_decision_table(received: date, closed: bool, problem: str | None) -> None:
    today = date(2026, 12, 1)
    if problem is None:
        check_received(received, today, closed=closed)
        return
    with pytest.raises(InvalidDatesError, match=problem):
        check_received(received, today, closed=closed)


@pytest.mark.parametrize(
    ("update", "problem"),
    [
        ({"la_deadline": date(2026, 11, 1)}, "deadline .* is before the request was received"),
        ({"la_deadline": RECEIVED}, None),
        ({"assessment_requested_on": date(2026, 11, 3)}, "after health received"),
        ({"outcome": AdviceOutcome.CLINICAL_DELAY}, "needs the expected date"),
        ({"outcome": AdviceOutcome.CLINICAL_DELAY, "expected_on": date(2026, 11, 1)}, "before"),
        ({"outcome": AdviceOutcome.NOT_KNOWN_REFERRED}, "date of the referral"),
        ({"outcome": AdviceOutcome.NOT_PROVIDED, "not_provided_reason": "x"}, "returned_on"),
        ({"outcome": AdviceOutcome.RETURNED}, "date the advice was returned"),
        ({"exception_reason": ExceptionReason.ABSENT_FROM_AREA}, "date its circumstance arose"),
    ],
)
def test_a_whole_request_is_checked_as_the_importer_checks_it(
    update: dict[str, object], problem: str | None
) -> None:
    record = RECORD.model_copy(update=update)
    if problem is None:
        check_request_dates(record, date(2026, 12, 1))
        return
    with pytest.raises(InvalidDatesError, match=problem):
        check_request_dates(record, date(2026, 12, 1))


@pytest.mark.parametrize(
    ("reason", "arose", "accepted"),
    [
        # Worked by hand from reg 8(2)(b): "absent from the area ... for a continuous period of
        # not less than 4 weeks during that 6 week period". Received Monday 12 Oct 2026, due
        # Monday 23 Nov. 4 weeks (28 days) counted from the day the absence began must end by
        # 23 Nov: 27 Oct to 23 Nov is 28 days (weeks 3 to 6 of the 6), so 27 Oct is the last
        # day it can begin; from 28 Oct only 27 days are left.
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 10, 12), True),  # the day received
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 10, 26), True),
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 10, 27), True),
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 10, 28), False),
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 11, 16), False),  # week 6
        (ExceptionReason.ABSENT_FROM_AREA, date(2026, 11, 23), False),
        # (a) and (c) have no length: any day of the 6 weeks will do
        (ExceptionReason.EXCEPTIONAL_CIRCUMSTANCES, date(2026, 11, 23), True),
        (ExceptionReason.MISSED_APPOINTMENT, date(2026, 11, 23), True),
        (ExceptionReason.MISSED_APPOINTMENT, date(2026, 10, 28), True),
    ],
)
def test_an_absence_from_the_area_must_have_4_weeks_left_in_the_6(
    reason: ExceptionReason, arose: date, accepted: bool
) -> None:
    received, agreed, today = date(2026, 10, 12), date(2027, 1, 20), date(2026, 12, 1)

    if accepted:
        check_exception(received, arose, agreed, today, reason)
    else:
        with pytest.raises(InvalidDatesError, match=r"cannot last the 4 weeks reg 8\(2\)\(b\)"):
            check_exception(received, arose, agreed, today, reason)
    assert latest_absence_start(received) == date(2026, 10, 27)
