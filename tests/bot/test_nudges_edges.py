"""The command line's dry run and summary at the edges: an excepted request nudged on its agreed
date, a clinical delay past its expected date, the ladder run out ("reply was due ..., N working
days ago"), each step's heading saying who does what, and "not provided" counted as late."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.cli.main import main
from bot.storage.store import Store
from ehcp_rules import AdviceOutcome, AdviceRequestRecord, ExceptionReason, Service
from tests.fakes import sqlite_file

from .test_nudge_sweep import GENERAL, _channel


def _add(store: Store, service: Service, ref: str, received: date, **extra: object) -> None:
    record = AdviceRequestRecord.model_validate(
        {"case_ref": ref, "service_id": service.id, "received_on": received, **extra}
    )
    store.call(lambda r: r.requests.add(record, actor="t"))


def test_the_dry_run_nudges_exceptions_delays_and_a_ladder_run_out(
    store: Store, slt: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    _channel(store, "http://127.0.0.1:9/", GENERAL, slt, "General")
    # escalation 2 on 11 January 2027, reply by 25 January: run out by 5 February
    _add(store, slt, "LA-1001", date(2026, 11, 2))
    _add(
        store,
        slt,
        "LA-1002",
        date(2026, 11, 16),
        exception_reason=ExceptionReason.MISSED_APPOINTMENT,
        exception_narrative="Two appointments not kept.",
        exception_arose_on=date(2026, 12, 1),
        agreed_return_on=date(2027, 2, 8),
    )
    _add(
        store,
        slt,
        "LA-1003",
        date(2026, 12, 14),  # due 25 January
        outcome=AdviceOutcome.CLINICAL_DELAY,
        expected_on=date(2027, 2, 1),
        team_told=True,
    )
    path = str(sqlite_file(store))

    assert main(["nudges", "--db", path, "--today", "2027-02-05", "--dry-run", "--json"]) == 0
    assert main(["nudges", "--db", path, "--today", "2027-02-05", "--dry-run"]) == 0

    out = capsys.readouterr().out
    plan = json.loads(out[: out.index("\nNudges for")])
    items = {i["reference"]: i for i in plan["channels_due"][0]["items"]}
    assert items["LA-1001"]["step"] == "reply_overdue"
    # working days after Monday 25 January up to Friday 5 February: 9
    assert items["LA-1001"]["text"] == (
        "LA-1001 · Children's SLT · escalation 2: reply was due 25 Jan, 9 working days ago"
    )
    assert items["LA-1002"]["step"] == "agreed_date_soon"
    assert "excepted (reg 8(2)): agreed return date Mon 08 Feb" in items["LA-1002"]["text"]
    assert items["LA-1003"]["step"] == "expected_passed"
    assert "clinical delay: expected 01 Feb, now passed" in items["LA-1003"]["text"]


def test_each_escalation_heading_says_who_does_what(
    store: Store, slt: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    _channel(store, "http://127.0.0.1:9/", GENERAL, slt, "General")
    _add(store, slt, "LA-1001", date(2026, 11, 2))
    path = str(sqlite_file(store))

    assert main(["nudges", "--db", path, "--today", "2027-01-11", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert (
        "Escalation 2: Escalation inside health: the head of service gives a return date and "
        "the reason for the delay (reply within 10 working days)"
    ) in out


def test_the_summary_counts_not_provided_as_late_and_leaves_out_only_reg_8_2_exceptions(
    store: Store, slt: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    # all due in December 2026 (received 2 November: due 14 December)
    _add(store, slt, "LA-1001", date(2026, 11, 2), returned_on=date(2026, 12, 1))  # on time
    _add(
        store,
        slt,
        "LA-1002",
        date(2026, 11, 2),
        outcome=AdviceOutcome.NOT_PROVIDED,
        returned_on=date(2027, 1, 12),
        not_provided_reason="Not required.",
    )
    _add(
        store,
        slt,
        "LA-1003",
        date(2026, 11, 2),
        returned_on=date(2027, 1, 5),
        exception_reason=ExceptionReason.ABSENT_FROM_AREA,
        exception_narrative="Abroad.",
        exception_arose_on=date(2026, 11, 10),
        agreed_return_on=date(2027, 1, 5),
    )  # late, excepted under reg 8(2)
    _add(
        store,
        slt,
        "LA-1004",
        date(2026, 11, 2),
        returned_on=date(2027, 1, 5),
        exception_reason=ExceptionReason.ABSENT_FROM_AREA,
        exception_narrative="Abroad (recorded before the date was asked for).",
    )  # late, an exception with no date: listed, not left out
    path = str(sqlite_file(store))

    args = ["summary", "--db", path, "--today", "2027-01-20", "--period", "2026-12"]
    assert main([*args, "--format", "json"]) == 0

    data = json.loads(capsys.readouterr().out)
    overall = data["overall"]
    assert (overall["on_time"], overall["late"]) == (1, 3)
    assert overall["percent_on_time"] == 25.0  # 1 of 4
    assert overall["percent_on_time_excluding_exceptions"] == 33.3  # 1 of 3: LA-1003 left out
