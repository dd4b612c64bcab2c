"""How requests and reviews are described on cards: due dates, steps and what needs doing."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from dialogs import messages
from ehcp_rules import (
    AdviceOutcome,
    AdviceRequestRecord,
    AdviceState,
    AdviceStatus,
    AnnualReviewRecord,
    ReviewStatus,
    advice_status,
    assessment_milestones,
    assessment_week,
    is_bank_holiday,
    is_open,
    is_working_day,
    reply_overdue,
    review_status,
)
from ehcp_rules.needs_assessment import ASSESSMENT_WEEKS
from ehcp_rules.reviews import HEALTH_NOTICE


def request_summary(record: AdviceRequestRecord, today: date) -> list[tuple[str, str]]:
    """Facts for a request: received, due, where it stands, who does what next, any exception or
    clinical delay, and the 20-week context."""
    status = advice_status(record.as_rule(), today)
    facts = [
        ("Received", f"{record.received_on:%d %b %Y}"),
        _due_fact(record, status, today),
        ("Now", status_line(record, status, today)),
    ]
    hint = non_working_hint(status.due_on)
    if hint and status.state is AdviceState.IN_TIME:  # advice for a day still to come
        facts.append(("Note", hint))
    step = status.escalation
    if is_open(status) and step is not None and step.action not in status.next_action:
        facts.append(("Who does what", step.action))  # said once: most next steps quote it
    facts.extend(_exception_facts(record))
    if record.outcome is AdviceOutcome.CLINICAL_DELAY and record.expected_on:
        told = {True: "told", False: "not told", None: "not said"}[record.team_told]
        facts.append(("Expected (clinical delay)", f"{record.expected_on:%d %b %Y} (team {told})"))
    if record.outcome is AdviceOutcome.NOT_PROVIDED and record.not_provided_reason:
        facts.append(("Why not provided", record.not_provided_reason))
    if is_open(status):
        facts.append(("Next", status.next_action))
    if record.la_deadline:
        facts.append(("Local authority's deadline", f"{record.la_deadline:%d %b %Y}"))
    if record.assessment_requested_on and record.assessment_requested_on <= today:
        facts.append(
            ("EHC needs assessment", _assessment_week(record.assessment_requested_on, today))
        )
    return facts


def _due_fact(record: AdviceRequestRecord, status: AdviceStatus, today: date) -> tuple[str, str]:
    """The 6-week date; under a reg 8(2) exception it is not what is owed, so it is not called
    the date the advice is due."""
    if record.exception_reason is None:
        return ("Advice due", f"{status.due_on:%d %b %Y}")
    ended = "ended" if today > status.due_on else "end"
    return (f"6 weeks {ended} (lifted by the exception)", f"{status.due_on:%d %b %Y}")


def _assessment_week(requested_on: date, today: date) -> str:
    """``week 9 of 20``; on the final plan's due day, that it is due today; after it, past."""
    final_plan_by = assessment_milestones(requested_on).final_plan_by
    if today > final_plan_by:
        return f"past the {ASSESSMENT_WEEKS} weeks: the final plan was due {final_plan_by:%d %b %Y}"
    week = assessment_week(requested_on, today)
    due_today = ": the final plan is due today" if today == final_plan_by else ""
    return f"week {week} of {ASSESSMENT_WEEKS}{due_today}"


def _exception_facts(record: AdviceRequestRecord) -> list[tuple[str, str]]:
    if record.exception_reason is None:
        return []
    arose = f", arose {record.exception_arose_on:%d %b %Y}" if record.exception_arose_on else ""
    agreed = f"{record.agreed_return_on:%d %b %Y}" if record.agreed_return_on else "not yet agreed"
    return [
        (f"Exception, {record.exception_reason.regulation}", record.exception_reason.label + arose),
        ("Agreed return date", agreed),
    ]


