"""XLSX workbooks: a completed self-assessment in the tool's own layout (seed 000), the summary.

Every row goes in through ``append_inert``: no cell is ever a formula, whatever people typed."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from bot.files.inert import append_inert
from bot.files.tables import HEADERS
from ehcp_rules import (
    RAG_RULES,
    ActionItem,
    QuestionBank,
    RagResult,
    Rating,
    StoredAnswer,
    Summary,
)

MARK = "✓"
ACTION_COLUMNS = (
    "No.",
    "E/D",
    "Question",
    "Rating",
    "Action: what will be done",
    "When it will be completed",
    "Workstream",
    "Who is leading",
    "Progress",
    "Progress since",
)
"""The action plan sheet's columns, in seed 003's order."""
FILLS = {"red": "F4B6B6", "amber": "FFD8A8", "green": "B8E0B8"}
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def assessment_workbook(
    bank: QuestionBank,
    *,
    service: str,
    submitted_on: date | None,
    answers: dict[int, StoredAnswer],
    result: RagResult,
    actions: list[ActionItem],
) -> bytes:
    """The tool's table (number, E/D, question, Yes/Emerging/No marked, comments), its Total and
    Overall RAG rows and the RAG rules under it; then a sheet with the action plan."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Self-assessment"
    _tool_header(sheet, bank, service, submitted_on)
    for question in bank.questions:
        answer = answers.get(question.number)
        row = [question.number, question.criterion.value, question.text]
        row += [MARK if answer and answer.rating is rating else "" for rating in Rating]
        row.append(answer.comment if answer else "")
        append_inert(sheet, row)
        _box(sheet, sheet.max_row)
        _fit_height(sheet, sheet.max_row, {"C": question.text, "G": row[-1]})
    _totals(sheet, result, bank.printed_rag_rules)
    _action_sheet(book.create_sheet("Action plan"), bank, actions)
    for each in book.worksheets:
        _printable(each)
    return _save(book)


