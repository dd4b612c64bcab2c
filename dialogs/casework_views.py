"""How requests and reviews are described on cards: due dates, steps and what needs doing."""

from __future__ import annotations

from datetime import date

from dialogs import messages
from ehcp_rules import (
    AdviceRequestRecord,
    AdviceState,
    AdviceStatus,
    AnnualReviewRecord,
    ReviewStatus,
    advice_status,
    assessment_week,
    review_status,
)
from ehcp_rules.needs_assessment import ASSESSMENT_WEEKS
from ehcp_rules.reviews import HEALTH_NOTICE


def request_summary(record: AdviceRequestRecord, today: date) -> list[tuple[str, str]]:
    """Facts for a request: received, due, where it stands, and the 20-week context."""
    status = advice_status(record.as_rule(), today)
    facts = [
        ("Received", f"{record.received_on:%d %b %Y}"),
        ("Advice due", f"{status.due_on:%d %b %Y}"),
        ("Now", status_line(record, status)),
    ]
    if record.la_deadline:
        facts.append(("Local authority's deadline", f"{record.la_deadline:%d %b %Y}"))
    if record.assessment_requested_on and record.assessment_requested_on <= today:
        week = assessment_week(record.assessment_requested_on, today)
        facts.append(("EHC needs assessment", f"week {week} of {ASSESSMENT_WEEKS}"))
    return facts


def status_line(record: AdviceRequestRecord, status: AdviceStatus) -> str:
    """One line: days left or overdue, the escalation step, any exception, the outcome."""
    parts = [f"due {status.due_on:%d %b %Y}"]
    if status.state is AdviceState.IN_TIME:
        parts.append(f"{_days(status.days_remaining)} left")
    elif status.state is AdviceState.DUE_TODAY:
        parts.append("due today")
    else:
        parts.append(f"{_days(status.days_overdue)} overdue")
    step = status.escalation
    if step is not None and status.state is AdviceState.OVERDUE:
        reply = f", reply by {step.reply_by:%d %b %Y}" if step.reply_by else ""
        parts.append(f"{step.title}{reply}")
    if status.exception is not None:
        parts.append(f"exception: {status.exception.regulation}")
    if record.outcome is not None and record.outcome.value != "returned":
        parts.append(record.outcome.label)
    return " · ".join(parts)


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
    keys = [flag.value for flag in status.flags]
    if status.review_by - HEALTH_NOTICE < today:
        keys = [key.replace("no_meeting_date", "no_meeting_date_late") for key in keys]
    if status.transfer_health_notice_by and status.transfer_health_notice_by < today:
        keys = [key.replace("phase_transfer_due", "phase_transfer_due_late") for key in keys]
    return [messages.REVIEW_FLAGS[key].format(**values) for key in keys]


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
