"""The DCO summary from SQL aggregates agrees with the pure rules, service by service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.demo import load_demo
from bot.storage.store import Store
from ehcp_rules import Rag, compliance, parse_period

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "demo.db")
    store.call(lambda r: load_demo(r, TODAY))
    return store


@pytest.mark.parametrize(
    "period", ["this month", "last month", "this quarter", "2026-06", "2025-11-01 to 2026-11-30"]
)
def test_sql_compliance_equals_the_rule_for_every_service(demo: Store, period: str) -> None:
    chosen = parse_period(period, TODAY)
    by_sql = demo.call(lambda r: r.summaries.compliance_by_service(chosen, TODAY))
    services = demo.call(lambda r: r.services.all())

    for service in services:
        everything = demo.call(lambda r, s=service: r.requests.find_all_for(s.id))
        expected = compliance([q.as_rule() for q in everything], chosen.start, chosen.end, TODAY)
        if expected.due or expected.received:
            assert by_sql[service.id] == expected, service.name
    overall = demo.call(lambda r: r.summaries.compliance_overall(chosen, TODAY))
    all_requests = [
        q.as_rule()
        for s in services
        for q in demo.call(lambda r, s=s: r.requests.find_all_for(s.id))
    ]
    assert overall == compliance(all_requests, chosen.start, chosen.end, TODAY)
    demo.close()


def test_the_summary_of_the_demo(demo: Store) -> None:
    summary = demo.call(lambda r: r.summaries.summary(parse_period("last quarter", TODAY), TODAY))

    by_name = {s.name: s for s in summary.services}
    paeds = by_name["Community Paediatrics"]
    assert paeds.latest_rag is Rag.RED
    assert paeds.essentials_not_met == (4,)
    assert paeds.assessment_age(TODAY) == f"{TODAY:%d %b %Y}"
    assert by_name["CAMHS"].assessment_age(TODAY) == "never"
    assert summary.overdue_by_step == {
        "Escalation 2": 1,
        "Escalation 1": 1,
        "Chase": 2,
        "Exception (reg 8(2))": 1,
    }
    assert summary.reviews_at_risk == 4  # four reviews, two of them shared by two services
    assert sum(s.reviews_at_risk for s in summary.services) == 6
    assert summary.barriers[0][1] >= 1
    assert summary.overall.due == sum(s.compliance.due for s in summary.services)
    demo.close()


def test_the_command_line_gives_text_json_and_csv(
    demo: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io
    import json

    from bot.cli import main

    path = str(demo.database.path)
    demo.close()
    for fmt in ("text", "json", "csv"):
        assert (
            main(
                [
                    "summary",
                    "--db",
                    path,
                    "--today",
                    "2026-11-23",
                    "--period",
                    "last quarter",
                    "--format",
                    fmt,
                ]
            )
            == 0
        )
    out = capsys.readouterr().out
    text, rest = out.split("\n{", 1)
    data = json.loads("{" + rest[: rest.index("\nservice,")])
    rows = list(csv.DictReader(io.StringIO(rest[rest.index("\nservice,") + 1 :])))

    assert text.startswith("EHCP compliance summary: Jul 2026 to Sep 2026")
    assert data["period"]["label"] == "Jul 2026 to Sep 2026"
    assert rows[-1]["service"] == "All services"
    assert sum(int(r["due"]) for r in rows[:-1]) == int(rows[-1]["due"])
    assert {r["service"]: r["latest_rag"] for r in rows}["Community Paediatrics"] == "red"
    assert main(["summary", "--db", path, "--period", "yesterday"]) == 2