def shown_version(record: AdviceRequestRecord) -> str:
    """A short digest of a request as stored, carried by its outcome card: when the card comes
    back, a different digest means someone changed the request since the card was shown (a
    double click, or a colleague's newer outcome), so the card is no longer current."""
    stored = record.model_dump(mode="json", exclude={"service_name"})
    text = json.dumps(stored, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def non_working_hint(day: date) -> str | None:
    """A due date on a weekend or a bank holiday of England and Wales, said (the duty still
    runs in calendar days: reg 8(1))."""
    if is_working_day(day):
        return None
    what = "bank holiday" if is_bank_holiday(day) else f"{day:%A}"
    return messages.DUE_ON_NON_WORKING_DAY.format(due=day, what=what)


def status_line(record: AdviceRequestRecord, status: AdviceStatus, today: date) -> str:
    """One line: days left or overdue, the escalation step and its reply (or that it is past),
    a clinical delay's expected date, the outcome; an excepted request by its agreed date; a
    closed one by the day it closed."""
    if not is_open(status):
        return _closed_line(record, status)
    if status.exception is not None:
        return _excepted_line(record, status, today)
    parts = [f"due {status.due_on:%d %b %Y}"]
    if status.state is AdviceState.IN_TIME:
        parts.append(f"{_days(status.days_remaining)} left")
    elif status.state is AdviceState.DUE_TODAY:
        parts.append("due today")
    else:
        parts.append(f"{_days(status.days_overdue)} overdue")
    step = status.escalation
    if step is not None and status.state is AdviceState.OVERDUE:
        reply = ""
        if step.reply_by:
            reply = ", " + (reply_overdue(step, today) or f"reply by {step.reply_by:%d %b %Y}")
        parts.append(f"{step.title}{reply}")
    if record.outcome is AdviceOutcome.CLINICAL_DELAY and record.expected_on:
        parts.append(f"clinical delay, expected {record.expected_on:%d %b %Y}")
    elif record.outcome is not None and record.outcome is not AdviceOutcome.RETURNED:
        parts.append(record.outcome.label)
    return " · ".join(parts)


def _closed_line(record: AdviceRequestRecord, status: AdviceStatus) -> str:
    """``returned 21 Dec 2026, in time (due 01 Jan 2027)``, ``…, 4 days late (…)``; under an
    exception, against the agreed date (the 6 weeks did not apply); or closed as not provided."""
    closed = record.returned_on
    assert closed is not None
    due = f"due {status.due_on:%d %b %Y}"
    if status.state is AdviceState.NOT_PROVIDED:
        return f"closed {closed:%d %b %Y}: the advice will not be provided ({due})"
    if status.exception is not None:
        agreed = record.agreed_return_on
        if agreed is None:
            timing = "no return date was agreed"
        elif closed <= agreed:
            timing = f"by the agreed date, {agreed:%d %b %Y}"
        else:
            timing = f"{_days((closed - agreed).days)} after the agreed date, {agreed:%d %b %Y}"
        return f"returned {closed:%d %b %Y} · excepted ({status.exception.regulation}) · {timing}"
    late = status.state is AdviceState.RETURNED_LATE
    timing = f"{_days(status.days_overdue)} late" if late else "in time"
    return f"returned {closed:%d %b %Y}, {timing} ({due})"


def _excepted_line(record: AdviceRequestRecord, status: AdviceStatus, today: date) -> str:
    """An open request under a reg 8(2) exception: the 6 weeks do not apply, so it is never
    called overdue; what is owed is the return date agreed with the requesting team, said as
    days left, due today, or passed."""
    assert status.exception is not None
    ended = "ended" if today > status.due_on else "end"
    return " · ".join(
        [
            f"6 weeks {ended} {status.due_on:%d %b %Y}",
            f"excepted ({status.exception.regulation})",
            agreed_return_words(record.agreed_return_on, today),
        ]
    )


def agreed_return_words(agreed: date | None, today: date) -> str:
    """``agreed return 06 Dec 2026, 5 days left``; ``…, due today``; ``agreed return 06 Dec
    2026 has passed, 3 days ago``; or that none is agreed yet."""
    if agreed is None:
        return "no return date agreed yet"
    if today < agreed:
        return f"agreed return {agreed:%d %b %Y}, {_days((agreed - today).days)} left"
    if today == agreed:
        return f"agreed return {agreed:%d %b %Y}, due today"
    return f"agreed return {agreed:%d %b %Y} has passed, {_days((today - agreed).days)} ago"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def review_flag_lines(review: AnnualReviewRecord, status: ReviewStatus, today: date) -> list[str]:
    """What needs doing for a review, one line per flag, with its dates (a last day to tell
    health that has passed is not given as one to meet)."""
    values = {
        "review_by": status.review_by,
        "limit_notice_by": status.review_by - HEALTH_NOTICE,
        "meeting": status.meeting_on,
        "told": review.health_notified_on,
        "notice_by": status.health_notice_by,
        "circulate_by": status.circulate_advice_by,
        "transfer": status.transfer_deadline,
        "transfer_meeting_by": status.transfer_meeting_by,
        "transfer_notice_by": status.transfer_health_notice_by,
    }
    keys = [_flag_key(flag.value, values, today) for flag in status.flags]
    return [messages.REVIEW_FLAGS[key].format(**values) for key in keys]


_PASSED_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "no_meeting_date": (("limit_notice_by", "_late"), ("review_by", "_past")),
    "meeting_after_limit": (("review_by", "_past"),),
    "health_not_notified": (("notice_by", "_past"),),
    "contribution_missing": (("circulate_by", "_past"),),
    "phase_transfer_due": (("transfer_notice_by", "_late"), ("transfer_meeting_by", "_past")),
}
"""For each flag with days to act by, each day (earliest first) and the wording once it has
passed: up to and on the day, the line asks for it by then; after it, it says it was due."""


def _flag_key(flag: str, values: dict[str, date | None], today: date) -> str:
    """The wording of ``flag`` on ``today``: the form of the last of its days that has passed."""
    key = flag
    for field, suffix in _PASSED_FORMS.get(flag, ()):
        day = values[field]
        if day is not None and day < today:
            key = flag + suffix
    return key


def review_needs(
    reviews: list[AnnualReviewRecord], names: dict[int, str], today: date
) -> list[tuple[str, str, list[str]]]:
    """(case, services, what needs doing) for each review needing action, soonest first."""
    rows = []
    for review in reviews:
        status = review_status(review.as_rule(), today)
        if not status.flags:
            continue
        needs = review_flag_lines(review, status, today)
        services = ", ".join(names.get(s, "another service") for s in review.service_ids)
        rows.append((status.meeting_on or status.review_by, review.case_ref, services, needs))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [(case_ref, services, needs) for _, case_ref, services, needs in rows]
