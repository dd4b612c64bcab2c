"""Exports: the self-assessment XLSX in the tool's layout, and the summary for the dashboard."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.cli.demo import load_demo
from bot.cli.main import main
from bot.storage.store import Store
from tests.fakes import FakeClock

TODAY = date(2026, 11, 23)


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
    assert plan[1][6] == "Not started"


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
    assert book.sheetnames == ["Services", "Overdue now", "By month", "Common barriers", "Chart"]
    by_month = [[c.value for c in row] for row in book["By month"].iter_rows()]
    assert by_month[0][1:] == [
        "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026",
        "Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026",
    ]  # fmt: skip
    assert by_month[1][0] == "All services" and len(by_month) == 2 + 4
    services = [[c.value for c in row] for row in book["Services"].iter_rows()]
    assert services[0][0] == "service" and services[-1][0] == "All services"
    assert len(book["Chart"]._charts) == 1
    assert (tmp_path / "summary.csv").read_text().startswith("service,latest_rag,")
    assert json.loads((tmp_path / "summary.json").read_text())["period"]["label"] == (
        "Jul 2026 to Sep 2026"
    )


def test_an_unknown_export_format_is_refused(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "summary", "--db", demo, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "give a file ending in .xlsx, .csv or .json" in capsys.readouterr().err