def _tool_header(
    sheet: Worksheet, bank: QuestionBank, service: str, submitted: date | None
) -> None:
    append_inert(sheet, [bank.title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_inert(sheet, [f"Service: {service}"])
    append_inert(sheet, [f"Submitted: {submitted:%d %B %Y}" if submitted else "Not yet submitted"])
    append_inert(sheet, [])
    append_inert(sheet, ["", "", "", "Yes", "Emerging", "No", "Comments"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (5, 5, 70, 8, 10, 8, 50), strict=True):
        sheet.column_dimensions[column].width = width


def _fit_height(sheet: Worksheet, row: int, texts: dict[str, object]) -> None:
    """Give a row room for its wrapped text (spreadsheets do not grow rows on their own)."""
    lines = 1
    for column, value in texts.items():
        width = sheet.column_dimensions[column].width or 10
        lines = max(lines, -(-len(str(value or "")) // max(1, int(width * 1.1))))
    sheet.row_dimensions[row].height = 15 * lines


def _box(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        cell.border = _BOX
        cell.alignment = _WRAP


def _totals(sheet: Worksheet, result: RagResult, bank_rules: tuple[str, ...]) -> None:
    counts = [result.counts[rating] for rating in Rating]
    append_inert(sheet, ["", "", "Total", *counts, ""])
    _box(sheet, sheet.max_row)
    assert result.rag is not None  # a submitted assessment has every question answered
    append_inert(sheet, ["", "", "Overall RAG Rating", result.rag.label.upper(), "", "", ""])
    _box(sheet, sheet.max_row)
    rag_cell = sheet.cell(row=sheet.max_row, column=4)
    rag_cell.fill = PatternFill("solid", fgColor=FILLS[result.rag.value])
    rag_cell.font = Font(bold=True)
    for row in (sheet.max_row - 1, sheet.max_row):
        sheet.cell(row=row, column=3).font = Font(bold=True)
    append_inert(sheet, [])
    append_inert(sheet, ["", "", "Rag ratings:"])
    for line in (*bank_rules, *RAG_RULES):
        append_inert(sheet, ["", "", line])
    append_inert(sheet, ["", "", "Reasons: " + " ".join(result.reasons)])


def _action_sheet(sheet: Worksheet, bank: QuestionBank, actions: list[ActionItem]) -> None:
    """Seed 003's action plan table: the answer, what will be done, when, the workstream, who
    leads it and the progress rating (since when)."""
    append_inert(sheet, list(ACTION_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in actions:
        question = bank.question(action.question)
        since = action.history[-1].on if action.history else None
        append_inert(
            sheet,
            [
                action.question,
                question.criterion.value,
                question.text,
                action.rating.label,
                action.action or "",
                action.target_date,
                action.workstream or "",
                action.owner or "",
                action.progress.label,
                since,
            ],
        )
        _box(sheet, sheet.max_row)
        _fit_height(sheet, sheet.max_row, {"C": question.text, "E": action.action})
    for column, width in zip("ABCDEFGHIJ", (5, 5, 50, 10, 50, 12, 20, 20, 24, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in (row[5], row[9]):
            cell.number_format = "DD MMM YYYY"


def summary_workbook(summary: Summary, csv_rows: list[dict[str, object]]) -> bytes:
    """One sheet per part (services, overdue now, 6-week compliance by month, annual reviews
    held within 12 months by month, common barriers) and a chart of compliance by service."""
    book = Workbook()
    services = book.active
    services.title = "Services"
    if csv_rows:
        keys = list(csv_rows[0])
        append_inert(services, [HEADERS.get(key, key) for key in keys])
        for cell in services[1]:
            cell.font = Font(bold=True)
        for row in csv_rows:
            append_inert(services, list(row.values()))
        for number, key in enumerate(keys, 1):
            if key.startswith(("period_", "assessed_on")):
                for (cell,) in services.iter_rows(min_row=2, min_col=number, max_col=number):
                    cell.number_format = "DD MMM YYYY"
    overdue = book.create_sheet("Overdue now")
    append_inert(overdue, ["Step", "Requests"])
    for step, count in sorted(summary.overdue_by_step.items()):
        append_inert(overdue, [step, count])
    append_inert(overdue, ["Annual reviews needing action", summary.reviews_at_risk])
    trend = book.create_sheet("By month")
    append_inert(trend, ["Service", *(f"{m:%b %Y}" for m in summary.trend_months)])
    append_inert(trend, ["All services", *summary.overall_trend])
    for service in summary.by_risk():
        append_inert(trend, [service.name, *(service.trend or [None] * len(summary.trend_months))])
    _review_months(book, summary)
    barriers = book.create_sheet("Common barriers")
    append_inert(barriers, ["Theme", "Questions rated No or Emerging"])
    for theme, count in summary.barriers:
        append_inert(barriers, [theme, count])
    column = list(csv_rows[0]).index("percent_on_time") + 1 if csv_rows else 1
    _chart(book, services, len(csv_rows), summary.period.label, column)
    return _save(book)


def _review_months(book: Workbook, summary: Summary) -> None:
    """Seed 003's measure month by month: % of annual reviews held within 12 months."""
    months = len(summary.trend_months)
    sheet = book.create_sheet("Reviews by month")
    append_inert(sheet, ["% of annual reviews held within 12 months"])
    append_inert(sheet, ["Service", *(f"{m:%b %Y}" for m in summary.trend_months)])
    append_inert(sheet, ["All services", *(summary.overall_review_trend or [None] * months)])
    for service in summary.by_risk():
        append_inert(sheet, [service.name, *(service.review_trend or [None] * months)])


def _chart(book: Workbook, services: Worksheet, rows: int, label: str, column: int) -> None:
    sheet = book.create_sheet("Chart")
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"6-week compliance by service, {label}"
    chart.x_axis.title = "Service"
    chart.y_axis.title = "% returned on time"
    data = Reference(services, min_col=column, min_row=1, max_row=rows + 1)
    names = Reference(services, min_col=1, min_row=2, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(names)
    chart.height, chart.width = 12, 24
    sheet.add_chart(chart, "A1")


def _printable(sheet: Worksheet) -> None:
    """Landscape, one page wide, however many pages long: as it goes to a governance meeting."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
