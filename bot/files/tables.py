"""The summary as rows and documents for the SEND dashboard: CSV and JSON.

CSV is opened in spreadsheets, so its text is written inertly (``bot.files.inert``): every text
field quoted, one that starts like a formula behind a ``'``; numbers bare. JSON keeps the text
exactly as stored: no spreadsheet takes a JSON string for a formula.
"""

from __future__ import annotations

import csv
import io

from bot.files.inert import csv_value
from ehcp_rules import ComplianceMeasures, Summary

CSV_COLUMNS = (
    "service",
    "latest_rag",
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
    "reviews_at_risk",
    "nudges_posted",
    "nudges_acknowledged",
)


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
    """One row per service and one for all services, in ``CSV_COLUMNS`` order."""
    rows: list[dict[str, object]] = []
    for service in summary.services:
        rows.append(
            _row(service.name, service.compliance, service.previous_compliance)
            | {
                "latest_rag": service.latest_rag.value if service.latest_rag else "",
                "assessed": service.assessment_age(summary.today),
                "change": service.change,
                "essentials_not_met": " ".join(map(str, service.essentials_not_met)),
                "overdue_now": sum(service.overdue_by_step.values()),
                "reviews_at_risk": service.reviews_at_risk,
                "nudges_posted": service.nudges_posted,
                "nudges_acknowledged": service.nudges_acknowledged,
            }
        )
    rows.append(
        _row("All services", summary.overall, summary.overall_previous)
        | {
            "overdue_now": sum(summary.overdue_by_step.values()),
            "reviews_at_risk": summary.reviews_at_risk,
            "nudges_posted": summary.nudges_posted,
            "nudges_acknowledged": summary.nudges_acknowledged,
        }
    )
    return [{column: row.get(column, "") for column in CSV_COLUMNS} for row in rows]


def as_csv(summary: Summary) -> str:
    """One row per service and one for all services: the header as it is, then text quoted and
    never a formula, numbers bare."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(CSV_COLUMNS)
    rows = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in csv_rows(summary):
        rows.writerow([csv_value(value) for value in row.values()])
    return out.getvalue()
