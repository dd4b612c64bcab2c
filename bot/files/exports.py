"""Charts and exports for the dialogs: rendered here, handed out through a publisher."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta, tzinfo
from typing import Protocol

from bot.files.chart import compliance_chart
from bot.files.tables import as_csv, as_json, csv_rows
from bot.files.xlsx import assessment_workbook, summary_workbook
from dialogs.ports import FileLink
from ehcp_rules import (
    ActionItem,
    Assessment,
    Service,
    StoredAnswer,
    Summary,
    load_question_bank,
    rate,
)

CHART_LIFETIME = timedelta(hours=24)
EXPORT_LIFETIME = timedelta(hours=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_FORMATS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8", "json": "application/json"}


class Publisher(Protocol):
    """Somewhere files can be handed out from."""

    async def publish(
        self, content: bytes, filename: str, media_type: str, lifetime: timedelta, *, owner: str
    ) -> FileLink:
        """A link to ``content``."""
        ...


class FileExports:
    """Renders off the event loop (a workbook for 2,000 services takes a moment)."""

    def __init__(self, publisher: Publisher, *, zone: tzinfo, charts: bool = True) -> None:
        self._publisher = publisher
        self._zone = zone
        self._charts = charts

    async def chart(self, summary: Summary, *, owner: str) -> FileLink | None:
        """The compliance chart as a PNG, kept for a day so the card's image keeps showing."""
        if not self._charts:
            return None
        png = await asyncio.to_thread(compliance_chart, summary)
        name = f"ehcp-compliance-{summary.today:%Y-%m-%d}.png"
        return await self._publisher.publish(png, name, "image/png", CHART_LIFETIME, owner=owner)

    async def summary_export(self, summary: Summary, file_format: str, *, owner: str) -> FileLink:
        """The summary as XLSX (with its chart sheet), CSV or JSON, for an hour."""
        if file_format not in SUMMARY_FORMATS:
            raise ValueError(f"no summary export as {file_format!r}")
        content = await asyncio.to_thread(_summary_bytes, summary, file_format)
        slug = summary.period.label.lower().replace(" ", "-")
        name = f"ehcp-compliance-summary-{slug}.{file_format}"
        return await self._publisher.publish(
            content, name, SUMMARY_FORMATS[file_format], EXPORT_LIFETIME, owner=owner
        )

    async def assessment_export(
        self,
        service: Service,
        assessment: Assessment,
        answers: dict[int, StoredAnswer],
        actions: list[ActionItem],
        *,
        owner: str,
    ) -> FileLink:
        """The self-assessment in the tool's own layout, for an hour."""
        content = await asyncio.to_thread(
            assessment_file, service, assessment, answers, actions, zone=self._zone
        )
        submitted = submitted_on(assessment, self._zone)
        when = f"-{submitted:%Y-%m-%d}" if submitted else ""
        name = f"{service.name.replace('/', '-')}-self-assessment{when}.xlsx"
        return await self._publisher.publish(content, name, XLSX, EXPORT_LIFETIME, owner=owner)


def assessment_file(
    service: Service,
    assessment: Assessment,
    answers: dict[int, StoredAnswer],
    actions: list[ActionItem],
    *,
    zone: tzinfo,
) -> bytes:
    """The workbook for one submitted assessment, rated as it was submitted."""
    bank = load_question_bank(assessment.edition)
    result = rate(
        bank, {n: a.rating for n, a in answers.items()}, {n: a.comment for n, a in answers.items()}
    )
    return assessment_workbook(
        bank,
        service=service.name,
        answers=answers,
        result=result,
        actions=actions,
        submitted_on=submitted_on(assessment, zone),
    )


def submitted_on(assessment: Assessment, zone: tzinfo) -> date | None:
    """The day an assessment was submitted, where the deadlines are counted."""
    when = assessment.submitted_at
    return when.astimezone(zone).date() if when else None


def _summary_bytes(summary: Summary, file_format: str) -> bytes:
    if file_format == "xlsx":
        return summary_workbook(summary, csv_rows(summary))
    return (as_csv(summary) if file_format == "csv" else as_json(summary)).encode("utf-8")
