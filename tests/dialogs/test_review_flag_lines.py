"""Each line of what a review needs reads right before, on and after each day to act by in it:
up to and on the day it asks for it by then; after it, it says it was due (the `reviews` list,
the review card's reply, and the digest's items)."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.cards.digest import digest_line
from dialogs.casework_views import review_flag_lines
from ehcp_rules import AnnualReviewRecord, PhaseTransfer, plan_nudges, review_status

# Worked by hand. Plan issued 1 Feb 2026: the 12 months end on 31 Jan 2027 (s.44(1)); 6 weeks'
# notice to health (seed 002) before that is 20 Dec 2026; the no-meeting flag starts 8 weeks
# before the limit, on 6 Dec 2026.
PLAN = AnnualReviewRecord(case_ref="LA-1", service_ids=(1,), plan_issued_on=date(2026, 2, 1))
# A meeting on Wednesday 20 Jan 2027: health told by 9 Dec 2026 (6 weeks), the contribution in
# by 6 Jan 2027, when advice is circulated (2 weeks, reg 20(4)).
MEETING = PLAN.model_copy(update={"meeting_on": date(2027, 1, 20)})
TOLD = MEETING.model_copy(update={"health_notified_on": date(2026, 12, 1)})
# A meeting on 15 Feb 2027, after the limit of 31 Jan; health told and contribution in.
AFTER_LIMIT = PLAN.model_copy(
    update={
        "meeting_on": date(2027, 2, 15),
        "health_notified_on": date(2026, 12, 1),
        "contribution_in_on": date(2026, 12, 2),
    }
)
# A move to secondary school in September 2027 (reg 18(1)): the plan amended before 15 Feb 2027,
# so by 14 Feb; 12 weeks back (reg 20(10), 22(3)) the review is held by 22 Nov 2026; 6 weeks
# before that health is told by 11 Oct 2026; flagged 20 weeks before 14 Feb, from 27 Sep 2026.
TRANSFER = AnnualReviewRecord(
    case_ref="LA-1",
    service_ids=(1,),
    plan_issued_on=date(2025, 1, 10),
    last_review_on=date(2026, 6, 1),
    phase_transfer=PhaseTransfer.SCHOOL,
    transfer_year=2027,
)

NO_DATE = (
    "No meeting date set: the review is due by 31 Jan 2027, so set a date and tell health by "
    "20 Dec 2026 (6 weeks' notice)"
)
NO_DATE_LATE = (
    "No meeting date set: the review is due by 31 Jan 2027, too soon for 6 weeks' notice to "
    "health: set the earliest date you can and tell health at once"
)
NO_DATE_PAST = (
    "No meeting date set, and the 12-month limit (31 Jan 2027) has passed: set the earliest date "
    "you can and tell health at once"
)
NOT_TOLD = (
    "Health not yet told of the meeting on 20 Jan 2027: tell them by 09 Dec 2026 (6 weeks' notice)"
)
NOT_TOLD_PAST = (
    "Health not yet told of the meeting on 20 Jan 2027 (6 weeks' notice was due by 09 Dec 2026): "
    "tell them at once"
)
NO_CONTRIBUTION = (
    "Health's contribution is not in: it is needed by 06 Jan 2027, when advice is circulated for "
    "the meeting on 20 Jan 2027"
)
NO_CONTRIBUTION_PAST = (
    "Health's contribution is not in: it was needed by 06 Jan 2027, 2 weeks before the meeting "
    "on 20 Jan 2027 (reg 20(4)): send it at once"
)
AFTER = "The meeting on 15 Feb 2027 is after the 12-month limit (31 Jan 2027): bring it forward"
AFTER_PAST = (
    "The meeting on 15 Feb 2027 is after the 12-month limit, which passed on 31 Jan 2027: hold "
    "it as soon as you can"
)
PHASE = (
    "Phase transfer: tell health by 11 Oct 2026, hold the review by 22 Nov 2026, amended plan by "
    "14 Feb 2027"
)
PHASE_LATE = (
    "Phase transfer: hold the review by 22 Nov 2026, amended plan by 14 Feb 2027; 6 weeks' notice "
    "to health was due by 11 Oct 2026: set the date and tell health at once"
)
PHASE_PAST = (
    "Phase transfer: amended plan by 14 Feb 2027; to leave the 12 weeks the regulations allow for "
    "amending, the review was to be held by 22 Nov 2026: hold it as soon as you can"
)
PAST_LIMIT = "Past its 12-month limit (31 Jan 2027)"
MISSED = "Phase transfer: the amended plan was due by 14 Feb 2027 and is not recorded"


@pytest.mark.parametrize(
    ("review", "today", "lines"),
    [
        (PLAN, date(2026, 12, 5), []),
        (PLAN, date(2026, 12, 6), [NO_DATE]),
        (PLAN, date(2026, 12, 20), [NO_DATE]),  # the last day to tell health: still "by"
        (PLAN, date(2026, 12, 21), [NO_DATE_LATE]),
        (PLAN, date(2027, 1, 31), [NO_DATE_LATE]),  # the limit itself: still "due by"
        (PLAN, date(2027, 2, 1), [PAST_LIMIT, NO_DATE_PAST]),
        (MEETING, date(2026, 12, 8), []),
        (MEETING, date(2026, 12, 9), [NOT_TOLD]),
        (MEETING, date(2026, 12, 10), [NOT_TOLD_PAST]),
        (TOLD, date(2027, 1, 5), []),
        (TOLD, date(2027, 1, 6), [NO_CONTRIBUTION]),
        (TOLD, date(2027, 1, 7), [NO_CONTRIBUTION_PAST]),
        (TOLD, date(2027, 1, 20), [NO_CONTRIBUTION_PAST]),  # the meeting day
        (AFTER_LIMIT, date(2027, 1, 31), [AFTER]),
        (AFTER_LIMIT, date(2027, 2, 1), [PAST_LIMIT, AFTER_PAST]),
        (TRANSFER, date(2026, 9, 26), []),
        (TRANSFER, date(2026, 9, 27), [PHASE]),
        (TRANSFER, date(2026, 10, 11), [PHASE]),
        (TRANSFER, date(2026, 10, 12), [PHASE_LATE]),
        (TRANSFER, date(2026, 11, 22), [PHASE_LATE]),  # "hold the review by" a day still open
        (TRANSFER, date(2026, 11, 23), [PHASE_PAST]),
        (TRANSFER, date(2027, 2, 14), [PHASE_PAST]),
        (TRANSFER, date(2027, 2, 15), [MISSED]),
    ],
)
def test_each_review_line_reads_right_before_on_and_after_its_day_to_act_by(
    review: AnnualReviewRecord, today: date, lines: list[str]
) -> None:
    status = review_status(review.as_rule(), today)

    assert review_flag_lines(review, status, today) == lines


@pytest.mark.parametrize(
    ("review", "today", "line"),
    [
        (TOLD, date(2027, 1, 6), "LA-1 · SLT · meeting on 20 Jan: contribution needed by 06 Jan"),
        (
            TOLD,
            date(2027, 1, 7),
            "LA-1 · SLT · meeting on 20 Jan: contribution not in (it was needed by 06 Jan): "
            "send it now",
        ),
        (
            MEETING,
            date(2026, 12, 9),
            "LA-1 · SLT · meeting on 20 Jan: health not yet told, tell them by 09 Dec",
        ),
        (
            MEETING,
            date(2026, 12, 10),
            "LA-1 · SLT · meeting on 20 Jan: health not yet told (6 weeks' notice was due by "
            "09 Dec): tell them now",
        ),
    ],
)
def test_a_digest_item_with_a_day_to_act_by_says_when_it_has_passed(
    review: AnnualReviewRecord, today: date, line: str
) -> None:
    (nudge,) = plan_nudges(today=today, reviews=[review.model_copy(update={"id": 7})])

    assert digest_line(nudge, "SLT", today) == line
