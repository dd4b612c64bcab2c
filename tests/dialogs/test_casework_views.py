"""How a request's card describes it: the 20-week assessment around the final plan's due day."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.casework_views import request_summary, status_line
from ehcp_rules import AdviceRequestRecord, ExceptionReason, advice_status


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        # Worked by hand: the local authority received the assessment request on Monday
        # 7 September 2026, so the final plan is due on 25 January 2027, 20 weeks (140 days) on
        # (reg 13(2)); that day is the last of week 20.
        (date(2026, 9, 7), "week 1 of 20"),
        (date(2027, 1, 18), "week 19 of 20"),
        (date(2027, 1, 19), "week 20 of 20"),
        (date(2027, 1, 24), "week 20 of 20"),
        (date(2027, 1, 25), "week 20 of 20: the final plan is due today"),
        (date(2027, 1, 26), "past the 20 weeks: the final plan was due 25 Jan 2027"),
        (date(2027, 3, 1), "past the 20 weeks: the final plan was due 25 Jan 2027"),
    ],
)
def test_the_assessment_week_on_and_after_the_final_plans_due_day(today: date, shown: str) -> None:
    record = AdviceRequestRecord(
        case_ref="LA-1",
        service_id=1,
        received_on=date(2026, 9, 7),
        assessment_requested_on=date(2026, 9, 7),
    )

    facts = dict(request_summary(record, today))

    assert facts["EHC needs assessment"] == shown


def _excepted(agreed: date | None) -> AdviceRequestRecord:
    # Received Monday 12 Oct 2026, so the 6 weeks end on Monday 23 Nov (reg 8(1)); the family
    # was away from 22 Oct (reg 8(2)(b)), and the requesting team agreed a return date.
    return AdviceRequestRecord(
        case_ref="LA-9",
        service_id=1,
        received_on=date(2026, 10, 12),
        exception_reason=ExceptionReason.ABSENT_FROM_AREA,
        exception_narrative="Family away.",
        exception_arose_on=date(2026, 10, 22),
        agreed_return_on=agreed,
    )


@pytest.mark.parametrize(
    ("today", "agreed", "shown"),
    [
        # Worked by hand from reg 8(2): the exception lifts the 6 weeks, so the line never says
        # "overdue"; the agreed date is what is owed, counted in calendar days.
        (
            date(2026, 11, 20),
            date(2026, 12, 6),
            "6 weeks end 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026, "
            "16 days left",
        ),
        (
            date(2026, 11, 23),
            date(2026, 12, 6),
            "6 weeks end 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026, "
            "13 days left",
        ),
        (
            date(2026, 12, 1),
            date(2026, 12, 6),
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026, "
            "5 days left",
        ),
        (
            date(2026, 12, 5),
            date(2026, 12, 6),
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026, "
            "1 day left",
        ),
        (
            date(2026, 12, 6),
            date(2026, 12, 6),
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026, "
            "due today",
        ),
        (
            date(2026, 12, 7),
            date(2026, 12, 6),
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026 "
            "has passed, 1 day ago",
        ),
        (
            date(2026, 12, 9),
            date(2026, 12, 6),
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · agreed return 06 Dec 2026 "
            "has passed, 3 days ago",
        ),
        (
            date(2026, 12, 1),
            None,
            "6 weeks ended 23 Nov 2026 · excepted (reg 8(2)(b)) · no return date agreed yet",
        ),
    ],
)
def test_an_excepted_request_is_never_called_overdue_its_agreed_date_is_what_is_owed(
    today: date, agreed: date | None, shown: str
) -> None:
    record = _excepted(agreed)

    line = status_line(record, advice_status(record.as_rule(), today), today)

    assert line == shown
    facts = dict(request_summary(record, today))
    assert "Advice due" not in facts  # the 6-week date is not what is owed
    assert facts["Now"] == shown


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        # Received Friday 20 Nov 2026, so due Friday 1 Jan 2027 (reg 8(1), 6 weeks on).
        (
            {"returned_on": date(2026, 12, 21), "outcome": "returned"},
            "returned 21 Dec 2026, in time (due 01 Jan 2027)",
        ),
        (
            {"returned_on": date(2027, 1, 1), "outcome": "returned"},
            "returned 01 Jan 2027, in time (due 01 Jan 2027)",
        ),
        (
            {"returned_on": date(2027, 1, 2), "outcome": "returned"},
            "returned 02 Jan 2027, 1 day late (due 01 Jan 2027)",
        ),
        (
            {"returned_on": date(2027, 1, 5), "outcome": "returned"},
            "returned 05 Jan 2027, 4 days late (due 01 Jan 2027)",
        ),
        (
            {
                "returned_on": date(2027, 1, 5),
                "outcome": "not_provided",
                "not_provided_reason": "Not our service.",
            },
            "closed 05 Jan 2027: the advice will not be provided (due 01 Jan 2027)",
        ),
        (
            {
                "returned_on": date(2027, 1, 5),
                "outcome": "returned",
                "exception_reason": "missed_appointment",
                "exception_narrative": "Hearing test not kept.",
                "exception_arose_on": date(2026, 12, 1),
                "agreed_return_on": date(2027, 1, 10),
            },
            "returned 05 Jan 2027 · excepted (reg 8(2)(c)) · by the agreed date, 10 Jan 2027",
        ),
        (
            {
                "returned_on": date(2027, 1, 13),
                "outcome": "returned",
                "exception_reason": "missed_appointment",
                "exception_narrative": "Hearing test not kept.",
                "exception_arose_on": date(2026, 12, 1),
                "agreed_return_on": date(2027, 1, 10),
            },
            "returned 13 Jan 2027 · excepted (reg 8(2)(c)) · 3 days after the agreed date, "
            "10 Jan 2027",
        ),
    ],
)
def test_a_closed_request_says_when_it_closed_and_whether_in_time(
    fields: dict[str, object], shown: str
) -> None:
    record = AdviceRequestRecord.model_validate(
        {"case_ref": "LA-1", "service_id": 1, "received_on": date(2026, 11, 20)} | fields
    )
    today = date(2027, 2, 1)

    assert status_line(record, advice_status(record.as_rule(), today), today) == shown
    assert dict(request_summary(record, today))["Now"] == shown


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 12, 1),  # received 19 Oct, due 30 Nov: the chase on 1 Dec
        date(2026, 12, 16),  # escalation 1 (14 Dec), reply by 17 Dec
        date(2026, 12, 21),  # after escalation 1's reply date, escalation 2 still to come
        date(2026, 12, 30),  # escalation 2, taken on 29 Dec (28 Dec is a bank holiday)
        date(2027, 2, 1),  # escalation 2's reply date long passed
    ],
)
def test_a_requests_card_says_the_ladders_step_once(today: date) -> None:
    record = AdviceRequestRecord(case_ref="LA-1", service_id=1, received_on=date(2026, 10, 19))
    status = advice_status(record.as_rule(), today)
    assert status.escalation is not None

    said = " ".join(value for _, value in request_summary(record, today))

    assert said.count(status.escalation.action) == 1
