"""Administrator commands: services, roles and the demo, against a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.storage.store import Store
from tests.fakes import FakeClock

SAM = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"


def _run(db: Path, *args: str) -> int:
    return main([*args, "--db", str(db)])


def test_services_are_added_and_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ehcp.db"

    assert _run(db, "services", "add", "CAMHS", "--provider", "Trust B") == 0
    assert _run(db, "services", "list") == 0

    out = capsys.readouterr().out
    assert "Added service 'CAMHS' (number 1)." in out
    assert "CAMHS — Trust B" in out


def test_a_duplicate_service_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ehcp.db"
    _run(db, "services", "add", "CAMHS")

    assert _run(db, "services", "add", "camhs") == 2

    assert capsys.readouterr().err.strip() == (
        "ehcp-bot services: There is already a service called 'camhs'."
    )


def test_roles_are_granted_listed_and_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ehcp.db"
    _run(db, "services", "add", "CAMHS")

    assert (
        _run(
            db,
            "roles",
            "grant",
            "--user",
            SAM,
            "--role",
            "spoc",
            "--service",
            "CAMHS",
            "--name",
            "Sam Patel",
        )
        == 0
    )
    assert _run(db, "roles", "list") == 0
    assert _run(db, "roles", "revoke", "--user", SAM, "--role", "spoc", "--service", "CAMHS") == 0

    out = capsys.readouterr().out
    assert "Sam Patel is now single point of contact (SPOC) for CAMHS." in out
    assert f"{SAM}  Sam Patel  spoc          CAMHS" in out
    with Store.open(db, clock=FakeClock()) as store:
        assert store.call(lambda r: r.people.all_grants()) == []


def test_a_grant_for_an_unknown_service_writes_nothing_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ehcp.db"
    _run(db, "services", "add", "CAMHS")

    code = _run(db, "roles", "grant", "--user", SAM, "--role", "practitioner", "--service", "OT")

    assert code == 2
    assert "There is no service called 'OT' (known: CAMHS)." in capsys.readouterr().err
    with Store.open(db, clock=FakeClock()) as store:
        assert store.call(lambda r: r.people.all_grants()) == []


def test_an_unknown_role_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path / "ehcp.db", "roles", "grant", "--user", SAM, "--role", "boss")

    assert exit_info.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_the_demo_loads_once_into_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"

    assert _run(db, "demo", "--today", "2026-11-23") == 0
    assert _run(db, "demo") == 2

    captured = capsys.readouterr()
    # (250: the demo shows a request closed at escalation 2 as "advice will not be provided")
    assert "4 services, 4 people, 250 requests, 8 reviews" in captured.out
    assert "already has services" in captured.err
    with Store.open(db, clock=FakeClock()) as store:
        open_requests = store.call(lambda r: r.requests.open_for(None))
        services = store.call(lambda r: r.services.all())
        submitted = store.call(lambda r: r.assessments.submitted(services[-1].id))
    assert len(open_requests) == 9
    assert [a.rag for a in submitted] == ["red"]


def test_the_demo_subscribes_channels_so_a_dry_run_shows_a_digest_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    assert _run(db, "demo", "--today", "2026-11-23") == 0
    capsys.readouterr()

    assert _run(db, "nudges", "--dry-run", "--today", "2026-11-23") == 0

    out = capsys.readouterr().out
    assert "Nudges for Mon 23 Nov 2026: 2 channels" in out
    assert "EHCP nudges (demo: every service)" in out and "DEMO-1006" in out
    assert "SLT team (demo: weekly on Monday)" in out  # its day


def test_subscriptions_are_listed_paused_and_resumed_from_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    _run(db, "demo", "--today", "2026-11-23")
    capsys.readouterr()

    assert _run(db, "subscriptions", "list") == 0
    listed = capsys.readouterr().out
    assert _run(db, "subscriptions", "pause", "--channel", "sLT team (demo: weekly on Monday)") == 0
    paused = capsys.readouterr().out
    assert _run(db, "subscriptions", "list") == 0
    after = capsys.readouterr().out
    assert _run(db, "subscriptions", "pause", "--channel", "nowhere") == 2
    unknown = capsys.readouterr().err
    assert _run(db, "subscriptions", "resume", "--channel", "19:demo-slt-team@thread.tacv2") == 0
    assert _run(db, "nudges", "--dry-run", "--today", "2026-11-23") == 0

    assert "19:demo-all-services@thread.tacv2  every service  daily" in listed
    assert "Children's Speech and Language Therapy  weekly on Monday" in listed
    assert "PAUSED" not in listed and "Paused the nudges of" in paused
    assert "weekly on Monday  PAUSED until resumed (paused by an administrator)" in after
    assert unknown.startswith("ehcp-bot subscriptions: no subscribed channel is 'nowhere'.")
    assert "2 channels" in capsys.readouterr().out  # resumed


def test_a_dry_run_in_json_lists_the_reviews_needing_health(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo on 23 November 2026: DEMO-R004 moves school in September 2027 (amended plan by
    14 February 2027, the meeting 12 weeks before: 22 November 2026), DEMO-R003 is past its
    12 months."""
    import json

    db = tmp_path / "demo.db"
    assert _run(db, "demo", "--today", "2026-11-23") == 0
    capsys.readouterr()

    assert _run(db, "nudges", "--dry-run", "--json", "--today", "2026-11-23") == 0

    channels = json.loads(capsys.readouterr().out)["channels_due"]
    items = {
        (i["reference"], i["step"], i["on"], i["reply_by"])
        for channel in channels
        for i in channel["items"]
        if i["reference"].startswith("DEMO-R")
    }
    assert ("DEMO-R004", "phase_transfer", "2027-02-14", "2026-11-22") in items
    assert ("DEMO-R003", "review_past_limit", "2026-11-07", None) in items
    assert not any(step == "no_meeting_date" for _, step, _, _ in items)  # said once, above
