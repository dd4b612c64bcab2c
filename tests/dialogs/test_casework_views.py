"""How a request's card describes it: the 20-week assessment around the final plan's due day."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.casework_views import request_summary
from ehcp_rules import AdviceRequestRecord


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
