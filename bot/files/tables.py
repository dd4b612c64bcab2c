"""The summary as rows and documents for the SEND dashboard: CSV and JSON.

CSV is opened in spreadsheets, so its text is written inertly (``bot.files.inert``): every text
field quoted, one that starts like a formula behind a ``'``; numbers bare. JSON keeps the text
exactly as stored: no spreadsheet takes a JSON string for a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.files.inert import csv_value
from ehcp_rules import (
    ComplianceMeasures,
    PlanProgress,
    ReviewTimeliness,
    ServiceSummary,
    Summary,
)

CSV_COLUMNS = (
    "service",
    "period_start",
    "period_end",
    "latest_rag",
    "assessed_on",
    "assessed",
    "change",
    "essentials_not_met",
    "received",
    "due",
    "on_time",
    "late",
    "open_overdue",
    "not_yet_due",
    "exceptions",
    "percent_on_time",
    "percent_on_time_excluding_exceptions",
    "previous_percent_on_time",
    "overdue_now",
    "reviews_due",
    "reviews_held_in_time",
    "reviews_held_late",
    "reviews_not_held",
    "percent_reviews_in_time",
    "reviews_at_risk",
    "nudges_posted",
    "nudges_acknowledged",
    "actions",
    "actions_completed",
    "actions_on_track",
    "actions_not_on_track",
    "actions_not_started",
    "actions_past_their_date",
    "actions_without_a_lead",
)
"""The columns of the CSV export and the workbook's Services sheet, in order."""
HEADERS = {
    "service": "Service",
    "period_start": "Period from",
    "period_end": "Period to",
    "latest_rag": "Latest self-assessment RAG",
    "assessed_on": "Self-assessment submitted on",
    "assessed": "Self-assessment",
    "change": "RAG change since the one before",
    "essentials_not_met": "Essential criteria not met",
    "received": "Requests received",
    "due": "Requests due",
    "on_time": "Returned on time",
    "late": "Returned late",
    "open_overdue": "Open and overdue",
    "not_yet_due": "Not yet due",
    "exceptions": "Reg 8(2) exceptions",
    "percent_on_time": "% returned within 6 weeks",
    "percent_on_time_excluding_exceptions": "% within 6 weeks, leaving out exceptions",
    "previous_percent_on_time": "% within 6 weeks, period before",
    "overdue_now": "Overdue now",
    "reviews_due": "Annual reviews due (12 months ending in the period)",
    "reviews_held_in_time": "Reviews held within 12 months",
    "reviews_held_late": "Reviews held late",
    "reviews_not_held": "Reviews past 12 months, not held",
    "percent_reviews_in_time": "% of annual reviews held within 12 months",
    "reviews_at_risk": "Annual reviews needing action",
    "nudges_posted": "Overdue nudges posted",
    "nudges_acknowledged": "Overdue nudges acknowledged",
    "actions": "Actions in the plan",
    "actions_completed": "Actions completed",
    "actions_on_track": "Actions on track",
    "actions_not_on_track": "Actions not on track",
    "actions_not_started": "Actions not started",
    "actions_past_their_date": "Actions past their date",
    "actions_without_a_lead": "Actions without a lead",
}
"""Each column's header, in words: what a spreadsheet, a chart's legend and a board paper show."""


def as_json(summary: Summary) -> str:
    """The whole summary as JSON."""
    return summary.model_dump_json(indent=2)


def _row(name: str, measures: ComplianceMeasures, before: ComplianceMeasures) -> dict[str, object]:
    return {
        "service": name,
        "received": measures.received,
        "due": measures.due,
        "on_time": measures.on_time,
        "late": measures.late,
        "open_overdue": measures.open_overdue,
        "not_yet_due": measures.not_yet_due,
        "exceptions": sum(measures.exceptions.values()),
        "percent_on_time": measures.percent_on_time,
        "percent_on_time_excluding_exceptions": measures.percent_on_time_excluding_exceptions,
        "previous_percent_on_time": before.percent_on_time,
    }


def csv_rows(summary: Summary) -> list[dict[str, object]]:
    """One row per service and one for all services, in ``CSV_COLUMNS`` order: numbers as
    numbers, dates as dates, words for the rest."""
    period = {"period_start": summary.period.start, "period_end": summary.period.end}
    rows: list[dict[str, object]] = []
    for service in summary.services:
        rows.append(
            _row(service.name, service.compliance, service.previous_compliance)
            | period
            | {
                "latest_rag": service.latest_rag.label if service.latest_rag else "",
                "assessed_on": service.submitted_on,
                "assessed": _assessed(service, summary.today),
                "change": service.change,
                "essentials_not_met": " ".join(map(str, service.essentials_not_met)),
                "overdue_now": sum(service.overdue_by_step.values()),
                "reviews_at_risk": service.reviews_at_risk,
                **_reviews(service.reviews),
                "nudges_posted": service.nudges_posted,
                "nudges_acknowledged": service.nudges_acknowledged,
            }
            | _plan(service.plan)
        )
    rows.append(
        _row("All services", summary.overall, summary.overall_previous)
        | period
        | {
            "overdue_now": sum(summary.overdue_by_step.values()),
            "reviews_at_risk": summary.reviews_at_risk,
            **_reviews(summary.overall_reviews),
            "nudges_posted": summary.nudges_posted,
            "nudges_acknowledged": summary.nudges_acknowledged,
        }
    )
    return [{column: row.get(column, "") for column in CSV_COLUMNS} for row in rows]


def _assessed(service: ServiceSummary, today: date) -> str:
    age = service.assessment_age(today)
    return age if service.submitted_on is None or "over" in age else "within 12 months"


def _reviews(measure: ReviewTimeliness | None) -> dict[str, object]:
    """Seed 003's measure for the period: reviews due, held in time, late, not held, and %."""
    if measure is None:
        return {}
    return {
        "reviews_due": measure.counted,
        "reviews_held_in_time": measure.held_in_time,
        "reviews_held_late": measure.held_late,
        "reviews_not_held": measure.not_held,
        "percent_reviews_in_time": measure.percent_in_time,
    }


def _plan(plan: PlanProgress | None) -> dict[str, object]:
    if plan is None:
        return {}
    return {
        "actions": plan.total,
        "actions_completed": plan.completed,
        "actions_on_track": plan.on_track,
        "actions_not_on_track": plan.not_on_track,
        "actions_not_started": plan.not_started,
        "actions_past_their_date": plan.past_target,
        "actions_without_a_lead": plan.without_lead,
    }


def as_csv(summary: Summary) -> str:
    """One row per service and one for all services: the header in words, then text quoted and
    never a formula, numbers bare, dates as ISO dates."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(HEADERS[c] for c in CSV_COLUMNS)
    rows = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in csv_rows(summary):
        rows.writerow([csv_value(_iso(value)) for value in row.values()])
    return out.getvalue()


def _iso(value: object) -> object:
    """A date as ISO ``2026-11-30`` (what any spreadsheet reads as a date); the rest as is."""
    return value.isoformat() if isinstance(value, date) else value
